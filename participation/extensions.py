"""Extension singletons, created unbound; create_app binds them in one visible order."""

from flask import current_app, has_request_context
from flask_babel import Babel
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# Stable constraint names, identical on SQLite and PostgreSQL, so migrations stay reviewable.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()


class AppLimiter(Limiter):
    """Flask-Limiter keeps its on/off switch on this process-wide object, set by whichever app was
    initialised last; here each request reads its own app's RATELIMIT_ENABLED, so several apps in one
    process (the test suite's) keep their own setting. Counters live in the storage of the app
    initialised last (RATELIMIT_STORAGE_URI): one app per process outside tests."""

    @property
    def enabled(self) -> bool:
        # Outside a request (init_app) always on, so the storage and limits are set up for every app.
        return not has_request_context() or bool(current_app.config.get("RATELIMIT_ENABLED", True))

    @enabled.setter
    def enabled(self, _value) -> None:
        pass


limiter = AppLimiter(key_func=get_remote_address)
htmx = HTMX()
mail = Mail()
