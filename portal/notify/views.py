"""The notification list: newest unread first; opening one marks it read and follows its link."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user

from portal.notify import services
from portal.web.access import login_required
from portal.web.htmx import render
from portal.web.request import parse_page

bp = Blueprint("notify", __name__, url_prefix="/notifications")
PAGE_SIZE = 20


@bp.get("/")
@login_required
def index():
    page = services.recent(current_user.id, parse_page(request.args.get("page")), PAGE_SIZE)
    return render("notify/index.html", "notify/_list.html", rows=page)


@bp.post("/<int:note_id>/open")
@login_required
def open_one(note_id: int):
    target = services.open_notification(current_user.id, note_id)
    if target is None:
        abort(404)
    return redirect(target or url_for("notify.index"))


@bp.post("/read")
@login_required
def read_all():
    services.mark_read(current_user.id)
    return redirect(url_for("notify.index"))
