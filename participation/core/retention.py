"""Retention periods: each capability declares the categories of data it keeps and how to delete or
anonymise what is older than its period; `flask retention enforce` (a nightly job, see rights) applies them.

A period is ``RETENTION_DAYS[key]`` when that setting names the category, else the category's default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from .types import utcnow


@dataclass(frozen=True)
class RetentionCategory:
    key: str  # e.g. "accounts.deleted_accounts"; the name used in RETENTION_DAYS
    label: object  # lazy_gettext
    days: int  # default period
    # function(cutoff: datetime, dry_run: bool) -> number of records deleted or anonymised (or that would be)
    enforce: Callable[[datetime, bool], int]
    description: object = ""  # lazy_gettext: what happens at the end of the period

    def period_days(self) -> int:
        return int(current_app.config.get("RETENTION_DAYS", {}).get(self.key, self.days))

    def cutoff(self, now: datetime | None = None) -> datetime:
        return (now or utcnow()) - timedelta(days=self.period_days())


def categories() -> list[RetentionCategory]:
    from .capability import capabilities

    return [category for capability in capabilities() for category in capability.retention]
