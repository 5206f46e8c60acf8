"""Policies for everyone (/policies), consents of the signed-in resident (/my/consents), the keeping
of policies by staff (/admin/policies) and the provision ledger (/admin/provisions)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ..core.htmx import redirect_to, render
from ..core.i18n import current_locale, localize
from ..core.pagination import paginate
from ..core.permissions import can, require
from ..extensions import db
from . import services
from .diff import diff_versions
from .forms import AdoptForm, ConsentItemForm, ConsultationForm, CoverageForm, PolicyForm, ProvisionForm, VersionForm
from .models import FIELD_LABELS, VERSION_FIELDS, Consent, ConsentEvent, ConsentItem, Policy, PolicyVersion, Provision

bp = Blueprint("policies", __name__)


def _load_policy(policy_id: int) -> Policy:
    policy = db.get_or_404(Policy, policy_id)
    if not can("policies.view", policy):
        abort(404)  # unpublished policies do not exist for the public
    return policy


def _load_version(policy: Policy, number: int) -> PolicyVersion:
    version = db.session.scalar(
        db.select(PolicyVersion).where(PolicyVersion.policy_id == policy.id, PolicyVersion.number == number)
    )
    if version is None or not (version.is_public or can("policies.manage")):
        abort(404)
    return version


def _visible_versions(policy: Policy) -> list[PolicyVersion]:
    return [v for v in policy.versions if v.is_public or can("policies.manage")]


def _version_fields(form) -> dict:
    return {name: getattr(form, name).data for name in VERSION_FIELDS}


# --- public pages ------------------------------------------------------------------------------


@bp.get("/policies")
def index():
    policies = db.session.scalars(
        db.select(Policy).where(Policy.published_at.is_not(None)).order_by(Policy.scope, Policy.id)
    ).all()
    return render("policies/index.html", policies=policies)


@bp.get("/policies/<int:policy_id>")
@bp.get("/policies/<int:policy_id>/versions/<int:number>")
def show(policy_id: int, number: int | None = None):
    policy = _load_policy(policy_id)
    return _show_page(policy, number)


def _show_page(policy: Policy, number: int | None = None, status: int = 200):
    versions = _visible_versions(policy)
    if number is not None:
        version = _load_version(policy, number)
    else:
        version = services.current_version(policy) or (versions[-1] if versions else None)
    if version is None:
        abort(404)
    answers = {}
    if current_user.is_authenticated and version.status == "adopted":
        keys = [item.purpose_key for item in version.consent_items]
        answers = {
            (c.purpose_key, c.recipient): c
            for c in db.session.scalars(
                db.select(Consent).where(Consent.user_id == current_user.id, Consent.purpose_key.in_(keys))
            )
        }
    return render(
        "policies/show.html",
        policy=policy,
        version=version,
        versions=versions,
        labels=FIELD_LABELS,
        fields=VERSION_FIELDS,
        answers=answers,
        consultation_open=services.consultation_is_open(version),
        status=status,
    )


@bp.get("/policies/<int:policy_id>/diff")
def diff(policy_id: int):
    policy = _load_policy(policy_id)
    versions = _visible_versions(policy)
    if len(versions) < 2:
        abort(404)
    numbers = [v.number for v in versions]
    a = request.args.get("a", type=int)
    b = request.args.get("b", type=int)
    if a not in numbers or b not in numbers:
        a, b = numbers[-2], numbers[-1]
    old = next(v for v in versions if v.number == a)
    new = next(v for v in versions if v.number == b)
    lang = request.args.get("lang", current_locale())
    if lang not in ("ja", "en"):
        lang = current_locale()
    return render(
        "policies/diff.html",
        policy=policy,
        versions=versions,
        old=old,
        new=new,
        lang=lang,
        rows=diff_versions(old, new, lang),
    )


@bp.post("/policies/<int:policy_id>/consent")
@login_required
def answer(policy_id: int):
    policy = _load_policy(policy_id)
    choice = request.form.get("answer")
    if choice not in ("give", "refuse"):
        flash(_("Choose whether you give or refuse consent."), "error")
        return _show_page(policy, status=422)
    try:
        services.answer(
            current_user,
            policy,
            request.form.get("purpose_key", "")[:60],
            request.form.get("recipient", "")[:60],
            choice == "give",
            version_id=request.form.get("version_id", type=int),
        )
    except services.PolicyError as error:
        flash(str(error.message), "error")
        return _show_page(policy, status=422)
    if choice == "give":
        flash(_("Your consent has been recorded. You can withdraw it at any time."), "success")
    else:
        flash(_("Your refusal has been recorded. You can still take part in everything."), "success")
    if request.form.get("next") == "my":
        return redirect_to(url_for("policies.my_consents"))
    return redirect_to(url_for("policies.show", policy_id=policy.id))


@bp.get("/policies/provisions")
def provision_counts():
    return render("policies/provision_counts.html", rows=services.provision_counts())


# --- my consents ---------------------------------------------------------------------------------


@bp.get("/my/consents")
@login_required
def my_consents():
    consents = db.session.scalars(
        db.select(Consent)
        .where(Consent.user_id == current_user.id)
        .options(db.joinedload(Consent.version).joinedload(PolicyVersion.policy))
        .order_by(Consent.policy_id, Consent.purpose_key, Consent.recipient)
    ).all()
    pending = services.pending_reconsent(current_user)
    events = db.session.scalars(
        db.select(ConsentEvent)
        .where(ConsentEvent.user_id == current_user.id)
        .options(db.joinedload(ConsentEvent.version).joinedload(PolicyVersion.policy))
        .order_by(ConsentEvent.id.desc())
    ).all()
    # The wording in force for each answered purpose (one query, whatever the number of answers).
    keys = {c.purpose_key for c in consents}
    items = {}
    if keys:
        items = {
            (i.purpose_key, i.recipient): i
            for i in db.session.scalars(
                db.select(ConsentItem)
                .join(PolicyVersion, PolicyVersion.id == ConsentItem.version_id)
                .where(PolicyVersion.status == "adopted", ConsentItem.purpose_key.in_(keys))
            )
        }
    return render(
        "policies/my_consents.html",
        consents=consents,
        events=events,
        pending={(i.purpose_key, i.recipient) for i in pending},
        items=items,
    )


@bp.post("/my/consents/<int:consent_id>/withdraw")
@login_required
def withdraw(consent_id: int):
    if services.withdraw(current_user, consent_id):
        flash(_("Your consent has been withdrawn. It takes effect at once."), "success")
    else:
        flash(_("There is no consent to withdraw here."), "error")
    return redirect_to(url_for("policies.my_consents"))


# --- staff ---------------------------------------------------------------------------------------


@bp.get("/admin/policies")
@require("policies.manage")
def manage():
    policies = db.session.scalars(db.select(Policy).order_by(Policy.scope, Policy.id)).all()
    return render("policies/manage.html", policies=policies)


@bp.route("/admin/policies/new", methods=["GET", "POST"])
@require("policies.manage")
def new():
    form = PolicyForm(request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        try:
            policy = services.create_policy(
                current_user, scope=form.scope.data, title=form.title.data, **_version_fields(form)
            )
        except services.PolicyError as error:
            form.form_errors.append(str(error.message))
        else:
            flash(_("The policy has been saved as a draft."), "success")
            return redirect(url_for("policies.edit", policy_id=policy.id, number=1))
    status = 422 if request.method == "POST" else 200
    return render("policies/new.html", form=form, status=status)


def _edit_page(policy, version, *, form=None, item_form=None, adopt_form=None, status=200):
    coverage_form = CoverageForm()
    coverage_form.resources.choices = [SelectChoice(v, label) for v, label in services.coverable_choices()]
    coverage_form.resources.data = [f"{c.type_name}:{c.record.id}" for c in services.covered(policy)]
    return render(
        "policies/edit.html",
        policy=policy,
        version=version,
        form=form or VersionForm(obj=version),
        item_form=item_form or ConsentItemForm(formdata=None),
        consultation_form=ConsultationForm(formdata=None),
        adopt_form=adopt_form or AdoptForm(formdata=None),
        coverage_form=coverage_form,
        previous=services.current_version(policy),
        status=status,
    )


@bp.route("/admin/policies/<int:policy_id>/versions/<int:number>/edit", methods=["GET", "POST"])
@require("policies.manage")
def edit(policy_id: int, number: int):
    policy = db.get_or_404(Policy, policy_id)
    version = _load_version(policy, number)
    if request.method == "GET":
        return _edit_page(policy, version)
    form = VersionForm(request.form)
    if form.validate():
        try:
            services.update_version(current_user, version, title=form.title.data, **_version_fields(form))
        except services.PolicyError as error:
            form.form_errors.append(str(error.message))
        else:
            flash(_("The version has been saved."), "success")
            return redirect(url_for("policies.edit", policy_id=policy.id, number=number))
    return _edit_page(policy, version, form=form, status=422)


@bp.post("/admin/policies/<int:policy_id>/versions")
@require("policies.manage")
def create_version(policy_id: int):
    policy = db.get_or_404(Policy, policy_id)
    try:
        version = services.new_version(current_user, policy)
    except services.PolicyError as error:
        flash(str(error.message), "error")
        return redirect(url_for("policies.manage")), 409
    flash(_("A new draft version has been created from the latest one."), "success")
    return redirect(url_for("policies.edit", policy_id=policy.id, number=version.number))


def _transition(policy_id: int, number: int, action):
    policy = db.get_or_404(Policy, policy_id)
    version = _load_version(policy, number)
    try:
        action(version)
    except services.PolicyError as error:
        flash(str(error.message), "error")
        return _edit_page(policy, version, status=422)
    return redirect(url_for("policies.edit", policy_id=policy.id, number=number))


@bp.post("/admin/policies/<int:policy_id>/versions/<int:number>/consultation")
@require("policies.manage")
def open_consultation(policy_id: int, number: int):
    form = ConsultationForm(request.form)
    until = form.until.data if form.validate() else None

    def act(version):
        services.open_consultation(current_user, version, until)
        flash(_("The public consultation is open."), "success")

    return _transition(policy_id, number, act)


@bp.post("/admin/policies/<int:policy_id>/versions/<int:number>/adopt")
@require("policies.manage")
def adopt(policy_id: int, number: int):
    form = AdoptForm(request.form)
    form.validate()

    def act(version):
        services.adopt(current_user, version, trigger=form.trigger.data or None, summary=form.summary.data or None)
        flash(_("The version has been adopted and is now in force."), "success")

    return _transition(policy_id, number, act)


@bp.post("/admin/policies/<int:policy_id>/versions/<int:number>/items")
@require("policies.manage")
def add_item(policy_id: int, number: int):
    policy = db.get_or_404(Policy, policy_id)
    version = _load_version(policy, number)
    form = ConsentItemForm(request.form)
    if form.validate():
        try:
            services.add_consent_item(
                current_user,
                version,
                purpose_key=form.purpose_key.data,
                kind=form.kind.data,
                label=form.label.data,
                description=form.description.data,
                recipient=form.recipient.data or "",
                recipient_name=form.recipient_name.data,
                widens=form.widens.data,
            )
        except services.PolicyError as error:
            form.form_errors.append(str(error.message))
        else:
            flash(_("The purpose needing consent has been added."), "success")
            return redirect(url_for("policies.edit", policy_id=policy.id, number=number))
    return _edit_page(policy, version, item_form=form, status=422)


@bp.post("/admin/policies/<int:policy_id>/items/<int:item_id>/delete")
@require("policies.manage")
def remove_item(policy_id: int, item_id: int):
    item = db.get_or_404(ConsentItem, item_id)
    if item.version.policy_id != policy_id:
        abort(404)
    number = item.version.number
    try:
        services.remove_consent_item(current_user, item)
    except services.PolicyError as error:
        flash(str(error.message), "error")
        return _edit_page(item.version.policy, item.version, status=422)
    flash(_("The purpose has been removed from this version."), "success")
    return redirect(url_for("policies.edit", policy_id=policy_id, number=number))


@bp.post("/admin/policies/<int:policy_id>/coverage")
@require("policies.manage")
def coverage(policy_id: int):
    policy = db.get_or_404(Policy, policy_id)
    refs = request.form.getlist("resources")
    try:
        services.set_coverage(current_user, policy, refs)
    except services.PolicyError as error:
        flash(str(error.message), "error")
    else:
        flash(_("The devices and consultations covered have been saved."), "success")
    latest = policy.versions[-1].number
    return redirect(url_for("policies.edit", policy_id=policy.id, number=latest))


# --- provision ledger ------------------------------------------------------------------------------


@bp.get("/admin/provisions")
@require("policies.ledger_read")
def ledger():
    pagination = paginate(
        db.select(Provision)
        .options(db.joinedload(Provision.policy), db.joinedload(Provision.recorded_by))
        .order_by(Provision.provided_on.desc(), Provision.id.desc())
    )
    return render("policies/ledger.html", pagination=pagination)


@bp.route("/admin/provisions/new", methods=["GET", "POST"])
@require("policies.ledger_record")
def record_provision():
    form = ProvisionForm(request.form if request.method == "POST" else None)
    policies = db.session.scalars(db.select(Policy).order_by(Policy.id)).all()
    form.policy_id.choices = [SelectChoice(0, _("(none)"))] + [
        SelectChoice(p.id, localize(p.title).text) for p in policies
    ]
    if request.method == "POST" and form.validate():
        policy = next((p for p in policies if p.id == form.policy_id.data), None)
        try:
            services.record_provision(
                current_user,
                recipient=form.recipient.data,
                data_items=form.data_items.data,
                provided_on=form.provided_on.data,
                basis=form.basis.data,
                basis_note=form.basis_note.data,
                subjects=form.subjects.data,
                policy=policy,
            )
        except services.PolicyError as error:
            form.form_errors.append(str(error.message))
        else:
            flash(_("The provision has been recorded in the ledger. Entries cannot be changed."), "success")
            return redirect(url_for("policies.ledger"))
    status = 422 if request.method == "POST" else 200
    return render("policies/provision_form.html", form=form, status=status)
