"""Public statistics of the rights desk per Japanese fiscal quarter (the fiscal year starts on
1 April: Q1 April–June ... Q4 January–March of the next calendar year)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from statistics import median
from zoneinfo import ZoneInfo

from flask import current_app

from ..extensions import db
from .models import Kind, RightsRequest


@dataclass
class Quarter:
    fiscal_year: int
    quarter: int
    by_kind: Counter = field(default_factory=Counter)
    by_topic: Counter = field(default_factory=Counter)
    days_to_answer: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    @property
    def median_days(self) -> float | None:
        return median(self.days_to_answer) if self.days_to_answer else None


def fiscal_quarter(day) -> tuple[int, int]:
    """(fiscal year, quarter) of a calendar date: 2027-02-10 -> (2026, 4)."""
    if day.month >= 4:
        return day.year, (day.month - 4) // 3 + 1
    return day.year - 1, 4


def quarters() -> list[Quarter]:
    """Newest first. One query of four small columns per request (no personal field read)."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    rows = db.session.execute(
        db.select(RightsRequest.kind, RightsRequest.topic, RightsRequest.created_at, RightsRequest.closed_at)
    ).all()
    found: dict[tuple[int, int], Quarter] = {}
    for kind, topic, created_at, closed_at in rows:
        key = fiscal_quarter(created_at.astimezone(zone).date())
        quarter = found.setdefault(key, Quarter(*key))
        quarter.by_kind[kind] += 1
        if kind == Kind.COMPLAINT.value and topic:
            quarter.by_topic[topic] += 1
        if closed_at is not None:
            quarter.days_to_answer.append((closed_at.astimezone(zone).date() - created_at.astimezone(zone).date()).days)
    return [found[key] for key in sorted(found, reverse=True)]
