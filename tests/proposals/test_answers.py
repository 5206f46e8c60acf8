"""Official answers, the implementation record and the open-data export."""

import csv
import io
import json
from datetime import date

import pytest

from participation.core.models import ActionLog, Role
from participation.core.types import LocalizedText
from participation.extensions import db
from participation.proposals import services
from participation.proposals.models import ProgressUpdate, Proposal, ProposalAnswer

from ..conftest import html_of
from ..core.test_markup import PAYLOADS
from .conftest import get_proposal
from .test_views import _assert_inert

EN = {"Accept-Language": "en"}


def _count(app, model):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(model.id)))


def _answer(state="accepted", ja="採用します。", en="", cost=""):
    return {"state": state, "text-ja": ja, "text-en": en, "cost": cost}


def _progress(on="2026-11-20", progress="40", ja="設計を終えました。", en=""):
    return {"on": on, "progress": progress, "text-ja": ja, "text-en": en}


@pytest.fixture
def setup(app, open_process, make_user, make_proposal):
    process_id = open_process()
    author = make_user(name="提案者")
    staff = make_user(Role.STAFF, name="市役所 職員")
    proposal_id = make_proposal(process_id, author.id)
    return {"process_id": process_id, "author": author, "staff": staff, "proposal_id": proposal_id}


def _give(app, staff, proposal_id, state="accepted", text=None, cost=None):
    with app.app_context():
        actor = db.session.get(type(staff), staff.id)
        proposal = db.session.get(Proposal, proposal_id)
        services.answer_proposal(actor, proposal, state=state, text=LocalizedText(text or {"ja": "回答"}), cost=cost)


# --- answers ---------------------------------------------------------------------------------


def test_staff_answer_is_stored_logged_and_shown(app, client, login, setup):
    login(setup["staff"])
    pid = setup["proposal_id"]
    response = client.post(
        f"/proposals/{pid}/answer", data=_answer(ja="**採用**します。", en="Accepted.", cost="1,200,000")
    )
    assert response.status_code == 302
    proposal = get_proposal(app, pid)
    assert proposal.answer_state == "accepted" and proposal.answer_cost == 1_200_000
    assert proposal.answer_text == LocalizedText({"ja": "**採用**します。", "en": "Accepted."})
    assert proposal.answered_by_id == setup["staff"].id and proposal.answered_at is not None
    with app.app_context():
        entry = db.session.scalar(db.select(ActionLog).where(ActionLog.action == "proposal.answered"))
        assert entry.visibility == "public" and entry.data["state"] == "accepted"
    html = html_of(client.get(f"/proposals/{pid}"))
    assert "市の回答" in html and "<strong>採用</strong>" in html and "1,200,000" in html
    english = html_of(client.get(f"/proposals/{pid}", headers=EN))
    assert "Accepted." in english


def test_answers_are_kept_as_history(app, client, login, setup):
    pid = setup["proposal_id"]
    _give(app, setup["staff"], pid, "evaluating", {"ja": "検討を始めました。"})
    _give(app, setup["staff"], pid, "rejected", {"ja": "予算の都合で見送ります。"}, cost=5000)
    assert _count(app, ProposalAnswer) == 2
    assert get_proposal(app, pid).answer_state == "rejected"
    html = html_of(client.get(f"/proposals/{pid}"))
    assert "予算の都合で見送ります。" in html and "検討を始めました。" in html and "これまでの回答" in html


@pytest.mark.parametrize("role", [None, Role.RESIDENT, Role.MODERATOR])
def test_only_staff_may_answer(app, client, make_user, login, setup, role):
    pid = setup["proposal_id"]
    if role is not None:
        login(make_user(role))
    response = client.post(f"/proposals/{pid}/answer", data=_answer())
    if role is None:
        assert response.status_code == 302 and "/login" in response.location
    else:
        assert response.status_code == 403
        assert "市の回答を公開" not in html_of(client.get(f"/proposals/{pid}"))
    assert get_proposal(app, pid).answer_state is None and _count(app, ProposalAnswer) == 0


def test_admin_may_answer(app, client, make_user, login, setup):
    admin = make_user(Role.ADMIN)
    login(admin)
    assert client.post(f"/proposals/{setup['proposal_id']}/answer", data=_answer()).status_code == 302
    with app.app_context():
        proposal = db.session.get(Proposal, setup["proposal_id"])
        assert proposal.answer_state == "accepted"
        assert (
            db.session.scalar(db.select(ActionLog.actor_id).where(ActionLog.action == "proposal.answered")) == admin.id
        )


@pytest.mark.parametrize(
    ("data", "ja_message", "en_message"),
    [
        (_answer(ja="", en=""), "いずれかの言語で入力してください。", "Enter this in at least one language."),
        (
            _answer(cost="-1"),
            "費用は0以上の整数（円）で入力してください。",
            "Enter the cost in yen as a whole number of 0 or more.",
        ),
        (
            _answer(cost="abc"),
            "費用は0以上の整数（円）で入力してください。",
            "Enter the cost in yen as a whole number of 0 or more.",
        ),
        (_answer(state="approved"), "一覧から状態を選んでください。", "Choose a state from the list."),
    ],
)
def test_bad_answers_are_refused(app, client, login, setup, data, ja_message, en_message):
    login(setup["staff"])
    pid = setup["proposal_id"]
    response = client.post(f"/proposals/{pid}/answer", data=data)
    assert response.status_code == 422 and ja_message in response.get_data(as_text=True)
    response = client.post(f"/proposals/{pid}/answer", data=data, headers=EN)
    assert response.status_code == 422 and en_message in response.get_data(as_text=True)
    assert get_proposal(app, pid).answer_state is None and _count(app, ProposalAnswer) == 0


def test_withdrawn_proposals_cannot_be_answered(app, client, login, setup):
    pid = setup["proposal_id"]
    with app.app_context():
        author = db.session.get(type(setup["author"]), setup["author"].id)
        services.withdraw_proposal(author, db.session.get(Proposal, pid))
    login(setup["staff"])
    response = client.post(f"/proposals/{pid}/answer", data=_answer())
    assert response.status_code == 422
    assert "取り下げられた提案には回答できません。" in response.get_data(as_text=True)
    assert get_proposal(app, pid).answer_state is None and _count(app, ProposalAnswer) == 0


def test_service_refuses_negative_cost_and_empty_text(app, setup):
    pid = setup["proposal_id"]
    with pytest.raises(services.ProposalError):
        _give(app, setup["staff"], pid, cost=-5)
    with app.app_context(), pytest.raises(services.ProposalError):
        services.answer_proposal(
            db.session.get(type(setup["staff"]), setup["staff"].id),
            db.session.get(Proposal, pid),
            state="accepted",
            text=LocalizedText({"ja": "   "}),
        )
    assert _count(app, ProposalAnswer) == 0


@pytest.mark.parametrize("payload", PAYLOADS)
def test_answer_text_payloads_render_inert(app, client, setup, payload):
    pid = setup["proposal_id"]
    _give(app, setup["staff"], pid, "accepted", {"ja": payload})
    with app.app_context():
        proposal = db.session.get(Proposal, pid)
        services.add_progress_update(
            db.session.get(type(setup["staff"]), setup["staff"].id),
            proposal,
            on=date(2026, 11, 1),
            text=LocalizedText({"ja": payload}),
            progress=10,
        )
    _assert_inert(html_of(client.get(f"/proposals/{pid}")))
    _assert_inert(html_of(client.get(f"/proposals/{pid}", headers=EN)))


def test_list_shows_badges_and_filters_by_answer_state(app, client, setup, make_proposal):
    pid = setup["proposal_id"]
    other = make_proposal(setup["process_id"], setup["author"].id, title="別の提案")
    _give(app, setup["staff"], pid, "implemented")
    url = f"/processes/{setup['process_id']}/proposals"
    html = html_of(client.get(url))
    assert "実施済み" in html
    implemented = html_of(client.get(url, query_string={"state": "implemented"}))
    assert f"/proposals/{pid}" in implemented and f'/proposals/{other}"' not in implemented
    unanswered = html_of(client.get(url, query_string={"state": "unanswered"}))
    assert f"/proposals/{other}" in unanswered and f'/proposals/{pid}"' not in unanswered
    assert client.get(url, query_string={"state": "bogus"}).status_code == 404


# --- the implementation record ---------------------------------------------------------------


def test_progress_updates_build_a_timeline(app, client, login, setup):
    pid = setup["proposal_id"]
    _give(app, setup["staff"], pid, "accepted")
    login(setup["staff"])
    assert client.post(f"/proposals/{pid}/progress", data=_progress()).status_code == 302
    assert (
        client.post(f"/proposals/{pid}/progress", data=_progress("2026-12-01", "80", "工事中です。")).status_code == 302
    )
    assert get_proposal(app, pid).progress == 80
    assert _count(app, ProgressUpdate) == 2
    html = html_of(client.get(f"/proposals/{pid}"))
    assert "進捗状況" in html and "工事中です。" in html and "設計を終えました。" in html
    assert 'value="80"' in html
    with app.app_context():
        assert (
            db.session.scalar(
                db.select(db.func.count(ActionLog.id)).where(ActionLog.action == "proposal.progress_updated")
            )
            == 2
        )


@pytest.mark.parametrize("state", [None, "evaluating", "rejected"])
def test_progress_only_for_accepted_proposals(app, client, login, setup, state):
    pid = setup["proposal_id"]
    if state:
        _give(app, setup["staff"], pid, state)
    login(setup["staff"])
    response = client.post(f"/proposals/{pid}/progress", data=_progress())
    assert response.status_code == 422
    assert "進捗は、採用・実施中・実施済みの提案にのみ記録できます。" in response.get_data(as_text=True)
    assert _count(app, ProgressUpdate) == 0


@pytest.mark.parametrize("value", ["-1", "101", "abc", ""])
def test_progress_outside_0_to_100_is_refused(app, client, login, setup, value):
    pid = setup["proposal_id"]
    _give(app, setup["staff"], pid, "in_progress")
    login(setup["staff"])
    response = client.post(f"/proposals/{pid}/progress", data=_progress(progress=value), headers=EN)
    assert response.status_code == 422
    assert "Enter the progress as a whole number from 0 to 100." in response.get_data(as_text=True)
    assert _count(app, ProgressUpdate) == 0 and get_proposal(app, pid).progress == 0


def test_progress_refusals_for_text_date_and_people(app, client, make_user, login, setup):
    pid = setup["proposal_id"]
    _give(app, setup["staff"], pid, "accepted")
    assert client.post(f"/proposals/{pid}/progress", data=_progress()).status_code == 302  # to log in
    login(make_user(Role.RESIDENT))
    assert client.post(f"/proposals/{pid}/progress", data=_progress()).status_code == 403
    client.post("/logout")
    login(setup["staff"])
    assert client.post(f"/proposals/{pid}/progress", data=_progress(ja="")).status_code == 422
    assert client.post(f"/proposals/{pid}/progress", data=_progress(on="昨日")).status_code == 422
    assert _count(app, ProgressUpdate) == 0
    with app.app_context(), pytest.raises(services.ProposalError):
        services.add_progress_update(
            db.session.get(type(setup["staff"]), setup["staff"].id),
            db.session.get(Proposal, pid),
            on=date(2026, 11, 1),
            text=LocalizedText({"ja": "x"}),
            progress=150,
        )


# --- open data -------------------------------------------------------------------------------


@pytest.fixture
def exported(app, open_process, make_user, make_proposal):
    process_id = open_process()
    author = make_user(email="secret.author@private-mail.example", name="公開名 太郎")
    gone = make_user(email="deleted.person@private-mail.example", name="消えた人")
    staff = make_user(Role.STAFF, email="staff.only@city-internal.example")
    answered = make_proposal(process_id, author.id, title='=HYPERLINK("x")', place="さくら台")
    withdrawn = make_proposal(process_id, gone.id, title="取り下げた提案")
    _give(app, staff, answered, "accepted", {"ja": "採用します。", "en": "Accepted."}, cost=300000)
    with app.app_context():
        db.session.get(Proposal, withdrawn).withdrawn_at = db.func.now()
        db.session.commit()
        services.add_progress_update(
            db.session.get(type(staff), staff.id),
            db.session.get(Proposal, answered),
            on=date(2026, 11, 1),
            text=LocalizedText({"ja": "設計を始めました。"}),
            progress=30,
        )
    return {"process_id": process_id, "answered": answered, "withdrawn": withdrawn}


EMAILS = ("secret.author@private-mail.example", "deleted.person@private-mail.example", "city-internal", "@")


def test_json_export(client, exported):
    response = client.get(f"/processes/{exported['process_id']}/proposals.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    text = response.get_data(as_text=True)
    assert not any(email in text for email in EMAILS)
    data = json.loads(text)
    rows = {row["id"]: row for row in data["proposals"]}
    row = rows[exported["answered"]]
    assert row["author"] == "公開名 太郎" and row["answer_state"] == "accepted"
    assert row["answer_text"] == {"ja": "採用します。", "en": "Accepted."} and row["answer_cost_yen"] == 300000
    assert row["created_at"].endswith("Z") and row["state"] == "active" and row["supports_count"] == 0
    assert rows[exported["withdrawn"]]["state"] == "withdrawn"
    assert set(row) == {
        "id", "title", "body", "language", "category", "district", "place", "state", "withdrawn_at",
        "answer_state", "answer_text", "answer_cost_yen", "answered_at", "progress_percent",
        "supports_count", "comments_count", "created_at", "author", "progress_updates",
    }  # fmt: skip
    assert row["progress_updates"] == [
        {"on": "2026-11-01", "progress_percent": 30, "text": {"ja": "設計を始めました。", "en": ""}}
    ]


def test_csv_export_opens_in_excel(client, exported):
    response = client.get(f"/processes/{exported['process_id']}/proposals.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert not any(email in text for email in EMAILS)
    rows = list(csv.DictReader(io.StringIO(text)))
    by_id = {int(r["id"]): r for r in rows}
    answered = by_id[exported["answered"]]
    assert answered["title"].startswith("'=")  # no formula in a spreadsheet
    assert answered["answer_text_ja"] == "採用します。" and answered["answer_cost_yen"] == "300000"
    assert answered["author"] == "公開名 太郎" and by_id[exported["withdrawn"]]["state"] == "withdrawn"


def test_exports_of_drafts_do_not_exist(client, make_process, make_user, login):
    draft = make_process("下書き", published=False)
    login(make_user(Role.STAFF))
    for suffix in ("csv", "json"):
        assert client.get(f"/processes/{draft}/proposals.{suffix}").status_code == 404
    assert client.get("/processes/99999/proposals.csv").status_code == 404


def test_export_is_one_query(client, exported, count_queries, app):
    with count_queries() as counted:
        client.get(f"/processes/{exported['process_id']}/proposals.json")
    assert counted.n <= 6
