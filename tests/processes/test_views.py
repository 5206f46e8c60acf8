from datetime import timedelta

import pytest

from participation.core.models import ActionLog, District, Role
from participation.core.types import LocalizedText
from participation.extensions import db
from participation.processes.models import Phase, Process, ProcessCategory

from ..conftest import HX, html_of
from .conftest import get_process

EN = {"Accept-Language": "en"}


def _count(app, model):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(model.id)))


def _log_count(app):
    return _count(app, ActionLog)


# --- public list and page --------------------------------------------------------------------


def test_tabs_sort_processes_by_state(client, make_process):
    make_process("実施中の募集", phases=((-3, 3),))
    make_process("これからの募集", phases=((5, 9),))
    make_process("終わった募集", phases=((-9, -5),))
    make_process("下書きの募集", phases=((-3, 3),), published=False)
    html = html_of(client.get("/processes"))
    assert "実施中の募集" in html and "これからの募集" not in html and "終わった募集" not in html
    assert "下書きの募集" not in html
    assert 'aria-current="page">実施中</a>' in html
    upcoming = html_of(client.get("/processes?state=upcoming"))
    assert "これからの募集" in upcoming and "実施中の募集" not in upcoming
    past = html_of(client.get("/processes?state=past"))
    assert "終わった募集" in past and "実施中の募集" not in past


def test_list_items_show_district_dates_and_current_phase(app, client, make_process, today):
    process_id = make_process(phases=((-3, 3), (4, 8)))
    with app.app_context():
        district = District(code="sakuradai", name=LocalizedText({"ja": "さくら台地区", "en": "Sakuradai"}))
        db.session.add(district)
        db.session.flush()
        db.session.get(Process, process_id).district_id = district.id
        db.session.commit()
    html = html_of(client.get("/processes"))
    assert "さくら台地区" in html and "段階1" in html
    start = today - timedelta(days=3)
    assert f"{start.year}年{start.month}月{start.day}日" in html
    english = html_of(client.get("/processes", headers=EN))
    assert "Sakuradai" in english and "Stage 1" in english and "Station square" in english


def test_whole_city_and_empty_tabs(client, make_process):
    make_process(phases=((-1, 1),))
    assert "市内全域" in html_of(client.get("/processes"))
    assert "現在予定されている意見募集はありません。" in html_of(client.get("/processes?state=upcoming"))


@pytest.mark.parametrize("query", ["state=closed", "state=OPEN", "state=%00", "state=open&state=x"])
def test_unknown_state_is_not_found(client, query):
    response = client.get(f"/processes?{query}")
    expected = 200 if query.startswith("state=open") else 404
    assert response.status_code == expected


def test_no_state_means_open(client, make_process):
    make_process("実施中の募集", phases=((-3, 3),))
    assert "実施中の募集" in html_of(client.get("/processes?state="))


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999", "1.5"])
def test_any_page_value_is_safe(client, make_process, page):
    make_process()
    assert client.get(f"/processes?page={page}").status_code == 200


def test_paging_swaps_the_list_for_htmx(make_app, make_process):
    client = make_app(PAGE_SIZE=2).test_client()
    for n in range(5):
        make_process(f"募集{n}", phases=((-1, n + 1),))
    html = html_of(client.get("/processes"))
    assert "募集0" in html and "募集1" in html and "募集2" not in html
    fragment = html_of(client.get("/processes?state=open&page=2", headers=HX))
    assert fragment.lstrip().startswith('<div id="process-list"')
    assert "募集2" in fragment and "<html" not in fragment
    assert "state=open" in fragment and "page=3" in fragment


@pytest.mark.parametrize("n", [3, 30])
def test_the_list_runs_a_constant_number_of_queries(app, client, make_process, count_queries, n):
    with app.app_context():
        for code in ("a", "b"):
            db.session.add(District(code=code, name=LocalizedText({"ja": code})))
        db.session.commit()
        district_ids = db.session.scalars(db.select(District.id)).all()
    ids = [make_process(f"募集{i}", phases=((-5, -1), (0, 3), (4, 9))) for i in range(n)]
    with app.app_context():
        for i, process_id in enumerate(ids):
            db.session.get(Process, process_id).district_id = district_ids[i % 2]
        db.session.commit()
    client.get("/processes")  # warm up (catalogs, templates)
    with count_queries() as counted:
        response = client.get("/processes")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('class="card process-card"') == min(n, 20)
    assert counted.n == 4, counted.statements


def test_process_page_shows_timeline_and_what_is_open(client, make_process):
    process_id = make_process(phases=((-5, -1), (0, 3), (4, 9)))
    with client.application.app_context():
        process = db.session.get(Process, process_id)
        process.description = LocalizedText({"ja": "**大切な**説明\n\n<script>alert(1)</script>"})
        process.phases[1].switches = {"proposals.create": True, "proposals.comment": True}
        process.categories.append(ProcessCategory(name=LocalizedText({"ja": "歩行者の動線"})))
        db.session.commit()
    html = html_of(client.get(f"/processes/{process_id}"))
    assert "<strong>大切な</strong>" in html and "<script>alert" not in html
    assert "歩行者の動線" in html
    assert html.count('aria-current="step"') == 1
    current = html[html.index('aria-current="step"') :]
    assert current.index("段階2") < current.index("（現在の段階）") < current.index("段階3")
    now = html[html.index("現在参加できること") : html.index("スケジュール</h2>")]
    assert (
        "提案の受付：受付中" in now
        and "賛同の受付：受付していません" in now
        and "提案へのコメントの受付：受付中" in now
    )
    english = html_of(client.get(f"/processes/{process_id}", headers=EN))
    assert "Proposal submissions: open" in english and "(current stage)" in english


def test_upcoming_and_past_pages_say_so(client, make_process):
    upcoming = make_process(phases=((3, 5),))
    past = make_process(phases=((-5, -3),))
    assert "まだ始まっていません" in html_of(client.get(f"/processes/{upcoming}"))
    assert "終了しました" in html_of(client.get(f"/processes/{past}"))


def test_drafts_and_missing_processes_are_not_found(client, make_user, login, make_process):
    draft = make_process(published=False)
    assert client.get(f"/processes/{draft}").status_code == 404
    assert client.get("/processes/99999").status_code == 404
    login(make_user())
    assert client.get(f"/processes/{draft}").status_code == 404


def test_staff_see_drafts(client, make_user, login, make_process):
    draft = make_process("下書きの募集", published=False)
    login(make_user(Role.STAFF))
    assert "下書きです" in html_of(client.get(f"/processes/{draft}"))
    manage = html_of(client.get("/admin/processes"))
    assert "下書きの募集" in manage and "下書き" in manage


def test_navigation_entries(client, make_user, login):
    assert "意見募集</a>" in html_of(client.get("/"))
    assert "Consultations</a>" in html_of(client.get("/", headers=EN))
    login(make_user(Role.STAFF))
    html = html_of(client.get("/admin/processes"))
    assert 'href="/admin/processes" aria-current="page"' in html
    assert "意見募集の管理" in html_of(client.get("/processes"))


# --- management --------------------------------------------------------------------------------


def _process_form(**overrides):
    data = {
        "title-ja": "さくら台公園の遊具更新",
        "title-en": "Play equipment",
        "summary-ja": "遊具を更新します。",
        "summary-en": "",
        "description-ja": "詳しい説明",
        "district_id": "0",
    }
    data.update(overrides)
    return data


def test_staff_create_schedule_categorise_and_publish(app, client, make_user, login, today):
    staff = make_user(Role.STAFF)
    login(staff)
    response = client.post("/admin/processes/new", data=_process_form())
    assert response.status_code == 302
    with app.app_context():
        process_id = db.session.scalar(db.select(Process.id))
    base = f"/admin/processes/{process_id}"
    assert client.post(f"{base}/publish").status_code == 302  # refused: no stages yet
    assert get_process(app, process_id).published_at is None
    phase = {
        "title-ja": "提案の募集",
        "starts_on": (today - timedelta(days=1)).isoformat(),
        "ends_on": (today + timedelta(days=9)).isoformat(),
        "switch-proposals-create": "y",
    }
    assert client.post(f"{base}/phases/new", data=phase).status_code == 302
    assert client.post(f"{base}/categories/new", data={"name-ja": "遊具"}).status_code == 302
    edited = _process_form(
        **{
            "title-ja": "公園の遊具",
            "setting-proposals-supports_per_resident": "5",
            "setting-proposals-support_threshold": "100",
        }
    )
    assert client.post(base, data=edited).status_code == 302
    assert client.post(f"{base}/publish").status_code == 302
    process = get_process(app, process_id)
    assert process.title["ja"] == "公園の遊具" and process.published_at is not None
    assert process.settings["proposals"] == {"supports_per_resident": 5, "support_threshold": 100}
    assert client.post(base, data=_process_form(**{"title-ja": "公園の遊具"})).status_code == 302
    process = get_process(app, process_id)
    assert process.settings["proposals"] == {"supports_per_resident": None, "support_threshold": None}  # no limit
    assert process.phases[0].allows("proposals.create") and not process.phases[0].allows("proposals.support")
    assert [c.name["ja"] for c in process.categories] == ["遊具"]
    assert "公園の遊具" in html_of(client.get("/processes"))
    with app.app_context():
        entries = db.session.execute(
            db.select(ActionLog.action, ActionLog.visibility, ActionLog.actor_id)
            .where(ActionLog.resource_type == "process")
            .order_by(ActionLog.id)
        ).all()
    assert [e.action for e in entries] == [
        "process.created",
        "process.phase_added",
        "process.category_added",
        "process.updated",
        "process.published",
        "process.updated",
    ]
    assert {e.actor_id for e in entries} == {staff.id}
    activity = html_of(client.get("/activity"))
    assert f'href="/processes/{process_id}">公園の遊具</a>' in activity


def test_staff_edit_and_delete_phases_and_categories(app, client, make_user, login, make_process, today):
    process_id = make_process(phases=((-1, 1), (2, 4)), published=False)
    with app.app_context():
        process = db.session.get(Process, process_id)
        first, second = (p.id for p in process.phases)
        process.categories.append(ProcessCategory(name=LocalizedText({"ja": "古い分類"})))
        db.session.commit()
        category_id = process.categories[0].id
    login(make_user(Role.ADMIN))
    base = f"/admin/processes/{process_id}"
    assert client.get(f"{base}/phases/{first}").status_code == 200
    edited = {
        "title-ja": "意見の受付",
        "starts_on": (today - timedelta(days=2)).isoformat(),
        "ends_on": (today + timedelta(days=1)).isoformat(),
        "switch-proposals-comment": "y",
    }
    assert client.post(f"{base}/phases/{first}", data=edited).status_code == 302
    assert client.post(f"{base}/phases/{second}/delete").status_code == 302
    assert client.post(f"{base}/categories/{category_id}", data={"name-ja": "新しい分類"}).status_code == 302
    process = get_process(app, process_id)
    assert [(p.title["ja"], p.switches) for p in process.phases] == [
        ("意見の受付", {"proposals.create": False, "proposals.support": False, "proposals.comment": True})
    ]
    assert process.categories[0].name["ja"] == "新しい分類"
    assert client.post(f"{base}/categories/{category_id}/delete").status_code == 302
    assert _count(app, ProcessCategory) == 0
    page = html_of(client.get(base))
    assert "意見の受付" in page and "公開する" in page


def test_bad_process_forms_are_refused_in_the_readers_language(app, client, make_user, login):
    login(make_user(Role.STAFF))
    before = _log_count(app)
    for data, message in [
        (_process_form(**{"title-ja": "", "title-en": ""}), "いずれかの言語で入力してください。"),
        (_process_form(**{"title-ja": "あ" * 151}), "150文字以内"),
        (_process_form(district_id="999"), "一覧から地区を選んでください。"),
        (_process_form(district_id="abc"), "一覧から地区を選んでください。"),
        (_process_form(**{"setting-proposals-supports_per_resident": "0"}), "1以上の整数を入力してください。"),
        (_process_form(**{"setting-proposals-support_threshold": "たくさん"}), "1以上の整数を入力してください。"),
    ]:
        response = client.post("/admin/processes/new", data=data)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    english = client.post("/admin/processes/new", data=_process_form(**{"title-ja": ""}), headers=EN)
    assert english.status_code == 302  # English title alone is enough
    response = client.post("/admin/processes/new", data=_process_form(**{"summary-ja": ""}), headers=EN)
    assert response.status_code == 422
    assert "Enter this in at least one language." in response.get_data(as_text=True)
    assert _count(app, Process) == 1
    assert _log_count(app) == before + 1


def test_bad_phase_forms_are_refused(app, client, make_user, login, make_process, today):
    process_id = make_process(phases=((0, 10),))
    login(make_user(Role.STAFF))
    url = f"/admin/processes/{process_id}/phases/new"
    before = _log_count(app)

    def phase(start, end, **extra):
        return {"title-ja": "次の段階", "starts_on": start, "ends_on": end, **extra}

    day = today.isoformat
    for data, message in [
        (phase((today + timedelta(days=20)).isoformat(), (today + timedelta(days=15)).isoformat()), "終了日は開始日"),
        (phase((today + timedelta(days=5)).isoformat(), (today + timedelta(days=15)).isoformat()), "重なっています"),
        (phase(day(), day()), "段階「段階1」と重なっています"),
        (phase("2026-13-40", day()), "2026-11-22 のような形式"),
        (phase("", day()), "日付を入力してください。"),
        ({"starts_on": day(), "ends_on": day()}, "いずれかの言語で入力してください。"),
        (phase(day(), day(), **{"title-ja": "長" * 101}), "100文字以内"),
    ]:
        response = client.post(url, data=data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), data
    english = client.post(url, data=phase("tomorrow", day()), headers=EN)
    assert "Enter a date like 2026-11-22." in english.get_data(as_text=True)
    assert _count(app, Phase) == 1
    assert _log_count(app) == before


def test_missing_or_mismatched_ids_are_not_found(app, client, make_user, login, make_process):
    one = make_process()
    other = make_process("別の募集")
    with app.app_context():
        phase_id = db.session.get(Process, other).phases[0].id
    login(make_user(Role.STAFF))
    assert client.get("/admin/processes/99999").status_code == 404
    assert client.post("/admin/processes/99999/publish").status_code == 404
    assert client.get(f"/admin/processes/{one}/phases/{phase_id}").status_code == 404
    assert client.post(f"/admin/processes/{one}/phases/{phase_id}/delete").status_code == 404
    assert client.post(f"/admin/processes/{one}/categories/99999/delete").status_code == 404
    assert _count(app, Phase) == 2


def test_residents_and_visitors_cannot_manage(app, client, make_user, login, make_process, today):
    process_id = make_process()
    with app.app_context():
        phase_id = db.session.get(Process, process_id).phases[0].id
    base = f"/admin/processes/{process_id}"
    phase = {"title-ja": "x", "starts_on": (today + timedelta(days=30)).isoformat(), "ends_on": ""}
    attempts = [
        ("get", "/admin/processes", None),
        ("get", "/admin/processes/new", None),
        ("post", "/admin/processes/new", _process_form()),
        ("post", base, _process_form(**{"title-ja": "乗っ取り"})),
        ("post", f"{base}/unpublish", None),
        ("post", f"{base}/publish", None),
        ("post", f"{base}/phases/new", phase),
        ("post", f"{base}/phases/{phase_id}", phase),
        ("post", f"{base}/phases/{phase_id}/delete", None),
        ("post", f"{base}/categories/new", {"name-ja": "x"}),
    ]
    before = _log_count(app)
    for method, url, data in attempts:
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url
    for role in (Role.RESIDENT, Role.MODERATOR, Role.AUDITOR, Role.LAB_MEMBER):
        other = app.test_client()
        actor = make_user(role)
        other.post("/login", data={"email": actor.email, "password": "correct horse battery"})
        for method, url, data in attempts:
            assert getattr(other, method)(url, data=data).status_code == 403, (role, url)
    process = get_process(app, process_id)
    assert process.title["ja"] == "駅前広場の再整備" and process.published_at is not None
    assert len(process.phases) == 1 and not process.categories
    assert _count(app, Process) == 1
    assert _log_count(app) == before
    html = html_of(client.get(f"/processes/{process_id}"))
    assert "この意見募集を編集" not in html


def test_staff_reach_the_administration_area_from_the_header(client, make_user, login):
    login(make_user(Role.STAFF))
    assert 'href="/admin/"' in html_of(client.get("/"))
    dashboard = html_of(client.get("/admin/"))
    assert 'href="/admin/processes"' in dashboard
    assert 'href="/admin/users"' not in dashboard  # each entry keeps its own permission


def test_public_feed_stops_naming_a_withdrawn_process(app, client, make_user, login, make_process):
    process_id = make_process("撤回される募集")
    staff = make_user(Role.STAFF)
    with app.app_context():
        from participation.core.action_log import PUBLIC, log_action
        from participation.core.models import User

        log_action(
            db.session.get(User, staff.id), "process.published", db.session.get(Process, process_id), visibility=PUBLIC
        )
        db.session.commit()
    assert "撤回される募集" in html_of(client.get("/activity"))
    login(staff)
    client.post(f"/admin/processes/{process_id}/unpublish")
    feed = html_of(client.get("/activity"))
    assert "意見募集を公開しました" in feed and "撤回される募集" not in feed
    # The restricted log still names the process for those who keep it.
    admin, auditor_view = make_user(Role.ADMIN), app.test_client()
    auditor_view.post("/login", data={"email": admin.email, "password": "correct horse battery"})
    assert "撤回される募集" in auditor_view.get("/admin/log").get_data(as_text=True)
