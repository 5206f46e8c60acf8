"""Links between records of different capabilities: one table of typed links from one linkable
resource to another (core/resources.py), e.g. a policy that covers a device, a meeting about a
consultation, an experiment testing a proposal. A capability never imports another's models to refer
to its records: it links them here, inside its own service's transaction (which writes the action log)::

    link(policy, device, "covers")          # once; a second call changes nothing
    unlink(policy, device, "covers")
    set_links(policy, "covers", [device, process])
    links_from(policy, type="sensor")       # the other ends, loaded in one query per type
    links_to(device, type="policy", relation="covers")

Reading is safe by default: ``links_from``/``links_to`` leave out the ends the current reader may not
see (not public per their type's ``is_public``, or hidden by moderation, unless the reader holds the
type's ``view_permission`` / may see hidden content); services that need every end pass
``visible=False``. A page shows both directions with
``{{ slot("resource.related", resource=record) }}`` (the core fills it with links/_related.html).
Links join records, not people: the "user" type cannot be linked (personal data lives in each
capability's own tables, where erasure and "My data" find it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint, and_, case, func, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .permissions import can
from .resources import ResourceType, is_public, load_many, resource_type, resource_types, type_name_of
from .types import UTCDateTime, utcnow

RELATION_MAX = 40
PER_TYPE = 50  # the related-records partial lists at most this many records of one type
UNLINKABLE = {"user"}


class Link(db.Model):
    __tablename__ = "links"
    __table_args__ = (
        # also the index for "links from a record"
        UniqueConstraint("source_type", "source_id", "target_type", "target_id", "relation", name="one_link"),
        Index("ix_links_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_type: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[int]
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int]
    relation: Mapped[str] = mapped_column(String(RELATION_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@dataclass(frozen=True)
class Linked:
    """The other end of a link, as a page shows it."""

    record: object
    type_name: str
    relation: str
    outgoing: bool  # True: the link goes from the record asked about to this one
    public: bool = True  # False: shown only because the reader may see drafts or hidden content

    @property
    def resource_type(self) -> ResourceType:
        return resource_type(self.type_name)

    @property
    def title(self) -> str:
        rtype = self.resource_type
        return rtype.title(self.record) if rtype.title else str(self.record.id)

    @property
    def url(self) -> str | None:
        rtype = self.resource_type
        return rtype.url(self.record) if rtype.url else None


@dataclass
class Group:
    """Related records of one type, for the related-records partial."""

    type_name: str
    label: object
    items: list[Linked] = field(default_factory=list)
    more: bool = False  # some were left out (over PER_TYPE)


def _ref(obj) -> tuple[str, int]:
    name = type_name_of(obj)
    if name in UNLINKABLE:
        raise ValueError(f"records of type {name!r} cannot be linked")
    if getattr(obj, "id", None) is None:
        raise ValueError("flush the record before linking it")
    return name, obj.id


def _check_relation(relation: str) -> None:
    if not relation or len(relation) > RELATION_MAX:
        raise ValueError(f"relation names are 1 to {RELATION_MAX} characters")


# --- changing links (inside the caller's transaction) ------------------------------------------


def link(source, target, relation: str) -> bool:
    """Link ``source`` to ``target``; False when that link already existed."""
    _check_relation(relation)
    (s_type, s_id), (t_type, t_id) = _ref(source), _ref(target)
    if (s_type, s_id) == (t_type, t_id):
        raise ValueError("a record cannot be linked to itself")
    exists = db.session.scalar(
        db.select(Link.id).where(
            Link.source_type == s_type,
            Link.source_id == s_id,
            Link.target_type == t_type,
            Link.target_id == t_id,
            Link.relation == relation,
        )
    )
    if exists is not None:
        return False
    try:
        with db.session.begin_nested():  # a concurrent identical link: the constraint decides
            db.session.add(
                Link(source_type=s_type, source_id=s_id, target_type=t_type, target_id=t_id, relation=relation)
            )
    except IntegrityError:
        return False
    return True


def unlink(source, target, relation: str | None = None) -> int:
    """Remove the links from ``source`` to ``target`` (of ``relation`` only, if given)."""
    (s_type, s_id), (t_type, t_id) = _ref(source), _ref(target)
    query = db.delete(Link).where(
        Link.source_type == s_type, Link.source_id == s_id, Link.target_type == t_type, Link.target_id == t_id
    )
    if relation is not None:
        query = query.where(Link.relation == relation)
    return db.session.execute(query.execution_options(synchronize_session=False)).rowcount


def set_links(source, relation: str, targets: Iterable) -> tuple[int, int]:
    """Make ``targets`` exactly the records ``source`` links to with ``relation``; returns (added,
    removed)."""
    _check_relation(relation)
    s_type, s_id = _ref(source)
    wanted = {_ref(target) for target in targets}
    rows = db.session.scalars(
        db.select(Link).where(Link.source_type == s_type, Link.source_id == s_id, Link.relation == relation)
    ).all()
    existing = {(row.target_type, row.target_id): row for row in rows}
    removed = 0
    for ref, row in existing.items():
        if ref not in wanted:
            db.session.delete(row)
            removed += 1
    added = 0
    for t_type, t_id in sorted(wanted - existing.keys()):
        db.session.add(Link(source_type=s_type, source_id=s_id, target_type=t_type, target_id=t_id, relation=relation))
        added += 1
    db.session.flush()
    return added, removed


def unlink_all(obj) -> int:
    """Remove every link from or to ``obj``, for a capability that deletes the record."""
    name, ident = _ref(obj)
    query = db.delete(Link).where(
        or_(
            and_(Link.source_type == name, Link.source_id == ident),
            and_(Link.target_type == name, Link.target_id == ident),
        )
    )
    return db.session.execute(query.execution_options(synchronize_session=False)).rowcount


# --- reading links ------------------------------------------------------------------------------


def shown_to_reader(type_name: str, record) -> bool:
    """Whether the current reader may see ``record`` in a list of related records: public ones to
    all; drafts to those holding the type's ``view_permission``; hidden ones to moderators."""
    if is_public(type_name, record):
        return True
    rtype = resource_type(type_name)
    if rtype is None:
        return False
    if rtype.moderatable and getattr(record, "hidden_at", None) is not None and not can("moderation.see_hidden"):
        return False
    if rtype.is_public is None or rtype.is_public(record):
        return True  # public but hidden, and the reader reviews hidden content
    return rtype.view_permission is not None and can(rtype.view_permission, record)


def _load(rows, visible: bool) -> list[Linked]:
    """(type, id, relation, outgoing) rows → Linked, one query per type, in the rows' order."""
    found = load_many((t, i) for t, i, _relation, _outgoing in rows)
    result = []
    for type_name, ident, relation, outgoing in rows:
        record = found.get((type_name, ident))
        if record is None:
            continue  # deleted since, or of a capability this app does not have
        public = is_public(type_name, record)
        if visible and not public and not shown_to_reader(type_name, record):
            continue
        result.append(Linked(record, type_name, relation, outgoing, public))
    return result


def _direction(obj, outgoing: bool, type: str | None, relation: str | None):
    name, ident = _ref(obj)
    if outgoing:
        query = db.select(Link.target_type, Link.target_id, Link.relation).where(
            Link.source_type == name, Link.source_id == ident
        )
        if type:
            query = query.where(Link.target_type == type)
    else:
        query = db.select(Link.source_type, Link.source_id, Link.relation).where(
            Link.target_type == name, Link.target_id == ident
        )
        if type:
            query = query.where(Link.source_type == type)
    if relation:
        query = query.where(Link.relation == relation)
    return query.order_by(Link.id)


def links_from(obj, type: str | None = None, relation: str | None = None, *, visible: bool = True) -> list[Linked]:
    """The records ``obj`` links to (of resource type ``type``, with ``relation``, if given)."""
    rows = db.session.execute(_direction(obj, True, type, relation)).all()
    return _load([(t, i, r, True) for t, i, r in rows], visible)


def links_to(obj, type: str | None = None, relation: str | None = None, *, visible: bool = True) -> list[Linked]:
    """The records linking to ``obj``."""
    rows = db.session.execute(_direction(obj, False, type, relation)).all()
    return _load([(t, i, r, False) for t, i, r in rows], visible)


def related(obj) -> list[Group]:
    """Every record linked to or from ``obj`` that the reader may see, grouped by type in the order
    the types were registered: one query for the links (at most PER_TYPE + 1 per type, whatever
    their number) and one per type for the records."""
    name, ident = _ref(obj)
    outgoing = and_(Link.source_type == name, Link.source_id == ident)
    other_type = case((outgoing, Link.target_type), else_=Link.source_type)
    other_id = case((outgoing, Link.target_id), else_=Link.source_id)
    ranked = (
        db.select(
            other_type.label("type_name"),
            other_id.label("ident"),
            Link.relation,
            case((outgoing, True), else_=False).label("outgoing"),
            func.row_number().over(partition_by=other_type, order_by=Link.id).label("rank"),
        )
        .where(or_(outgoing, and_(Link.target_type == name, Link.target_id == ident)))
        .subquery()
    )
    rows = db.session.execute(
        db.select(ranked.c.type_name, ranked.c.ident, ranked.c.relation, ranked.c.outgoing, ranked.c.rank)
        .where(ranked.c.rank <= PER_TYPE + 1)
        .order_by(ranked.c.type_name, ranked.c.rank)
    ).all()
    over = {t for t, _i, _r, _o, rank in rows if rank > PER_TYPE}
    loaded = _load([(t, i, r, bool(o)) for t, i, r, o, rank in rows if rank <= PER_TYPE], visible=True)
    groups: dict[str, Group] = {}
    for type_name, rtype in resource_types().items():
        groups[type_name] = Group(type_name, rtype.plural or rtype.label, more=type_name in over)
    seen = set()
    for item in loaded:
        if (item.type_name, item.record.id) not in seen:  # linked both ways: listed once
            seen.add((item.type_name, item.record.id))
            groups[item.type_name].items.append(item)
    return [group for group in groups.values() if group.items]


def related_section(resource=None, **_context):
    """The "resource.related" slot's first part: the related-records partial, when there are any."""
    from .slots import render

    try:
        groups = related(resource) if resource is not None else []
    except (LookupError, ValueError):  # not a linkable record
        return None
    if not groups:
        return None
    return render("links/_related.html", groups=groups, per_type=PER_TYPE)
