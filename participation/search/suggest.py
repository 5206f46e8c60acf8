"""「もしかして」: when a search finds nothing, a spelling the index itself holds.

A Japanese word is replaced by a noun of the index's vocabulary with the same reading (公演 → 公園,
the usual slip of kana-to-kanji conversion), the one most documents have; a Latin word by one at
most two edits away (privcy → privacy). A suggestion is offered only if it finds public documents,
so nothing the index no longer shows (an unpublished record's words) can leak through it.
"""

from __future__ import annotations

from .analysis import has_cjk
from .query import Plan


def distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _japanese(backend, word: str, reading: str) -> str | None:
    options = [
        (count, term.split(":", 2)[2])
        for term, count in backend.vocabulary(f"s:{reading}:", limit=20)
        if term.count(":") == 2 and term.split(":", 2)[2] != word and count
    ]
    return max(options)[1] if options else None


def _latin(backend, word: str) -> str | None:
    options = [(-distance(t, "w:" + word), count, t[2:]) for t, count in backend.close_terms("w:" + word)]
    return max(options)[2] if options else None


def suggestion(backend, plan: Plan, text: str) -> str | None:
    """Another way to write ``text`` (what was typed) that finds something, or None."""
    replacements = {}
    for group in plan.groups:
        for unit in group.units:
            for token in unit.tokens:
                if not token.content or backend.has_term(token.term):
                    continue
                if has_cjk(token.term):
                    better = _japanese(backend, token.term, token.reading)
                    surface = unit.text if len(unit.tokens) == 1 else None
                else:
                    better = _latin(backend, text_of(unit).lower())
                    surface = text_of(unit)
                if better and surface:
                    replacements[surface] = better
    if not replacements:
        return None
    suggested = text
    for old, new in replacements.items():
        suggested = suggested.replace(old, new)
    return suggested if suggested != text else None


def text_of(unit) -> str:
    return unit.text
