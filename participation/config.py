"""Configuration: defaults in code, overrides from the environment.

Plain names are read for the settings every deployment touches (DATABASE_URL, SECRET_KEY, MAIL_*);
anything else can be set as PARTICIPATION_<NAME> (parsed as JSON when it looks like JSON, as Flask's
``from_prefixed_env`` does). Production refuses to start without a secret key.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("PARTICIPATION_PROJECT_ROOT", Path(__file__).resolve().parent.parent))


class ConfigError(RuntimeError):
    """Raised when the app would start in an unsafe or broken configuration."""


DEFAULTS: dict[str, object] = {
    # "development" generates a secret into instance/ and writes mail to files there;
    # "production" (the default, so a forgotten setting fails safe) requires real settings.
    "APP_ENV": "production",
    "SQLALCHEMY_DATABASE_URI": None,  # set from DATABASE_URL or defaults to instance/participation.sqlite
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # Capabilities registered by create_app, in this order (dotted paths to a `capability` object).
    "CAPABILITIES": [
        "participation.accounts:capability",
        "participation.admin:capability",
        "participation.processes:capability",
        "participation.proposals:capability",
        "participation.deliberation:capability",
        "participation.sensors:capability",
        "participation.policies:capability",
        "participation.governance:capability",
        "participation.moderation:capability",
        "participation.search:capability",
        "participation.rights:capability",
    ],
    # Locales: the first is the default. Content and UI are Japanese first.
    "LOCALES": ["ja", "en"],
    "BABEL_DEFAULT_LOCALE": "ja",
    # Times are stored in UTC and shown in this zone.
    "TIMEZONE": "Asia/Tokyo",
    "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
    "LOCALE_COOKIE_NAME": "locale",
    "LOCALE_COOKIE_MAX_AGE": 365 * 24 * 3600,
    # Sessions and cookies. The session cookie is also marked Secure whenever the request came over
    # HTTPS (see core.security.SessionInterface); this setting forces it on for every request.
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 14 * 24 * 3600,
    "FORCE_HTTPS": False,
    "PROXY_FIX_X_FOR": 0,  # number of trusted reverse proxies in front of the app
    "PROXY_FIX_X_HOST": 0,  # set to 1 only if the proxy sets X-Forwarded-Host itself
    # The site's address as residents reach it. Links in mail are built from it, never from the
    # request's Host header (which anyone can forge to send a reset link to their own server).
    "PUBLIC_URL": None,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,  # tokens are bound to the session; long-open pages keep working
    "WTF_CSRF_HEADERS": ["X-CSRFToken"],
    # Rate limits (Flask-Limiter), counted where every worker sees them: production requires a
    # storage such as redis://127.0.0.1:6379 (memory:// only when one single process serves the site);
    # development and tests count in memory.
    "RATELIMIT_STORAGE_URI": None,
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_LOGIN": "10 per minute;50 per hour",
    "RATELIMIT_LOGIN_PER_ACCOUNT": "20 per hour",
    "RATELIMIT_PASSWORD_RESET": "5 per 15 minutes;20 per day",
    "RATELIMIT_PASSWORD_RESET_PER_ADDRESS": "3 per hour",
    "RATELIMIT_REGISTER": "10 per hour",
    "PASSWORD_RESET_MAX_AGE": 3600,
    # Werkzeug's password hash, e.g. "scrypt" (its strong default) or "pbkdf2:sha256:600000". The test
    # suite sets one cheap round; existing hashes keep working whatever the setting.
    "PASSWORD_HASH_METHOD": "scrypt",
    # Mail: SMTP when MAIL_SERVER is set; in development, files under instance/mail.
    "MAIL_BACKEND": None,
    "MAIL_SERVER": None,
    "MAIL_PORT": 587,
    "MAIL_USE_TLS": True,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_TIMEOUT": 10,
    "MAIL_DEFAULT_SENDER": "no-reply@localhost",
    # Background jobs (core/jobs): "database" (a queue in PostgreSQL, run by `flask jobs worker`;
    # the production default), "memory" (a queue in the serving process; development) or "inline"
    # (right after the commit; tests).
    "JOBS_BACKEND": None,
    # Content security policy additions, e.g. a map tile server for img-src.
    "CSP_EXTRA_IMG_SRC": [],
    # Map of the sensor register: a tile URL template such as
    # "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png" and its attribution (plain text). Empty:
    # no map, only the table. The tile host is added to the CSP img-src automatically.
    "SENSORS_TILE_URL": "",
    "SENSORS_TILE_ATTRIBUTION": "",
    "PAGE_SIZE": 20,
    # Top-level comments per page under a proposal or discussion (their replies come with them);
    # each costs a few milliseconds to render, so a page stays short.
    "COMMENTS_PAGE_SIZE": 20,
    # Moderation: content reported by this many different people is hidden until a moderator reviews it.
    "MODERATION_HIDE_AFTER_REPORTS": 3,
    # Search: the Whoosh index directory (default instance/search-index; local disk only, never NFS),
    # how long an update after a commit waits for the index's write lock before leaving the change
    # to `flask search sync`, and how long that command waits.
    "SEARCH_INDEX_DIR": None,
    "SEARCH_WRITER_TIMEOUT": 0.5,
    "SEARCH_SYNC_TIMEOUT": 60.0,
    # "whoosh" (an index on this machine's disk) or "postgresql" (one index in the database that
    # several machines share; needs DATABASE_URL on PostgreSQL).
    "SEARCH_BACKEND": "whoosh",
    # A backlog (a bulk import, another machine's changes) is applied by `flask search sync` and, when
    # this is on, by a background thread of the process that notices it (tests turn it off).
    "SEARCH_SYNC_IN_BACKGROUND": True,
    # Whoosh on PostgreSQL: a feed row's id is taken before its transaction commits, so an index's
    # position only passes rows at least this old (newer ones are applied and applied again later).
    "SEARCH_FEED_SETTLE_SECONDS": 300,
    # Feed rows every machine's index has read are deleted; a machine not heard of for this many
    # days no longer holds them back (it needs `flask search rebuild` when it comes back).
    "SEARCH_FEED_KEEP_DAYS": 7,
    # Processes analysing text during `flask search rebuild`.
    "SEARCH_REBUILD_WORKERS": 2,
    # Whole pages for anonymous readers (core/pagecache.py): on unless APP_ENV is testing (tests ask for
    # it). Flask-Caching's own settings: "SimpleCache" keeps pages in each process; with several
    # machines set CACHE_TYPE "RedisCache" and CACHE_REDIS_URL (e.g. redis://127.0.0.1:6379/3).
    "PAGE_CACHE": None,
    "PAGE_CACHE_TIMEOUT": 60,  # seconds a stored page is served (relative times, today's stage)
    "PAGE_CACHE_MAX_AGE": 30,  # what browsers and the city's reverse proxy may reuse without asking
    "CACHE_TYPE": "SimpleCache",
    "CACHE_THRESHOLD": 500,
    "CACHE_KEY_PREFIX": "participation:",
    "CACHE_REDIS_URL": None,
    # Demo mode: `flask seed demo` loads the sample district and one account per role.
    "DEMO": False,
}

# Environment variables read under their plain names, with the type to parse them as.
_PLAIN_ENV: dict[str, type] = {
    "SECRET_KEY": str,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USE_TLS": bool,
    "MAIL_USE_SSL": bool,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_DEFAULT_SENDER": str,
    "APP_ENV": str,
    "PUBLIC_URL": str,
}


def _parse(value: str, kind: type) -> object:
    if kind is bool:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return kind(value)


def load(app, overrides: dict | None = None) -> None:
    """Fill ``app.config`` from defaults, the environment, then ``overrides`` (tests pass a mapping)."""
    app.config.from_mapping(DEFAULTS)
    for name, kind in _PLAIN_ENV.items():
        if name in os.environ:
            app.config[name] = _parse(os.environ[name], kind)
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
    app.config.from_prefixed_env("PARTICIPATION")
    if overrides:
        app.config.from_mapping(overrides)
        if "DATABASE_URL" in overrides:
            app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(overrides["DATABASE_URL"])

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'participation.sqlite'}"

    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["LOCALES"][0]
    env = app.config["APP_ENV"]
    if env not in {"production", "development", "testing"}:
        raise ConfigError(f"APP_ENV must be production, development or testing, not {env!r}")
    if not app.config.get("SECRET_KEY"):
        if env == "production":
            raise ConfigError(
                "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
                "(for local use, set APP_ENV=development to generate one into instance/)."
            )
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    if not app.config.get("PUBLIC_URL"):
        if env == "production":
            raise ConfigError("PUBLIC_URL is not set (e.g. https://participation.city.example.jp): mail links need it.")
        app.config["PUBLIC_URL"] = "http://127.0.0.1:5000"
    if env == "production" and not app.config.get("MAIL_SERVER") and not app.config.get("MAIL_BACKEND"):
        raise ConfigError("MAIL_SERVER is not set: password-reset mail could not be delivered.")
    if app.config["MAIL_BACKEND"] is None:
        if app.config.get("MAIL_SERVER"):
            app.config["MAIL_BACKEND"] = "smtp"
        elif env == "testing":
            app.config["MAIL_BACKEND"] = "locmem"
        else:
            app.config["MAIL_BACKEND"] = "file"
    app.config.setdefault("MAIL_FILE_PATH", str(Path(app.instance_path) / "mail"))
    if app.config["PAGE_CACHE"] is None:
        app.config["PAGE_CACHE"] = env != "testing"
    _background_settings(app, env)


def _background_settings(app, env: str) -> None:
    """Jobs and rate limits must be shared by every worker in production: refuse to start otherwise."""
    postgres = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    backend = app.config["JOBS_BACKEND"]
    if backend is None:
        backend = {"testing": "inline", "development": "memory"}.get(env, "database")
        if backend == "database" and not postgres:
            raise ConfigError(
                "Background jobs need PostgreSQL in production (DATABASE_URL=postgresql://...). To serve "
                "from one single process on SQLite, set PARTICIPATION_JOBS_BACKEND=memory (mail waiting "
                "to be sent is then lost when the process stops)."
            )
        app.config["JOBS_BACKEND"] = backend
    if backend not in {"database", "memory", "inline"}:
        raise ConfigError(f"JOBS_BACKEND must be database, memory or inline, not {backend!r}")
    if backend == "database" and not postgres:
        raise ConfigError("JOBS_BACKEND=database needs PostgreSQL (DATABASE_URL=postgresql://...).")
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        if env == "production":
            raise ConfigError(
                "PARTICIPATION_RATELIMIT_STORAGE_URI is not set: rate limits must be counted where every "
                "worker sees them, e.g. redis://127.0.0.1:6379/0. Only if one single process serves the "
                "site, set it to memory://."
            )
        app.config["RATELIMIT_STORAGE_URI"] = "memory://"


def normalise_database_url(url: str) -> str:
    """Accept the common ``postgres://`` and ``postgresql://`` forms and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret(instance: Path) -> str:
    """A development secret, generated once and kept in instance/ so sessions survive restarts."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
