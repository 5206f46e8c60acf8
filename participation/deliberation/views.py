"""Deliberation threads of a process (/processes/<id>/threads) and one thread (/threads/<id>)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.htmx import render
from ..core.pagination import paginate
from ..core.permissions import authorize, can
from ..extensions import db
from ..processes.models import Process
from . import services
from .forms import CloseForm, ThreadForm
from .models import Thread

bp = Blueprint("deliberation", __name__)


def _load_process(process_id: int) -> Process:
    process = db.get_or_404(Process, process_id)
    if not can("processes.view", process):
        abort(404)
    return process


def _load_thread(thread_id: int) -> Thread:
    thread = db.session.scalars(
        db.select(Thread)
        .where(Thread.id == thread_id)
        .options(db.joinedload(Thread.process), db.joinedload(Thread.author), db.joinedload(Thread.closed_by))
    ).first()
    if thread is None or not can("deliberation.view", thread):
        abort(404)
    return thread


def thread_listing(process: Process):
    """Open threads first, then newest first; hidden ones only for those who moderate."""
    query = (
        db.select(Thread)
        .where(Thread.process_id == process.id)
        .options(db.joinedload(Thread.author))
        .order_by(Thread.closed_at.is_not(None), Thread.created_at.desc(), Thread.id.desc())
    )
    if not can("deliberation.see_hidden"):
        query = query.where(Thread.hidden_at.is_(None))
    return query


@bp.get("/processes/<int:process_id>/threads")
def index(process_id: int):
    process = _load_process(process_id)
    pagination = paginate(thread_listing(process))
    return render("deliberation/index.html", "deliberation/_list.html", process=process, pagination=pagination)


@bp.route("/processes/<int:process_id>/threads/new", methods=["GET", "POST"])
def new(process_id: int):
    process = _load_process(process_id)
    authorize("deliberation.open", process)
    form = ThreadForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        try:
            thread = services.open_thread(
                current_user, process, title=form.title.data, body=form.body.data, asks_stance=form.asks_stance.data
            )
        except services.ThreadError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("The discussion has been opened."), "success")
            return redirect(url_for("deliberation.show", thread_id=thread.id))
    status = 422 if request.method == "POST" else 200
    return render("deliberation/form.html", form=form, process=process, status=status)


def _show(thread: Thread, close_form=None, status: int = 200):
    if close_form is None and can("deliberation.close", thread):
        close_form = CloseForm(formdata=None)
    return render("deliberation/show.html", thread=thread, close_form=close_form, status=status)


@bp.get("/threads/<int:thread_id>")
def show(thread_id: int):
    return _show(_load_thread(thread_id))


@bp.post("/threads/<int:thread_id>/close")
def close(thread_id: int):
    thread = _load_thread(thread_id)
    authorize("deliberation.close", thread)
    form = CloseForm()
    if form.validate():
        try:
            services.close_thread(current_user, thread, conclusion=form.conclusion.data)
        except services.ThreadError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("The discussion has been closed and its conclusion published."), "success")
            return redirect(url_for("deliberation.show", thread_id=thread_id))
    return _show(thread, close_form=form, status=422)
