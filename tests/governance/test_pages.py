"""The public register, project pages, dashboard and JSON; the staff pages and their refusals."""

import json
from datetime import date

from participation.core.models import Role
from participation.extensions import db
from participation.governance import assessment, services
from participation.governance.models import Project

from ..conftest import html_of
from .conftest import get_project, ja, law_id

EN = {"Accept-Language": "en"}


def test_drafts_are_hidden_from_the_public(client, make_project):
    draft = make_project(published=False)
    html_of(client.get(f"/governance/{draft}"), 404)
    html_of(client.get(f"/governance/{draft}.json"), 404)
    assert "駅前広場" not in html_of(client.get("/governance"))


def test_public_page_shows_organisations_only_in_both_languages(app, client, make_project):
    project_id = make_project(stage="operation")
    with app.app_context():
        project = get_project(project_id)
        services.add_stakeholder(
            None,
            project,
            name=ja("近隣住民 田中一郎"),
            is_organisation=False,
            relation="direct",
            benefit=None,
            impact="high",
            uncertainty="high",
            involvement="consult",
        )
        services.loop_back(
            None,
            project,
            to_stage="rules",
            trigger="awareness_changed",
            reason=ja("住民説明会での意見"),
            signed_off_by="課長",
        )
    page = html_of(client.get(f"/governance/{project_id}"))
    assert "駅前商店会" in page and "田中一郎" not in page
    assert "住民説明会での意見" in page and "住民の意識が変化した" in page
    english = html_of(client.get(f"/governance/{project_id}", headers=EN))
    assert "awareness changed" in english and "Station shopping association" in english
    body = json.loads(client.get(f"/governance/{project_id}.json").get_data(as_text=True))
    assert [s["name"]["ja"] for s in body["stakeholders"]] == ["駅前商店会"]
    assert body["history"][-1]["trigger"] == "awareness_changed"
    assert "田中一郎" not in json.dumps(body, ensure_ascii=False)


def test_dashboard_draws_a_chart_and_a_table_per_kpi(app, client, make_project):
    project_id = make_project(stage="operation")
    with app.app_context():
        kpi = assessment.add_kpi(
            None,
            get_project(project_id),
            kind="service",
            indicator=ja("駅前広場の満足度"),
            level="outcome",
            unit="%",
            direction="higher",
            baseline_value=50,
            baseline_on=date(2025, 4, 1),
            target_value=70,
            target_on=date(2027, 3, 31),
            source=ja("市民アンケート"),
            frequency="quarterly",
        )
        for month, value in ((7, 52), (10, 58)):
            assessment.record_measurement(None, kpi, measured_on=date(2025, month, 1), value=value)
    page = html_of(client.get(f"/governance/{project_id}/kpis"))
    assert page.count("<svg") == 1 and "<polyline" in page
    assert "駅前広場の満足度" in page and "58" in page and "40%" in page


def test_staff_pages_need_staff(client, make_user, login, make_project):
    project_id = make_project()
    html_of(client.get("/admin/governance"), 302)
    login(make_user())
    html_of(client.get("/admin/governance"), 403)
    html_of(client.post(f"/admin/governance/{project_id}/advance", data={"to_stage": "laws"}), 403)


def test_staff_take_a_project_through_a_gate_and_see_refusals(app, client, make_user, login, laws):
    login(make_user(Role.STAFF))
    html_of(client.get("/admin/governance/new"))
    response = client.post(
        "/admin/governance/new", data={"title-ja": "人流データ活用", "data_types": ["camera"], "goals-ja": "混雑の把握"}
    )
    assert response.status_code == 302
    with app.app_context():
        project = db.session.scalars(db.select(Project)).one()
        project_id = project.id
        assert [item.law.code for item in project.laws] == ["camera-guidebook-3"]
    page = html_of(client.get(f"/admin/governance/{project_id}"))
    assert "カメラ画像利活用ガイドブック" in page
    refused = html_of(
        client.post(f"/admin/governance/{project_id}/advance", data={"to_stage": "laws", "signed_off_by": "課長"}), 422
    )
    assert "事業概要" in refused
    html_of(client.post(f"/admin/governance/{project_id}/risks", data={"lifecycle": "storage", "viewpoint": "x"}), 422)
    response = client.post(
        f"/admin/governance/{project_id}/stakeholders",
        data={
            "name-ja": "商店会",
            "is_organisation": "y",
            "relation": "direct",
            "impact": "high",
            "uncertainty": "low",
            "involvement": "two_way",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        item = get_project(project_id).laws[0]
    assert client.post(f"/admin/governance/laws/{item.id}/note", data={"note-ja": "掲示で周知"}).status_code == 302
    assert (
        client.post(f"/admin/governance/{project_id}/laws", data={"law_id": law_id_of(app, "appi")}).status_code == 302
    )
    assert client.post(f"/admin/governance/{project_id}/publish").status_code == 302
    with app.app_context():
        project = get_project(project_id)
        assert len(project.stakeholders) == 1 and len(project.laws) == 2 and project.is_published
        assert project.laws[0].note["ja"] == "掲示で周知"


def law_id_of(app, code):
    with app.app_context():
        return law_id(code)
