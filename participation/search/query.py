"""Turning what a person typed into a search plan any backend can run.

No query language reaches a backend: the text is normalised and analysed like the index, and these
few rules apply (documented on the search page):

- words separated by spaces must all be found; a word written as one run (防犯カメラ設置, 令和5年)
  matches as that run of words, adjacent and in order, not inside longer words (京都 is not found in
  東京都, ジョン not in ビジョン);
- ``A OR B`` (also ``|``) finds either; ``-word`` leaves out what has it; "quoted phrases" and
  「括弧」 match exactly;
- a sentence or a question (防犯カメラの設置について知りたい, How can I install cameras?) is read for
  its content words: particles, endings and question words are dropped, a document must have most
  of them (more than half), and those having all come first;
- each word also matches its variants from the staff's table (防犯カメラ ↔ 監視カメラ, privacy ↔
  プライバシー), and a word with hiragana also matches the words it reads as (こうえん → 公園,
  ぼうはんかめら → 防犯カメラ), split into the readings the index knows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from ..core import japanese
from .analysis import SKELETON, Unit, has_cjk, normalize, query_units

MAX_LENGTH = 200
MAX_GROUPS = 12
MAX_ALTERNATIVES = 12
MAX_READING = 32  # characters of a reading split into known readings
READING = "~"  # the index holds a word's reading as "~" + katakana, at the word's position

EMPTY = _l("Type one or more words to search for.")
TOO_LONG = _l("Your search is too long. Use at most %(max)s characters.", max=MAX_LENGTH)
NO_WORDS = _l("Your search has no words or numbers to look for. Try other words.")

_ITEMS = re.compile(r'"([^"]*)"?|「([^」]*)」?|(\S+)')
_OR = {"OR", "|", "||", "または"}
# "Web 3.0", "Society 5.0": a number typed apart from the word it belongs to is read as one run
_WORD_NUMBER = re.compile(r"(?<=[A-Za-z])\s+(?=\d+(?:\.\d+)*(?:\s|$))")


class QueryError(ValueError):
    """The text cannot be searched for; ``message`` says why in the reader's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Alt:
    """One way a group can match: these terms, adjacent and in order (or anywhere, not adjacent)."""

    terms: tuple[str, ...]
    boost: float = 1.0
    adjacent: bool = True


@dataclass
class Group:
    """Something the person asked for (a word, a phrase, a content word of a sentence), found when
    any of its alternatives matches."""

    text: str
    alts: list[Alt] = field(default_factory=list)
    units: tuple = ()  # the analysed units, for "did you mean"
    hard: bool = False  # quoted or with OR: required even in a sentence


@dataclass
class Plan:
    required: list[Group]  # every one must match
    soft: list[Group]  # a sentence's content words: at least ``soft_min`` must match
    soft_min: int
    excluded: list[Group]  # none may match
    words: tuple[str, ...]  # what was searched for, as typed

    @property
    def groups(self) -> list[Group]:
        return self.required + self.soft

    def highlight_terms(self) -> set[str]:
        return {term for group in self.groups for alt in group.alts for term in alt.terms}

    def surfaces(self) -> set[str]:
        """Strings a matching text probably contains as written: what was typed, and the terms."""
        found = {part for group in self.groups for part in group.text.split(" OR ")}
        return found | {t for t in self.highlight_terms() if not t.startswith((READING, SKELETON))}


# --- vocabulary lookups the plan needs from the index --------------------------------------------


class Vocabulary:
    """What the planner asks the index: which readings it holds (to split a hiragana word)."""

    def known(self, terms: Iterable[str]) -> set[str]:
        return set()


def split_reading(reading: str, known: Callable[[Iterable[str]], set[str]]) -> list[str] | None:
    """``reading`` (katakana) as the fewest readings the index knows, e.g. ボウハンカメラ → ボウハン
    カメラ; None if it cannot be split so."""
    reading = reading[:MAX_READING]
    n = len(reading)
    candidates = {reading[i:j] for i in range(n) for j in range(i + 1, min(n, i + 12) + 1)}
    found = set(known(READING + c for c in candidates))
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for end in range(1, n + 1):
        for start in range(max(0, end - 12), end):
            if best[start] is not None and READING + reading[start:end] in found:
                option = best[start] + [reading[start:end]]
                if best[end] is None or len(option) < len(best[end]):
                    best[end] = option
    return best[n]


# --- synonyms --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SynonymSet:
    """Expressions a city uses for one thing, each as its index terms."""

    members: tuple[tuple[str, ...], ...]


def _substitutions(terms: tuple[str, ...], synonyms: Iterable[SynonymSet]) -> list[tuple[str, ...]]:
    """``terms`` with any run equal to a synonym replaced by each other member of its set."""
    found = []
    for synonym in synonyms:
        for member in synonym.members:
            size = len(member)
            for start in range(len(terms) - size + 1):
                if terms[start : start + size] == member:
                    for other in synonym.members:
                        if other != member:
                            found.append(terms[:start] + other + terms[start + size :])
    return found


# --- parsing ---------------------------------------------------------------------------------------


def _reading_of(units: Iterable[Unit]) -> str:
    return "".join(t.reading for u in units for t in u.tokens if has_cjk(t.reading))


def _group(
    text: str, units: list[Unit], vocabulary: Vocabulary, synonyms, relax: bool = False, exact: bool = False
) -> Group | None:
    """The first alternative is what was typed; the others (variants, synonyms, readings) follow,
    unless ``exact`` (a quoted phrase)."""
    terms = tuple(t.term for u in units for t in u.tokens)
    if not terms:
        return None
    group = Group(text, [Alt(terms, 2.0)], tuple(units))
    if exact:
        return group
    for other in _substitutions(terms, synonyms):
        group.alts.append(Alt(other, 1.5))
    if japanese.has_hiragana(text) and has_cjk(text):
        pieces = split_reading(_reading_of(units), vocabulary.known)
        if pieces:
            group.alts.append(Alt(tuple(READING + p for p in pieces), 1.0))
    if re.fullmatch(r"[\u3005\u4e00-\u9fff]{2,}", text):  # 担手 also finds 担い手, written with okurigana
        group.alts.append(Alt((SKELETON + text,), 1.5))
    if relax and len(units) > 1:  # a sentence's compound: its words anywhere, or one of them, count less
        group.alts.append(Alt(tuple(t.term for u in units for t in u.tokens), 0.5, adjacent=False))
        group.alts += [Alt(tuple(t.term for t in u.tokens), 0.25) for u in units if u.content and u.tokens]
    group.alts = list(dict.fromkeys(group.alts))[:MAX_ALTERNATIVES]
    return group


def _strip_prefix(units: list[Unit]) -> list[Unit]:
    """お / ご before a word (お問い合わせ) is left out so the plain word matches too."""
    while len(units) > 1 and units[0].text in {"お", "ご", "御"} and not units[0].content:
        units = units[1:]
    return units


def _content_runs(units: list[Unit]) -> list[tuple[str, list[Unit]]]:
    runs, current = [], []
    for unit in units + [Unit((), False, "")]:
        if unit.content:
            current.append(unit)
        elif current:
            runs.append(("".join(u.text for u in current), current))
            current = []
    return runs


def _is_sentence(units: list[Unit]) -> bool:
    """Has function words (particles, endings, question words) between or after its words."""
    with_tokens = [u for u in units if u.tokens]
    return any(u.content for u in with_tokens) and any(not u.content for u in with_tokens[1:])


def parse(text: str | None, vocabulary: Vocabulary | None = None, synonyms: Iterable[SynonymSet] = ()) -> Plan:
    """Raises QueryError for an empty, too long or wordless search."""
    vocabulary = vocabulary or Vocabulary()
    synonyms = tuple(synonyms)
    text = normalize(text or "").strip()
    if not text:
        raise QueryError(EMPTY)
    if len(text) > MAX_LENGTH:
        raise QueryError(TOO_LONG)
    text = _WORD_NUMBER.sub("", text)
    function_only: list[tuple[str, list[Unit]]] = []
    required: list[Group] = []
    soft: list[Group] = []
    excluded: list[Group] = []
    words: list[str] = []
    pending_or = False
    sentence = False
    last_required: Group | None = None
    for match in _ITEMS.finditer(text):
        ascii_quoted, bracketed, plain = match.groups()
        if plain is not None and plain in _OR:
            pending_or = last_required is not None
            continue
        negative = plain is not None and plain.startswith("-") and len(plain) > 1
        if negative:
            plain = plain[1:]
        item = next(x for x in (ascii_quoted, bracketed, plain) if x is not None)
        units = query_units(item)
        # kana alone cannot be told apart into words reliably: it is one word, matched by reading too
        if plain is not None and not negative and not japanese.is_kana(item) and _is_sentence(units):
            sentence = True
            found = [_group(run_text, run, vocabulary, synonyms, relax=True) for run_text, run in _content_runs(units)]
            soft += [g for g in found if g]
            words += [g.text for g in found if g]
            pending_or = False
            continue
        if plain is not None and not negative and all(not u.content for u in units if u.tokens):
            if any(u.tokens for u in units):
                sentence = True  # an English stop word or a lone particle: the query reads as a sentence
                function_only.append((item, units))
            continue
        group = _group(
            item.strip(),
            _strip_prefix(units) if plain is not None else units,
            vocabulary,
            synonyms,
            exact=plain is None,
        )
        if group is None:
            continue
        if negative:
            excluded.append(group)
        elif pending_or and last_required is not None:
            last_required.alts = list(dict.fromkeys(last_required.alts + group.alts))[: MAX_ALTERNATIVES * 2]
            last_required.text += f" OR {group.text}"
            last_required.hard = True
            words[-1] = last_required.text
        else:
            group.hard = ascii_quoted is not None
            (soft if bracketed is not None and sentence else required).append(group)
            last_required = group
            words.append(group.text)
        pending_or = False
    if not required and not soft and function_only:  # only such words ("with", "の"): look for them
        required = [g for item, units in function_only if (g := _group(item, units, vocabulary, synonyms))]
        sentence = False
    if sentence:  # plain words around a sentence's function words count as its content words
        soft += [g for g in required if not g.hard]
        required = [g for g in required if g.hard]
    groups = (required + soft)[:MAX_GROUPS]
    required, soft = [g for g in groups if g in required], [g for g in groups if g in soft]
    if not groups:
        raise QueryError(NO_WORDS)
    return Plan(required, soft, len(soft) // 2 + 1 if soft else 0, excluded[:MAX_GROUPS], tuple(words))
