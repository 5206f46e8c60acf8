"""Running a search for the public: ranked, filtered, paged, with highlighted snippets, "did you
mean", and the consultations that have results, whichever backend holds the index."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from markupsafe import Markup, escape

from ..core import resources
from ..core.pagination import Page
from .analysis import tokens
from .backend import backend
from .documents import parse_ref
from .query import READING, Plan, parse
from .synonyms import current as current_synonyms

SNIPPET_CHARS = 160
HIGHLIGHT_CHARS = 600  # of a body analysed when the words as typed are not in it (bounds the work)


@dataclass
class Hit:
    type: str
    resource_id: int
    locale: str
    title: Markup
    snippet: Markup
    date: datetime | None
    record: object
    space: object | None

    @property
    def type_label(self):
        rtype = resources.resource_type(self.type)
        return rtype.label if rtype else self.type

    @property
    def url(self) -> str | None:
        rtype = resources.resource_type(self.type)
        return rtype.url(self.record) if rtype and rtype.url else None

    @property
    def space_title(self) -> str | None:
        if self.space is None:
            return None
        rtype = resources.resource_type(resources.type_name_of(self.space))
        return rtype.title(self.space) if rtype and rtype.title else None


def _public(record) -> bool:
    rtype = resources.resource_type(resources.type_name_of(record))
    return rtype is not None and (rtype.is_public is None or rtype.is_public(record))


def _spans(text: str, wanted: set[str]) -> list[tuple[int, int]]:
    """Character ranges of the words of ``text`` a search matched, touching ones joined."""
    spans: list[tuple[int, int]] = []
    for token in tokens(text):
        if token.term in wanted or READING + token.reading in wanted:
            if spans and token.start <= spans[-1][1]:
                spans[-1] = (spans[-1][0], token.end)
            else:
                spans.append((token.start, token.end))
    return spans


def _marked(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> Markup:
    end = len(text) if end is None else end
    out, cursor = [], start
    for a, b in spans:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        out.append(str(escape(text[cursor:a])))
        out.append(f"<mark>{escape(text[a:b])}</mark>")
        cursor = b
    out.append(str(escape(text[cursor:end])))
    return Markup("".join(out))  # noqa: S704 (every piece of text is escaped)


def highlight_title(text: str, wanted: set[str]) -> Markup:
    return _marked(text, _spans(text, wanted))


def snippet(text: str, wanted: set[str], surfaces: set[str] = frozenset()) -> Markup:
    """The passage of a body around its first matched words, marked. Only that passage is analysed:
    it is found by the words as typed (``surfaces``), else among the body's first characters."""
    lowered = text.lower()
    found = [i for surface in surfaces if surface and (i := lowered.find(surface.lower())) >= 0]
    if found:
        start = max(0, min(found) - 40)
    else:
        head = _spans(text[:HIGHLIGHT_CHARS], wanted)
        start = max(0, head[0][0] - 40) if head else 0
    end = min(len(text), start + SNIPPET_CHARS)
    spans = [(a + start, b + start) for a, b in _spans(text[start:end], wanted)]
    marked = _marked(text, spans, start, end)
    return Markup(("…" if start else "") + marked + ("…" if end < len(text) else ""))  # noqa: S704


def plan_for(text: str) -> Plan:
    """Raises QueryError; reads the synonym table (one query) and the index's readings."""
    return parse(text, backend(), current_synonyms())


def search(plan: Plan, *, page: int, per_page: int, type=None, locale=None, space=None):
    """Public documents matching ``plan``, best first, one result per record unless a language is
    chosen, and the public spaces (e.g. consultations) having results, for the filter: (page, spaces).
    ``space`` keeps one space's documents (a consultation and everything in it), as "process:12";
    an unknown one, or one without results, is ignored. Records the index still holds but that are
    no longer public (an update not yet applied) are left out."""
    found = backend()
    total, rows, space_values = found.find_with_spaces(plan, page=page, per_page=per_page, type=type, locale=locale)
    if space and space in space_values:
        total, rows = found.find(plan, page=page, per_page=per_page, type=type, locale=locale, space=space)
    else:
        space = None
    space_refs = {value: ref for value in space_values if (ref := parse_ref(value))}
    records = resources.load_many(
        [r.ref for r in rows] + [r.space for r in rows if r.space] + list(space_refs.values())
    )
    wanted, surfaces = plan.highlight_terms(), plan.surfaces()
    items = []
    for row in rows:
        record = records.get(row.ref)
        if record is None or not _public(record):
            continue
        space_record = records.get(row.space) if row.space and row.space != row.ref else None
        items.append(
            Hit(
                type=row.ref[0],
                resource_id=row.ref[1],
                locale=row.locale,
                title=highlight_title(row.title, wanted),
                snippet=snippet(row.body, wanted, surfaces) if row.body else Markup(""),
                date=row.date.replace(tzinfo=UTC) if row.date else None,
                record=record,
                space=space_record if space_record is not None and _public(space_record) else None,
            )
        )
    page_ = Page(items=items, page=page, per_page=per_page, total=total)
    return page_, _space_options(space_refs, records), space


def _space_options(refs: dict, records: dict) -> list[tuple[str, str, object]]:
    """(value, title, type label) of the public spaces, sorted by title: its cost follows the
    results, not the number of spaces."""
    found = []
    for value, ref in refs.items():
        record = records.get(ref)
        rtype = resources.resource_type(ref[0])
        if record is None or rtype is None or not _public(record):
            continue
        found.append((value, rtype.title(record) if rtype.title else value, rtype.label))
    return sorted(found, key=lambda item: str(item[1]))


def did_you_mean(plan: Plan, text: str, **filters) -> str | None:
    from .query import QueryError
    from .suggest import suggestion

    suggested = suggestion(backend(), plan, text)
    if not suggested:
        return None
    try:
        total, _rows = backend().find(plan_for(suggested), page=1, per_page=1, **filters)
    except QueryError:
        return None
    return suggested if total else None


def matching_ids(type_name: str, text: str, *, space=None, limit: int = 1000, loose: bool = False) -> list[int]:
    """``core.searchable.matching_ids`` for this capability's index."""
    from .documents import ref_of
    from .query import QueryError

    try:
        plan = plan_for(text)
    except QueryError:
        return []
    if loose:  # a title to compare with: at least half of its words, the most first
        plan.soft, plan.required = plan.required + plan.soft, []
        plan.soft_min = max(1, (len(plan.soft) + 1) // 2)
    _total, rows = backend().find(plan, page=1, per_page=limit, type=type_name, space=ref_of(*space) if space else None)
    return [row.ref[1] for row in rows]
