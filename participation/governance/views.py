"""The public register of data-governance projects (/governance): each project's overview,
stakeholders (organisations only), laws, risk summary, rules, KPIs and history, and its JSON."""

from __future__ import annotations

import json

from flask import Blueprint, abort, current_app

from ..core.htmx import render
from ..core.links import links_from
from ..core.pagination import paginate
from ..core.permissions import can
from ..extensions import db
from . import catalog
from .exports import project_json
from .models import OVERVIEW_FIELDS, Kpi, Project
from .services import FIELD_NAMES

bp = Blueprint("governance", __name__)


def load_project(project_id: int) -> Project:
    project = db.get_or_404(Project, project_id)
    if not can("governance.view", project):
        abort(404)  # drafts do not exist for the public
    return project


@bp.get("/governance")
def index():
    query = db.select(Project).where(Project.published_at.is_not(None)).order_by(Project.id.desc())
    return render("governance/index.html", pagination=paginate(query), catalog=catalog)


def _risk_summary(project: Project) -> dict:
    cells = {(cell.lifecycle, cell.viewpoint): cell for cell in project.risks}
    return {
        "cells": cells,
        "high": sum(1 for cell in project.risks if cell.is_high),
        "open": sum(1 for cell in project.risks if not cell.is_answered),
    }


@bp.get("/governance/<int:project_id>")
def show(project_id: int):
    project = load_project(project_id)
    rule_links = {rule.id: links_from(rule) for rule in project.rules}
    return render(
        "governance/show.html",
        project=project,
        catalog=catalog,
        overview_fields=OVERVIEW_FIELDS,
        field_names=FIELD_NAMES,
        stakeholders=[s for s in project.stakeholders if s.is_organisation or can("governance.manage")],
        involved={s.id: links_from(s) for s in project.stakeholders},
        risk=_risk_summary(project),
        rule_links=rule_links,
    )


@bp.get("/governance/<int:project_id>/kpis")
def dashboard(project_id: int):
    project = load_project(project_id)
    kpis = db.session.scalars(
        db.select(Kpi).where(Kpi.project_id == project.id).options(db.selectinload(Kpi.measurements)).order_by(Kpi.id)
    ).all()
    points = {kpi.id: [(m.measured_on, m.value) for m in kpi.measurements] for kpi in kpis}
    return render("governance/dashboard.html", project=project, kpis=kpis, kpi_points=points, catalog=catalog)


@bp.get("/governance/<int:project_id>.json")
def export(project_id: int):
    project = load_project(project_id)
    body = json.dumps(project_json(project), ensure_ascii=False, indent=1)
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


from . import admin  # noqa: E402, F401  (the staff pages register on the same blueprint)
