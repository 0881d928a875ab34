"""The tickets blueprint: the employee's pages (views.py) and support's (desk.py) add their routes to it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("tickets", __name__, url_prefix="/tickets")
