"""What the search index holds for the register: each published device's name, place, organisation,
purposes and what it keeps, in every language it is described in."""

from __future__ import annotations

from collections.abc import Iterator

from ..core.searchable import Searchable, SearchDocument, locales_of
from ..extensions import db
from .models import Device

_BODY_FIELDS = ("address", "place", "area", "organisation", "purposes", "captured", "kept", "privacy_measures")


def documents(device: Device) -> Iterator[SearchDocument]:
    texts = [getattr(device, name) for name in _BODY_FIELDS]
    for locale in locales_of(device.name, *texts):
        body = [str(device.kind_label)] + [text.resolve(locale)[0] for text in texts if text]
        yield SearchDocument(
            locale=locale,
            title=device.name.resolve(locale)[0] if device.name else "",
            body="\n".join(part for part in body if part),
            date=device.published_at or device.created_at,
        )


searchable = (
    Searchable(
        "sensor",
        Device,
        documents=documents,
        query=lambda: db.select(Device).order_by(Device.id),
        is_public=lambda device: device.is_published,
    ),
)
