"""Everything the portal knows about htmx lives here, around htmx-flask.

A fragment is rendered only for an htmx request that is neither boosted nor a history restore;
every other request gets the full page from the same context.

One fragment convention (tests/test_templates.py, tests/test_fragments.py): a partial
`templates/<domain>/_name.html` never extends a layout and IS the element it replaces: one root
element whose stable id the page names in `hx-target`, swapped with `outerHTML`. The page
`include`s the partial, so the markup exists once. A live region (`aria-live`) wraps the partial in
the page and is never swapped itself, so a screen reader hears the new content.
"""

from __future__ import annotations

import json

from flask import Response, render_template, request
from htmx_flask import Htmx

_htmx = Htmx()


def init_app(app) -> None:
    _htmx.init_app(app)

    @app.after_request
    def _vary_on_hx_request(response: Response) -> Response:
        response.vary.add("HX-Request")
        return response


def is_htmx() -> bool:
    return bool(getattr(request, "htmx", False))


def wants_fragment() -> bool:
    hx = getattr(request, "htmx", None)
    return bool(hx) and not hx.boosted and not hx.history_restore_request


def render(page: str, fragment: str | None = None, **context) -> str:
    """Render `fragment` for a plain htmx request, otherwise the whole `page`."""
    if fragment and wants_fragment():
        return render_template(fragment, **context)
    return render_template(page, **context)


def trigger(response: Response, event: str, detail=None) -> Response:
    """Fire a client-side event after the swap (HX-Trigger)."""
    response.headers["HX-Trigger"] = json.dumps({event: detail if detail is not None else True})
    return response


def client_redirect(url: str) -> Response:
    """Tell htmx to navigate (a plain 3xx would be followed inside the XHR)."""
    response = Response(status=204)
    response.headers["HX-Redirect"] = url
    return response
