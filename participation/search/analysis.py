"""Japanese-aware text analysis for the index and for queries.

Text is NFKC-normalised (ＡＩ → AI, ｶﾒﾗ → カメラ) and lower-cased. Runs of CJK characters (kanji,
hiragana, katakana with the long-vowel mark) become overlapping character bigrams, so a two-character
word such as 公園 is found inside an unspaced sentence; a one-character run stays a unigram. Latin and
digit words become lower-cased, English-stemmed words (cameras → camera).

Whoosh pickles the schema, analyzers included, into the index: the tokenizer keeps no state beyond
plain attributes and must stay at this import path (moving it breaks opening existing indexes; run
`flask search rebuild` after such a change).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from whoosh.analysis import Composable, LowercaseFilter, StemFilter, Token, Tokenizer

CJK = (
    "\u3005\u3006\u3007"  # 々 〆 〇
    "\u3041-\u309f"  # hiragana
    "\u30a0-\u30ff"  # katakana, including ー
    "\u31f0-\u31ff"  # katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # compatibility ideographs
    "\U00020000-\U0003134f"  # extensions B–G
)
_TOKENS = re.compile(rf"(?P<cjk>[{CJK}]+)|(?P<word>(?:(?![{CJK}])[^\W_])+)")


def normalize(text: str) -> str:
    """The form both the index and queries see: NFKC (full/half width unified)."""
    return unicodedata.normalize("NFKC", text or "")


@dataclass(frozen=True)
class Piece:
    """A run found by ``split``: ``kind`` is "cjk" or "word"."""

    kind: str
    text: str
    start: int
    end: int


def split(text: str) -> list[Piece]:
    """Runs of CJK characters and of other letters or digits in already normalised text."""
    return [Piece(m.lastgroup, m.group(), m.start(), m.end()) for m in _TOKENS.finditer(text)]


def bigrams(run: str) -> list[str]:
    if len(run) < 2:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


class JapaneseTokenizer(Tokenizer):
    """CJK runs → bigrams (unigram for a single character); other words whole. Positions advance by
    one per token, so adjacent bigrams of a run match as a phrase; character offsets refer to the
    NFKC-normalised text (index normalised text so highlights line up)."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __hash__(self):
        return hash(self.__class__.__name__)

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        text = normalize(value)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = text
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(text)
            yield token
            return
        pos = start_pos
        for piece in split(text):
            if piece.kind == "cjk":
                parts = [(gram, piece.start + i) for i, gram in enumerate(bigrams(piece.text))]
            else:
                parts = [(piece.text, piece.start)]
            for part, offset in parts:
                token.text = part
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = part
                if positions:
                    token.pos = pos
                if chars:
                    token.startchar = start_char + offset
                    token.endchar = start_char + offset + len(part)
                pos += 1
                yield token


class LatinStemFilter(StemFilter):
    """English stemming for Latin words only: CJK bigrams pass untouched (the stemmer would not change
    them, but calling it through Whoosh's pure-Python cache for every bigram was the largest cost of
    indexing and highlighting Japanese text)."""

    def clear(self):
        super().clear()  # built with cachesize=None: the plain stemmer, cached here in C instead
        self._stem = functools.lru_cache(maxsize=50_000)(self._stem)

    def __call__(self, tokens):
        stem = self._stem
        for token in tokens:
            text = token.text
            if not token.stopped and text.isascii() and text not in self.ignore:
                token.text = stem(text)
            yield token


def JapaneseAnalyzer() -> Composable:  # noqa: N802 (named like Whoosh's analyzer factories)
    """The analyzer of every text field: tokenizer, lower case, English stemming (CJK is untouched:
    the stemmer only removes English suffixes)."""
    return JapaneseTokenizer() | LowercaseFilter() | LatinStemFilter(lang="en", cachesize=None)


def analyze(text: str) -> list[str]:
    """The index terms of ``text`` (used for queries, so both sides agree)."""
    return [t.text for t in JapaneseAnalyzer()(text)]
