"""Follows and notifications, a core mechanism every capability can use:

    from participation.core.notifications import notify, followers_of, users_with_role

A capability declares how its kinds read in ``Capability.notification_kinds`` and which of its
record types can be followed with ``ResourceType(followable=True)``.
"""

from .services import (
    ensure_following,
    follow,
    followers_of,
    is_following,
    mark_all_read,
    mark_read,
    notify,
    unfollow,
    unread_count,
    users_with_role,
)

__all__ = [
    "ensure_following",
    "follow",
    "followers_of",
    "is_following",
    "mark_all_read",
    "mark_read",
    "notify",
    "unfollow",
    "unread_count",
    "users_with_role",
]
