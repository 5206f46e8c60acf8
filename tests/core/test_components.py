"""Components plug into a consultation through core/components.py: their settings and stage switches
appear in the consultation's forms, are checked and stored generically, and their panels appear on
the consultation page, which names none of them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from participation.config import DEFAULTS, PROJECT_ROOT
from participation.core.components import Setting, SettingRefused
from participation.core.models import ActionLog, Role
from participation.extensions import db
from participation.processes import services
from participation.processes.models import Process

from ..processes.conftest import ja

WITH_PROBE = [*DEFAULTS["CAPABILITIES"], "tests.core.probe:capability"]
EN = {"Accept-Language": "en"}


@pytest.fixture
def probe_app(make_app):
    return make_app(CAPABILITIES=WITH_PROBE)


def _log_count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(ActionLog.id)))


def _process(app, **switches) -> int:
    from participation.core.types import local_today

    with app.app_context():
        process = services.create_process(None, title=ja("公園の遊具", "Playground"), summary=ja("概要です。"))
        today = local_today()
        services.add_phase(
            None,
            process,
            title=ja("受付", "Open"),
            starts_on=today - timedelta(days=1),
            ends_on=today + timedelta(days=5),
            switches=switches,
        )
        services.publish(None, process)
        return process.id


@pytest.mark.parametrize(
    ("setting", "given", "stored"),
    [
        (Setting("n", "n", default=None, minimum=1), "", None),
        (Setting("n", "n", default=None, minimum=1), " 12 ", 12),
        (
            Setting("n", "n", default=None, minimum=1),
            "１２",
            12,
        ),  # full-width digits, as a Japanese keyboard types them
        (Setting("n", "n", default=None, minimum=1), 7, 7),
        (Setting("b", "b", kind="bool"), "y", True),
        (Setting("b", "b", kind="bool"), "", False),
        (Setting("c", "c", kind="choice", default="a", choices=(("a", "A"), ("b", "B"))), "b", "b"),
    ],
)
def test_settings_clean_what_forms_send(setting, given, stored):
    assert setting.clean(given) == stored


@pytest.mark.parametrize(
    ("setting", "given", "message"),
    [
        (Setting("n", "n", default=None, minimum=1), "0", "Enter a whole number of 1 or more."),
        (Setting("n", "n", default=None, minimum=1), "たくさん", "Enter a whole number of 1 or more."),
        (Setting("n", "n", default=None, minimum=1), True, "Enter a whole number of 1 or more."),
        (Setting("n", "n", default=None, minimum=1), "1e3", "Enter a whole number of 1 or more."),
        (Setting("n", "n", default=None, minimum=1), 10**12, "Enter a whole number of 1 or more."),
        (Setting("n", "n", default=2, minimum=1, maximum=9), "", "Enter a whole number from 1 to 9."),
        (Setting("n", "n", default=2, maximum=9), "10", "Enter a whole number of 9 or less."),
        (Setting("n", "n", default=2), "2.5", "Enter a whole number."),
        (Setting("c", "c", kind="choice", default="a", choices=(("a", "A"),)), "z", "Choose one of the options"),
    ],
)
def test_bad_setting_values_are_refused(app, setting, given, message):
    with app.test_request_context(headers=EN), pytest.raises(SettingRefused) as refused:
        setting.clean(given)
    assert str(refused.value.message).startswith(message)


def test_a_declaration_must_be_usable():
    with pytest.raises(ValueError, match="kind"):
        Setting("x", "x", kind="text")
    with pytest.raises(ValueError, match="choices"):
        Setting("x", "x", kind="choice")


def test_the_forms_show_every_components_settings_and_switches(probe_app, make_user):
    client = probe_app.test_client()
    client.post("/login", data={"email": make_user(Role.STAFF).email, "password": "correct horse battery"})
    form = client.get("/admin/processes/new").get_data(as_text=True)
    legends = re.findall(r"<legend>([^<]+)</legend>", form)
    assert legends[-3:] == ["提案", "話し合い", "Probe"]  # in the components' order
    for name in (
        "setting-proposals-supports_per_resident",
        "setting-deliberation-residents_open",
        "setting-probe-mode",
    ):
        assert f'name="{name}"' in form
    assert re.search(r'<input [^>]*max="9" min="1" name="setting-probe-limit" required type="number" value="3">', form)
    assert re.search(r'<input [^>]*name="setting-proposals-support_threshold" type="number" value="">', form)
    process_id = _process(probe_app)
    stage = client.get(f"/admin/processes/{process_id}").get_data(as_text=True)
    phase_id = re.search(rf"/admin/processes/{process_id}/phases/(\d+)", stage).group(1)
    phase_form = client.get(f"/admin/processes/{process_id}/phases/{phase_id}").get_data(as_text=True)
    for label in (
        "提案を受け付ける",
        "提案への賛同を受け付ける",
        "提案へのコメントを受け付ける",
        "Residents can answer the probe",
    ):
        assert label in phase_form


def test_staff_set_a_components_settings_and_switches_through_the_forms(probe_app, make_user, today):
    client = probe_app.test_client()
    client.post("/login", data={"email": make_user(Role.STAFF).email, "password": "correct horse battery"})
    process_id = _process(probe_app, **{"proposals.create": True})
    fields = {"title-ja": "公園の遊具", "summary-ja": "概要です。", "district_id": "0"}
    settings = {"setting-probe-limit": "5", "setting-probe-mode": "closed", "setting-proposals-support_threshold": "10"}
    assert client.post(f"/admin/processes/{process_id}", data={**fields, **settings}).status_code == 302
    with probe_app.app_context():
        process = db.session.get(Process, process_id)
        assert process.setting("probe", "limit") == 5 and process.setting("probe", "mode") == "closed"
        assert process.setting("probe", "shown") is False  # an unticked checkbox
        assert process.setting("proposals", "support_threshold") == 10
        phase_id = process.phases[0].id
    stage = {
        "title-ja": "受付",
        "starts_on": today.isoformat(),
        "ends_on": today.isoformat(),
        "switch-probe-answer": "y",
    }
    assert client.post(f"/admin/processes/{process_id}/phases/{phase_id}", data=stage).status_code == 302
    with probe_app.app_context():
        phase = db.session.get(Process, process_id).phases[0]
        assert phase.allows("probe.answer") and not phase.allows("proposals.create")


@pytest.mark.parametrize(
    ("field", "value", "ja_message", "en_message"),
    [
        ("setting-probe-limit", "12", "1以上9以下の整数を入力してください。", "Enter a whole number from 1 to 9."),
        ("setting-probe-limit", "", "1以上9以下の整数を入力してください。", "Enter a whole number from 1 to 9."),
        ("setting-probe-mode", "other", "一覧から選んでください。", "Choose one of the options in the list."),
    ],
)
def test_bad_settings_are_refused_in_the_readers_language_and_change_nothing(
    probe_app, make_user, field, value, ja_message, en_message
):
    client = probe_app.test_client()
    client.post("/login", data={"email": make_user(Role.STAFF).email, "password": "correct horse battery"})
    process_id = _process(probe_app)
    before = _log_count(probe_app)
    data = {"title-ja": "変えた題名", "summary-ja": "概要です。", "district_id": "0", field: value}
    for headers, message in (({}, ja_message), (EN, en_message)):
        response = client.post(f"/admin/processes/{process_id}", data=data, headers=headers)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    with probe_app.app_context():
        process = db.session.get(Process, process_id)
        assert process.title["ja"] == "公園の遊具" and process.settings == {}
    assert _log_count(probe_app) == before


def test_services_refuse_what_no_component_declares(app):
    process_id = _process(app)
    before = _log_count(app)
    with app.app_context():
        process = db.session.get(Process, process_id)
        fields = {"title": process.title, "summary": process.summary}
        for settings in ({"proposals": {"support_threshold": -3}}, {"proposals": {"unknown": 1}}, {"nobody": {"x": 1}}):
            with pytest.raises(services.ProcessError):
                services.update_process(None, process, **fields, settings=settings)
        phase = process.phases[0]
        with pytest.raises(services.ProcessError):
            services.update_phase(
                None, phase, title=phase.title, starts_on=phase.starts_on, ends_on=phase.ends_on, switches={"x.y": True}
            )
    with app.app_context():
        process = db.session.get(Process, process_id)
        assert process.settings == {} and process.phases[0].switches == {}
    assert _log_count(app) == before


def test_an_app_without_a_component_keeps_its_values(make_app, probe_app, make_user, today):
    process_id = _process(probe_app, **{"probe.answer": True, "proposals.create": True})
    with probe_app.app_context():
        process = db.session.get(Process, process_id)
        services.update_process(
            None, process, title=process.title, summary=process.summary, settings={"probe": {"limit": 7}}
        )
        phase_id = process.phases[0].id
    plain = make_app()  # without the probe
    client = plain.test_client()
    client.post("/login", data={"email": make_user(Role.STAFF).email, "password": "correct horse battery"})
    form = client.get(f"/admin/processes/{process_id}").get_data(as_text=True)
    assert "setting-probe" not in form and "Probe" not in form
    data = {"title-ja": "別の題名", "summary-ja": "概要です。", "district_id": "0"}
    assert client.post(f"/admin/processes/{process_id}", data=data).status_code == 302
    stage = {"title-ja": "受付", "starts_on": today.isoformat(), "ends_on": today.isoformat()}
    assert client.post(f"/admin/processes/{process_id}/phases/{phase_id}", data=stage).status_code == 302
    with plain.app_context():
        process = db.session.get(Process, process_id)
        assert process.title["ja"] == "別の題名" and process.settings["probe"] == {"limit": 7}
        assert process.phases[0].switches["probe.answer"] is True
        assert process.phases[0].switches["proposals.create"] is False  # the form said so


def test_the_consultation_page_shows_each_components_panel(probe_app, today):
    client = probe_app.test_client()
    process_id = _process(probe_app, **{"probe.answer": True})
    page = client.get(f"/processes/{process_id}").get_data(as_text=True)
    assert "limit=3 answering=True" in page  # the declared default, and the switch of the stage
    assert "Probe answers：受付中" in page
    assert 'id="proposals-heading"' not in page  # no proposals yet, and none can be submitted
    with probe_app.app_context():
        process = db.session.get(Process, process_id)
        process.settings = {"probe": {"shown": False}}
        db.session.commit()
    assert 'id="probe-panel"' not in client.get(f"/processes/{process_id}").get_data(as_text=True)


def test_the_consultation_page_names_no_component():
    page = (PROJECT_ROOT / "templates" / "processes" / "show.html").read_text()
    assert not re.search(r"proposal|thread|deliberation|polic", page)


@pytest.mark.parametrize("n", [1, 4])
def test_the_consultation_page_runs_a_constant_number_of_queries(
    app, client, make_user, make_process, count_queries, n
):
    from participation.core import links
    from participation.core.models import User
    from participation.deliberation import services as deliberation
    from participation.policies.models import Policy
    from participation.proposals import services as proposals

    process_id = make_process(proposals_open=True)
    authors = [make_user().id for _ in range(n)]
    with app.app_context():
        process = db.session.get(Process, process_id)
        for i, author_id in enumerate(authors):
            author = db.session.get(User, author_id)
            proposals.create_proposal(author, process, title=f"提案{i}", body="本文", locale="ja")
            deliberation.open_thread(author, process, title=ja(f"話題{i}"), body=ja("本文"))
        for i in range(n):
            policy = Policy(scope="city", title=ja(f"方針{i}"), published_at=process.published_at)
            db.session.add(policy)
            db.session.flush()
            links.link(policy, process, "covers")
        db.session.commit()
    url = f"/processes/{process_id}"
    client.get(url)
    with count_queries() as counted:
        page = client.get(url).get_data(as_text=True)
    assert page.count('class="card thread-card') == n and page.count('">方針') == n
    # the process, its phases and categories; the proposals counter; threads (count, newest);
    # the links, then the policies at their other end; the site footer's organisation
    assert counted.n == 9, "\n".join(s[:120] for s in counted.statements)
