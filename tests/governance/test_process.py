"""The stage gates, the loop back, the risk grid and the board's gate, refused in the services."""

from datetime import date

import pytest

from participation.core.models import ActionLog
from participation.extensions import db
from participation.governance import assessment, services
from participation.governance.models import Transition
from participation.governance.services import GovernanceError

from .conftest import get_project, ja


def test_overview_gate_lists_missing_fields(app, make_project):
    project_id = make_project(goals=None, schedule=None)
    with app.app_context():
        project = get_project(project_id)
        with pytest.raises(GovernanceError) as refused:
            services.advance(None, project, to_stage="laws", signed_off_by="課長")
        text = " ".join(str(p) for p in refused.value.problems)
        assert "目的" in text and "スケジュール" in text and "ステークホルダー" in text
        assert get_project(project_id).stage == "overview"
        assert db.session.scalar(db.select(db.func.count(Transition.id))) == 0


def test_stages_move_one_at_a_time_with_a_sign_off(app, make_project):
    project_id = make_project()
    with app.app_context():
        project = get_project(project_id)
        with pytest.raises(GovernanceError, match="1段階ずつ"):
            services.advance(None, project, to_stage="risk", signed_off_by="課長")
        with pytest.raises(GovernanceError, match="承認する人"):
            services.advance(None, project, to_stage="laws", signed_off_by="   ")
        assert project.stage == "overview"


def test_declared_data_types_suggest_laws_and_notes_gate_risk(app, make_project):
    project_id = make_project(stage="laws", data_types=["camera", "smartphone"])
    with app.app_context():
        project = get_project(project_id)
        codes = {item.law.code for item in project.laws}
        assert codes == {"camera-guidebook-3", "smartphone-privacy"}
        with pytest.raises(GovernanceError) as refused:
            services.advance(None, project, to_stage="risk", signed_off_by="課長")
        assert len(refused.value.problems) == 2


def test_risk_grid_must_cover_every_viewpoint_and_lifecycle_stage(app, make_project):
    project_id = make_project(stage="risk")
    with app.app_context():
        project = get_project(project_id)
        assessment.set_risk(
            None,
            project,
            lifecycle="collection",
            viewpoint="privacy",
            likelihood="low",
            severity="low",
            measures=None,
            residual=None,
        )
        with pytest.raises(GovernanceError) as refused:
            services.advance(None, project, to_stage="rules", signed_off_by="課長")
        assert len(refused.value.problems) == 3 + 5
        with pytest.raises(GovernanceError):
            assessment.set_risk(
                None,
                project,
                lifecycle="storage",
                viewpoint="privacy",
                likelihood="low",
                severity="low",
                measures=None,
                residual=None,
            )


def _high(project, measures=None, residual=None):
    assessment.set_risk(
        None,
        project,
        lifecycle="collection",
        viewpoint="privacy",
        likelihood="high",
        severity="high",
        measures=measures,
        residual=residual,
    )


def test_an_unanswered_high_risk_blocks_operation(app, make_project):
    project_id = make_project(stage="rules")
    with app.app_context():
        project = get_project(project_id)
        _high(project)
        assessment.add_rule(None, project, title=ja("規則"), body=ja("本文"), burden=ja("小さい"))
        assessment.record_board_review(
            None, project, reviewers=["委員"], decision="approved", opinion=ja("可"), decided_on=date(2026, 1, 1)
        )
        with pytest.raises(GovernanceError) as refused:
            services.advance(None, project, to_stage="operation", signed_off_by="課長")
        assert "高リスク" in str(refused.value.problems[0])
        _high(project, measures=ja("顔画像を保存しない"), residual="high")
        with pytest.raises(GovernanceError):
            services.advance(None, project, to_stage="operation", signed_off_by="課長")
        _high(project, measures=ja("顔画像を保存しない"), residual="low")
        services.advance(None, project, to_stage="operation", signed_off_by="課長")
        assert project.stage == "operation"


def test_the_board_must_approve_before_operation(app, make_project):
    project_id = make_project(stage="rules")
    with app.app_context():
        project = get_project(project_id)
        assessment.add_rule(None, project, title=ja("規則"), body=ja("本文"), burden=ja("小さい"))
        with pytest.raises(GovernanceError) as refused:
            services.advance(None, project, to_stage="operation", signed_off_by="課長")
        assert any("委員会" in str(p) for p in refused.value.problems)
        assessment.record_board_review(
            None, project, reviewers=["委員"], decision="returned", opinion=ja("再検討"), decided_on=date(2026, 1, 1)
        )
        with pytest.raises(GovernanceError):
            services.advance(None, project, to_stage="operation", signed_off_by="課長")
        with pytest.raises(GovernanceError, match="審査した委員"):
            assessment.record_board_review(
                None, project, reviewers=[" "], decision="approved", opinion=ja("可"), decided_on=date(2026, 1, 1)
            )
        with pytest.raises(GovernanceError, match="未来"):
            assessment.record_board_review(
                None, project, reviewers=["委員"], decision="approved", opinion=ja("可"), decided_on=date(2999, 1, 1)
            )


def test_rules_state_their_burden(app, make_project):
    project_id = make_project(stage="rules")
    with app.app_context(), pytest.raises(GovernanceError, match="負担"):
        assessment.add_rule(None, get_project(project_id), title=ja("規則"), body=ja("本文"), burden=ja(""))


def test_loop_back_needs_a_trigger_and_a_reason_and_is_public(app, make_project):
    project_id = make_project(stage="operation")
    with app.app_context():
        project = get_project(project_id)
        with pytest.raises(GovernanceError, match="きっかけ"):
            services.loop_back(None, project, to_stage="risk", trigger="whim", reason=ja("理由"), signed_off_by="課長")
        with pytest.raises(GovernanceError, match="理由"):
            services.loop_back(
                None, project, to_stage="risk", trigger="awareness_changed", reason=ja(""), signed_off_by="課長"
            )
        with pytest.raises(GovernanceError):
            services.loop_back(
                None, project, to_stage="laws", trigger="law_amended", reason=ja("x"), signed_off_by="課長"
            )
        services.loop_back(
            None, project, to_stage="risk", trigger="awareness_changed", reason=ja("住民の不安"), signed_off_by="課長"
        )
        assert project.stage == "risk"
        last = project.transitions[-1]
        assert (last.loop_back, last.trigger, last.from_stage) == (True, "awareness_changed", "operation")
        entry = db.session.scalars(db.select(ActionLog).order_by(ActionLog.id.desc())).first()
        assert (entry.action, entry.visibility) == ("governance.looped_back", "public")
        # from risk analysis it cannot "return" to rule design, which lies ahead
        with pytest.raises(GovernanceError):
            services.loop_back(
                None, project, to_stage="rules", trigger="law_amended", reason=ja("x"), signed_off_by="課長"
            )


def test_kpis_and_measurements_are_validated(app, make_project):
    project_id = make_project(stage="operation")
    with app.app_context():
        project = get_project(project_id)
        fields = {
            "kind": "service",
            "indicator": ja("混雑の解消"),
            "level": "outcome",
            "unit": "%",
            "direction": "lower",
            "baseline_value": 40,
            "baseline_on": date(2025, 4, 1),
            "target_value": 20,
            "target_on": date(2027, 3, 31),
            "source": ja("人流カメラの計数"),
            "frequency": "monthly",
        }
        with pytest.raises(GovernanceError, match="目標期日"):
            assessment.add_kpi(None, project, **{**fields, "target_on": date(2025, 1, 1)})
        with pytest.raises(GovernanceError, match="一覧"):
            assessment.add_kpi(None, project, **{**fields, "direction": "sideways"})
        kpi = assessment.add_kpi(None, project, **fields)
        with pytest.raises(GovernanceError, match="数値"):
            assessment.record_measurement(None, kpi, measured_on=date(2025, 5, 1), value="nan")
        assessment.record_measurement(None, kpi, measured_on=date(2025, 5, 1), value=35)
        assessment.record_measurement(None, kpi, measured_on=date(2025, 6, 1), value=30)
        assessment.record_measurement(None, kpi, measured_on=date(2025, 6, 1), value=32)  # replaces
        assert [m.value for m in kpi.measurements] == [35, 32]
        assert kpi.progress() == 40


def test_stakeholder_importance_and_choices(app, make_project):
    project_id = make_project()
    with app.app_context():
        project = get_project(project_id)
        assert project.stakeholders == []
        holder = services.add_stakeholder(
            None,
            project,
            name=ja("医師会"),
            is_organisation=True,
            relation="indirect",
            benefit=None,
            impact="high",
            uncertainty="low",
            involvement="involve",
        )
        assert holder.importance == "high"
        with pytest.raises(GovernanceError):
            services.add_stakeholder(
                None,
                project,
                name=ja("x"),
                is_organisation=True,
                relation="sideways",
                benefit=None,
                impact="high",
                uncertainty="low",
                involvement="involve",
            )
