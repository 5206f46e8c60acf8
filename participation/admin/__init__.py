"""Administration: people and their roles, the action log, and the site's own settings."""

from flask_babel import lazy_gettext as _l

from ..core.action_log import fixed
from ..core.capability import Capability, NavEntry
from ..core.models import Role
from ..core.permissions import has_role
from .views import accounts_by_role, bp

capability = Capability(
    name="admin",
    blueprints=(bp,),
    slots={"admin.dashboard": accounts_by_role},
    permissions={"users.view": has_role(Role.ADMIN)},
    admin_nav=(
        NavEntry(_l("People and roles"), "admin.users", "users.view", order=10),
        NavEntry(_l("Action log"), "admin.log", "log.read_restricted", order=20),
        NavEntry(_l("Background jobs"), "admin.jobs", "jobs.manage", order=80),
        NavEntry(_l("Site settings"), "admin.site", "site.edit", order=90),
    ),
    action_labels={"site.updated": fixed(_l("Updated the site settings"))},
)
