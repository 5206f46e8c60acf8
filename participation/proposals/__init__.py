"""Proposals residents make inside a consultation, with supports, a per-resident limit and a threshold."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.action_log import fixed
from ..core.capability import Capability
from ..core.comments import Commentable
from ..core.components import Component, Setting, StageSwitch
from ..core.models import Role
from ..core.permissions import has_role, participant
from ..core.resources import ResourceType
from ..core.signals import content_moderated
from ..core.slots import Fill
from ..core.types import local_today
from ..extensions import db
from . import seeds
from .home import latest_answers
from .models import AnswerState, Proposal
from .personal import personal_data
from .search import searchable
from .services import proposals_count, recount_process
from .views import bp

resident = participant(Role.RESIDENT)  # blocked accounts neither propose nor support
manage = has_role(Role.STAFF, Role.ADMIN)


def _visible(user, proposal) -> bool:
    # A proposal is as public as its consultation; drafts are seen by staff only.
    return proposal is not None and (proposal.process.is_published or manage(user))


def _is_author(user, proposal) -> bool:
    return user is not None and proposal is not None and proposal.author_id == user.id


COMMENTS_CLOSED = _l("Comments are closed at the current stage of this consultation.")
COMMENTS_WITHDRAWN = _l("This proposal has been withdrawn and takes no new comments.")


def _comments_closed(proposal, _user) -> object:
    """Comments follow the consultation's current stage; a withdrawn proposal takes none."""
    if proposal.is_withdrawn:
        return COMMENTS_WITHDRAWN
    if not proposal.process.allows("proposals.comment", local_today()):
        return COMMENTS_CLOSED
    return None


def _panel(process, today) -> dict | None:
    """The consultation page's proposals panel: the counter (one query) and whether proposals are
    taken now; hidden while there are none and none can be submitted."""
    phase = process.current_phase(today)
    submitting = phase is not None and phase.allows("proposals.create")
    total = proposals_count(process)
    if not total and not submitting:
        return None
    return {"total": total, "submitting": submitting}


def _recount_on_moderation(record, **_kwargs) -> None:
    """The process counter counts what the public sees, so hiding or restoring a proposal recounts it."""
    if isinstance(record, Proposal):
        recount_process(record.process)


def _in_process(type_name: str, ident: int):
    return db.select(Proposal.id).where(Proposal.process_id == ident) if type_name == "process" else None


# Comments on proposals follow the stage (a stage for discussing proposals, then one for supports
# only): the switch is the proposals component's, since discussions and policy drafts have their
# own comment periods.
COMPONENT = Component(
    name="proposals",
    label=_l("Proposals"),
    panel="proposals/_process_panel.html",
    panel_context=_panel,
    settings=(
        Setting(
            "supports_per_resident",
            _l("Supports per resident (optional)"),
            kind="int",
            default=None,
            minimum=1,
            help=_l("How many proposals of this consultation one resident may support. Empty: no limit."),
        ),
        Setting(
            "support_threshold",
            _l("Supports needed (optional)"),
            kind="int",
            default=None,
            minimum=1,
            help=_l("A proposal that reaches this number of supports is marked and reported. Empty: no threshold."),
        ),
    ),
    stage_switches=(
        StageSwitch("proposals.create", _l("Residents can submit proposals"), _l("Proposal submissions")),
        StageSwitch("proposals.support", _l("Residents can support proposals"), _l("Supporting proposals")),
        StageSwitch("proposals.comment", _l("Residents can comment on proposals"), _l("Comments on proposals")),
    ),
    order=20,
)


def _threshold_label(entry) -> str:
    return _("Reached the threshold of %(count)s supports", count=entry.data["threshold"])


def _answered_label(entry) -> str:
    try:
        state = AnswerState(entry.data.get("state"))
    except ValueError:
        return _("Answered a proposal")
    return _("Answered a proposal: %(state)s", state=state.label)


def _answer_state(values) -> str:
    try:
        return AnswerState(values.get("state")).label
    except ValueError:
        return "?"


def _answered_notice(values) -> str:
    if values.get("changed"):
        return _(
            "The city changed its answer to the proposal “%(title)s”: %(state)s",
            title=values["title"],
            state=_answer_state(values),
        )
    return _(
        "The city answered the proposal “%(title)s”: %(state)s", title=values["title"], state=_answer_state(values)
    )


def _progress_label(entry) -> str:
    return _("Reported progress on a proposal (%(progress)s%%)", progress=entry.data.get("progress", 0))


capability = Capability(
    name="proposals",
    requires=("processes",),
    components=(COMPONENT,),
    receivers={content_moderated: _recount_on_moderation},
    slots={"home.open_now": Fill(latest_answers, order=20)},
    blueprints=(bp,),
    searchable=searchable,
    permissions={
        "proposals.view": _visible,
        "proposals.create": resident,
        "proposals.edit": _is_author,
        "proposals.withdraw": _is_author,
        "proposals.support": resident,
        "proposals.answer": manage,
    },
    resources=(
        ResourceType(
            "proposal",
            Proposal,
            _l("Proposal"),
            url=lambda proposal: url_for("proposals.show", proposal_id=proposal.id),
            title=lambda proposal: proposal.title,
            is_public=lambda proposal: proposal.process.is_published,
            comments=Commentable(
                closed_reason=_comments_closed,
                asks_stance=lambda _proposal: True,
                counter=Proposal.comments_count,
            ),
            moderatable=True,
            followable=True,
            load_options=(db.joinedload(Proposal.process),),
            plural=_l("Proposals"),
            view_permission="proposals.view",
            space=lambda proposal: ("process", proposal.process_id),
            in_space=_in_process,
        ),
    ),
    action_labels={
        "proposal.created": fixed(_l("Submitted a proposal")),
        "proposal.updated": fixed(_l("Edited a proposal")),
        "proposal.withdrawn": fixed(_l("Withdrew a proposal")),
        "proposal.supported": fixed(_l("Supported a proposal")),
        "proposal.support_removed": fixed(_l("Removed their support from a proposal")),
        "proposal.threshold_reached": _threshold_label,
        "proposal.answered": _answered_label,
        "proposal.progress_updated": _progress_label,
    },
    # How notifications read, composed in the reader's language when shown (see core.notifications).
    notification_kinds={
        "proposal.created": _l("%(actor)s submitted a new proposal “%(title)s” in a consultation you follow"),
        "proposal.answered": _answered_notice,
        "proposal.progress_updated": _l("Progress was reported on the proposal “%(title)s”: %(progress)s%% done"),
        "proposal.threshold_reached": _l("The proposal “%(title)s” reached the threshold of %(threshold)s supports"),
    },
    seed=seeds.seed,
    personal_data=personal_data,
)
