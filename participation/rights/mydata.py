"""Everything the platform holds about one person, gathered from every capability's
``personal_data`` hook, and its downloads: JSON, and a ZIP of CSV files (written by core.csvfile:
UTF-8 with a byte-order mark so spreadsheet programs open them correctly, formulas kept as text)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, date, datetime

from flask import current_app, url_for

from ..core import csvfile
from ..core.capability import DataSection, capabilities
from ..core.models import User


def collect(user: User, links: dict[str, str] | None = None) -> dict[str, list[dict[str, object]]]:
    """{section title: rows}, titles and column names in the reader's language, values plain.
    With ``links``, fills it with {section title: URL} of the pages where the person manages a section."""
    sections: dict[str, list[dict[str, object]]] = {}
    # The profile (accounts) first, then the capabilities in their registration order.
    for capability in sorted(capabilities(), key=lambda c: c.name != "accounts"):
        if capability.personal_data is None:
            continue
        for title, rows in capability.personal_data(user).items():
            sections[str(title)] = [{str(key): _plain(value) for key, value in row.items()} for row in rows]
            if links is not None and isinstance(title, DataSection) and title.endpoint in current_app.view_functions:
                links[str(title)] = url_for(title.endpoint)
    return sections


def _plain(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, int | float | bool):
        return value
    return str(value)


def json_document(user: User) -> str:
    return json.dumps(
        {"generated_at": _plain(datetime.now(UTC)), "sections": collect(user)}, ensure_ascii=False, indent=2
    )


def _filename(index: int, title: str) -> str:
    # Keep letters of any script (Japanese titles stay readable); drop path and shell characters.
    safe = re.sub(r"[^\w\-]+", "_", title).strip("_")[:60] or "section"
    return f"{index:02d}_{safe}.csv"


def zip_bytes(user: User) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (title, rows) in enumerate(collect(user).items(), start=1):
            columns: list[str] = []
            for row in rows:
                columns += [key for key in row if key not in columns]
            table = ([row.get(column) for column in columns] for row in rows)
            archive.writestr(_filename(index, title), csvfile.encoded(columns, table))
    return buffer.getvalue()
