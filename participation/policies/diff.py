"""Side-by-side differences between two policy versions, field by field, in the reader's language.

Texts are compared as plain text (not rendered HTML), escaped piece by piece, so markup in a
policy stays inert. Japanese has no spaces, so it is compared character by character; other
languages word by word (each word becomes one character for the diff, then back).

The comparison is Google's diff-match-patch (its Python implementation): on two versions of
20,000 characters of real Japanese text it takes ~15 ms, where difflib took seconds (see
benchmarks/policy_diff_bench.py). It compares paragraphs first, then the characters of the
paragraphs that changed, and it stops on time: the page is public, so the work is bounded by a
time budget per page (past it the remaining changes are shown as whole passages, and the page says
so) and a size limit per text (longer texts are shown side by side without marks). Results are
cached per app by the texts compared, so a pair of adopted versions is compared once per worker and
an edited draft is compared again only where it changed.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from diff_match_patch import diff_match_patch
from flask import current_app
from markupsafe import Markup, escape

from ..core.i18n import localize
from .models import FIELD_LABELS, VERSION_FIELDS, PolicyVersion

_WORDS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
SPACELESS = ("ja", "zh", "ko")
MAX_CHARS = 100_000  # a longer text is shown without marks
PAGE_BUDGET = 0.5  # seconds of diffing for one page, shared by its fields
FIELD_LIMIT = 0.2  # seconds for one field at most
CACHE_CHARS = 4_000_000  # compared characters the cache of one app keeps (a few MB)
EXTENSION_KEY = "participation.policy_diffs"
_CODES = 0xF0000  # words are coded in the private-use planes 15-16
_MAX_WORDS = 0x10FFFD - _CODES
_SENTENCE_ENDS = frozenset(".!?")
_NEWLINE = chr(0x10FFFD)  # a Japanese text's own line breaks while compared
_JA_ENDS = re.compile(f"[。！？．{_NEWLINE}]")


@dataclass(frozen=True)
class TextDiff:
    before: Markup
    after: Markup
    simplified: bool = False  # the time budget ran out: some changes are shown as whole passages
    too_long: bool = False  # not compared at all


@dataclass
class FieldDiff:
    name: str
    label: object
    before: Markup
    after: Markup
    changed: bool
    simplified: bool = False
    too_long: bool = False


def _encode(old: str, new: str, locale: str) -> tuple[str, str, Callable[[str], str]] | None:
    """The two texts as strings of one character per unit compared, and the function turning a
    piece of them back into text. Japanese: its characters. Other languages: each word, run of
    spaces or sign becomes one private-use character. After each sentence and line a bare "\n" is
    added (a text's own line breaks are coded): the diff compares those "lines" first, then the units
    of the sentences that changed, which keeps long texts fast. None: the texts cannot be coded."""
    if locale in SPACELESS:
        if _NEWLINE in old or _NEWLINE in new:
            return None

        def encode_chars(text: str) -> str:
            return _JA_ENDS.sub("\\g<0>\n", text.replace("\n", _NEWLINE))

        return encode_chars(old), encode_chars(new), lambda piece: piece.replace("\n", "").replace(_NEWLINE, "\n")

    codes: dict[str, str] = {}
    tokens: list[str] = []

    def encode_words(text: str) -> str:
        out = []
        for word in _WORDS.findall(text):
            code = codes.get(word)
            if code is None:
                if len(tokens) >= _MAX_WORDS:
                    raise OverflowError
                code = codes[word] = chr(_CODES + len(tokens))
                tokens.append(word)
            out.append(code + "\n" if word in _SENTENCE_ENDS or "\n" in word else code)
        return "".join(out)

    def decode(piece: str) -> str:
        return "".join(tokens[ord(code) - _CODES] for code in piece if code != "\n")

    try:
        return encode_words(old), encode_words(new), decode
    except OverflowError:
        return None


def _compare(old: str, new: str, locale: str, seconds: float) -> TextDiff:
    encoded = None
    if len(old) <= MAX_CHARS and len(new) <= MAX_CHARS:
        encoded = _encode(old, new, locale)
    if encoded is None:
        return TextDiff(escape(old), escape(new), too_long=True)
    a, b, decode = encoded
    engine = diff_match_patch()
    engine.Diff_Timeout = max(seconds, 0.001)  # 0 would mean no limit
    started = time.monotonic()
    ops = engine.diff_main(a, b, True)  # True: sentences and lines first
    simplified = time.monotonic() - started >= seconds
    engine.diff_cleanupSemantic(ops)  # whole words and phrases rather than scattered letters
    left: list[Markup] = []
    right: list[Markup] = []
    for op, piece in ops:
        text = escape(decode(piece))
        if not text:
            continue
        if op == engine.DIFF_EQUAL:
            left.append(text)
            right.append(text)
        elif op == engine.DIFF_DELETE:
            left.append(Markup("<del>%s</del>") % text)
        else:
            right.append(Markup("<ins>%s</ins>") % text)
    return TextDiff(Markup("").join(left), Markup("").join(right), simplified=simplified)


class _Cache:
    """Least recently used results, bounded by the characters they compared."""

    def __init__(self, limit: int):
        self.limit, self.size = limit, 0
        self.entries: OrderedDict[str, tuple[int, TextDiff]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> TextDiff | None:
        with self.lock:
            found = self.entries.get(key)
            if found is None:
                return None
            self.entries.move_to_end(key)
            return found[1]

    def put(self, key: str, weight: int, value: TextDiff) -> None:
        with self.lock:
            if key in self.entries or weight > self.limit:
                return
            self.entries[key] = (weight, value)
            self.size += weight
            while self.size > self.limit:
                _key, (dropped, _value) = self.entries.popitem(last=False)
                self.size -= dropped


def _cache() -> _Cache:
    return current_app.extensions.setdefault(EXTENSION_KEY, _Cache(CACHE_CHARS))


def diff_text(old: str, new: str, locale: str, seconds: float = FIELD_LIMIT) -> TextDiff:
    """(old with removals in <del>, new with additions in <ins>), both escaped; cached by content
    (a simplified result too: asking again must not cost the budget again)."""
    if old == new:
        return TextDiff(escape(old), escape(new))
    key = hashlib.sha256("\0".join(("ja" if locale in SPACELESS else "words", old, new)).encode()).hexdigest()
    cache = _cache()
    found = cache.get(key)
    if found is not None:
        return found
    result = _compare(old, new, locale, seconds)
    cache.put(key, len(old) + len(new), result)
    return result


def _text(value, locale: str) -> str:
    if not value:
        return ""
    return localize(value, locale).text


def diff_versions(old: PolicyVersion, new: PolicyVersion, locale: str) -> list[FieldDiff]:
    rows = []
    deadline = time.monotonic() + PAGE_BUDGET
    for name in ("title", *VERSION_FIELDS):
        before_text = _text(getattr(old, name), locale)
        after_text = _text(getattr(new, name), locale)
        seconds = min(FIELD_LIMIT, max(deadline - time.monotonic(), 0.0))
        result = diff_text(before_text, after_text, locale, seconds)
        rows.append(
            FieldDiff(
                name,
                FIELD_LABELS[name],
                result.before,
                result.after,
                before_text != after_text,
                simplified=result.simplified,
                too_long=result.too_long,
            )
        )
    return rows
