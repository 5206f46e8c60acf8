"""/admin/search/synonyms: the table of variants and synonyms city staff keep."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.htmx import redirect_to, render
from ..core.pagination import paginate
from ..core.permissions import require
from ..extensions import db
from . import services
from .forms import SynonymForm
from .models import SearchSynonym

admin_bp = Blueprint("search_admin", __name__, url_prefix="/admin/search")


def _load(synonym_id: int) -> SearchSynonym:
    synonym = db.session.get(SearchSynonym, synonym_id)
    if synonym is None:
        abort(404)
    return synonym


@admin_bp.route("/synonyms", methods=["GET", "POST"])
@require("search.manage_synonyms")
def synonyms():
    form = SynonymForm(request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        services.add_synonym(current_user, form.terms.data, form.note.data)
        flash(_("The synonyms have been added. Searches use them from now on."), "success")
        return redirect_to(url_for("search_admin.synonyms"))
    pagination = paginate(db.select(SearchSynonym).order_by(SearchSynonym.id.desc()))
    return render(
        "search/admin_synonyms.html",
        pagination=pagination,
        form=form,
        status=422 if form.errors else 200,
    )


@admin_bp.route("/synonyms/<int:synonym_id>", methods=["GET", "POST"])
@require("search.manage_synonyms")
def edit_synonym(synonym_id: int):
    synonym = _load(synonym_id)
    form = SynonymForm(request.form if request.method == "POST" else None, obj=synonym)
    if request.method == "POST" and form.validate():
        services.update_synonym(current_user, synonym, form.terms.data, form.note.data)
        flash(_("The synonyms have been saved. Searches use them from now on."), "success")
        return redirect_to(url_for("search_admin.synonyms"))
    return render("search/admin_synonym.html", synonym=synonym, form=form, status=422 if form.errors else 200)


@admin_bp.post("/synonyms/<int:synonym_id>/delete")
@require("search.manage_synonyms")
def delete_synonym(synonym_id: int):
    services.delete_synonym(current_user, _load(synonym_id))
    flash(_("The synonyms have been deleted."), "success")
    return redirect_to(url_for("search_admin.synonyms"))
