"""Text analysis for the index and for queries: one implementation, whatever backend stores the terms.

Text is NFKC-normalised (ＡＩ → AI, ｶﾒﾗ → カメラ), common old and variant kanji become their usual
form (國 → 国, 髙 → 高), then split into words by the morphological analyser (core.japanese):

- a Japanese word becomes its normalised spelling (申込 / 申込み / 申し込み → 申し込み, サーバ →
  サーバー), with a final long-vowel mark dropped from katakana words of four or more characters,
  so サーバ, サーバー, ユーザ and ユーザー meet whatever the dictionary knows;
- letters and digits are split where they meet (Web3.0 → web 3 0, 個人情報3 → 個人 情報 3), Latin
  words lower-cased and stemmed (cameras → camera);
- each word also has a reading (katakana, the same long-vowel rule), so a query in hiragana finds
  the kanji and katakana words it reads as.

Every step keeps one character for one character, so offsets into the normalised text are offsets
into what the index stores, and highlights line up.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from whoosh.lang import stemmer_for_language

from ..core import japanese

# Old (旧字体) and variant (異体字) forms residents and older documents still write, each mapped to the
# form the rest of the text uses. One character for one character (offsets stay valid).
_VARIANTS = str.maketrans(
    "國學會體廣澤邊邉齋齊髙﨑濱櫻圓縣驛德惠應區圖團壽單嶋舊與擧覺顯險檢驗劍廳將獎燒條狀藏實壓"
    "氣龜戰淺專錢總聽鐵點轉當黨讀賣彈發拂變辯寶豐萬滿藥譯豫樂亂覽兩禮勞錄灣缺來醫榮營圍爲穗",
    "国学会体広沢辺辺斎斉高崎浜桜円県駅徳恵応区図団寿単島旧与挙覚顕険検験剣庁将奨焼条状蔵実圧"
    "気亀戦浅専銭総聴鉄点転当党読売弾発払変弁宝豊万満薬訳予楽乱覧両礼労録湾欠来医栄営囲為穂",
)
_CJK = re.compile(
    r"[\u3005-\u3007\u3041-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
)
_ALNUM = re.compile(r"[^\W\d_]+|\d+")
_KATAKANA_WORD = re.compile(r"^[\u30a1-\u30fa\u30fc]{4,}$")
_INNER_KANA = re.compile(r"(?<=[\u3005\u4e00-\u9fff])[\u3041-\u3096]+(?=[\u3005\u4e00-\u9fff])")
SKELETON = "^"  # a word's form without its inner okurigana (担い手 → ^担手), at the word's position

# Function words a question or a sentence is made of: dropped when a query is read as a sentence.
_FUNCTION_POS = {"助詞", "助動詞", "補助記号", "空白", "記号", "代名詞", "接続詞", "感動詞", "連体詞", "副詞"}
_FUNCTION_WORDS = {
    # verbs and nouns that carry the question, not its subject
    "知る", "教える", "聞く", "思う", "分かる", "調べる", "探す", "見る", "言う", "付く", "関する",
    "対する", "尋ねる", "伺う", "願う", "為", "事", "物", "所", "時", "訳", "筈", "様", "方法", "場合",
    "こと", "もの", "ため", "ところ", "とき", "よう", "御", "お", "ご", "方", "つく", "つい",
}  # fmt: skip
_ENGLISH_STOP = {
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "have", "how",
    "i", "if", "in", "is", "it", "me", "my", "of", "on", "or", "please", "tell", "that", "the", "there",
    "this", "to", "want", "we", "what", "when", "where", "which", "who", "why", "will", "with", "you", "know",
    "about", "find", "any", "would", "like", "should", "could",
}  # fmt: skip


def normalize(text: str) -> str:
    """The form both the index and queries see: NFKC, then usual kanji for old and variant forms."""
    return unicodedata.normalize("NFKC", text or "").translate(_VARIANTS)


@functools.cache
def _stem():
    return functools.lru_cache(maxsize=50_000)(stemmer_for_language("en"))


def fold(term: str) -> str:
    """One spelling for the long-vowel variants of a katakana word (サーバー → サーバ)."""
    if term.endswith("ー") and _KATAKANA_WORD.match(term):
        return term[:-1]
    return term


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


@dataclass(frozen=True, slots=True)
class Token:
    term: str  # what the index holds for this word
    reading: str  # its reading in katakana (a Latin word or a number reads as itself)
    start: int  # offsets into the normalised text
    end: int
    content: bool  # a content word (not a particle, an ending or a question word)
    noun: bool = False  # a Japanese noun: its reading and spelling go into the vocabulary
    skeleton: str = ""  # SKELETON + the word without okurigana between its kanji, if it has any

    def _replace_span(self, start: int, end: int) -> Token:
        return Token(self.term, self.reading, start, end, self.content, self.noun, self.skeleton)


def _is_content(m: japanese.Morpheme) -> bool:
    pos = m.pos
    if pos[0] in _FUNCTION_POS:
        return False
    if pos[0] in {"動詞", "形容詞", "形状詞"} and pos[1] in {"非自立可能", "助動詞語幹"}:
        return False
    return m.normalized not in _FUNCTION_WORDS and m.base not in _FUNCTION_WORDS


def _latin(surface: str, start: int, content: bool = True) -> list[Token]:
    tokens = []
    for match in _ALNUM.finditer(surface):
        word = match.group().lower()
        term = word if word.isdigit() else _stem()(word)
        tokens.append(
            Token(term, term, start + match.start(), start + match.end(), content and word not in _ENGLISH_STOP)
        )
    return tokens


def skeleton_of(word: str) -> str:
    """担い手 → 担手, 落ち葉 → 落葉 (okurigana between kanji left out, as official forms do);
    "" when there is nothing to leave out."""
    bare = _INNER_KANA.sub("", word)
    return bare if bare != word else ""


def _token(m: japanese.Morpheme, content: bool) -> list[Token]:
    if not has_cjk(m.surface):
        return _latin(m.surface, m.start, content)
    if m.oov and _KATAKANA_WORD.match(m.surface) and not m.surface.endswith("ー"):
        # an unknown katakana compound written without its final long vowel (マルチステークホルダ):
        # its words as the dictionary knows them when written with it
        parts = japanese.analyse_short(m.surface + "ー")
        if len(parts) > 1 and not any(p.oov for p in parts):
            return [
                t._replace_span(m.start + p.start, min(m.start + p.end, m.end))
                for p in parts
                for t in _token(p, content)
            ]
    normalized = fold(normalize(m.normalized).lower())
    reading = fold(m.reading) if m.reading else japanese.to_katakana(m.surface)
    bare = skeleton_of(m.surface)
    return [
        Token(
            normalized, reading, m.start, m.end, content, content and m.pos[0] == "名詞",
            SKELETON + bare if bare and bare != normalized else "",
        )
    ]  # fmt: skip


@functools.lru_cache(maxsize=200_000)
def _template(surface: str, reading: str, normalized: str, pos_id: int, oov: bool) -> tuple[Token, ...]:
    """The tokens of one short unit at offset 0, kept per process: most words recur."""
    pos = japanese.part_of_speech(pos_id)
    m = japanese.Morpheme(surface, reading, normalized, normalized, pos, 0, len(surface), oov)
    return tuple(_token(m, _is_content(m)))


def tokens(text: str) -> list[Token]:
    """The words of already normalised ``text``, in order (what the index holds)."""
    if not has_cjk(text):  # English and numbers: no dictionary needed
        return _latin(text, 0)
    found: list[Token] = []
    for surface, reading, normalized, pos_id, start, _end, oov in japanese.short_units(text):
        if not _ALNUM.search(surface):
            continue  # spaces, punctuation, symbols
        for t in _template(surface, reading, normalized, pos_id, oov):
            found.append(t._replace_span(start + t.start, start + t.end) if start else t)
    return found


@dataclass(frozen=True)
class Unit:
    """A long unit of a query (a word the dictionary knows whole, e.g. 見守り) with its tokens."""

    tokens: tuple[Token, ...]
    content: bool
    text: str


def query_units(text: str) -> list[Unit]:
    """Already normalised query text as long units, each with its short-unit tokens."""
    units = []
    for m in japanese.analyse_short(text, long_units=True):
        if m.pos[0] in {"空白", "補助記号"} and not _ALNUM.search(m.surface):
            units.append(Unit((), False, m.surface))
            continue
        content = _is_content(m)
        parts = m.parts or (m,)
        found = tuple(t for part in parts for t in _token(part, content))
        units.append(Unit(found, content and any(t.content for t in found), m.surface))
    return units


def terms(text: str) -> list[str]:
    """The index terms of ``text`` (normalised here)."""
    return [t.term for t in tokens(normalize(text))]


@dataclass(frozen=True)
class Analysed:
    """What the index stores for one text field."""

    words: list[str]
    readings: list[str]
    skeletons: list[str]
    sounds: set[str]  # "s:reading:word" of its nouns, the vocabulary for "did you mean"
    latin: set[str]  # "w:word" of its Latin words as written (lower case), for "did you mean"


def analyse_field(text: str) -> Analysed:
    found = tokens(text)
    return Analysed(
        [t.term for t in found],
        # readings of content words written in kanji or kana (what a hiragana query can mean)
        [t.reading if t.content and has_cjk(t.reading) else "" for t in found],
        [t.skeleton for t in found],
        {f"s:{t.reading}:{t.term}" for t in found if t.noun},
        {
            f"w:{word}"
            for t in found
            if (word := text[t.start : t.end].lower()).isalpha() and word.isascii() and len(word) > 2
        },
    )
