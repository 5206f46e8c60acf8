"""The analyser: what the index holds for a text, and how queries are planned from what was typed."""

import pytest

from participation.core import japanese
from participation.search.analysis import normalize, terms, tokens
from participation.search.query import QueryError, SynonymSet, parse, split_reading


@pytest.mark.parametrize(
    ("variants", "term"),
    [
        (["申込み", "申し込み", "申込"], "申し込み"),
        (["受付", "受け付け", "受付け"], "受け付け"),
        (["サーバ", "サーバー"], "サーバ"),
        (["ユーザ", "ユーザー"], "ユーザ"),
        (["ＡＩ", "AI", "ａｉ"], "ai"),
        (["ｶﾒﾗ", "カメラ"], "カメラ"),
        (["國", "国"], "国"),
        (["髙橋", "高橋"], "高橋"),
    ],
)
def test_every_written_form_of_a_word_has_one_term(variants, term):
    assert {tuple(terms(v)) for v in variants} == {(term,)}


def test_letters_and_digits_are_split_where_they_meet():
    assert terms("Web3.0") == terms("Web 3.0") == ["web", "3", "0"]
    assert terms("個人情報3") == ["個人", "情報", "3"]


def test_latin_words_are_lower_cased_and_stemmed():
    assert terms("Cameras") == terms("camera") == ["camera"]


def test_words_have_readings_and_offsets_into_the_normalised_text():
    text = normalize("ＡＩ防犯カメラ")
    found = [(t.term, t.reading, text[t.start : t.end]) for t in tokens(text)]
    assert found == [("ai", "ai", "AI"), ("防犯", "ボウハン", "防犯"), ("カメラ", "カメラ", "カメラ")]


def test_the_morphological_analyser_gives_surface_reading_base_and_part_of_speech():
    found = japanese.morphemes("公園を使えます")
    assert (found[0].surface, found[0].reading, found[0].pos[0]) == ("公園", "コウエン", "名詞")
    assert (found[2].surface, found[2].base, found[2].pos[0]) == ("使え", "使える", "動詞")
    assert japanese.to_katakana("こうえん") == "コウエン" and japanese.is_kana("コウエン")


def _alts(group):
    return [alt.terms for alt in group.alts]


def test_a_written_run_is_a_phrase_of_its_words():
    plan = parse("令和5年")
    assert [g.text for g in plan.required] == ["令和5年"] and _alts(plan.required[0]) == [("令和", "5", "年")]
    assert _alts(parse("Web 3.0").required[0]) == [("web", "3", "0")]
    assert ("^担手",) in _alts(parse("担手").required[0])
    assert _alts(parse("with").required[0]) == [("with",)]  # a stop word alone is still looked for


def test_a_question_keeps_its_content_words_and_needs_most_of_them():
    plan = parse("防犯カメラの設置について知りたい")
    assert plan.required == []
    assert [g.text for g in plan.soft] == ["防犯カメラ", "設置"] and plan.soft_min == 2
    plan = parse("「見守りカメラ」の設置場所は？")
    assert {g.text for g in plan.soft} == {"見守りカメラ", "設置場所"}
    english = parse("How can I install cameras?")
    assert [g.alts[0].terms for g in english.soft] == [("instal",), ("camera",)]


def test_or_exclusion_and_quotes():
    plan = parse("個人情報 OR 位置情報 -カメラ")
    assert len(plan.required) == 1 and {("個人", "情報"), ("位置", "情報")} <= set(_alts(plan.required[0]))
    assert _alts(plan.excluded[0]) == [("カメラ",)]
    assert _alts(parse('"security cameras"').required[0]) == [("secur", "camera")]


def test_synonyms_replace_runs_of_words():
    cameras = SynonymSet((("防犯", "カメラ"), ("監視", "カメラ")))
    plan = parse("防犯カメラ設置", synonyms=[cameras])
    assert ("監視", "カメラ", "設置") in _alts(plan.required[0])


class Known:
    def __init__(self, *readings):
        self.readings = {"~" + r for r in readings}

    def known(self, found):
        return self.readings & set(found)


def test_hiragana_is_split_into_readings_the_index_knows():
    assert split_reading("ボウハンカメラ", Known("ボウハン", "カメラ", "ボウ").known) == ["ボウハン", "カメラ"]
    assert split_reading("ボウハンカメラ", Known("カメラ").known) is None
    plan = parse("ぼうはんかめら", Known("ボウハン", "カメラ"))
    assert ("~ボウハン", "~カメラ") in _alts(plan.required[0])


@pytest.mark.parametrize("text", ["", "   ", "!!!", "a" * 300])
def test_unsearchable_text_is_refused_with_a_reason(text):
    with pytest.raises(QueryError):
        parse(text)
