"""The search benchmarks still run: each on a tiny corpus written here, reporting its figures."""

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"

PARAGRAPHS = [
    "市は駅前の公園に防犯カメラを設置する計画について、住民の皆さまのご意見を募集します。",
    "AIカメラで駅前の人流を計測し、混雑の状況をホームページで公開することを検討しています。",
    "公園の照明をLEDに更新し、夜間の安全を高めます。防犯の観点からもご意見をお寄せください。",
    "コミュニティバスの路線とダイヤを見直し、高齢者や障害のある方の移動支援を充実させます。",
    "IoTセンサーで河川の水位を常に観測し、大雨による洪水の危険を早めに皆さまにお知らせします。",
    "図書館の開館時間を延長し、学習スペースを増やす案について、各地区で説明会を開きます。",
    "東京都や京都市の事例を参考に、データの利活用とプライバシー保護の方針を市として定めます。",
    "子育て世代の声を広く集めるため、オンラインのアンケートを来月から市のホームページで実施します。",
]


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "a.txt").write_text("\n\n".join(PARAGRAPHS[:5]), encoding="utf-8")
    # hard line breaks inside a paragraph, as in text extracted from PDFs
    (tmp_path / "b.txt").write_text("\n".join(p[:20] + "\n" + p[20:] for p in PARAGRAPHS[5:]), encoding="utf-8")
    return tmp_path


@pytest.fixture
def benchmarks(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    yield
    for name in ("search_quality", "search_perf", "search_corpus"):
        sys.modules.pop(name, None)


def test_paragraphs_are_read_across_line_breaks(folder, benchmarks):
    from search_corpus import full_width, half_width, japanese_paragraphs

    assert japanese_paragraphs(folder) == PARAGRAPHS
    assert half_width("カメラ・データ") == "ｶﾒﾗ･ﾃﾞｰﾀ" or half_width("カメラ・データ") == "ｶﾒﾗ・ﾃﾞｰﾀ"
    assert full_width("AI 2") == "ＡＩ ２"


def test_quality_benchmark_reports_recall_and_precision(folder, benchmarks, capsys):
    pytest.importorskip("janome")
    import search_quality

    reports = search_quality.main([str(folder), "--english", "40"])
    assert set(reports) == {"ours (whoosh)", "whoosh standard", "fts5 trigram"}
    ours = reports["ours (whoosh)"]["ALL"]
    assert ours["queries"] > 10
    assert 0 <= ours["precision"] <= 1
    for baseline in ("whoosh standard", "fts5 trigram"):
        assert ours["recall"] > reports[baseline]["ALL"]["recall"]
    out = capsys.readouterr().out
    assert "R@10" in out and "sentence" in out and "hiragana reading" in out


def test_perf_benchmark_reports_latencies(folder, benchmarks, capsys):
    import search_perf

    figures = search_perf.main([str(folder), "--docs", "200", "--queries", "20"])
    for name in ("build_s", "whoosh_median_ms", "whoosh_p95_ms", "fts5_median_ms", "whoosh_commit_ms"):
        assert figures[name] > 0
    assert 190 <= figures["docs"] <= 200  # one document per record and language
    assert "median/FTS5" in capsys.readouterr().out
