"""Labelled queries for the search quality benchmark, one class per thing residents type, generated
at run time from the text of the documents (never stored in the repository).

The relevance rule is independent of the search being measured: it uses Janome (a morphological
analyser with another dictionary, IPADIC) on the NFKC-normalised text. A document is relevant to a
Japanese word when the word is a run of consecutive whole Janome tokens of it (京都 is not in
東京都 = 東京 | 都; ジョン is not in ビジョン); to a variant (申込 for 申し込み, サーバ for サーバー,
國 for 国, Web 3.0 for Web3.0, ぼうはん for 防犯) when it has any form of the family; to a synonym
when it has any member of the set (the starter table seeds/demo/search.toml, as a city would have
it); to a sentence when it has both of its content words; to "A OR B" when it has either, to
"A -B" when it has A and not B.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from search_corpus import LEMMA_OF

MAX_DF = 15


@dataclass
class Query:
    kind: str
    text: str
    relevant: set[int] = field(default_factory=set)
    expected: str = ""  # for typos: the word a suggestion should lead to


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


KANJI2 = re.compile(r"^[\u4e00-\u9fff]{2}$")
KANJI3 = re.compile(r"^[\u4e00-\u9fff]{3,}$")
KATAKANA = re.compile(r"^[\u30a1-\u30ffー]{3,}$")
LATIN = re.compile(r"^[A-Za-z]{2,}$")
OKURIGANA = re.compile(r"^([\u4e00-\u9fff]+)([\u3041-\u3093]+)([\u4e00-\u9fff]+)([\u3041-\u3093]*)$")
LETTERS_DIGITS = re.compile(r"(?<![A-Za-z0-9.])([A-Za-z]{2,})\s?(\d+(?:\.\d+)?)(?![A-Za-z0-9])")
# a few old forms and the usual ones (the benchmark's own list)
OLD_FORMS = {"国": "國", "学": "學", "会": "會", "体": "體", "広": "廣", "区": "區", "図": "圖", "県": "縣", "駅": "驛", "実": "實", "変": "變", "営": "營", "医": "醫", "関": "關", "点": "點"}  # fmt: skip
TEMPLATES = ["{a}の{b}について知りたい", "{a}の{b}はどこですか", "{a}と{b}について教えてください", "「{a}」の{b}は？"]


class Corpus:
    """Janome's view of every Japanese document: tokens, their readings, and runs of them."""

    def __init__(self, docs):
        from janome.tokenizer import Tokenizer

        tokenizer = Tokenizer()
        self.docs = {d.id: d for d in docs}
        self.tokens: dict[int, list[tuple[str, str, str]]] = {}
        for doc in docs:
            if doc.locale == "ja":
                self.tokens[doc.id] = [
                    (t.surface, t.part_of_speech.split(",")[0], t.reading if t.reading != "*" else t.surface)
                    for t in tokenizer.tokenize(nfkc(doc.text))
                ]
        self.runs = {i: _runs([s for s, _p, _r in found]) for i, found in self.tokens.items()}
        self.reading_runs = {i: _runs([_kata(r) for _s, _p, r in found], 3) for i, found in self.tokens.items()}
        self.nouns: dict[str, set[int]] = defaultdict(set)
        for i, found in self.tokens.items():
            for surface, pos, _r in found:
                if pos == "名詞":
                    self.nouns[surface].add(i)
        # English documents: the lemma of each word (any form of a word is that word)
        self.lemmas = {
            d.id: {LEMMA_OF.get(w, w) for w in re.findall(r"[a-z]+", d.text.lower())} for d in docs if d.locale == "en"
        }

    def with_run(self, *forms: str) -> set[int]:
        forms = {nfkc(f) for f in forms}
        return {i for i, runs in self.runs.items() if forms & runs}

    def pick(self, pattern, count: int, rng, low: int = 1) -> list[str]:
        terms = sorted(
            t for t, ids in self.nouns.items() if pattern.match(t) and low <= len(self.with_run(t)) <= MAX_DF
        )
        rng.shuffle(terms)
        return terms[:count]


def _kata(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)


def _hira(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)


def _runs(tokens: list[str], max_tokens: int = 4) -> set[str]:
    return {"".join(tokens[i : i + n]) for n in range(1, max_tokens + 1) for i in range(len(tokens) - n + 1)}


def okurigana(corpus: Corpus, rng) -> list[Query]:
    """申し込み → 申込み / 申込, and back: the forms of a noun with okurigana left out, where the
    reference dictionary knows the shorter form as a word too (so it is a form people write)."""
    from janome.tokenizer import Tokenizer

    tokenizer = Tokenizer()

    def is_word(text: str) -> bool:
        parsed = list(tokenizer.tokenize(text))
        return len(parsed) == 1 and parsed[0].part_of_speech.startswith("名詞")

    found = []
    words = sorted(
        {s for toks in corpus.tokens.values() for s, pos, _r in toks if pos == "名詞" and OKURIGANA.match(s)}
    )
    rng.shuffle(words)
    for word in words:
        a, kana, b, tail = OKURIGANA.match(word).groups()
        if kana in {"の", "が", "つ", "ヶ", "ケ"}:
            continue
        family = {word} | {f for f in {a + b + tail, a + b, a + kana + b} if f != word and is_word(f)}
        relevant = corpus.with_run(*family)
        if len(family) < 2 or not 1 <= len(relevant) <= MAX_DF:
            continue
        found.append(Query("okurigana", rng.choice(sorted(family - {word})), relevant))
        if len(found) >= 20:
            break
    return found


def long_vowels(corpus: Corpus, rng) -> list[Query]:
    found = []
    for word in corpus.pick(KATAKANA, 200, rng):
        other = word[:-1] if word.endswith("ー") else word + "ー"
        if len(word) < 4 or (not word.endswith("ー") and not corpus.with_run(other)):
            continue
        found.append(Query("long vowel", other, corpus.with_run(word, other)))
        if len(found) >= 15:
            break
    return found


def old_kanji(corpus: Corpus, rng) -> list[Query]:
    terms = [t for t in corpus.pick(re.compile(r"^[\u4e00-\u9fff]{2,4}$"), 400, rng) if set(t) & set(OLD_FORMS)]
    return [Query("old kanji", "".join(OLD_FORMS.get(c, c) for c in t), corpus.with_run(t)) for t in terms[:15]]


def letters_digits(corpus: Corpus, rng) -> list[Query]:
    """Society5.0 / Society 5.0, IoT3 / IoT 3: relevant whichever way a document writes it."""
    texts = {i: nfkc(d.text) for i, d in corpus.docs.items()}
    pairs = sorted({(m.group(1), m.group(2)) for t in texts.values() for m in LETTERS_DIGITS.finditer(t)})
    found = []
    for letters, digits in pairs:
        pattern = re.compile(rf"(?<![A-Za-z0-9.]){re.escape(letters)}\s?{re.escape(digits)}(?![0-9.]?\d)", re.I)
        relevant = {i for i, t in texts.items() if pattern.search(t)}
        if 1 <= len(relevant) <= MAX_DF:
            joined = rng.random() < 0.5
            found.append(Query("letters+digits", f"{letters}{digits}" if joined else f"{letters} {digits}", relevant))
    rng.shuffle(found)
    return found[:15]


def readings(corpus: Corpus, rng) -> list[Query]:
    """A word typed in hiragana: relevant where a word (or run of two or three) reads so."""
    found = []
    for term in corpus.pick(KANJI2, 60, rng) + corpus.pick(KATAKANA, 20, rng):
        reading = next((_kata(r) for toks in corpus.tokens.values() for s, _p, r in toks if s == term), None)
        if not reading or len(reading) < 3:
            continue
        relevant = {i for i, runs in corpus.reading_runs.items() if reading in runs}
        if 1 <= len(relevant) <= MAX_DF:
            found.append(Query("hiragana reading", _hira(reading), relevant))
    return found[:25]


def katakana_boundaries(corpus: Corpus, rng) -> list[Query]:
    """Katakana words that also occur inside longer katakana words (ジョン in ビジョン)."""
    katakana_tokens = {s for toks in corpus.tokens.values() for s, pos, _r in toks if KATAKANA.match(s)}
    found = []
    for word in sorted(katakana_tokens):
        if any(word != other and word in other for other in katakana_tokens):
            relevant = corpus.with_run(word)
            if 1 <= len(relevant) <= MAX_DF:
                found.append(Query("katakana word", word, relevant))
    rng.shuffle(found)
    return found[:15]


def sentences(corpus: Corpus, rng) -> list[Query]:
    found = []
    ids = sorted(corpus.tokens)
    rng.shuffle(ids)
    for i in ids:
        words = sorted(
            {s for s, pos, _r in corpus.tokens[i] if pos == "名詞" and (KANJI2.match(s) or KATAKANA.match(s))}
        )
        if len(words) < 2:
            continue
        a, b = rng.sample(words, 2)
        relevant = corpus.with_run(a) & corpus.with_run(b)
        if len(relevant) <= MAX_DF:
            found.append(Query("sentence", rng.choice(TEMPLATES).format(a=a, b=b), relevant))
        if len(found) >= 25:
            break
    return found


def operators(corpus: Corpus, rng) -> list[Query]:
    terms = corpus.pick(KANJI2, 60, rng)
    found = []
    for a, b in zip(terms[0::2], terms[1::2], strict=False):
        ra, rb = corpus.with_run(a), corpus.with_run(b)
        if len(ra | rb) <= MAX_DF:
            found.append(Query("OR", f"{a} OR {b}", ra | rb))
    for a in corpus.pick(KANJI2, 200, rng, low=3):
        docs_a = corpus.with_run(a)
        words = sorted(
            {s for i in docs_a for s, pos, _r in corpus.tokens[i] if pos == "名詞" and KANJI2.match(s) and s != a}
        )
        for b in words:
            rest = docs_a - corpus.with_run(b)
            if 0 < len(rest) < len(docs_a):
                found.append(Query("-exclude", f"{a} -{b}", rest))
                break
        if sum(1 for q in found if q.kind == "-exclude") >= 15:
            break
    return found


def synonyms(corpus: Corpus, sets: list[list[str]], rng) -> list[Query]:
    """A member of a starter set typed, the documents having any member relevant. "en→ja" is an
    English member finding the Japanese documents."""
    found = []
    for members in sets:
        japanese = [m for m in members if re.search(r"[\u3041-\u9fff]", m)]
        lemmas = {LEMMA_OF.get(m.lower(), m.lower()) for m in members if " " not in m and m.isascii()}
        relevant = corpus.with_run(*japanese) | {i for i, found in corpus.lemmas.items() if lemmas & found}
        if not 1 <= len(relevant) <= 40:
            continue
        for member in members:
            alone = corpus.with_run(member) if member in japanese else set()
            if member in japanese and len(alone) < len(relevant):  # the word alone misses some
                found.append(Query("synonyms", member, relevant))
                break
        english = [m for m in members if m.isascii() and " " not in m and len(m) > 3]
        ja_only = corpus.with_run(*japanese)
        if english and ja_only:
            found.append(Query("en→ja", english[0], relevant))
    return found


def typos(corpus: Corpus, rng) -> list[Query]:
    """A two-kanji word with one kanji replaced so that it reads the same (the usual slip of
    kana-to-kanji conversion: 公演 for 公園), where Janome's dictionary has that word too."""
    from janome.tokenizer import Tokenizer

    tokenizer = Tokenizer()
    kanji = sorted({c for toks in corpus.tokens.values() for s, _p, _r in toks for c in s if "\u4e00" <= c <= "\u9fff"})
    found = []
    for term in corpus.pick(KANJI2, 80, rng, low=2):
        reading = next(_kata(r) for toks in corpus.tokens.values() for s, _p, r in toks if s == term)
        for position in (1, 0):
            for c in rng.sample(kanji, min(300, len(kanji))):
                typo = term[:position] + c + term[position + 1 :]
                if typo == term or typo in corpus.nouns:
                    continue
                parsed = list(tokenizer.tokenize(typo))
                if len(parsed) == 1 and parsed[0].reading == reading:
                    found.append(Query("typo", typo, corpus.with_run(term), expected=term))
                    break
            else:
                continue
            break
        if len(found) >= 12:
            break
    return found
