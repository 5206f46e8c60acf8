"""Japanese morphological analysis, shared by search (normalised forms, readings) and anything else
that needs words or readings of Japanese text (e.g. furigana).

SudachiPy with the sudachidict-core dictionary, both from PyPI, so nothing is downloaded at run
time. The dictionary is memory-mapped once per process (its pages are shared between workers by the
operating system); a tokenizer is not thread-safe, so each thread gets its own.

``morphemes(text)`` gives, for each word: its surface (the characters in ``text``), its reading in
katakana, its dictionary (base) form, its normalised form (Sudachi's 表記正規化: 申込 / 申込み →
申し込み, サーバ → サーバー, 附属 → 付属), its part of speech, offsets into ``text`` and whether the
word is unknown to the dictionary. ``long_units=True`` keeps compounds the dictionary knows whole
(Sudachi's mode C), each with its short units (mode A) in ``parts``.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass

MAX_CHUNK = 4000  # characters per tokenizer call (Sudachi refuses inputs over ~49 KB of UTF-8)
_SPLIT_AT = re.compile(r"[。．！？!?\n]")

_local = threading.local()


@dataclass(frozen=True, slots=True)
class Morpheme:
    surface: str
    reading: str  # katakana
    base: str  # dictionary form: 申し込め → 申し込む
    normalized: str  # normalised spelling: 申込 → 申し込み
    pos: tuple[str, ...]  # e.g. ("名詞", "普通名詞", "一般", "*", "*", "*")
    start: int
    end: int
    oov: bool
    parts: tuple[Morpheme, ...] = ()  # the short units of a long unit (long_units=True), else ()


@functools.cache
def _dictionary():
    from sudachipy import Dictionary

    return Dictionary(dict="core")


def _tokenizer():
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        from sudachipy import SplitMode

        tokenizer = _local.tokenizer = _dictionary().tokenizer(mode=SplitMode.C)
    return tokenizer


def _chunks(text: str):
    """(offset, piece) pieces of at most MAX_CHUNK characters, cut after sentence ends if possible."""
    start = 0
    while start < len(text):
        end = min(len(text), start + MAX_CHUNK)
        if end < len(text):
            cut = max((m.end() for m in _SPLIT_AT.finditer(text, start, end)), default=0)
            end = cut if cut > start else end
        yield start, text[start:end]
        start = end


def _make(m, offset: int, parts=()) -> Morpheme:
    return Morpheme(
        m.surface(),
        m.reading_form(),
        m.dictionary_form(),
        m.normalized_form(),
        tuple(m.part_of_speech()),
        offset + m.begin(),
        offset + m.end(),
        m.is_oov(),
        parts,
    )


def morphemes(text: str, long_units: bool = False) -> list[Morpheme]:
    """The words of ``text`` in order: short units (mode A), or long units with their parts."""
    from sudachipy import SplitMode

    found: list[Morpheme] = []
    tokenizer = _tokenizer()
    for offset, piece in _chunks(text):
        for m in tokenizer.tokenize(piece):
            short = m.split(SplitMode.A) or [m]
            if long_units:
                parts = tuple(_make(s, offset) for s in short) if len(short) > 1 else ()
                found.append(_make(m, offset, parts))
            else:
                found.extend(_make(s, offset) for s in short)
    return found


def short_units(text: str) -> list[tuple]:
    """The fast path for long texts (indexing): per short unit (mode A), a plain tuple
    (surface, reading, normalized, part-of-speech id, start, end, unknown); ``part_of_speech(id)``
    gives the part of speech."""
    found = []
    tokenizer = _short_tokenizer()
    for offset, piece in _chunks(text):
        for m in tokenizer.tokenize(piece):
            found.append(
                (m.surface(), m.reading_form(), m.normalized_form(), m.part_of_speech_id(),
                 offset + m.begin(), offset + m.end(), m.is_oov())
            )  # fmt: skip
    return found


@functools.lru_cache(maxsize=2048)
def part_of_speech(pos_id: int) -> tuple[str, ...]:
    return tuple(_dictionary().pos_of(pos_id))


def _short_tokenizer():
    tokenizer = getattr(_local, "short", None)
    if tokenizer is None:
        from sudachipy import SplitMode

        tokenizer = _local.short = _dictionary().tokenizer(mode=SplitMode.A)
    return tokenizer


@functools.lru_cache(maxsize=4096)
def analyse_short(text: str, long_units: bool = False) -> tuple[Morpheme, ...]:
    """``morphemes`` for short texts seen again and again (queries, synonyms), kept per process."""
    return tuple(morphemes(text, long_units))


# --- kana ------------------------------------------------------------------------------------------

_HIRAGANA = "".join(chr(c) for c in range(0x3041, 0x3097))
_KATAKANA = "".join(chr(c) for c in range(0x30A1, 0x30F7))
_TO_KATAKANA = str.maketrans(_HIRAGANA, _KATAKANA)
_TO_HIRAGANA = str.maketrans(_KATAKANA, _HIRAGANA)


def to_katakana(text: str) -> str:
    return text.translate(_TO_KATAKANA)


def to_hiragana(text: str) -> str:
    return text.translate(_TO_HIRAGANA)


def has_hiragana(text: str) -> bool:
    return any("\u3041" <= c <= "\u309f" for c in text)


def is_kana(text: str) -> bool:
    """Only hiragana and katakana (with ー), nothing else."""
    return bool(text) and all("\u3041" <= c <= "\u30ff" for c in text)
