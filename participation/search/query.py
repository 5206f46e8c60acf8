"""Turning what a person typed into a Whoosh query, without Whoosh's query language.

Raw text never reaches Whoosh's QueryParser: AND, OR, NOT, *, ?, ~, ^, brackets and colons are plain
text here. The text is normalised and analysed like the index; every word (or quoted phrase) becomes
a group that must match, in the title or the body. A run of Japanese text matches as a phrase of its
bigrams (so 防犯カメラ finds that exact run, not 防犯 and カメラ far apart).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from whoosh import query as wq

from .analysis import JapaneseAnalyzer, bigrams, normalize, split

MAX_LENGTH = 200
MAX_GROUPS = 12
FIELDS = ("title", "body")

EMPTY = _l("Type one or more words to search for.")
TOO_LONG = _l("Your search is too long. Use at most %(max)s characters.", max=MAX_LENGTH)
NO_WORDS = _l("Your search has no words or numbers to look for. Try other words.")

_QUOTED = re.compile(r'"([^"]*)"|「([^」]*)」')


class QueryError(ValueError):
    """The text cannot be searched for; ``message`` says why in the reader's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class ParsedQuery:
    query: wq.Query
    words: tuple[str, ...]  # the groups, for showing what was searched


def _terms(text: str) -> list[str]:
    return [t.text for t in JapaneseAnalyzer()(text)]


def _in_fields(make) -> wq.Query:
    return wq.Or([make(field) for field in FIELDS])


def _phrase(terms: list[str]) -> wq.Query:
    if len(terms) == 1:
        term = terms[0]
        if len(term) == 1 and not term.isascii():  # a single kanji or kana: also inside bigrams
            return _in_fields(lambda f: wq.Or([wq.Term(f, term), wq.Prefix(f, term)]))
        return _in_fields(lambda f: wq.Term(f, term))
    return _in_fields(lambda f: wq.Phrase(f, terms))


def _word(text: str) -> wq.Query | None:
    """One space-separated word: each CJK run as a phrase of bigrams, each Latin word as a term."""
    parts = []
    for piece in split(text):
        if piece.kind == "cjk":
            parts.append(_phrase(bigrams(piece.text)))
        else:
            parts.extend(_phrase([t]) for t in _terms(piece.text))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def parse(text: str | None) -> ParsedQuery:
    """Raises QueryError for an empty, too long or wordless search."""
    text = normalize(text or "").strip()
    if not text:
        raise QueryError(EMPTY)
    if len(text) > MAX_LENGTH:
        raise QueryError(TOO_LONG)
    groups: list[tuple[str, wq.Query]] = []
    rest = []
    last = 0
    for match in _QUOTED.finditer(text):
        rest.append(text[last : match.start()])
        last = match.end()
        phrase = match.group(1) if match.group(1) is not None else match.group(2)
        terms = _terms(phrase)
        if terms:
            groups.append((phrase.strip(), _phrase(terms)))
    rest.append(text[last:])
    for chunk in rest:
        for word in chunk.replace('"', " ").split():
            query = _word(word)
            if query is not None:
                groups.append((word, query))
    if not groups:
        raise QueryError(NO_WORDS)
    groups = groups[:MAX_GROUPS]
    queries = [q for _word_text, q in groups]
    combined = queries[0] if len(queries) == 1 else wq.And(queries)
    return ParsedQuery(combined, tuple(w for w, _q in groups))
