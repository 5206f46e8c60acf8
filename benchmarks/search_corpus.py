"""Test documents for the search benchmarks: real Japanese paragraphs read at run time from a folder
of plain-text files (never copied into the repository), and English documents generated from the
vocabulary below with known word forms, so relevance can be decided by rule."""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

# Each English lemma with the inflected forms the generator writes; a query for any form of a lemma
# is relevant to every document containing any form of it (the rule of search_quality.py).
ENGLISH_FORMS: dict[str, tuple[str, ...]] = {
    "camera": ("camera", "cameras"),
    "park": ("park", "parks"),
    "bus": ("bus", "buses"),
    "sensor": ("sensor", "sensors"),
    "library": ("library", "libraries"),
    "bicycle": ("bicycle", "bicycles"),
    "school": ("school", "schools"),
    "bridge": ("bridge", "bridges"),
    "resident": ("resident", "residents"),
    "station": ("station", "stations"),
    "street": ("street", "streets"),
    "playground": ("playground", "playgrounds"),
    "festival": ("festival", "festivals"),
    "survey": ("survey", "surveys", "surveyed", "surveying"),
    "study": ("study", "studies", "studied", "studying"),
    "plan": ("plan", "plans", "planned", "planning"),
    "install": ("install", "installs", "installed", "installing"),
    "repair": ("repair", "repairs", "repaired", "repairing"),
    "collect": ("collect", "collects", "collected", "collecting"),
    "discuss": ("discuss", "discusses", "discussed", "discussing"),
    "propose": ("propose", "proposes", "proposed", "proposing"),
    "improve": ("improve", "improves", "improved", "improving"),
    "measure": ("measure", "measures", "measured", "measuring"),
    "security": ("security",),
    "privacy": ("privacy",),
    "traffic": ("traffic",),
    "data": ("data",),
    "safety": ("safety",),
    "night": ("night", "nights"),
    "child": ("child", "children"),
    "elderly": ("elderly",),
    "lighting": ("lighting",),
    "noise": ("noise", "noises"),
    "budget": ("budget", "budgets"),
    "volunteer": ("volunteer", "volunteers", "volunteered"),
    "flood": ("flood", "floods", "flooded", "flooding"),
    "tree": ("tree", "trees"),
    "footpath": ("footpath", "footpaths"),
    "council": ("council", "councils"),
    "meeting": ("meeting", "meetings"),
}
# More vocabulary with regular inflections, so that most lemmas are rare (as in real text) and a
# query for one form has few relevant documents, most of them written with another form.
_MORE_NOUNS = [
    "agency",
    "apartment",
    "archive",
    "area",
    "avenue",
    "bench",
    "boundary",
    "branch",
    "building",
    "canal",
    "centre",
    "clinic",
    "community",
    "corner",
    "crossing",
    "dam",
    "district",
    "ditch",
    "drain",
    "entrance",
    "estate",
    "facility",
    "factory",
    "farm",
    "fence",
    "field",
    "forest",
    "fountain",
    "garden",
    "gate",
    "harbour",
    "highway",
    "hospital",
    "hotel",
    "house",
    "island",
    "junction",
    "kindergarten",
    "lake",
    "lamp",
    "landmark",
    "lane",
    "market",
    "monument",
    "museum",
    "neighbourhood",
    "office",
    "parking",
    "path",
    "pavement",
    "pier",
    "plaza",
    "pond",
    "pool",
    "port",
    "post",
    "railway",
    "reservoir",
    "river",
    "road",
    "route",
    "shelter",
    "shop",
    "shrine",
    "signal",
    "square",
    "stadium",
    "statue",
    "stop",
    "store",
    "stream",
    "suburb",
    "temple",
    "terminal",
    "theatre",
    "tower",
    "town",
    "trail",
    "tram",
    "tunnel",
    "valley",
    "village",
    "wall",
    "ward",
    "warehouse",
    "website",
    "wetland",
    "workshop",
    "zone",
    "address",
    "alarm",
    "antenna",
    "battery",
    "cable",
    "charger",
    "device",
    "drone",
    "gauge",
    "kiosk",
    "label",
    "meter",
    "panel",
    "printer",
    "radar",
    "recorder",
    "router",
    "scanner",
    "screen",
    "server",
    "speaker",
    "tablet",
    "thermometer",
    "tracker",
    "transmitter",
]
_MORE_VERBS = [
    "adopt",
    "allow",
    "analyse",
    "announce",
    "approve",
    "arrange",
    "assess",
    "attend",
    "borrow",
    "change",
    "check",
    "clean",
    "close",
    "compare",
    "complete",
    "connect",
    "consider",
    "consult",
    "contact",
    "count",
    "cover",
    "create",
    "delay",
    "deliver",
    "design",
    "display",
    "document",
    "expand",
    "explain",
    "extend",
    "fund",
    "gather",
    "guide",
    "inform",
    "inspect",
    "invite",
    "join",
    "launch",
    "limit",
    "list",
    "locate",
    "maintain",
    "manage",
    "mark",
    "monitor",
    "notify",
    "observe",
    "obtain",
    "open",
    "organise",
    "paint",
    "publish",
    "reduce",
    "register",
    "remove",
    "rent",
    "replace",
    "report",
    "request",
    "restore",
    "review",
    "schedule",
    "select",
    "share",
    "support",
    "test",
    "train",
    "translate",
    "update",
    "upgrade",
    "visit",
    "vote",
    "warn",
    "widen",
]


def _plural(word: str) -> str:
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _verb_forms(verb: str) -> tuple[str, ...]:
    if verb.endswith("e"):
        past, ing = verb + "d", verb[:-1] + "ing"
    elif verb.endswith("y") and verb[-2] not in "aeiou":
        past, ing = verb[:-1] + "ied", verb + "ing"
    else:
        past, ing = verb + "ed", verb + "ing"
    return (verb, _plural(verb), past, ing)


for _noun in _MORE_NOUNS:
    ENGLISH_FORMS.setdefault(_noun, (_noun, _plural(_noun)))
for _verb in _MORE_VERBS:
    ENGLISH_FORMS.setdefault(_verb, _verb_forms(_verb))
_VERB_LEMMAS = {"survey", "study", "plan", "install", "repair", "collect", "discuss", "propose", "improve", "measure"}
_VERB_LEMMAS.update(_MORE_VERBS)

LEMMA_OF = {form: lemma for lemma, forms in ENGLISH_FORMS.items() for form in forms}
NOUNS = sorted(lemma for lemma in ENGLISH_FORMS if lemma not in _VERB_LEMMAS)
VERBS = sorted(_VERB_LEMMAS)
FILLERS = ["the", "city", "will", "near", "with", "for", "and", "new", "local", "this", "year", "our", "along"]


def _zipf(words: list[str], seed: int) -> tuple[list[str], list[float]]:
    """The words in a fixed random order with Zipf weights: a few common, most rare."""
    order = sorted(words)
    random.Random(seed).shuffle(order)
    return order, [1 / (rank + 1) for rank in range(len(order))]


_NOUN_DIST = _zipf(NOUNS, 1)
_VERB_DIST = _zipf(VERBS, 2)


@dataclass(frozen=True)
class Document:
    id: int
    locale: str
    text: str


def japanese_paragraphs(folder: str | Path, min_chars: int = 40) -> list[str]:
    """The paragraphs of every *.txt file under ``folder``: lines are joined until one ends a
    sentence (。), since the files are extracted from PDFs with hard line breaks."""
    paragraphs: list[str] = []
    for path in sorted(Path(folder).rglob("*.txt")):
        current = ""
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            line = line.strip()
            if not line:
                continue
            current += line
            if line.endswith(("。", "．")):
                if len(current) >= min_chars:
                    paragraphs.append(current)
                current = ""
        if len(current) >= min_chars:
            paragraphs.append(current)
    if not paragraphs:
        raise SystemExit(f"no Japanese paragraphs found in {folder}")
    return paragraphs


def english_document(rng: random.Random, sentences: int) -> str:
    out = []
    for _ in range(sentences):
        words = [rng.choice(FILLERS).capitalize()]
        for _ in range(rng.randint(6, 12)):
            pick = rng.random()
            if pick < 0.35:
                words.append(rng.choice(ENGLISH_FORMS[rng.choices(*_NOUN_DIST)[0]]))
            elif pick < 0.55:
                words.append(rng.choice(ENGLISH_FORMS[rng.choices(*_VERB_DIST)[0]]))
            else:
                words.append(rng.choice(FILLERS))
        out.append(" ".join(words) + ".")
    return " ".join(out)


def english_documents(count: int, seed: int = 7, start_id: int = 0) -> list[Document]:
    rng = random.Random(seed)
    return [Document(start_id + n, "en", english_document(rng, rng.randint(2, 6))) for n in range(count)]


def english_lemmas(text: str) -> list[str | None]:
    """The lemma of each word of a generated English text (None for words outside the vocabulary)."""
    return [LEMMA_OF.get(word) for word in re.findall(r"[a-z]+", text.lower())]


# --- width variants --------------------------------------------------------------------------------

_HALF_KATAKANA = {}
for _code in range(0xFF66, 0xFF9E):
    _half = chr(_code)
    _HALF_KATAKANA.setdefault(unicodedata.normalize("NFKC", _half), _half)
    for _mark in ("\uff9e", "\uff9f"):  # ﾞ ﾟ
        _full = unicodedata.normalize("NFKC", _half + _mark)
        if len(_full) == 1:
            _HALF_KATAKANA.setdefault(_full, _half + _mark)
_HALF_KATAKANA["ー"] = "ｰ"


def half_width(text: str) -> str:
    """Katakana as half-width katakana (カメラ → ｶﾒﾗ)."""
    return "".join(_HALF_KATAKANA.get(char, char) for char in text)


def full_width(text: str) -> str:
    """ASCII letters and digits as full-width forms (AI → ＡＩ)."""
    return "".join(chr(ord(char) + 0xFEE0) if char.isascii() and char.isalnum() else char for char in text)
