from html.parser import HTMLParser

import pytest

from participation.core.models import ActionLog, District, Role
from participation.core.types import LocalizedText
from participation.extensions import db
from participation.processes.models import Process
from participation.proposals import services
from participation.proposals.models import Proposal

from ..conftest import HX, html_of
from ..core.test_markup import PAYLOADS
from .conftest import get_proposal, support_count

EN = {"Accept-Language": "en"}


def _count(app, model):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(model.id)))


def _form(**overrides):
    return {
        "title": "ベンチを増やしてほしい",
        "body": "**木陰**にベンチを。",
        "category_id": "0",
        "district_id": "0",
        "place": "",
        **overrides,
    }


# --- creating --------------------------------------------------------------------------------


def test_resident_creates_a_proposal(app, client, make_user, login, open_process):
    process_id = open_process()
    author = make_user(name="みどり 花子")
    login(author)
    response = client.post(f"/processes/{process_id}/proposals/new", data=_form(place="さくら台公園 北口"))
    assert response.status_code == 302
    with app.app_context():
        proposal = db.session.scalar(db.select(Proposal))
        assert (proposal.author_id, proposal.locale) == (author.id, "ja")
    html = html_of(client.get(response.location))
    assert "ベンチを増やしてほしい" in html and "<strong>木陰</strong>" in html
    assert "みどり 花子" in html and "さくら台公園 北口" in html
    assert "提案を公開しました。" in html


def test_anonymous_visitors_are_sent_to_log_in(app, client, open_process, make_user, make_proposal):
    process_id = open_process()
    proposal_id = make_proposal(process_id, make_user().id)
    for method, url in [
        ("get", f"/processes/{process_id}/proposals/new"),
        ("post", f"/processes/{process_id}/proposals/new"),
        ("post", f"/proposals/{proposal_id}/support"),
        ("post", f"/proposals/{proposal_id}/withdraw"),
        ("get", f"/proposals/{proposal_id}/edit"),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login" in response.location, url
    assert _count(app, Proposal) == 1 and support_count(app, proposal_id) == 0


def test_creating_outside_the_stage_or_in_a_draft(app, client, make_user, login, make_process):
    closed = make_process("締切後", proposals_open=False, supports_open=True)
    draft = make_process("下書き", proposals_open=True, published=False)
    login(make_user())
    response = client.post(f"/processes/{closed}/proposals/new", data=_form())
    assert response.status_code == 422
    assert "現在の段階では提案を受け付けていません。" in response.get_data(as_text=True)
    assert client.post(f"/processes/{draft}/proposals/new", data=_form()).status_code == 404
    assert _count(app, Proposal) == 0


def test_bad_forms_are_refused_in_the_readers_language(app, client, make_user, login, open_process):
    process_id = open_process()
    login(make_user())
    url = f"/processes/{process_id}/proposals/new"
    for data, message in [
        (_form(title="  "), "題名を入力してください。"),
        (_form(title="あ" * 151), "150文字以内"),
        (_form(body="あ" * 5001), "5000文字以内"),
        (_form(category_id="999"), "一覧から分類を選んでください。"),
        (_form(district_id="abc"), "一覧から地区を選んでください。"),
    ]:
        response = client.post(url, data=data)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True), message
    response = client.post(url, data=_form(body=""), headers=EN)
    assert "Describe your proposal." in response.get_data(as_text=True)
    assert _count(app, Proposal) == 0


def test_similar_titles_are_suggested_while_typing(app, client, make_user, login, open_process, make_proposal):
    process_id = open_process()
    author = make_user()
    make_proposal(process_id, author.id, title="公園にベンチを増やしてほしい")
    make_proposal(process_id, author.id, title="夜間の照明を明るく")
    make_proposal(open_process(), author.id, title="ベンチを増やす（別の募集）")
    login(make_user())
    url = f"/processes/{process_id}/proposals/new"
    fragment = html_of(client.get(url, query_string={"title": "ベンチの増設"}, headers=HX))
    assert fragment.lstrip().startswith('<div id="similar-proposals"')
    assert "公園にベンチを増やしてほしい" in fragment
    assert "夜間の照明" not in fragment and "別の募集" not in fragment
    page = html_of(client.get(url))
    assert 'hx-trigger="input changed delay:500ms"' in page and "<html" in page


def test_similar_shows_at_most_five(app, client, make_user, login, open_process, make_proposal):
    process_id = open_process()
    author = make_user()
    for n in range(8):
        make_proposal(process_id, author.id, title=f"遊具の更新案{n}")
    login(author)
    fragment = html_of(client.get(f"/processes/{process_id}/proposals/new?title=遊具の更新", headers=HX))
    assert fragment.count("<li>") == 5


# --- editing and withdrawing -----------------------------------------------------------------


def test_author_edits_until_the_first_support_then_withdraws(
    app, client, make_user, login, open_process, make_proposal
):
    process_id = open_process()
    author = make_user()
    proposal_id = make_proposal(process_id, author.id, title="元の題名")
    login(author)
    assert client.post(f"/proposals/{proposal_id}/edit", data=_form(title="直した題名")).status_code == 302
    assert get_proposal(app, proposal_id).title == "直した題名"
    fan = app.test_client()
    fan.post("/login", data={"email": make_user().email, "password": "correct horse battery"})
    fan.post(f"/proposals/{proposal_id}/support")
    response = client.post(f"/proposals/{proposal_id}/edit", data=_form(title="三度目"), follow_redirects=True)
    assert "賛同が集まっているため" in response.get_data(as_text=True)
    assert get_proposal(app, proposal_id).title == "直した題名"
    response = client.post(f"/proposals/{proposal_id}/withdraw", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "取り下げ" in html and get_proposal(app, proposal_id).withdrawn_at is not None
    # withdrawn: no more supports, and it stays listed with its mark
    before = _count(app, ActionLog)
    response = fan.post(f"/proposals/{proposal_id}/unsupport", follow_redirects=True)
    response = fan.post(f"/proposals/{proposal_id}/support", follow_redirects=True)
    assert "取り下げられたため" in response.get_data(as_text=True)
    listing = html_of(client.get(f"/processes/{process_id}/proposals"))
    assert "直した題名" in listing and "badge--withdrawn" in listing
    assert _count(app, ActionLog) == before + 1  # only the removal of the support


def test_editing_someone_elses_proposal_is_forbidden(app, client, make_user, login, open_process, make_proposal):
    proposal_id = make_proposal(open_process(), make_user().id, title="他人の提案")
    login(make_user())
    assert client.get(f"/proposals/{proposal_id}/edit").status_code == 403
    assert client.post(f"/proposals/{proposal_id}/edit", data=_form(title="乗っ取り")).status_code == 403
    assert client.post(f"/proposals/{proposal_id}/withdraw").status_code == 403
    proposal = get_proposal(app, proposal_id)
    assert proposal.title == "他人の提案" and proposal.withdrawn_at is None


# --- supporting ------------------------------------------------------------------------------


def test_support_button_works_with_htmx_and_without(app, client, make_user, login, open_process, make_proposal):
    proposal_id = make_proposal(open_process(threshold=1), make_user().id)
    login(make_user())
    fragment = client.post(f"/proposals/{proposal_id}/support", headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith(f'<div id="support-{proposal_id}"')
    assert "賛同を取り消す" in fragment and "必要な賛同数に達しました" in fragment
    again = client.post(f"/proposals/{proposal_id}/support", headers=HX).get_data(as_text=True)
    assert "すでにこの提案に賛同しています。" in again
    response = client.post(f"/proposals/{proposal_id}/unsupport")
    assert response.status_code == 302
    assert "賛同を取り消しました。" in html_of(client.get(response.location))
    assert support_count(app, proposal_id) == 0 == get_proposal(app, proposal_id).supports_count


def test_supports_outside_the_stage_and_beyond_the_limit_are_refused(
    app, client, make_user, login, make_process, open_process, make_proposal
):
    author = make_user()
    closed = make_proposal(make_process("賛同は締切", proposals_open=True), author.id)
    limited = open_process(limit=1)
    first, second = make_proposal(limited, author.id), make_proposal(limited, author.id)
    login(make_user())
    html = client.post(f"/proposals/{closed}/support", follow_redirects=True).get_data(as_text=True)
    assert "現在の段階では提案への賛同を受け付けていません。" in html
    client.post(f"/proposals/{first}/support")
    html = client.post(f"/proposals/{second}/support", headers=EN, follow_redirects=True).get_data(as_text=True)
    assert "as many proposals as this consultation allows (1)" in html
    assert (support_count(app, closed), support_count(app, first), support_count(app, second)) == (0, 1, 0)


def test_accounts_without_the_resident_role_cannot_support(app, client, make_user, login, open_process, make_proposal):
    proposal_id = make_proposal(open_process(), make_user().id)
    login(make_user(Role.AUDITOR))
    assert client.post(f"/proposals/{proposal_id}/support").status_code == 403
    assert support_count(app, proposal_id) == 0


# --- listing ---------------------------------------------------------------------------------


def _titles(html):
    return [t for t in ("赤", "青", "黄", "緑") if f">{t}の提案<" in html]


def test_filters_and_sorts(app, client, make_user, open_process, make_proposal):
    process_id = open_process()
    with app.app_context():
        district = District(code="sakuradai", name=LocalizedText({"ja": "さくら台地区"}))
        db.session.add(district)
        from participation.processes import services as process_services
        from tests.processes.conftest import ja

        category = process_services.add_category(None, db.session.get(Process, process_id), name=ja("遊具"))
        district_id, category_id = district.id, category.id
    author = make_user()
    make_proposal(process_id, author.id, title="赤の提案", supports_count=1)
    make_proposal(process_id, author.id, title="青の提案", supports_count=5, category_id=category_id)
    make_proposal(process_id, author.id, title="黄の提案", district_id=district_id)
    from participation.core.types import utcnow

    make_proposal(process_id, author.id, title="緑の提案", withdrawn_at=utcnow())
    base = f"/processes/{process_id}/proposals"

    def titles(query):
        html = html_of(client.get(f"{base}?{query}"))
        return [t for t in html.split('class="proposal-card__title"')[1:] for t in [t.split("の提案<")[0][-1]]]

    assert titles("") == ["緑", "黄", "青", "赤"]
    assert titles("sort=supported")[:2] == ["青", "赤"]
    assert titles("state=active") == ["黄", "青", "赤"]
    assert titles("state=withdrawn") == ["緑"]
    assert titles(f"category={category_id}") == ["青"]
    assert titles(f"district={district_id}") == ["黄"]
    assert titles("q=青") == ["青"]
    assert titles("q=%25") == [] and titles("q=_") == []  # LIKE wildcards are plain characters
    randomly = titles("sort=random")
    assert sorted(randomly) == sorted(["緑", "黄", "青", "赤"])
    assert all(titles("sort=random") == randomly for _ in range(3))  # stable for this visitor
    assert client.get(f"{base}?sort=bogus").status_code == 404
    assert client.get(f"{base}?category=abc&district=-1").status_code == 200


def test_random_order_is_stable_across_pages(make_app, make_user, open_process, make_proposal):
    client = make_app(PAGE_SIZE=5).test_client()
    process_id = open_process()
    author = make_user()
    for n in range(12):
        make_proposal(process_id, author.id, title=f"提案{n:02d}")
    seen = []
    for page in (1, 2, 3):
        html = html_of(client.get(f"/processes/{process_id}/proposals?sort=random&page={page}"))
        seen += [part.split("<")[0] for part in html.split('<span lang="ja">提案')[1:] if part[:2].isdigit()]
    assert sorted(seen) == [f"{n:02d}" for n in range(12)]
    fragment = html_of(client.get(f"/processes/{process_id}/proposals?sort=random&page=2", headers=HX))
    assert fragment.lstrip().startswith('<div id="proposal-list"') and "<html" not in fragment
    assert "sort=random" in fragment and "page=3" in fragment


@pytest.mark.parametrize("n", [3, 30])
def test_the_list_runs_a_constant_number_of_queries(
    app, client, make_user, login, open_process, make_proposal, count_queries, n
):
    process_id = open_process()
    authors = [make_user() for _ in range(3)]
    with app.app_context():
        db.session.add(District(code="d", name=LocalizedText({"ja": "地区"})))
        db.session.commit()
        district_id = db.session.scalar(db.select(District.id))
    for i in range(n):
        make_proposal(process_id, authors[i % 3].id, district_id=district_id if i % 2 else None, supports_count=i)
    login(authors[0])
    url = f"/processes/{process_id}/proposals?sort=supported"
    client.get(url)
    with count_queries() as counted:
        response = client.get(url)
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('class="card proposal-card') == min(n, 20)
    assert counted.n == 11, counted.statements  # no COUNT (the process counter); + re-consent banner, bell


def test_process_page_links_to_its_proposals(app, client, make_user, make_process, make_proposal):
    quiet = make_process("賛同のみ", supports_open=True)
    assert "/proposals" not in html_of(client.get(f"/processes/{quiet}"))
    make_proposal(quiet, make_user().id)
    html = html_of(client.get(f"/processes/{quiet}"))
    assert f'href="/processes/{quiet}/proposals"' in html


def test_proposals_of_a_draft_process_are_not_found(app, client, make_user, make_process, make_proposal):
    draft = make_process("下書き", published=False, proposals_open=True)
    proposal_id = make_proposal(draft, make_user().id)
    assert client.get(f"/proposals/{proposal_id}").status_code == 404
    assert client.get(f"/processes/{draft}/proposals").status_code == 404


# --- markup ----------------------------------------------------------------------------------


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def _assert_inert(html):
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        if tag == "script" and attrs.get("src", "").startswith("/static/"):
            continue  # the site's own scripts
        assert tag not in {"script", "iframe", "object", "svg", "math", "details", "img", "style"}, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in {"href", "src", "action"} and value:
                assert not value.strip().lower().startswith(("javascript:", "vbscript:", "data:")), (tag, value)
        if tag == "div" and "hx-get" in attrs:
            assert attrs["hx-get"] != "/admin"


def test_payloads_render_inert_on_the_list_and_the_page(app, client, make_user, open_process, make_proposal):
    process_id = open_process()
    author = make_user()
    ids = [
        make_proposal(process_id, author.id, title=payload[:150], body=payload, place=payload[:200])
        for payload in PAYLOADS
    ]
    listing = html_of(client.get(f"/processes/{process_id}/proposals?state=all"))
    _assert_inert(listing)
    for proposal_id in ids:
        _assert_inert(html_of(client.get(f"/proposals/{proposal_id}")))


# --- gaps closed: similar proposals without JavaScript, visible limits, text in the body --------


def test_similar_proposals_without_javascript(app, client, make_user, login, open_process, make_proposal):
    process_id = open_process()
    make_proposal(process_id, make_user().id, title="公園にベンチを増やしてほしい")
    login(make_user())
    url = f"/processes/{process_id}/proposals/new"
    assert 'name="check_similar"' in html_of(client.get(url))
    before = _count(app, Proposal)
    response = client.post(url, data=_form(title="ベンチの増設", check_similar="1"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "公園にベンチを増やしてほしい" in html
    assert 'value="ベンチの増設"' in html and _count(app, Proposal) == before  # nothing created
    html = client.post(url, data=_form(title="まったく別の話題", check_similar="1")).get_data(as_text=True)
    assert "似ている提案は見つかりませんでした。" in html and _count(app, Proposal) == before


def test_limit_and_threshold_are_visible(app, client, make_user, login, open_process, make_proposal):
    process_id = open_process(limit=3, threshold=50)
    first, second = make_proposal(process_id, make_user().id), make_proposal(process_id, make_user().id)
    resident = make_user()
    login(resident)
    html = html_of(client.get(f"/processes/{process_id}/proposals"))
    assert "この意見募集では、1人3件まで提案に賛同できます。" in html
    assert "50件の賛同が集まった提案は" in html
    client.post(f"/proposals/{first}/support")
    html = html_of(client.get(f"/proposals/{second}", headers=EN))
    assert "You support 1 of the 3 proposals you can support in this consultation." in html
    fragment = client.post(f"/proposals/{second}/support", headers={**HX, **EN}).get_data(as_text=True)
    assert "You support 2 of the 3 proposals" in fragment


def test_text_filter_searches_the_body_too(app, client, make_user, open_process, make_proposal):
    process_id = open_process()
    author = make_user()
    make_proposal(process_id, author.id, title="赤の提案", body="木陰のベンチを")
    make_proposal(process_id, author.id, title="青の提案", body="照明を明るく")
    html = html_of(client.get(f"/processes/{process_id}/proposals?q=木陰"))
    assert ">赤の提案<" in html and ">青の提案<" not in html


def test_comments_open_follows_the_current_stage(app, make_process):
    from participation.core.types import local_today

    talking_id, quiet_id = make_process("意見交換", comments_open=True), make_process("意見なし", proposals_open=True)
    with app.app_context():
        talking, quiet = db.session.get(Process, talking_id), db.session.get(Process, quiet_id)
        assert talking.allows("proposals.comment", local_today()) is True
        assert quiet.allows("proposals.comment", local_today()) is False
        talking.published_at = None
        assert talking.allows("proposals.comment", local_today()) is False


def test_counts_come_from_the_counter_unless_filtered(
    app, client, make_user, login, open_process, make_proposal, count_queries
):
    process_id = open_process()
    author = make_user()
    for _ in range(3):
        make_proposal(process_id, author.id)
    login(author)
    client.post(f"/processes/{process_id}/proposals/new", data=_form(title="木陰のベンチ"))
    with app.app_context():
        assert services.proposals_count(db.session.get(Process, process_id)) == 4
    base = f"/processes/{process_id}/proposals"
    for url in (base, f"{base}?sort=supported", f"{base}?sort=random"):
        with count_queries() as counted:
            html = html_of(client.get(url))
        assert "4件の提案" in html, url
        assert not any("count(" in s.lower() and "proposals_proposals" in s for s in counted.statements), url
    with count_queries() as counted:
        html = html_of(client.get(f"{base}?q=木陰"))
    assert "1件の提案" in html and any("count(" in s.lower() for s in counted.statements)
    with count_queries() as counted:
        html = html_of(client.get(f"/processes/{process_id}"))
    assert "4件の提案を見る" in html
    assert not any("count(" in s.lower() and "proposals_proposals" in s for s in counted.statements)


def test_random_order_covers_every_proposal_once_across_pages(make_app, make_user, open_process, make_proposal):
    paged = make_app(PAGE_SIZE=4)
    client = paged.test_client()
    process_id = open_process()
    author = make_user()
    ids = {make_proposal(process_id, author.id, title=f"提案{n:02d}") for n in range(10)}

    def order(url):
        html = html_of(client.get(url))
        links = [part.split('"')[0] for part in html.split('href="/proposals/')[1:]]
        return list(dict.fromkeys(int(link) for link in links if link.isdigit()))

    seen = []
    for page in (1, 2, 3):
        seen += order(f"/processes/{process_id}/proposals?sort=random&page={page}")
    assert sorted(seen) == sorted(ids)  # the wrap-around misses and repeats nothing
    other = paged.test_client()  # another visitor starts somewhere else in the same circle
    # The same visitor sees the same order again (the pages differ only in their CSRF token's timestamp).
    first = order(f"/processes/{process_id}/proposals?sort=random")
    assert first and first == order(f"/processes/{process_id}/proposals?sort=random")
    assert other.get(f"/processes/{process_id}/proposals?sort=random").status_code == 200
