"""Access decorators: who may open a page, checked before the view runs."""

from __future__ import annotations

import functools

from flask import abort, current_app
from flask_login import current_user

from portal.extensions import login_manager


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return wrapped


def roles_required(*roles: str):
    """Allow users holding any of `roles`; admins pass every role check."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_any_role(*roles, "admin"):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def public_kb(view):
    """Knowledge-base reading: open to anonymous visitors unless PORTAL_PUBLIC_KB=0."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_app.config["PUBLIC_KB"] and not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return wrapped
