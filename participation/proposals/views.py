"""Proposals of a consultation (/processes/<id>/proposals) and one proposal (/proposals/<id>)."""

from __future__ import annotations

import secrets

from flask import Blueprint, Response, abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..core import counters, csvfile
from ..core.htmx import render, wants_fragment
from ..core.i18n import current_locale, localize
from ..core.models import District
from ..core.pagination import paginate
from ..core.permissions import authorize, can
from ..core.searchable import matching_ids
from ..core.types import local_today
from ..extensions import db
from ..processes.models import Process
from . import exports, services
from .forms import AnswerForm, ProgressForm, ProposalForm
from .models import AnswerState, Proposal

bp = Blueprint("proposals", __name__)

STATES = ("all", "active", "withdrawn", "unanswered", *(state.value for state in AnswerState))
SORTS = ("newest", "supported", "commented", "random")
SIMILAR_LIMIT = 5
RANDOM_MODULUS = 2_147_483_647  # shuffle keys and visitors' starting points are below it
SEED_KEY = "proposals_seed"


def _load_process(process_id: int) -> tuple[Process, int]:
    """The process and its number of public proposals (the counter), in one query."""
    row = db.session.execute(
        db.select(Process, counters.column("process", Process.id, services.COUNTER)).where(Process.id == process_id)
    ).first()
    if row is None or not can("processes.view", row[0]):
        abort(404)  # drafts do not exist for the public
    return row[0], row[1]


def _load_proposal(proposal_id: int) -> Proposal:
    proposal = db.session.scalars(
        db.select(Proposal)
        .where(Proposal.id == proposal_id)
        .options(
            db.joinedload(Proposal.process),
            db.joinedload(Proposal.author),
            db.joinedload(Proposal.category),
            db.joinedload(Proposal.district),
            db.selectinload(Proposal.answers),
            db.selectinload(Proposal.updates),
        )
    ).first()
    if proposal is None or not can("proposals.view", proposal):
        abort(404)
    return proposal


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _random_seed() -> int:
    """A number kept in the visitor's session, so the random order stays put while they page."""
    seed = session.get(SEED_KEY)
    if not isinstance(seed, int) or not 1 <= seed < RANDOM_MODULUS:
        seed = secrets.randbelow(RANDOM_MODULUS - 1) + 1
        session[SEED_KEY] = seed
    return seed


def _listing(process: Process, *, state: str, category_id, district_id, text: str, sort: str):
    """The filtered proposals of ``process``; ordered unless ``sort`` is "random" (see ``_paginate``).
    Each order walks an index on (process_id, sort key, id), so the first pages cost the same
    however many proposals there are."""
    query = (
        db.select(Proposal)
        .where(Proposal.process_id == process.id)
        .options(db.joinedload(Proposal.author), db.joinedload(Proposal.category), db.joinedload(Proposal.district))
    )
    if not can("moderation.see_hidden"):
        query = query.where(Proposal.hidden_at.is_(None))  # moderators see them, marked
    if state == "active":
        query = query.where(Proposal.withdrawn_at.is_(None))
    elif state == "withdrawn":
        query = query.where(Proposal.withdrawn_at.is_not(None))
    elif state == "unanswered":
        query = query.where(Proposal.answer_state.is_(None), Proposal.withdrawn_at.is_(None))
    elif state in {s.value for s in AnswerState}:
        query = query.where(Proposal.answer_state == state)
    if category_id is not None:
        query = query.where(Proposal.category_id == category_id)
    if district_id is not None:
        query = query.where(Proposal.district_id == district_id)
    if text:  # the site's search (variants, readings, synonyms); ignored if search is left out
        ids = matching_ids("proposal", text, space=("process", process.id))
        if ids is not None:
            query = query.where(Proposal.id.in_(ids))
    if sort == "supported":
        query = query.order_by(Proposal.supports_count.desc(), Proposal.id.desc())
    elif sort == "commented":
        query = query.order_by(Proposal.comments_count.desc(), Proposal.id.desc())
    elif sort != "random":
        query = query.order_by(Proposal.created_at.desc(), Proposal.id.desc())
    return query


def _shuffled(query, pivot: int):
    """The random order: every proposal has a random ``shuffle_key`` (indexed with the process), and
    each visitor starts reading that order at their own point (``pivot``, kept in their session) and
    wraps around. A page is the first rows at or after the pivot, then those before it: two short
    index scans, instead of shuffling every proposal of the process on each request."""
    key = Proposal.shuffle_key

    def fetch(offset: int, limit: int) -> list:
        def part(number: int, condition):
            ids = (
                query.with_only_columns(Proposal.id, key, maintain_column_froms=True)
                .where(condition)
                .order_by(key, Proposal.id)
                .limit(offset + limit)
                .subquery()
            )
            return db.select(ids.c.id, ids.c.shuffle_key, db.literal(number).label("part"))

        window = db.union_all(part(0, key >= pivot), part(1, key < pivot)).subquery()
        page = (
            query.join(window, window.c.id == Proposal.id)
            .order_by(window.c.part, window.c.shuffle_key, window.c.id)
            .limit(limit)
            .offset(offset)
        )
        return list(db.session.execute(page).unique().scalars())

    return fetch


def _paginate(query, filters: dict, total: int):
    # The process counter holds public proposals (no COUNT over every proposal of the process for
    # the unfiltered list); moderators also list hidden ones, so they count rows.
    unfiltered = (
        filters["state"] == "all"
        and not any(filters[k] for k in ("category_id", "district_id", "text"))
        and not can("moderation.see_hidden")
    )
    return paginate(
        query,
        total=total if unfiltered else None,
        fetch=_shuffled(query, _random_seed()) if filters["sort"] == "random" else None,
    )


@bp.get("/processes/<int:process_id>/proposals")
def index(process_id: int):
    process, total = _load_process(process_id)
    state = request.args.get("state") or "all"
    sort = request.args.get("sort") or "newest"
    if state not in STATES or sort not in SORTS:
        abort(404)
    filters = {
        "state": state,
        "category_id": _int_arg("category"),
        "district_id": _int_arg("district"),
        "text": request.args.get("q", "").strip()[:100],
        "sort": sort,
    }
    pagination = _paginate(_listing(process, **filters), filters, total)
    districts = db.session.scalars(db.select(District).order_by(District.position, District.id)).all()
    today = local_today()
    args = {
        "state": state,
        "category": filters["category_id"] or "",
        "district": filters["district_id"] or "",
        "q": filters["text"],
        "sort": sort,
    }
    return render(
        "proposals/index.html",
        "proposals/_list.html",
        process=process,
        pagination=pagination,
        districts=districts,
        filters=filters,
        args={k: v for k, v in args.items() if v},
        states=STATES,
        answer_states=list(AnswerState),
        sorts=SORTS,
        current=process.current_phase(today),
    )


# --- creating and editing ----------------------------------------------------------------------


def _form(process: Process, formdata=None, proposal: Proposal | None = None) -> ProposalForm:
    form = ProposalForm(formdata=formdata, obj=proposal)
    form.category_id.choices = [SelectChoice(0, _("No category"))] + [
        SelectChoice(c.id, localize(c.name).text) for c in process.categories
    ]
    districts = db.session.scalars(db.select(District).order_by(District.position, District.id)).all()
    form.district_id.choices = [SelectChoice(0, _("No particular district"))] + [
        SelectChoice(d.id, localize(d.name).text) for d in districts
    ]
    if formdata is None and proposal is not None:
        form.category_id.data = proposal.category_id or 0
        form.district_id.data = proposal.district_id or 0
    return form


def _fields(form: ProposalForm) -> dict:
    return {
        "title": form.title.data,
        "body": form.body.data,
        "category_id": form.category_id.data or None,
        "district_id": form.district_id.data or None,
        "place": form.place.data or None,
    }


def similar_proposals(process: Process, title: str, exclude_id: int | None = None) -> list[Proposal]:
    """Up to five proposals of ``process`` sharing most of the words of ``title``, best first, as
    the site's search finds them (works for Japanese, which has no spaces between words)."""
    ids = matching_ids(
        "proposal", title.strip()[:150], space=("process", process.id), limit=SIMILAR_LIMIT + 1, loose=True
    )
    ids = [i for i in ids or [] if i != exclude_id][:SIMILAR_LIMIT]
    if not ids:
        return []
    found = {
        p.id: p
        for p in db.session.scalars(db.select(Proposal).where(Proposal.id.in_(ids), Proposal.hidden_at.is_(None)))
    }
    return [found[i] for i in ids if i in found]


@bp.route("/processes/<int:process_id>/proposals/new", methods=["GET", "POST"])
def new(process_id: int):
    process, _total = _load_process(process_id)
    authorize("proposals.create", process)
    if request.method == "GET" and wants_fragment() and "title" in request.args:
        # The form asks, while the title is being typed, which proposals look alike.
        similar = similar_proposals(process, request.args.get("title", ""))
        return render("proposals/_similar.html", similar=similar, process=process, checked=False)
    form = _form(process, request.form if request.method == "POST" else None)
    phase = process.current_phase(local_today())
    checking = request.method == "POST" and "check_similar" in request.form
    if checking:
        # Without JavaScript the form is sent back with the similar proposals, nothing is created.
        form.title.data = (form.title.data or "").strip()
    elif request.method == "POST" and form.validate():
        try:
            proposal = services.create_proposal(current_user, process, locale=current_locale(), **_fields(form))
        except services.ProposalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Your proposal has been published."), "success")
            return redirect(url_for("proposals.show", proposal_id=proposal.id))
    status = 422 if request.method == "POST" and not checking else 200
    return render(
        "proposals/form.html",
        form=form,
        process=process,
        proposal=None,
        open_now=bool(phase and phase.allows("proposals.create")),
        similar=similar_proposals(process, form.title.data or "") if form.title.data else [],
        checked=checking,
        status=status,
    )


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
def edit(proposal_id: int):
    proposal = _load_proposal(proposal_id)
    authorize("proposals.edit", proposal)
    process = proposal.process
    if proposal.supports_count > 0 or proposal.is_withdrawn:
        message = services.ALREADY_WITHDRAWN if proposal.is_withdrawn else services.EDIT_AFTER_SUPPORT
        flash(str(message), "error")
        return redirect(url_for("proposals.show", proposal_id=proposal.id))
    form = _form(process, request.form if request.method == "POST" else None, proposal)
    if request.method == "POST" and form.validate():
        try:
            services.update_proposal(current_user, proposal, **_fields(form))
        except services.ProposalError as error:
            flash(str(error.message), "error")
            return redirect(url_for("proposals.show", proposal_id=proposal.id))
        flash(_("Your proposal has been saved."), "success")
        return redirect(url_for("proposals.show", proposal_id=proposal.id))
    status = 422 if request.method == "POST" else 200
    return render(
        "proposals/form.html", form=form, process=process, proposal=proposal, open_now=True, similar=[], status=status
    )


@bp.post("/proposals/<int:proposal_id>/withdraw")
def withdraw(proposal_id: int):
    proposal = _load_proposal(proposal_id)
    authorize("proposals.withdraw", proposal)
    try:
        services.withdraw_proposal(current_user, proposal)
    except services.ProposalError as error:
        flash(str(error.message), "error")
    else:
        flash(_("Your proposal has been withdrawn. It stays visible, marked as withdrawn."), "success")
    return redirect(url_for("proposals.show", proposal_id=proposal_id))


# --- one proposal and its supports ------------------------------------------------------------


def _support_context(proposal: Proposal, message=None, category: str = "success", **forms) -> dict:
    phase = proposal.process.current_phase(local_today())
    return {
        "proposal": proposal,
        "supported": services.has_supported(current_user, proposal),
        "supports_open": bool(phase and phase.allows("proposals.support") and proposal.process.is_published),
        "supports_used": services.supports_used(current_user, proposal.process),
        "message": message,
        "message_category": category,
        **forms,
    }


def _staff_forms(proposal: Proposal, answer_form=None, progress_form=None) -> dict:
    """The answer and progress forms for staff, prefilled with the current answer."""
    if not can("proposals.answer", proposal):
        return {"answer_form": None, "progress_form": None}
    if answer_form is None:
        answer_form = AnswerForm(formdata=None)
        answer_form.state.data = proposal.answer_state or AnswerState.EVALUATING.value
        answer_form.text.process(None, proposal.answer_text)
        answer_form.cost.data = proposal.answer_cost
    if progress_form is None:
        progress_form = ProgressForm(formdata=None)
        progress_form.on.data = local_today()
        progress_form.progress.data = proposal.progress
    return {"answer_form": answer_form, "progress_form": progress_form}


def _show(proposal_id: int, status: int = 200, **forms):
    proposal = _load_proposal(proposal_id)
    context = _support_context(proposal, **_staff_forms(proposal, **forms))
    return render("proposals/show.html", **context, status=status)


@bp.get("/proposals/<int:proposal_id>")
def show(proposal_id: int):
    return _show(proposal_id)


# --- official answers and the implementation record (staff) ----------------------------------


@bp.post("/proposals/<int:proposal_id>/answer")
def answer(proposal_id: int):
    proposal = _load_proposal(proposal_id)
    authorize("proposals.answer", proposal)
    form = AnswerForm()
    if form.validate():
        try:
            services.answer_proposal(
                current_user, proposal, state=form.state.data, text=form.text.data, cost=form.cost.data
            )
        except services.ProposalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("The answer has been published."), "success")
            return redirect(url_for("proposals.show", proposal_id=proposal_id, _anchor="answer"))
    return _show(proposal_id, status=422, answer_form=form)


@bp.post("/proposals/<int:proposal_id>/progress")
def progress(proposal_id: int):
    proposal = _load_proposal(proposal_id)
    authorize("proposals.answer", proposal)
    form = ProgressForm()
    if form.validate():
        try:
            services.add_progress_update(
                current_user, proposal, on=form.on.data, text=form.text.data, progress=form.progress.data
            )
        except services.ProposalError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("The progress update has been published."), "success")
            return redirect(url_for("proposals.show", proposal_id=proposal_id, _anchor="implementation"))
    return _show(proposal_id, status=422, progress_form=form)


# --- open data -------------------------------------------------------------------------------


def _published_process(process_id: int) -> Process:
    process = db.get_or_404(Process, process_id)
    if not process.is_published:
        abort(404)  # open data is for published consultations only, even for staff
    return process


@bp.get("/processes/<int:process_id>/proposals.csv")
def export_csv(process_id: int):
    process = _published_process(process_id)
    return csvfile.response(f"proposals-{process.id}.csv", *exports.csv_table(process))


@bp.get("/processes/<int:process_id>/proposals.json")
def export_json(process_id: int):
    process = _published_process(process_id)
    return Response(
        exports.json_document(process),
        mimetype="application/json",
        headers={"Content-Disposition": f'inline; filename="proposals-{process.id}.json"'},
    )


@bp.get("/processes/<int:process_id>/proposal-comments.csv")
def export_comments_csv(process_id: int):
    process = _published_process(process_id)
    return csvfile.response(f"proposal-comments-{process.id}.csv", *exports.comments_csv_table(process))


def _after_support(proposal_id: int, message, category: str):
    if wants_fragment():
        proposal = _load_proposal(proposal_id)
        return render("proposals/_support.html", **_support_context(proposal, message, category))
    flash(str(message), category)
    return redirect(url_for("proposals.show", proposal_id=proposal_id))


@bp.post("/proposals/<int:proposal_id>/support")
def support(proposal_id: int):
    proposal = _load_proposal(proposal_id)
    authorize("proposals.support", proposal)
    try:
        result = services.support(current_user, proposal)
    except services.ProposalError as error:
        return _after_support(proposal_id, error.message, "error")
    if result == services.SupportResult.ALREADY_SUPPORTED:
        return _after_support(proposal_id, _("You have already supported this proposal."), "error")
    return _after_support(proposal_id, _("Thank you. Your support has been counted."), "success")


@bp.post("/proposals/<int:proposal_id>/unsupport")
def unsupport(proposal_id: int):
    proposal = _load_proposal(proposal_id)
    authorize("proposals.support", proposal)
    try:
        result = services.remove_support(current_user, proposal)
    except services.ProposalError as error:
        return _after_support(proposal_id, error.message, "error")
    if result == services.SupportResult.NOT_SUPPORTED:
        return _after_support(proposal_id, _("You had not supported this proposal."), "error")
    return _after_support(proposal_id, _("Your support has been removed."), "success")
