import pytest

from participation.core.models import SearchOutbox
from participation.extensions import db
from participation.processes import services
from participation.processes.models import Process

from ..conftest import HX, ON_POSTGRES, html_of
from .conftest import found, hits, indexed_keys

PARK = "市は駅前の公園に防犯カメラを設置する計画について意見を募集します。"


@pytest.fixture
def corpus(add_process):
    return {
        "park": add_process(
            "みどり公園の再整備",
            PARK,
            en=("Redesign of Midori park", "The city plans new security cameras at the station square."),
        ),
        "bus": add_process("コミュニティバスの路線見直し", "高齢者の移動支援について話し合います。"),
        "ai": add_process("ＡＩｶﾒﾗの実証実験", "駅前で人流を計測します。"),
    }


@pytest.mark.parametrize("q", ["公園", "防犯", "カメラ", "防犯カメラ", "AIカメラ 駅前", "ｶﾒﾗ", "ＡＩ"])
def test_japanese_words_are_found_inside_unspaced_sentences(client, corpus, q):
    assert hits(client, q)


def test_two_character_words_find_the_right_records(client, corpus):
    assert hits(client, "防犯") == [corpus["park"]]
    assert hits(client, "移動") == [corpus["bus"]]
    assert hits(client, "公園") == [corpus["park"]]


def test_mixed_and_width_variant_queries(client, corpus):
    assert hits(client, "AIカメラ 駅前") == [corpus["ai"]]
    assert hits(client, "ａｉ\u3000ｶﾒﾗ") == [corpus["ai"]]
    assert set(hits(client, "カメラ")) == {corpus["park"], corpus["ai"]}


def test_english_inflections_match(client, corpus):
    assert hits(client, "camera", locale="en") == [corpus["park"]]
    assert hits(client, "Parks") == [corpus["park"]]
    assert hits(client, "CAMERAS") == [corpus["park"]]


def test_quoted_phrases_match_as_phrases(client, corpus):
    assert hits(client, '"security cameras"') == [corpus["park"]]
    assert hits(client, '"cameras security"') == []
    assert hits(client, "security cameras") == [corpus["park"]]
    assert hits(client, "「防犯カメラ」") == [corpus["park"]]
    assert hits(client, '"カメラ 防犯"') == []


def test_matched_words_are_highlighted_and_escaped(client, add_process):
    add_process("<script>alert(1)</script>の公園", "公園で<b>遊ぶ</b>")
    html = found(client, "公園")
    assert "<mark>公園</mark>" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<b>遊ぶ" not in html


@pytest.mark.parametrize(
    "q",
    [
        "a" * 10_000,
        "!!!???...",
        '"unbalanced 公園',
        "公園 AND OR NOT * ? ~ ^ ( ) : [ ] { }",
        "title:公園",
        '""',
        "\u3000",
        "*",
    ],
)
def test_absurd_queries_never_fail(client, corpus, q):
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200


def test_absurd_queries_get_a_clear_message(client, corpus):
    assert "文字以内" in found(client, "公園" * 5000)
    assert "検索できる語がありません" in found(client, "!!!???")
    assert hits(client, '"公園') == [corpus["park"]]
    assert hits(client, "公園 AND (防犯") == [corpus["park"]]  # every word is required anyway
    assert hits(client, "公園 (防犯") == [corpus["park"]]
    assert hits(client, "title:公園") == []  # no field syntax: "title" must be in the text


def test_empty_query_shows_the_form(client):
    html = found(client, "")
    assert 'id="search-q"' in html and "検索語" in html


def test_drafts_are_never_returned(app, client, add_process):
    add_process("下書きの公園計画", published=False)
    assert hits(client, "公園") == [] and "下書き" not in found(client, "公園")
    assert indexed_keys(app) == set()


def test_unpublishing_and_deleting_remove_results_at_commit(app, client, make_process):
    process_id = make_process("駅前公園の計画")
    assert f"process:{process_id}:ja" in indexed_keys(app)
    assert hits(client, "公園") == [process_id]
    with app.app_context():
        services.unpublish(None, db.session.get(Process, process_id))
    assert indexed_keys(app) == set()
    assert hits(client, "公園") == []
    with app.app_context():
        services.publish(None, db.session.get(Process, process_id))
    assert hits(client, "公園") == [process_id]
    with app.app_context():
        db.session.delete(db.session.get(Process, process_id))
        db.session.commit()
    assert indexed_keys(app) == set()


def test_a_rolled_back_change_never_reaches_the_index(app, add_process):
    with app.app_context():
        db.session.add(Process(title={"ja": "幻の公園"}, summary={"ja": "幻"}))
        db.session.flush()
        db.session.rollback()
        assert db.session.scalar(db.select(db.func.count(SearchOutbox.id))) == 0
    assert indexed_keys(app) == set()


def test_every_locale_is_indexed(app, client, corpus):
    keys = indexed_keys(app)
    assert {f"process:{corpus['park']}:ja", f"process:{corpus['park']}:en", f"process:{corpus['bus']}:ja"} <= keys
    assert hits(client, "cameras", locale="en") == [corpus["park"]]
    assert hits(client, "Midori", locale="ja") == []


def test_filters_by_type_and_language(client, corpus):
    assert hits(client, "公園", type="process") == [corpus["park"]]
    assert hits(client, "公園", locale="en") == []
    assert "該当する結果はありません" in found(client, "公園", locale="en")
    assert hits(client, "公園", type="nonsense", locale="xx") == [corpus["park"]]


def test_paging_and_htmx_fragment(app, client, add_process):
    for n in range(25):
        add_process(f"公園の計画{n}")
    html = found(client, "公園")
    assert "25件" in html and 'rel="next"' in html
    second = html_of(client.get("/search?q=公園&page=2"))
    assert second.count('class="search-hit"') == 5
    fragment = html_of(client.get("/search?q=公園", headers=HX))
    assert fragment.lstrip().startswith('<section id="search-results"') and "<html" not in fragment
    assert "該当する結果はありません" in found(client, "公園", page="99")


def test_search_box_in_every_page_header(client):
    html = html_of(client.get("/"))
    assert 'id="site-search-q"' in html and 'action="/search"' in html


def test_filter_by_consultation_keeps_its_documents(app, client, corpus, add_process):
    other = add_process("別の公園の計画")
    html = found(client, "公園")
    assert 'id="search-space"' in html and f'value="process:{other}"' in html
    assert set(hits(client, "公園")) == {corpus["park"], other}
    assert hits(client, "公園", space=f"process:{other}") == [other]
    assert hits(client, "公園", space=f"process:{corpus['park']}") == [corpus["park"]]
    # an unknown or malformed space is ignored rather than failing
    assert set(hits(client, "公園", space="process:999999")) == {corpus["park"], other}
    assert set(hits(client, "公園", space="'; drop")) == {corpus["park"], other}


def test_unpublished_consultations_are_not_offered_as_a_filter(app, client, make_process):
    process_id = make_process("駅前公園の計画")
    assert f'value="process:{process_id}"' in found(client, "公園")
    with app.app_context():
        services.unpublish(None, db.session.get(Process, process_id))
    assert f'value="process:{process_id}"' not in found(client, "公園")


def test_a_record_in_two_languages_is_one_result(client, add_process):
    both = add_process("公園 park", "公園 park", en=("park 公園", "park 公園"))
    html = found(client, "公園")
    assert hits(client, "公園") == [both] and "1件" in html
    assert hits(client, "park") == [both]
    assert len(hits(client, "公園", locale="en")) == 1
    assert len(hits(client, "公園", locale="ja")) == 1


def test_a_translated_record_is_found_in_english(client, corpus):
    english = client.get("/search", query_string={"q": "security cameras"}, headers={"Accept-Language": "en"})
    html = english.get_data(as_text=True)
    assert "<mark>security</mark>" in html and "Midori" in html


def test_results_show_type_process_and_date(client, corpus):
    html = found(client, "防犯")
    assert 'class="search-hit__type"' in html and "<time datetime=" in html
    assert 'class="search-hit__space"' not in html  # a consultation is not shown inside itself


def test_the_search_page_works_without_javascript(client, corpus):
    html = found(client, "公園")
    assert '<form class="search-form" method="get" action="/search"' in html
    assert 'hx-get="/search"' in html and '<button type="submit"' in html


def test_paging_counts_records_not_languages(client, add_process):
    for n in range(25):
        add_process(f"公園の計画{n}", en=(f"Park plan {n}", "公園 in English too"))
    html = found(client, "公園")
    assert "25件" in html and html.count('class="search-hit"') == 20
    second = html_of(client.get("/search?q=公園&page=2"))
    assert second.count('class="search-hit"') == 5
    assert len(set(hits(client, "公園")) | set(hits(client, "公園", page=2))) == 25


def test_the_results_page_runs_a_fixed_number_of_queries(client, add_process, count_queries):
    def queries_for_a_search() -> int:
        with count_queries() as counted:
            assert hits(client, "公園")
        return counted.n

    add_process("公園の計画", en=("Park plan", "A park"))
    few = queries_for_a_search()
    for n in range(15):
        add_process(f"公園の計画{n}", en=(f"Park plan {n}", "A park"))
    # the synonym table, the records of the page with their consultations and the filter's
    # consultations (one query per type), the site's organisation (footer); with the PostgreSQL
    # backend the index too: the page of results and the filter's spaces
    assert queries_for_a_search() == few == (5 if ON_POSTGRES else 3)


def test_rebuild_indexes_every_public_record_and_stats_agree(app, client, add_process, runner):
    add_process("再構築の公園")
    add_process("下書き", published=False)
    with app.app_context():
        db.session.execute(db.delete(SearchOutbox))
        db.session.commit()
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Indexed 1 document(s)" in result.output
    assert len(hits(client, "公園")) == 1
    stats = runner.invoke(args=["search", "stats"])
    assert stats.exit_code == 0
    assert "process" in stats.output and "pending changes: 0" in stats.output
    assert "differs" not in stats.output
