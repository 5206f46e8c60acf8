"""HTTP security: headers and CSP (via Flask-Talisman), the session cookie's Secure flag, and
reverse-proxy handling."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix


class SessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS, not only when the
    SESSION_COOKIE_SECURE setting says so (a site may be reached both ways behind a proxy)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def tile_sources(config) -> list[str]:
    """The CSP source for the map tile server named in SENSORS_TILE_URL: its scheme and host, with
    a template placeholder label such as ``{s}`` widened to ``*``."""
    url = (config.get("SENSORS_TILE_URL") or "").strip()
    if not url:
        return []
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return []
    labels = [("*" if "{" in label or "}" in label else label) for label in parts.netloc.split(".")]
    if any(("{" in label or "}" in label) for label in labels) or "*" in labels[1:]:
        return []
    return [f"{parts.scheme}://{'.'.join(labels)}"]


def init_app(app: Flask) -> None:
    if app.config["PROXY_FIX_X_FOR"]:
        hops = int(app.config["PROXY_FIX_X_FOR"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=int(app.config["PROXY_FIX_X_HOST"]))
    app.session_interface = SessionInterface()
    csp = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": ["'self'", "data:", *app.config["CSP_EXTRA_IMG_SRC"], *tile_sources(app.config)],
        "font-src": "'self'",
        "connect-src": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
        "base-uri": "'self'",
        "object-src": "'none'",
    }
    # One Talisman per app: it keeps its settings on the instance.
    Talisman(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=True,  # only sent on HTTPS responses
        session_cookie_secure=False,  # handled per request by SessionInterface above
        session_cookie_http_only=True,
        frame_options="DENY",
        content_security_policy=csp,
        referrer_policy="strict-origin-when-cross-origin",
        x_content_type_options=True,
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )
