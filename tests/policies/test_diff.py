"""The difference page: character-level for Japanese, word-level for English, bounded work, cached."""

from __future__ import annotations

import html
import re

import pytest

from participation.extensions import db
from participation.policies import diff, services
from participation.policies.models import Policy

from ..conftest import html_of
from .conftest import ja

PARAGRAPHS = [
    "市は、駅前広場の混雑を把握するため、人流センサーで通行人の数を数えます。",
    "取得したデータは統計処理を行い、個人を特定できない形で公開します。",
    "映像そのものは保存せず、計測が終わると直ちに消去します。",
    "データの提供先は、みどり川市都市計画課および共同研究を行う大学に限ります。",
]


def _plain(marked: str, keep: str) -> str:
    """The text of one side: its own marks' content kept, the other side's marks dropped."""
    drop = "ins" if keep == "del" else "del"
    text = re.sub(rf"<{drop}>.*?</{drop}>", "", marked, flags=re.S)
    return html.unescape(re.sub(rf"</?{keep}>", "", text))


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_both_sides_read_back_as_the_two_texts(app, locale):
    old = "\n".join(PARAGRAPHS) if locale == "ja" else "The city counts <people> & bicycles.\nData is public."
    new = (
        "\n".join([PARAGRAPHS[0], PARAGRAPHS[2] + "（追記）", "新しい段落です。", PARAGRAPHS[3]])
        if locale == "ja"
        else "The city counts <people>, cars & bicycles.\nData is open."
    )
    with app.app_context():
        result = diff.diff_text(old, new, locale)
    assert _plain(str(result.before), "del") == old and _plain(str(result.after), "ins") == new
    assert "<people>" not in str(result.before)  # escaped, never markup
    assert not result.simplified and not result.too_long


def test_english_is_compared_word_by_word_and_japanese_character_by_character(app):
    with app.app_context():
        english = diff.diff_text("Data is kept for thirty days.", "Data is kept for ninety days.", "en")
        japanese = diff.diff_text("三十日間保存します。", "九十日間保存します。", "ja")
    assert "<del>thirty</del>" in english.before and "<ins>ninety</ins>" in english.after
    assert "<del>三</del>" in japanese.before and "<ins>九</ins>" in japanese.after


def _policy_with_versions(app, make_policy, first: str, second: str) -> int:
    policy_id = make_policy(purposes=ja(first))
    with app.app_context():
        version = services.new_version(None, db.session.get(Policy, policy_id))
        services.update_version(None, version, title=version.title, purposes=ja(second))
        services.adopt(None, version, trigger="feedback", summary=ja("改定"))
    return policy_id


def test_the_result_is_cached_by_the_texts_compared(app, client, make_policy, monkeypatch):
    policy_id = _policy_with_versions(app, make_policy, "".join(PARAGRAPHS), "".join(reversed(PARAGRAPHS)))
    calls = []
    real = diff.diff_match_patch.diff_main
    monkeypatch.setattr(
        diff.diff_match_patch, "diff_main", lambda *args, **kwargs: calls.append(1) or real(*args, **kwargs)
    )
    first = html_of(client.get(f"/policies/{policy_id}/diff?a=1&b=2"))
    assert calls and "<ins>" in first
    compared = len(calls)
    assert html_of(client.get(f"/policies/{policy_id}/diff?a=1&b=2")) == first
    assert len(calls) == compared  # the second visitor costs no comparison


def test_a_comparison_past_its_time_is_simplified_and_says_so(app, client, make_policy, monkeypatch):
    """Two unrelated long texts: the work stops at the budget, the page still answers, in full."""
    first = "".join(PARAGRAPHS) * 60
    second = "".join(reversed([p[::-1] for p in PARAGRAPHS])) * 60
    policy_id = _policy_with_versions(app, make_policy, first, second)
    monkeypatch.setattr(diff, "PAGE_BUDGET", 0.001)
    monkeypatch.setattr(diff, "FIELD_LIMIT", 0.001)
    page = html_of(client.get(f"/policies/{policy_id}/diff?a=1&b=2"))
    assert "一部の変更箇所は細かく示さず、まとめて表示しています" in page
    assert first[:200] in html.unescape(re.sub(r"</?(del|ins)>", "", page))
    with app.app_context():  # kept too: asking again does not cost the budget again
        assert [value.simplified for _weight, value in diff._cache().entries.values()] == [True]


def test_a_text_past_the_size_limit_is_shown_without_marks(app, client, make_policy, monkeypatch):
    monkeypatch.setattr(diff, "MAX_CHARS", 100)
    policy_id = _policy_with_versions(app, make_policy, "".join(PARAGRAPHS), "".join(PARAGRAPHS[:3]))
    page = html_of(client.get(f"/policies/{policy_id}/diff?a=1&b=2"))
    assert "文章が長いため変更箇所を示せません" in page
    assert PARAGRAPHS[3] in page and "<del>" not in page.split("<tbody>")[1].split("</tbody>")[0]
