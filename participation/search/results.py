"""Running a search for the public: ranked, filtered, paged, with highlighted snippets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from markupsafe import Markup, escape
from whoosh import query as wq
from whoosh.collectors import TermsCollector, TopCollector
from whoosh.highlight import ContextFragmenter, Formatter, WholeFragmenter, get_text

from ..core import resources
from ..core.pagination import Page
from .index import shared_searcher
from .query import ParsedQuery

SNIPPET_CHARS = 160


class MarkFormatter(Formatter):
    """Matched words in <mark>, everything else HTML-escaped."""

    between = "…"

    def _text(self, text):
        return str(escape(text))

    def format_token(self, text, token, replace=False):
        return f"<mark>{escape(get_text(text, token, replace))}</mark>"


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


def _ref(value: str) -> tuple[str, int] | None:
    name, _, ident = (value or "").partition(":")
    return (name, int(ident)) if name and ident.isdigit() else None


def _public(record) -> bool:
    rtype = resources.resource_type(resources.type_name_of(record))
    return rtype is not None and (rtype.is_public is None or rtype.is_public(record))


def _highlight(hit, field: str, fallback: int | None = None) -> Markup:
    """``field`` with the matched words marked: whole for a title, the best passages of a body."""
    text = hit.get(field) or ""
    hit.results.fragmenter = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=40) if fallback else WholeFragmenter()
    marked = hit.highlights(field, text=text, top=2) if text else ""
    if marked:
        return Markup(marked)  # noqa: S704 (MarkFormatter escapes every piece of text)
    if fallback is not None and len(text) > fallback:
        text = text[:fallback] + "…"
    return escape(text)


def spaces() -> list[tuple[str, str, object]]:
    """The public spaces (e.g. consultations) any indexed document belongs to, as (value, title,
    type label) sorted by title, for the filter: read from the index's term list, one query per type."""
    values = [term.decode() for term in shared_searcher().lexicon("space")]
    refs = {value: ref for value in values if (ref := _ref(value))}
    records = resources.load_many(refs.values())
    found = []
    for value, ref in refs.items():
        record = records.get(ref)
        rtype = resources.resource_type(ref[0])
        if record is None or rtype is None or not _public(record):
            continue
        found.append((value, rtype.title(record) if rtype.title else value, rtype.label))
    return sorted(found, key=lambda item: str(item[1]))


class RecordsCollector(TopCollector):
    """The top documents with at most one per record (its best-scoring language), and the number of
    records among all matches, in one pass. Whoosh's CollapseCollector miscounts when a better
    document of a record replaces one already collected, and its filter bypasses collapsing."""

    def __init__(self, limit: int):
        # every match must be seen to be counted: no block skipping, no matcher replacement
        super().__init__(limit=limit, usequality=False, replace=0)

    def prepare(self, top_searcher, q, context):
        super().prepare(top_searcher, q, context)
        self.best: dict = {}  # ref -> (score, global docnum)

    def set_subsearcher(self, subsearcher, offset):
        super().set_subsearcher(subsearcher, offset)
        reader = subsearcher.reader()
        self.refs = reader.column_reader("ref") if reader.has_column("ref") else {}  # {}: an empty index

    def collect(self, sub_docnum):
        global_docnum = self.offset + sub_docnum
        score = self.matcher.score()
        key = self.refs[sub_docnum]
        found = self.best.get(key)
        if found is not None:
            if score <= found[0]:
                return
            self.remove(found[1])
        self.best[key] = (score, global_docnum)
        self._collect(global_docnum, score)

    def count(self):
        return len(self.best)


def find(
    searcher,
    parsed: ParsedQuery,
    *,
    page: int,
    per_page: int,
    type: str | None = None,
    locale: str | None = None,
    space: str | None = None,
) -> tuple[int, list[tuple]]:
    """The index side of ``search`` (no database, also what benchmarks/search_perf.py times): the
    total and, for the page, rows of (ref, space ref, locale, date, highlighted title, snippet).
    Without a language filter each record appears once, in its best-matching language."""
    filters = [wq.Term("public", True)]
    if type:
        filters.append(wq.Term("type", type))
    if locale:
        filters.append(wq.Term("locale", locale))
    if space:
        filters.append(wq.Term("space", space))
    # The filters join the query with no effect on ranking, rather than going in as ``filter=``:
    # Whoosh's filter collector bypasses collapsing, which would list a record once per language.
    query = wq.And([parsed.query, wq.ConstantScoreQuery(wq.And(filters), 0.0)])
    collapse = not locale
    top = RecordsCollector(page * per_page) if collapse else TopCollector(page * per_page, usequality=False)
    collector = TermsCollector(top)  # which words matched, for highlighting
    searcher.search_with_collector(query, collector)
    results = collector.results()
    results.formatter = MarkFormatter()
    total = collector.count()
    rows = []
    for n in range((page - 1) * per_page, min(page * per_page, results.scored_length())):
        hit = results[n]
        ref = _ref(hit["ref"])
        if ref is None:
            continue
        title, snippet = _highlight(hit, "title"), _highlight(hit, "body", SNIPPET_CHARS)
        rows.append((ref, _ref(hit.get("space")), hit.get("locale"), hit.get("date"), title, snippet))
    return total, rows


def search(
    parsed: ParsedQuery,
    *,
    page: int,
    per_page: int,
    type: str | None = None,
    locale: str | None = None,
    space: str | None = None,
):
    """Public documents matching ``parsed``, best first, one result per record unless a language is
    chosen. ``space`` keeps one space's documents (a consultation and everything in it), as
    "process:12". Records the index still holds but that are no longer public (an update not yet
    applied) are left out."""
    total, rows = find(shared_searcher(), parsed, page=page, per_page=per_page, type=type, locale=locale, space=space)
    records = resources.load_many([r[0] for r in rows] + [r[1] for r in rows if r[1]])
    items = []
    for ref, space, locale_, date, title, snippet in rows:
        record = records.get(ref)
        if record is None or not _public(record):
            continue
        space_record = records.get(space) if space and space != ref else None
        items.append(
            Hit(
                type=ref[0],
                resource_id=ref[1],
                locale=locale_,
                title=title,
                snippet=snippet,
                date=date.replace(tzinfo=UTC) if date else None,
                record=record,
                space=space_record if space_record is not None and _public(space_record) else None,
            )
        )
    return Page(items=items, page=page, per_page=per_page, total=total)
