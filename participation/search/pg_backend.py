"""The PostgreSQL backend: one index in the database that every machine reads and writes.

Each document's analysed terms (the same ``analysis`` as Whoosh's) go into a tsvector with a GIN
index: title words weighted A, body words B (ranked higher and lower by ``ts_rank``), each reading
as a "~" lexeme at its word's position, so phrases work on words and on readings. Plans become
tsquery expressions: a phrase ``'a' <-> 'b'``, alternatives ``|``, required groups ``&``,
exclusions ``!``; a sentence's "most of its words" is a count of matched groups in SQL.

The change feed is a queue here: whoever applies rows (the request after its commit, `flask search
sync`, any machine) locks them (FOR UPDATE SKIP LOCKED), re-reads the records under a per-record
advisory lock (so an older read can never overwrite a newer one), writes the documents and deletes
the rows in one transaction: applied exactly when committed, never twice, never lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ..core.models import SearchOutbox
from ..extensions import db
from . import rebuilding, vocabulary
from .analysis import SKELETON
from .backend import COORDINATION, DIRECT, Backend, Row
from .documents import IndexDocument, current_documents, parse_ref
from .models import SearchDocument, SearchTerm
from .query import READING, Alt, Group, Plan

MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
TITLE_GAP = 8  # positions between a title and its body, so no phrase spans both
BATCH = 500


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(title_terms: list[str], body_terms: list[str]) -> str:
    """A tsvector literal: each term with its positions and weight (A title, B body)."""
    positions: dict[str, list[str]] = {}
    pos = 0
    for weight, terms in (("A", title_terms), ("B", body_terms)):
        for term in terms:
            if not term.startswith((READING, SKELETON)) or pos == 0:
                pos += 1
            if term and len(term) <= 200:
                positions.setdefault(term, []).append(f"{min(pos, MAX_POSITION)}{weight}")
        pos += TITLE_GAP
    return " ".join(f"{_lexeme(term)}:{','.join(found[:256])}" for term, found in positions.items())


def _alt(alt: Alt) -> str:
    terms = [_lexeme(t) for t in alt.terms if t]
    return "(" + (" <-> " if alt.adjacent else " & ").join(terms) + ")"


def group_query(group: Group) -> str:
    return "(" + " | ".join(_alt(a) for a in group.alts) + ")"


def compile_plan(plan: Plan) -> dict:
    """The tsquery every match satisfies, one per group (to count them) and one for the rank."""
    groups = [group_query(g) for g in plan.groups]
    must = [group_query(g) for g in plan.required]
    if plan.soft:
        must.append("(" + " | ".join(group_query(g) for g in plan.soft) + ")")
    must += [f"!{group_query(g)}" for g in plan.excluded]
    direct = [_alt(g.alts[0]) for g in plan.groups if len(g.alts) > 1]
    return {
        "must": " & ".join(must),
        "groups": groups,
        "direct": direct,
        "any": " | ".join(groups),
        "min": len(plan.required) + plan.soft_min,
    }


class PostgresBackend(Backend):
    name = "postgresql"

    # --- reading ---

    def _where(self, compiled: dict, type=None, locale=None, space=None) -> tuple[str, dict, str]:
        params = {"must": compiled["must"], "any": compiled["any"]}
        where = ["terms @@ CAST(:must AS tsquery)"]
        for name, value in (("type", type), ("locale", locale), ("space", space)):
            if value:
                where.append(f"{name} = :{name}")
                params[name] = value
        coord = []
        for n, query in enumerate(compiled["groups"]):
            params[f"g{n}"] = query
            coord.append(f"(terms @@ CAST(:g{n} AS tsquery))::int")
        direct = []
        for n, query in enumerate(compiled["direct"]):
            params[f"d{n}"] = query
            direct.append(f"(terms @@ CAST(:d{n} AS tsquery))::int")
        params["min"] = compiled["min"]
        params["_direct"] = " + ".join(direct) or "0"  # SQL of our own, taken out by the callers
        return " AND ".join(where), params, " + ".join(coord) or "0"

    def find(self, plan, *, page, per_page, type=None, locale=None, space=None):
        compiled = compile_plan(plan)
        where, params, coord = self._where(compiled, type, locale, space)
        direct = params.pop("_direct")
        partition = "ref" if not locale else "key"
        # only column names and placeholders of our own go into the text; every value is a parameter
        sql = f"""
            WITH matched AS (
                SELECT key, ref, ({coord}) AS coord,
                       ({direct}) * {DIRECT} + ts_rank('{{0.1, 0.2, 0.4, 1.0}}', terms, CAST(:any AS tsquery), 1) AS rank
                FROM search_documents WHERE {where}
            ), best AS (
                SELECT DISTINCT ON ({partition}) key, coord * {COORDINATION} + rank AS score
                FROM matched WHERE coord >= :min ORDER BY {partition}, coord * {COORDINATION} + rank DESC, key
            ), page AS (
                SELECT key, score, count(*) OVER () AS total FROM best ORDER BY score DESC, key LIMIT :limit OFFSET :offset
            )
            SELECT d.ref, d.space, d.locale, d.date, d.title, d.body, page.total
            FROM page JOIN search_documents d ON d.key = page.key ORDER BY page.score DESC, page.key
        """  # noqa: S608
        params.update(limit=per_page, offset=(page - 1) * per_page)
        rows = db.session.execute(text(sql), params).all()
        if rows:
            total = rows[0].total
        else:
            total = db.session.scalar(
                text(f"""SELECT count(DISTINCT {partition}) FROM (SELECT key, ref, ({coord}) AS coord
                         FROM search_documents WHERE {where}) m WHERE coord >= :min"""),  # noqa: S608
                params,
            )
        found = [Row(parse_ref(r.ref), parse_ref(r.space), r.locale, r.date, r.title, r.body) for r in rows]
        return total, [r for r in found if r.ref]

    def spaces(self, plan, *, type=None, locale=None, limit=200):
        where, params, coord = self._where(compile_plan(plan), type, locale)
        params.pop("_direct")
        params["limit"] = limit
        rows = db.session.scalars(
            text(f"""SELECT DISTINCT space FROM (SELECT space, ({coord}) AS coord FROM search_documents
                     WHERE {where} AND space != '') m WHERE coord >= :min LIMIT :limit"""),  # noqa: S608
            params,
        )
        return sorted(rows)

    def known(self, terms: Iterable[str]) -> set[str]:
        terms = list(dict.fromkeys(terms))
        if not terms:
            return set()
        return set(db.session.scalars(select(SearchTerm.term).where(SearchTerm.term.in_(terms))))

    def has_term(self, term: str) -> bool:
        return (
            db.session.scalar(
                text("SELECT 1 FROM search_documents WHERE terms @@ CAST(:q AS tsquery) LIMIT 1"), {"q": _lexeme(term)}
            )
            is not None
        )

    def frequency(self, term: str) -> int:
        return db.session.scalar(
            text("SELECT count(*) FROM search_documents WHERE terms @@ CAST(:q AS tsquery)"), {"q": _lexeme(term)}
        )

    # --- writing ---

    def _write(self, session: Session, drop: list[str], documents: list[IndexDocument]) -> None:
        if drop:
            session.execute(delete(SearchDocument).where(SearchDocument.ref.in_(drop)))
        if documents:
            session.execute(insert(SearchDocument.__table__), [_row(d) for d in documents])
            vocabulary.add(session, {t for d in documents for t in vocabulary.of(d)})

    def _apply(self, session: Session, locked_rows) -> None:
        refs = dict.fromkeys((r.resource_type, r.resource_id) for r in locked_rows)
        for name, ident in sorted(refs):  # one order for everyone: no deadlocks between appliers
            session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:ref))"), {"ref": f"search:{name}:{ident}"})
        drop, documents = current_documents(session, refs)
        self._write(session, drop, documents)
        session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_([r.id for r in locked_rows])))

    def _claim(self, session: Session, query):
        return session.execute(query.with_for_update(skip_locked=True)).all()

    def apply_own(self, own, timeout):
        ids = [i for found in own.values() for i in found]
        with Session(db.engine) as session, session.begin():
            session.execute(text("SELECT set_config('lock_timeout', :ms, true)"), {"ms": f"{int(timeout * 1000)}ms"})
            rows = self._claim(
                session,
                select(SearchOutbox.id, SearchOutbox.resource_type, SearchOutbox.resource_id).where(
                    SearchOutbox.id.in_(ids)
                ),
            )
            if rows:
                self._apply(session, rows)

    def has_backlog(self, own):
        ids = [i for found in own.values() for i in found]
        with Session(db.engine) as session:
            return session.scalar(select(SearchOutbox.id).where(SearchOutbox.id.not_in(ids)).limit(1)) is not None

    def sync(self, timeout, batch_size=BATCH):
        applied = 0
        while True:
            with Session(db.engine) as session, session.begin():
                rows = self._claim(
                    session,
                    select(SearchOutbox.id, SearchOutbox.resource_type, SearchOutbox.resource_id)
                    .order_by(SearchOutbox.id)
                    .limit(batch_size),
                )
                if not rows:
                    return applied
                self._apply(session, rows)
            applied += len(rows)

    def pending(self):
        with Session(db.engine) as session:
            return session.scalar(select(func.count(SearchOutbox.id)))

    def rebuild(self, progress=None, lock_timeout=60.0, workers=1):
        """Replace every document in one transaction (searches see the old ones until it commits);
        changes committed meanwhile keep their feed rows and are applied afterwards."""
        count = 0
        with Session(db.engine) as session, session.begin():
            head = session.scalar(select(func.coalesce(func.max(SearchOutbox.id), 0)))
            session.execute(delete(SearchDocument))
            batch, vocab = [], set()
            for doc in rebuilding.all_documents(progress, workers):
                batch.append(_row(doc))
                vocab.update(vocabulary.of(doc))
                count += 1
                if len(batch) >= BATCH:
                    session.execute(insert(SearchDocument.__table__), batch)
                    batch = []
            if batch:
                session.execute(insert(SearchDocument.__table__), batch)
            vocabulary.replace(session, vocab)
            session.execute(delete(SearchOutbox).where(SearchOutbox.id <= head))
        self.sync(timeout=lock_timeout)
        return count

    # --- statistics ---

    def index_counts(self):
        rows = db.session.execute(
            select(SearchDocument.type, func.count(), func.count(SearchDocument.ref.distinct())).group_by(
                SearchDocument.type
            )
        ).all()
        return {t: {"documents": d, "records": r} for t, d, r in rows}

    def indexed_keys(self):
        return set(db.session.scalars(select(SearchDocument.key)))

    def describe(self):
        return "postgresql search_documents"


def _row(doc: IndexDocument) -> dict:
    return {
        "key": doc.key,
        "ref": doc.ref,
        "type": doc.type,
        "resource_id": doc.resource_id,
        "locale": doc.locale,
        "space": doc.space,
        "date": doc.date.replace(tzinfo=UTC) if doc.date else None,
        "title": doc.title,
        "body": doc.body,
        "terms": tsvector(doc.title_terms, doc.body_terms),
    }
