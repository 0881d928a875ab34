"""Pictures in articles and chapters: the editor's upload, and the pictures themselves, served
to whoever may read an article or chapter that shows them (404 for anyone else)."""

from __future__ import annotations

import io

from flask import abort, current_app, jsonify, render_template, request, send_file
from flask_login import current_user

from portal.core.errors import DomainError
from portal.kb import picture_store, pictures
from portal.kb.views import bp
from portal.web.access import public_kb, roles_required
from portal.web.errors import wants_json

YEAR = 365 * 24 * 3600


def _is_curator() -> bool:
    return current_user.is_authenticated and current_user.has_any_role("curator", "admin")


@bp.post("/pictures")
@roles_required("curator")
def upload_picture():
    """The editor posts one file (chosen, dropped or pasted); the answer is the Markdown to insert
    (JSON for the editor's script, a page to copy it from without JavaScript)."""
    upload = request.files.get("file")
    data = upload.read(current_app.config["IMAGE_MAX_BYTES"] + 1) if upload else b""
    alt = request.form.get("alt", "").strip() or pictures.alt_from_filename(upload.filename if upload else "")
    try:
        picture = picture_store.store_picture(data, current_user)
    except DomainError as err:  # nothing was stored; the editor keeps what was typed
        if wants_json():
            return jsonify({"error": {"status": err.status, "message": err.message}}), err.status
        return render_template("kb/picture_uploaded.html", error=err.message), err.status
    url = picture_store.url(picture)
    markdown = pictures.markdown_for(alt, url)
    if wants_json():
        return jsonify(
            {"url": url, "full": picture_store.url(picture, full=True), "markdown": markdown, "width": picture.width}
        ), 201
    return render_template("kb/picture_uploaded.html", picture=picture, url=url, markdown=markdown), 201


def _serve(name: str, *, full: bool):
    parsed = pictures.parse_name(name)
    picture = picture_store.find(parsed[0]) if parsed else None
    if picture is None or parsed is None or parsed[1] != pictures.EXTENSIONS[picture.format]:
        abort(404)
    audience = picture_store.audience_of(picture)
    if not pictures.may_see(audience, authenticated=current_user.is_authenticated, is_curator=_is_curator()):
        abort(404)  # as if it did not exist: its address says nothing about the article
    data = picture_store.read(picture, full=full)
    if data is None:
        abort(404)
    response = send_file(
        io.BytesIO(data),
        mimetype=picture_store.content_type(picture),
        etag=picture.key + ("-full" if full else ""),
        max_age=YEAR,
        conditional=True,
        last_modified=picture.created_at,
    )
    # The address holds the content hash: a browser may keep it for a year without asking again.
    # Only a picture anyone may see may sit in a shared cache too.
    shared = audience == pictures.PUBLIC and current_app.config["PUBLIC_KB"]
    response.headers["Cache-Control"] = f"{'public' if shared else 'private'}, max-age={YEAR}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Content-Disposition"] = f"inline; filename={name}"
    if not shared:
        response.vary.add("Cookie")
    return response


@bp.get("/pictures/<name>")
@public_kb
def picture(name: str):
    """The picture as pages show it (at most IMAGE_RENDITION_WIDTH wide)."""
    return _serve(name, full=False)


@bp.get("/pictures/full/<name>")
@public_kb
def picture_original(name: str):
    """Every pixel of the picture (re-encoded, without its metadata)."""
    return _serve(name, full=True)
