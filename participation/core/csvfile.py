"""The one CSV writer every export uses.

UTF-8 with a byte-order mark (so Excel reads Japanese right), CRLF line ends, and a guard against
spreadsheet formulas: a text cell starting with = + - @ tab or CR is a formula to Excel and
LibreOffice (``=HYPERLINK(...)`` in a device name would become a link), so it gets a leading
apostrophe and stays text. Numbers (ints, floats and text that is just a number, such as "-12.5")
are left as they are. ``uncell`` undoes the guard for importers, so a file exported and imported
again (the sensor register) keeps every value. Large exports stream: rows are written one by one as
the response is sent.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from urllib.parse import quote

from flask import Response, stream_with_context

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def cell(value) -> str:
    """One value as safe CSV text: "" for None, true/false for booleans, numbers as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    # Also a text that already looks guarded ('=...), so that ``uncell`` gives it back unchanged.
    if text.lstrip("'").startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def _guarded(text: str) -> bool:
    return text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS)


def uncell(text: str) -> str:
    """A cell read from a CSV file this platform (or a careful spreadsheet) wrote: the apostrophe
    that kept a formula-like text as text is dropped."""
    return text[1:] if _guarded(text) else text


class _Line:
    """A file-like target that hands back what the csv module wrote for one row."""

    def __init__(self):
        self.buffer = io.StringIO()

    def write(self, text: str) -> None:
        self.buffer.write(text)

    def take(self) -> str:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text


def lines(header: Iterable, rows: Iterable[Iterable]) -> Iterator[str]:
    """The CSV text, one line (header first, BOM before it) at a time, every cell guarded."""
    target = _Line()
    writer = csv.writer(target, lineterminator="\r\n")
    writer.writerow([cell(name) for name in header])
    yield BOM + target.take()
    for row in rows:
        writer.writerow([cell(value) for value in row])
        yield target.take()


def text(header: Iterable, rows: Iterable[Iterable]) -> str:
    return "".join(lines(header, rows))


def encoded(header: Iterable, rows: Iterable[Iterable]) -> bytes:
    """The whole file as UTF-8 bytes (for a ZIP archive)."""
    return text(header, rows).encode("utf-8")


def response(filename: str, header: Iterable, rows: Iterable[Iterable], *, headers: dict | None = None) -> Response:
    """A download streamed row by row, read while the response is sent (in the request's contexts,
    pushed again). ``rows`` must not have run its query yet: the session that ran the view is closed
    by then, so pass a generator that queries when first iterated."""

    def encode():
        for line in lines(header, rows):
            yield line.encode("utf-8")

    quoted = quote(filename)
    disposition = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quoted}"
    if not filename.isascii():
        disposition = f"attachment; filename*=UTF-8''{quoted}"
    return Response(
        stream_with_context(encode()),
        headers={"Content-Type": "text/csv; charset=utf-8", "Content-Disposition": disposition, **(headers or {})},
    )
