"""Column types shared by all models: UTC timestamps and per-locale text."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import JSON, DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_today() -> date:
    """Today's date in the city's calendar (the configured time zone), from the UTC clock."""
    return utcnow().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in Python, naive UTC in the database (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use aware datetimes (participation.core.types.utcnow)")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class LocalizedText(Mapping[str, str]):
    """One value per locale plus the locale it was written in.

    Immutable: assign a new LocalizedText to change a field, so SQLAlchemy sees the change.
    Empty values are dropped, so ``"en" in text`` means an English text exists.
    """

    __slots__ = ("_values", "original")

    def __init__(self, values: Mapping[str, str] | None = None, original: str | None = None):
        cleaned = {k: v.strip() for k, v in (values or {}).items() if v and v.strip()}
        self._values = cleaned
        if original is None or original not in cleaned:
            original = next(iter(cleaned), original or "ja")
        self.original = original

    def __getitem__(self, locale: str) -> str:
        return self._values[locale]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LocalizedText):
            return self._values == other._values and self.original == other.original
        return NotImplemented

    def __hash__(self) -> int:
        return hash((tuple(sorted(self._values.items())), self.original))

    def __repr__(self) -> str:
        return f"LocalizedText({self._values!r}, original={self.original!r})"

    def resolve(self, locale: str) -> tuple[str, str]:
        """The text to show a reader of ``locale`` and the locale it is actually in."""
        if locale in self._values:
            return self._values[locale], locale
        if self.original in self._values:
            return self._values[self.original], self.original
        for other, value in self._values.items():
            return value, other
        return "", locale

    def to_json(self) -> dict:
        return {"original": self.original, "text": dict(self._values)}

    @classmethod
    def from_json(cls, data: Mapping | None) -> LocalizedText:
        data = data or {}
        return cls(data.get("text") or {}, data.get("original"))


class LocalizedTextType(TypeDecorator):
    """Stores a LocalizedText as JSON: {"original": "ja", "text": {"ja": "...", "en": "..."}}."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, Mapping) and not isinstance(value, LocalizedText):
            value = LocalizedText(value)
        return value.to_json()

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return LocalizedText.from_json(value)
