import pickle

from participation.search.analysis import JapaneseAnalyzer, JapaneseTokenizer, analyze


def test_cjk_runs_become_overlapping_bigrams():
    assert analyze("駅前公園") == ["駅前", "前公", "公園"]


def test_a_single_character_run_stays_a_unigram():
    assert analyze("区 の") == ["区", "の"]


def test_katakana_with_the_long_vowel_mark_is_one_run():
    assert analyze("センサー") == ["セン", "ンサ", "サー"]


def test_full_and_half_width_forms_are_normalised():
    assert analyze("ＡＩｶﾒﾗ") == analyze("AIカメラ") == ["ai", "カメ", "メラ"]


def test_latin_words_are_lower_cased_and_stemmed():
    assert analyze("Cameras") == analyze("camera") == ["camera"]
    assert analyze("Parks 2026") == ["park", "2026"]


def test_mixed_text_splits_between_scripts():
    assert analyze("AIカメラを設置") == ["ai", "カメ", "メラ", "ラを", "を設", "設置"]


def test_offsets_and_positions_follow_the_normalised_text():
    tokens = [
        (t.text, t.pos, t.startchar, t.endchar) for t in JapaneseAnalyzer()("AI 公園", positions=True, chars=True)
    ]
    assert tokens == [("ai", 0, 0, 2), ("公園", 1, 3, 5)]


def test_the_analyzer_pickles_as_the_index_schema_needs():
    # Whoosh stores the schema pickled in the index: the analyzer must survive the round trip.
    analyzer = pickle.loads(pickle.dumps(JapaneseAnalyzer()))  # noqa: S301 (our own bytes)
    assert [t.text for t in analyzer("防犯カメラ")] == ["防犯", "犯カ", "カメ", "メラ"]
    assert pickle.loads(pickle.dumps(JapaneseTokenizer())) == JapaneseTokenizer()  # noqa: S301
