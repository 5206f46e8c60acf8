"""What the moderator pages read. Every page runs a fixed number of queries whatever the number of
reports: one aggregate for the page of reported records, one for their reports, one per resource
type for the records and one for their authors."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, or_

from ..core.models import User
from ..core.moderation.models import Decision, ModerationDecision, Report, ReportReason
from ..core.moderation.services import author_id_of
from ..core.pagination import Page, paginate
from ..core.resources import load_many, resource_type
from ..extensions import db


@dataclass
class QueueItem:
    resource_type: str
    resource_id: int
    count: int
    by_reason: dict[str, int]
    latest: object
    record: object = None
    author: User | None = None
    reports: list[Report] = field(default_factory=list)

    @property
    def type_label(self):
        rtype = resource_type(self.resource_type)
        return rtype.label if rtype else self.resource_type

    @property
    def title(self) -> str | None:
        rtype = resource_type(self.resource_type)
        if self.record is None or rtype is None or rtype.title is None:
            return None
        return rtype.title(self.record)

    @property
    def url(self) -> str | None:
        rtype = resource_type(self.resource_type)
        if self.record is None or rtype is None or rtype.url is None:
            return None
        return rtype.url(self.record)


def _authors(records) -> dict[int, User]:
    ids = {author_id_of(r) for r in records if r is not None} - {None}
    if not ids:
        return {}
    # Roles are not shown here: skip the selectin load of role grants.
    query = db.select(User).where(User.id.in_(ids)).options(db.lazyload(User.role_grants))
    return {u.id: u for u in db.session.scalars(query)}


def open_queue(page: int, per_page: int) -> Page:
    """Records with open reports, most reported first, with their open reports and authors."""
    is_open = Report.resolved_at.is_(None)
    total = db.session.scalar(
        db.select(func.count()).select_from(
            db.select(Report.resource_type, Report.resource_id)
            .where(is_open)
            .group_by(Report.resource_type, Report.resource_id)
            .subquery()
        )
    )
    count = func.count(Report.id)
    latest = func.max(Report.created_at)
    rows = db.session.execute(
        db.select(
            Report.resource_type,
            Report.resource_id,
            count.label("count"),
            latest.label("latest"),
            *(func.sum(case((Report.reason == r.value, 1), else_=0)).label(r.value) for r in ReportReason),
        )
        .where(is_open)
        .group_by(Report.resource_type, Report.resource_id)
        .order_by(count.desc(), latest.desc(), Report.resource_type, Report.resource_id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    items = [
        QueueItem(
            resource_type=row.resource_type,
            resource_id=row.resource_id,
            count=row.count,
            by_reason={r.value: getattr(row, r.value) or 0 for r in ReportReason},
            latest=row.latest,
        )
        for row in rows
    ]
    if items:
        by_ref = {(i.resource_type, i.resource_id): i for i in items}
        reports = db.session.scalars(
            db.select(Report)
            .where(is_open, or_(*(and_(Report.resource_type == t, Report.resource_id == i) for t, i in by_ref)))
            .options(db.joinedload(Report.reporter).lazyload(User.role_grants))
            .order_by(Report.created_at, Report.id)
        ).all()
        for report in reports:
            by_ref[(report.resource_type, report.resource_id)].reports.append(report)
        records = load_many(by_ref)
        for ref, item in by_ref.items():
            item.record = records.get(ref)
        authors = _authors(records.values())
        for item in items:
            item.author = authors.get(author_id_of(item.record)) if item.record is not None else None
    return Page(items=items, page=page, per_page=per_page, total=total or 0)


@dataclass
class HiddenItem:
    decision: ModerationDecision
    record: object = None
    author: User | None = None

    @property
    def title(self) -> str | None:
        rtype = resource_type(self.decision.resource_type)
        return rtype.title(self.record) if self.record is not None and rtype and rtype.title else None

    @property
    def url(self) -> str | None:
        rtype = resource_type(self.decision.resource_type)
        return rtype.url(self.record) if self.record is not None and rtype and rtype.url else None

    @property
    def type_label(self):
        rtype = resource_type(self.decision.resource_type)
        return rtype.label if rtype else self.decision.resource_type


def hidden_content(page: int, per_page: int) -> Page:
    """Records whose latest hide/restore decision is "hide", newest first (so a type added later
    needs no change here)."""
    content = ModerationDecision.action.in_((Decision.HIDE.value, Decision.RESTORE.value))
    latest_ids = (
        db.select(func.max(ModerationDecision.id))
        .where(content)
        .group_by(ModerationDecision.resource_type, ModerationDecision.resource_id)
    )
    query = (
        db.select(ModerationDecision)
        .where(ModerationDecision.id.in_(latest_ids), ModerationDecision.action == Decision.HIDE.value)
        .options(db.joinedload(ModerationDecision.moderator).lazyload(User.role_grants))
        .order_by(ModerationDecision.id.desc())
    )
    found = paginate(query, page=page, per_page=per_page)
    records = load_many((d.resource_type, d.resource_id) for d in found.items)
    authors = _authors(records.values())
    items = []
    for decision in found.items:
        record = records.get((decision.resource_type, decision.resource_id))
        author = authors.get(author_id_of(record)) if record is not None else None
        items.append(HiddenItem(decision, record, author))
    found.items = items
    return found


def blocked_users(page: int, per_page: int) -> Page:
    query = db.select(User).where(User.blocked_at.is_not(None)).order_by(User.blocked_at.desc(), User.id.desc())
    return paginate(query, page=page, per_page=per_page)
