"""What residents type, through the search page, on the configured backend (Whoosh on SQLite, the
PostgreSQL backend on PostgreSQL)."""

import pytest

from participation.core.db import transaction
from participation.search.models import SearchSynonym

from .conftest import found, hits


@pytest.fixture
def city(add_process):
    return {
        "camera": add_process("駅前の監視カメラ", "駅前広場に監視カメラを設置します。申込みは受付で。"),
        "park": add_process("みどり公園の再整備", "公園の遊具とベンチを新しくします。"),
        "privacy": add_process("プライバシー保護の方針", "個人情報の取扱いを定めます。"),
        "web": add_process("Web3.0の勉強会", "令和5年に開催します。"),
        "vision": add_process("将来ビジョン", "まちの将来像を考えます。"),
        "server": add_process("サーバーの更新", "市のサーバを新しくします。"),
        "kyoto": add_process("東京都の事例", "東京都の取組を紹介します。"),
    }


@pytest.fixture
def synonyms(app):
    with app.app_context(), transaction() as session:
        session.add(SearchSynonym(terms="防犯カメラ\n監視カメラ\n街頭カメラ"))
        session.add(SearchSynonym(terms="プライバシー\nprivacy"))


def test_spelling_variants_find_every_form(client, city):
    assert hits(client, "申し込み") == [city["camera"]]
    assert hits(client, "受け付け") == [city["camera"]]
    assert hits(client, "取り扱い") == [city["privacy"]]
    assert set(hits(client, "サーバ")) == set(hits(client, "サーバー")) == {city["server"]}
    assert hits(client, "Web 3.0") == hits(client, "web3.0") == [city["web"]]


def test_words_match_at_word_boundaries_and_runs_stay_adjacent(client, city):
    assert hits(client, "ジョン") == []  # not inside ビジョン
    assert hits(client, "京都") == []  # not inside 東京都
    assert hits(client, "令和5年") == [city["web"]]
    assert hits(client, "令和4年") == []


def test_hiragana_finds_what_it_reads_as(client, city):
    assert hits(client, "こうえん") == [city["park"]]
    assert hits(client, "みどりこうえん") == [city["park"]]
    assert hits(client, "かんしかめら") == [city["camera"]]


def test_a_question_finds_the_documents_with_most_of_its_words(client, city):
    assert hits(client, "監視カメラの設置について知りたい") == [city["camera"]]
    assert hits(client, "「監視カメラ」の設置場所は？") == [city["camera"]]
    assert hits(client, "公園のベンチはどこですか") == [city["park"]]


def test_or_exclusion_and_phrases(client, city):
    assert set(hits(client, "遊具 OR 個人情報")) == {city["park"], city["privacy"]}
    assert hits(client, "公園 -遊具") == []
    assert hits(client, "将来 -遊具") == [city["vision"]]
    assert hits(client, '"監視カメラを設置"') == [city["camera"]]
    assert hits(client, '"設置を監視カメラ"') == []


def test_synonyms_from_the_table_apply_at_once(client, city, synonyms):
    assert hits(client, "防犯カメラ") == [city["camera"]]
    assert hits(client, "privacy") == [city["privacy"]]
    assert hits(client, "防犯カメラの設置について知りたい") == [city["camera"]]


def test_a_typo_gets_did_you_mean_from_the_index(client, city):
    html = found(client, "公演")
    assert "該当する結果はありません" in html and "もしかして" in html and "q=%E5%85%AC%E5%9C%92" in html
    assert "もしかして" not in found(client, "公園")


def test_did_you_mean_never_offers_words_of_records_no_longer_public(app, client, add_process):
    from participation.extensions import db
    from participation.processes import services
    from participation.processes.models import Process

    hidden = add_process("講演会のお知らせ", "講演会を開きます。")
    with app.app_context():
        services.unpublish(None, db.session.get(Process, hidden))
    assert "もしかして" not in found(client, "公演")


def test_the_consultation_filter_lists_only_consultations_with_results(client, city):
    html = found(client, "公園")
    assert f'value="process:{city["park"]}"' in html
    assert f'value="process:{city["camera"]}"' not in html


def test_the_help_line_documents_the_syntax(client):
    assert "A OR B" in found(client, "")
    english = client.get("/search", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "A OR B finds either, -word leaves a word out" in english


def test_a_latin_typo_gets_the_nearest_word_of_the_index(client, add_process):
    add_process("個人情報の扱い", en=("Privacy policy", "How the city protects privacy."))
    html = found(client, "privcy")
    assert "もしかして" in html and "q=privacy" in html
