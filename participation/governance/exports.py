"""A project's public record as JSON: codes and per-locale texts as stored, organisations only,
links to what the reader may see."""

from __future__ import annotations

from ..core.links import links_from
from .models import OVERVIEW_FIELDS, Project


def _text(value) -> dict | None:
    return dict(value) if value else None


def _links(record) -> list[dict]:
    return [{"type": item.type_name, "id": item.record.id, "title": item.title} for item in links_from(record)]


def project_json(project: Project) -> dict:
    return {
        "id": project.id,
        "title": _text(project.title),
        "stage": project.stage,
        "data_types": list(project.data_types or ()),
        "overview": {name: _text(getattr(project, name)) for name in OVERVIEW_FIELDS},
        "published_at": project.published_at.isoformat() if project.published_at else None,
        "stakeholders": [
            {
                "name": _text(s.name),
                "relation": s.relation,
                "impact": s.impact,
                "uncertainty": s.uncertainty,
                "importance": s.importance,
                "involvement": s.involvement,
                "benefit": _text(s.benefit),
                "involved_through": _links(s),
            }
            for s in project.stakeholders
            if s.is_organisation
        ],
        "laws": [
            {"code": item.law.code, "kind": item.law.kind, "title": _text(item.law.title), "note": _text(item.note)}
            for item in project.laws
        ],
        "risks": [
            {
                "lifecycle": cell.lifecycle,
                "viewpoint": cell.viewpoint,
                "likelihood": cell.likelihood,
                "severity": cell.severity,
                "high": cell.is_high,
                "measures": _text(cell.measures),
                "residual": cell.residual,
            }
            for cell in sorted(project.risks, key=lambda c: (c.lifecycle, c.viewpoint))
        ],
        "rules": [
            {
                "id": rule.id,
                "title": _text(rule.title),
                "body": _text(rule.body),
                "burden": _text(rule.burden),
                "governs": _links(rule),
            }
            for rule in project.rules
        ],
        "board_reviews": [
            {
                "decided_on": review.decided_on.isoformat(),
                "decision": review.decision,
                "reviewers": list(review.reviewers),
                "opinion": _text(review.opinion),
            }
            for review in project.reviews
        ],
        "kpis": [
            {
                "kind": kpi.kind,
                "indicator": _text(kpi.indicator),
                "level": kpi.level,
                "unit": kpi.unit,
                "direction": kpi.direction,
                "baseline": {"value": kpi.baseline_value, "date": kpi.baseline_on.isoformat()},
                "target": {"value": kpi.target_value, "date": kpi.target_on.isoformat()},
                "source": _text(kpi.source),
                "frequency": kpi.frequency,
                "framework_ref": kpi.framework_ref,
                "measurements": [{"date": m.measured_on.isoformat(), "value": m.value} for m in kpi.measurements],
            }
            for kpi in project.kpis
        ],
        "history": [
            {
                "at": t.created_at.isoformat(),
                "from": t.from_stage,
                "to": t.to_stage,
                "loop_back": t.loop_back,
                "trigger": t.trigger,
                "reason": _text(t.reason),
                "signed_off_by": t.signed_off_by,
            }
            for t in project.transitions
        ],
    }
