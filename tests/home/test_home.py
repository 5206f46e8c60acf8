"""The home page: what is open now with its deadline and what residents can do, the city's latest
answers, district links that filter, cards that lead somewhere, recent activity of the demo city."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from participation.core.models import ActionLog, District
from participation.core.types import LocalizedText
from participation.extensions import db
from participation.processes.models import Process
from participation.proposals.models import Proposal
from tests.conftest import html_of


def _district(app, code: str, name: str) -> int:
    with app.app_context():
        district = District(code=code, name=LocalizedText({"ja": name, "en": code.title()}))
        db.session.add(district)
        db.session.commit()
        return district.id


def _set(app, model, ident: int, **fields) -> None:
    with app.app_context():
        obj = db.session.get(model, ident)
        for key, value in fields.items():
            setattr(obj, key, value)
        db.session.commit()


def _answer(app, proposal_id: int, when: datetime, state: str = "accepted") -> None:
    _set(app, Proposal, proposal_id, answer_state=state, answered_at=when)


def test_open_consultations_show_their_deadline_and_what_residents_can_do(client, make_process):
    make_process("駅前広場の再整備", phases=((-3, 4), (5, 20)), supports_open=True, comments_open=True)
    make_process("下書きの意見募集", phases=((-3, 4),), published=False, supports_open=True)
    make_process("終わった意見募集", phases=((-30, -2),), supports_open=True)
    page = html_of(client.get("/", headers={"Accept-Language": "ja"}))
    section = page.split('id="open-now-heading"', 1)[1].split("</section>", 1)[0]
    assert "駅前広場の再整備" in section
    assert "下書きの意見募集" not in page and "終わった意見募集" not in section
    assert "あと4日" in section  # the current stage ends in four days
    assert "いまできること" in section
    # the stage's switches, named as residents read them; proposals are not taken at this stage
    assert "賛同" in section and "コメント" in section
    assert "提案を投稿" not in section


def test_without_an_open_consultation_the_home_says_so_and_points_to_upcoming_ones(client, make_process):
    make_process("来年の意見募集", phases=((10, 20),), proposals_open=True)
    page = html_of(client.get("/", headers={"Accept-Language": "en"}))
    assert "No consultation is open at the moment." in page
    assert "/processes?state=upcoming" in page


def test_latest_answers_are_newest_first_and_leave_out_hidden_and_draft_proposals(
    app, client, make_process, make_proposal, make_user
):
    author = make_user(email="a@example.jp")
    public = make_process("公開の意見募集")
    draft = make_process("下書きの募集", published=False)
    now = datetime.now(UTC)
    old = make_proposal(public, author.id, "古い回答の提案")
    new = make_proposal(public, author.id, "新しい回答の提案")
    hidden = make_proposal(public, author.id, "非表示の提案")
    secret = make_proposal(draft, author.id, "下書きの中の提案")
    make_proposal(public, author.id, "未回答の提案")
    _answer(app, old, now - timedelta(days=5))
    _answer(app, new, now - timedelta(days=1), state="implemented")
    _answer(app, hidden, now)
    _set(app, Proposal, hidden, hidden_at=now)
    _answer(app, secret, now)
    page = html_of(client.get("/", headers={"Accept-Language": "ja"}))
    section = page.split('id="answers-heading"', 1)[1].split("</section>", 1)[0]
    assert section.index("新しい回答の提案") < section.index("古い回答の提案")
    assert "実施済み" in section
    for title in ("非表示の提案", "下書きの中の提案", "未回答の提案"):
        assert title not in section
    assert f'/proposals/{new}"' in section


def test_district_links_filter_what_is_open_and_the_answers(app, client, make_process, make_proposal, make_user):
    north = _district(app, "kita", "北地区")
    south = _district(app, "minami", "南地区")
    author = make_user(email="b@example.jp")
    city = make_process("市全体の意見募集")
    in_north = make_process("北地区の意見募集")
    in_south = make_process("南地区の意見募集")
    _set(app, Process, in_north, district_id=north)
    _set(app, Process, in_south, district_id=south)
    north_proposal = make_proposal(city, author.id, "北の提案", district_id=north)
    south_proposal = make_proposal(city, author.id, "南の提案", district_id=south)
    for proposal_id in (north_proposal, south_proposal):
        _answer(app, proposal_id, datetime.now(UTC))

    everything = html_of(client.get("/", headers={"Accept-Language": "ja"}))
    assert 'href="/?district=kita"' in everything
    for title in ("市全体の意見募集", "北地区の意見募集", "南地区の意見募集", "北の提案", "南の提案"):
        assert title in everything

    north_page = html_of(client.get("/?district=kita", headers={"Accept-Language": "ja"}))
    assert 'href="/?district=kita" aria-current="page"' in north_page
    open_now = north_page.split('id="open-now-heading"', 1)[1].split("</section>", 1)[0]
    answers = north_page.split('id="answers-heading"', 1)[1].split("</section>", 1)[0]
    assert "市全体の意見募集" in open_now and "北地区の意見募集" in open_now and "北の提案" in answers
    assert "南地区の意見募集" not in open_now and "南の提案" not in answers


@pytest.mark.parametrize("district", ["nowhere", "x" * 5000, "%00"])
def test_an_unknown_district_shows_the_whole_city(app, client, make_process, district):
    _district(app, "kita", "北地区")
    make_process("市全体の意見募集")
    page = html_of(client.get("/", query_string={"district": district}))
    assert "市全体の意見募集" in page
    assert 'href="/" aria-current="page"' in page


def test_what_you_can_do_cards_lead_somewhere_and_say_what_is_there(client):
    page = html_of(client.get("/", headers={"Accept-Language": "en"}))
    section = page.split('id="what-heading"', 1)[1].split("</section>", 1)[0]
    assert 'href="/processes"' in section
    assert "give your views while a consultation is open" in section
    assert 'href="/sensors"' in section and "what they record" in section


@pytest.mark.parametrize("n", [2, 9])
def test_the_home_page_runs_a_fixed_number_of_queries(
    app, client, make_process, make_proposal, make_user, count_queries, n
):
    district = _district(app, "kita", "北地区")
    author = make_user(email="c@example.jp")
    for i in range(n):
        process_id = make_process(f"募集{i}", phases=((-2, 3), (4, 9)), supports_open=True)
        _set(app, Process, process_id, district_id=district if i % 2 else None)
        proposal_id = make_proposal(process_id, author.id, f"提案{i}", district_id=district)
        _answer(app, proposal_id, datetime.now(UTC) - timedelta(hours=i))
    client.get("/")  # warm up (catalogs, templates)
    for url in ("/", "/?district=kita"):
        with count_queries() as counted:
            page = html_of(client.get(url))
        assert "提案0" in page
        assert counted.n == 8, counted.statements


def test_the_demo_city_has_recent_activity_once_however_often_it_is_seeded(make_app):
    app = make_app()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    with app.app_context():
        first = db.session.scalar(db.select(db.func.count(ActionLog.id)).where(ActionLog.visibility == "public"))
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    with app.app_context():
        again = db.session.scalar(db.select(db.func.count(ActionLog.id)).where(ActionLog.visibility == "public"))
        newest = db.session.scalars(db.select(ActionLog).order_by(ActionLog.created_at.desc()).limit(1)).one()
    assert first > 30 and again == first
    page = html_of(app.test_client().get("/", headers={"Accept-Language": "ja"}))
    assert "まだ動きはありません" not in page
    assert newest.created_at.isoformat() in page  # the newest entry comes first, whatever the seeding order
