"""Staff pages (/admin/governance): the projects, and one page per project with a form for each
step. Every form posts to its own address and comes back to the project page."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..core.htmx import render
from ..core.i18n import localize
from ..core.pagination import paginate
from ..core.permissions import require
from ..core.resources import resource_type
from ..extensions import db
from . import assessment, catalog, services
from .forms import (
    AdvanceForm,
    BoardForm,
    KpiForm,
    LawForm,
    LawNoteForm,
    LoopBackForm,
    MeasurementForm,
    NoteForm,
    ProjectForm,
    RiskForm,
    RuleForm,
    StakeholderForm,
)
from .models import OVERVIEW_FIELDS, Kpi, Law, Project, ProjectLaw, Stakeholder
from .views import bp

# What rules and stakeholders may link to, when the capability holding it is in the app.
RULE_TARGETS = ("policy", "sensor")
INVOLVEMENT_TARGETS = ("process",)
TARGETS_PER_TYPE = 200


def _target_choices(type_names) -> list[SelectChoice]:
    choices = []
    for name in type_names:
        rtype = resource_type(name)
        if rtype is None:
            continue
        model = rtype.model
        for record in db.session.scalars(db.select(model).order_by(model.id.desc()).limit(TARGETS_PER_TYPE)):
            choices.append(SelectChoice(f"{name}:{record.id}", f"{rtype.label}: {rtype.title(record)}"))
    return choices


def _targets(values, type_names) -> list:
    """The records chosen as "type:id"; anything else (or of another type) is ignored."""
    by_type: dict[str, list[int]] = {}
    for value in (values or [])[:50]:
        name, _sep, ident = str(value).partition(":")
        if name in type_names and ident.isdigit() and len(ident) < 10:
            by_type.setdefault(name, []).append(int(ident))
    records = []
    for name, ids in by_type.items():
        rtype = resource_type(name)
        if rtype is not None:
            records += db.session.scalars(db.select(rtype.model).where(rtype.model.id.in_(ids))).all()
    return records


def _forms(project: Project, **posted) -> dict:
    forms = {
        "overview": ProjectForm(formdata=None, obj=project),
        "advance": AdvanceForm(formdata=None),
        "loop": LoopBackForm(formdata=None),
        "stakeholder": StakeholderForm(formdata=None),
        "law": LawForm(formdata=None),
        "risk": RiskForm(formdata=None),
        "rule": RuleForm(formdata=None),
        "board": BoardForm(formdata=None),
        "kpi": KpiForm(formdata=None),
        "measurement": MeasurementForm(formdata=None),
        "note": NoteForm(formdata=None),
    }
    forms.update(posted)
    forms["law"].law_id.choices = [
        SelectChoice(law.id, localize(law.title).text) for law in db.session.scalars(db.select(Law).order_by(Law.id))
    ]
    forms["rule"].targets.choices = _target_choices(RULE_TARGETS)
    forms["stakeholder"].involved_through.choices = _target_choices(INVOLVEMENT_TARGETS)
    position = catalog.STAGES.index(project.stage)
    if position + 1 < len(catalog.STAGES):
        forms["advance"].to_stage.data = catalog.STAGES[position + 1]
    return forms


def _page(project: Project, problems: list | None = None, status: int = 200, **posted):
    return render(
        "governance/admin_project.html",
        project=project,
        f=_forms(project, **posted),
        catalog=catalog,
        problems=problems or [],
        gate=services.gate_problems(project, catalog.STAGES[catalog.STAGES.index(project.stage) + 1])
        if project.stage != "operation"
        else [],
        status=status,
    )


def _refused(project: Project, error: services.GovernanceError, **posted):
    return _page(project, [str(error.message)] + [str(p) for p in error.problems], status=422, **posted)


def _invalid(project: Project, **posted):
    return _page(project, [_("Check the form: some entries are missing or not valid.")], status=422, **posted)


def _back(project: Project, message: str, anchor: str | None = None):
    flash(message, "success")
    return redirect(url_for("governance.edit", project_id=project.id, _anchor=anchor))


@bp.get("/admin/governance")
@require("governance.manage")
def manage():
    query = db.select(Project).order_by(Project.updated_at.desc(), Project.id.desc())
    return render("governance/manage.html", pagination=paginate(query), catalog=catalog)


def _overview(form: ProjectForm) -> dict:
    fields = {name: getattr(form, name).data for name in OVERVIEW_FIELDS}
    return {"title": form.title.data, "data_types": form.data_types.data or [], **fields}


@bp.route("/admin/governance/new", methods=["GET", "POST"])
@require("governance.manage")
def new():
    form = ProjectForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        try:
            project = services.create_project(current_user, **_overview(form))
        except services.GovernanceError as error:
            form.form_errors.append(str(error.message))
        else:
            return _back(project, _("The project has been started in the business-overview stage."))
    return render("governance/new.html", form=form, status=422 if request.method == "POST" else 200)


@bp.get("/admin/governance/<int:project_id>")
@require("governance.manage")
def edit(project_id: int):
    return _page(db.get_or_404(Project, project_id))


def _post(project_id: int, form_class, key: str, act, message: str, anchor: str | None = None):
    """Validate ``form_class`` from the request and ``act(project, form)``; the page again on error."""
    project = db.get_or_404(Project, project_id)
    form = form_class(formdata=request.form)
    if key == "rule":
        form.targets.choices = _target_choices(RULE_TARGETS)
    if not form.validate():
        return _invalid(project, **{key: form})
    try:
        act(project, form)
    except services.GovernanceError as error:
        return _refused(project, error, **{key: form})
    return _back(project, message, anchor)


@bp.post("/admin/governance/<int:project_id>/overview")
@require("governance.manage")
def update(project_id: int):
    def act(project, form):
        services.update_project(current_user, project, **_overview(form))

    return _post(project_id, ProjectForm, "overview", act, _("The business overview has been saved."))


@bp.post("/admin/governance/<int:project_id>/publish")
@require("governance.manage")
def publish(project_id: int):
    def act(project, _form):
        services.publish_project(current_user, project)

    return _post(project_id, NoteForm, "note", act, _("The project is now in the public register."))


@bp.post("/admin/governance/<int:project_id>/advance")
@require("governance.manage")
def advance(project_id: int):
    def act(project, form):
        services.advance(current_user, project, to_stage=form.to_stage.data, signed_off_by=form.signed_off_by.data)

    return _post(project_id, AdvanceForm, "advance", act, _("The project has moved to the next stage."))


@bp.post("/admin/governance/<int:project_id>/loop-back")
@require("governance.manage")
def loop_back(project_id: int):
    def act(project, form):
        services.loop_back(
            current_user,
            project,
            to_stage=form.to_stage.data,
            trigger=form.trigger.data,
            reason=form.reason.data,
            signed_off_by=form.signed_off_by.data,
        )

    return _post(project_id, LoopBackForm, "loop", act, _("The return has been recorded in the public history."))


@bp.post("/admin/governance/<int:project_id>/stakeholders")
@require("governance.manage")
def add_stakeholder(project_id: int):
    def act(project, form):
        stakeholder = services.add_stakeholder(
            current_user,
            project,
            name=form.name.data,
            is_organisation=form.is_organisation.data,
            relation=form.relation.data,
            benefit=form.benefit.data,
            impact=form.impact.data,
            uncertainty=form.uncertainty.data,
            involvement=form.involvement.data,
        )
        targets = _targets(form.involved_through.data, INVOLVEMENT_TARGETS)
        if targets:
            services.involve_through(current_user, stakeholder, targets)

    return _post(project_id, StakeholderForm, "stakeholder", act, _("The stakeholder has been added."), "stakeholders")


@bp.post("/admin/governance/stakeholders/<int:stakeholder_id>/remove")
@require("governance.manage")
def remove_stakeholder(stakeholder_id: int):
    stakeholder = db.get_or_404(Stakeholder, stakeholder_id)
    project_id = stakeholder.project_id

    def act(_project, _form):
        services.remove_stakeholder(current_user, stakeholder)

    return _post(project_id, NoteForm, "note", act, _("The stakeholder has been removed."), "stakeholders")


@bp.post("/admin/governance/<int:project_id>/laws")
@require("governance.manage")
def add_law(project_id: int):
    def act(project, form):
        services.add_law(current_user, project, form.law_id.data)

    return _post(project_id, LawForm, "law", act, _("The law has been added to the project."), "laws")


@bp.post("/admin/governance/laws/<int:item_id>/note")
@require("governance.manage")
def note_law(item_id: int):
    item = db.get_or_404(ProjectLaw, item_id)

    def act(_project, form):
        services.set_law_note(current_user, item, form.note.data)

    return _post(item.project_id, LawNoteForm, "law_note", act, _("The note has been saved."), "laws")


@bp.post("/admin/governance/<int:project_id>/risks")
@require("governance.manage")
def set_risk(project_id: int):
    def act(project, form):
        assessment.set_risk(
            current_user,
            project,
            lifecycle=form.lifecycle.data,
            viewpoint=form.viewpoint.data,
            likelihood=form.likelihood.data,
            severity=form.severity.data,
            measures=form.measures.data,
            residual=form.residual.data or None,
        )

    return _post(project_id, RiskForm, "risk", act, _("The risk has been assessed."), "risks")


@bp.post("/admin/governance/<int:project_id>/rules")
@require("governance.manage")
def add_rule(project_id: int):
    def act(project, form):
        assessment.add_rule(
            current_user,
            project,
            title=form.title.data,
            body=form.body.data,
            burden=form.burden.data,
            targets=_targets(form.targets.data, RULE_TARGETS),
        )

    return _post(project_id, RuleForm, "rule", act, _("The rule has been added."), "rules")


@bp.post("/admin/governance/<int:project_id>/board")
@require("governance.manage")
def board(project_id: int):
    def act(project, form):
        assessment.record_board_review(
            current_user,
            project,
            reviewers=form.reviewers.data.splitlines(),
            decision=form.decision.data,
            opinion=form.opinion.data,
            decided_on=form.decided_on.data,
        )

    return _post(project_id, BoardForm, "board", act, _("The board's decision has been recorded."), "rules")


@bp.post("/admin/governance/<int:project_id>/kpis")
@require("governance.manage")
def add_kpi(project_id: int):
    def act(project, form):
        fields = {name: getattr(form, name).data for name in KPI_FIELDS}
        assessment.add_kpi(current_user, project, **fields)

    return _post(project_id, KpiForm, "kpi", act, _("The KPI has been added."), "kpis")


KPI_FIELDS = (
    "kind",
    "indicator",
    "level",
    "unit",
    "direction",
    "baseline_value",
    "baseline_on",
    "target_value",
    "target_on",
    "source",
    "frequency",
    "framework_ref",
)


@bp.post("/admin/governance/kpis/<int:kpi_id>/measurements")
@require("governance.manage")
def measure(kpi_id: int):
    kpi = db.get_or_404(Kpi, kpi_id)

    def act(_project, form):
        assessment.record_measurement(current_user, kpi, measured_on=form.measured_on.data, value=form.value.data)

    return _post(kpi.project_id, MeasurementForm, "measurement", act, _("The measurement has been recorded."), "kpis")
