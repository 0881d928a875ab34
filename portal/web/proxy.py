"""The client's address and scheme behind reverse proxies the operator names (PORTAL_PROXY_FIX).

Without it `request.remote_addr` is the peer of the socket: right when browsers connect directly,
the proxy's own address behind nginx (every visitor would share one rate limit). With
PORTAL_PROXY_FIX=N the last N entries of X-Forwarded-For/-Proto/-Host are believed, and only
those: a client cannot choose its address by sending the header itself. Never set it when
clients can reach the portal without passing the proxies.
"""

from __future__ import annotations

from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app) -> None:
    proxies = int(app.config.get("PROXY_FIX") or 0)
    if proxies < 0:
        raise ValueError("PORTAL_PROXY_FIX is the number of proxies in front of the portal (0 or more)")
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
