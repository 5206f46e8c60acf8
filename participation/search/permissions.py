"""Who may do what with search: anyone searches; city staff and administrators keep the table of
variants and synonyms."""

from ..core.models import Role
from ..core.permissions import has_role

RULES = {
    "search.manage_synonyms": has_role(Role.STAFF, Role.ADMIN),
}
