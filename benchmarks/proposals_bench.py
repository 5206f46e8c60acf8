"""Proposals benchmark: the pages of a consultation must not slow down as it grows.

Builds a small data set (10 proposals, 100 comments) and a large one (10,000 proposals, 200,000
supports and 100,000 comments in one consultation), then measures, for a visitor and a signed-in
resident, the SQL query count and the median server time of: the proposal list (newest, most
supported, most commented, random), one proposal page and the consultation page. Requirement: the
same query count for both sizes, and the median growing by at most 1.5x.

The measured proposal has 200 comments in the large set (top-level ones with replies down to depth 3,
votes, one by the measured resident) and 35 in the small set. The small set's 35 are exactly the large
set's newest 20 conversations (20 top-level comments, 10 replies, 5 replies to replies): a comment page
shows 20 conversations (``COMMENTS_PAGE_SIZE``), so both sizes render the same full first page and
the comparison measures the data's growth, not a page with fewer comments on it. Comment bodies are
rendered from Markdown once per process (``core.markup`` keeps the output), so after the warm-up the
page's cost is its template, as on a live site where a page is read more often than it changes.

    .venv/bin/python benchmarks/proposals_bench.py                      # SQLite, full size
    .venv/bin/python benchmarks/proposals_bench.py --scale 0.1 --repeat 10
    .venv/bin/python benchmarks/proposals_bench.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/test_bench   # its schema is DROPPED

Exit status 1 when a requirement is not met (with --no-check, always 0).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, insert, text  # noqa: E402

from participation import create_app  # noqa: E402
from participation.config import normalise_database_url  # noqa: E402
from participation.core import counters  # noqa: E402
from participation.core.models import District, Role, RoleGrant, User  # noqa: E402
from participation.core.types import LocalizedText, local_today  # noqa: E402
from participation.extensions import db  # noqa: E402
from participation.processes.models import Phase, Process, ProcessCategory  # noqa: E402
from participation.proposals.models import AnswerState, Proposal, Support  # noqa: E402

PASSWORD = "benchmark password"  # noqa: S105 (throwaway accounts of a temporary database)
FAST_HASH = "pbkdf2:sha256:1"  # the accounts are throwaway; hashing 4,000 strong hashes takes minutes
SMALL = {"proposals": 10, "supports": 200, "comments_on_one": 35, "comments": 100}
LARGE = {"proposals": 10_000, "supports": 200_000, "comments_on_one": 200, "comments": 100_000}
SUPPORTS_PER_USER = 100
CHUNK = 5_000
MAX_GROWTH = 1.5
TITLE_WORDS = (
    "公園のベンチ",
    "通学路の安全",
    "図書館の開館時間",
    "駅前の駐輪場",
    "子育て支援",
    "防災訓練",
    "ごみの分別",
    "街路樹の手入れ",
    "バス路線",
    "高齢者の見守り",
)
CONFIG = {
    "APP_ENV": "testing",
    "SECRET_KEY": "benchmark-secret",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "SERVER_NAME": "localhost",
    "PUBLIC_URL": "http://localhost",
}


@dataclass
class DataSet:
    process_id: int
    proposal_id: int  # the proposal whose page is measured (the most supported, with the comments)
    resident_email: str
    counts: dict = field(default_factory=dict)


# --- the database ------------------------------------------------------------------------------


def fresh_database(url: str | None, workdir: Path, name: str) -> str:
    """An empty, migrated database for one size: a new SQLite file, or a PostgreSQL schema ``bench_<name>``
    dropped and rebuilt (both sizes live side by side, so they can be measured in turns)."""
    from flask_migrate import upgrade

    if url and url.startswith("postgresql"):
        schema = f"bench_{name}"
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
        url = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{workdir / f'{name}.sqlite'}"
    app = create_app({**CONFIG, "DATABASE_URL": url}, instance_path=str(workdir / "instance"))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def _bulk(table, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(table), rows[start : start + CHUNK])


def _ids(model, order_by=None) -> list[int]:
    return list(db.session.scalars(db.select(model.id).order_by(order_by if order_by is not None else model.id)))


# --- the data ----------------------------------------------------------------------------------


def build(sizes: dict) -> DataSet:
    """One published consultation open for proposals, supports and comments, with ``sizes`` rows,
    written with core bulk inserts (one executemany per chunk, no ORM objects per row)."""
    from werkzeug.security import generate_password_hash

    rng = random.Random(20261202)
    n_proposals, n_supports = sizes["proposals"], sizes["supports"]
    n_users = max(20, -(-n_supports // SUPPORTS_PER_USER))
    now = datetime.now(UTC).replace(microsecond=0)
    today = local_today()

    db.session.add_all(
        District(code=f"bench-{i}", name=LocalizedText({"ja": f"第{i}地区", "en": f"District {i}"}), position=i)
        for i in range(5)
    )
    process = Process(
        title=LocalizedText({"ja": "ベンチマークの協議", "en": "Benchmark consultation"}),
        summary=LocalizedText({"ja": "性能測定用の協議です。", "en": "A consultation for measuring."}),
        published_at=now - timedelta(days=30),
        settings={"proposals": {"support_threshold": 100, "supports_per_resident": None}},
    )
    process.phases.append(
        Phase(
            title=LocalizedText({"ja": "提案と賛同", "en": "Proposals and supports"}),
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=30),
            switches={"proposals.create": True, "proposals.support": True, "proposals.comment": True},
        )
    )
    for i in range(6):
        process.categories.append(
            ProcessCategory(name=LocalizedText({"ja": f"分野{i}", "en": f"Topic {i}"}), position=i)
        )
    db.session.add(process)
    db.session.flush()
    district_ids = _ids(District)
    category_ids = [c.id for c in process.categories]

    password_hash = generate_password_hash(PASSWORD, method=FAST_HASH)
    _bulk(
        User.__table__,
        [
            {
                "email": f"bench{i}@example.jp",
                "display_name": f"住民{i}",
                "password_hash": password_hash,
                "session_token": f"{i:032x}",
                "created_at": now,
            }
            for i in range(n_users)
        ],
    )
    user_ids = _ids(User)
    _bulk(RoleGrant.__table__, [{"user_id": u, "role": Role.RESIDENT.value, "granted_at": now} for u in user_ids])

    # Supports first, so each proposal's supports_count is written with it. Skewed: a few proposals
    # collect many supports, as in real consultations; proposal 0 the most.
    pairs: set[tuple[int, int]] = set()
    for user_index in range(n_users):
        wanted = min(SUPPORTS_PER_USER, n_supports - len(pairs), n_proposals)
        chosen = {0} if wanted > 0 else set()
        while len(chosen) < wanted:
            chosen.add(int(n_proposals * rng.random() ** 3))
        pairs.update((p, user_index) for p in chosen)
    counts = [0] * n_proposals
    for p, _u in pairs:
        counts[p] += 1
    states = [s.value for s in AnswerState]
    _bulk(
        Proposal.__table__,
        [
            {
                "process_id": process.id,
                "author_id": user_ids[i % n_users],
                "title": f"{TITLE_WORDS[i % len(TITLE_WORDS)]}についての提案 {i}",
                "body": "**提案の本文**です。" * 10,
                "locale": "ja" if i % 7 else "en",
                "category_id": category_ids[i % len(category_ids)],
                "district_id": district_ids[i % len(district_ids)] if i % 3 else None,
                "supports_count": counts[i],
                "threshold_reached_at": now if counts[i] >= 100 else None,
                "withdrawn_at": now if i % 50 == 49 else None,
                "answer_state": states[i % len(states)] if i % 10 == 0 else None,
                "answer_text": LocalizedText({"ja": "市の回答です。"}) if i % 10 == 0 else None,
                "created_at": now - timedelta(minutes=n_proposals - i),
                "updated_at": now,
                "progress": 0,
            }
            for i in range(n_proposals)
        ],
    )
    proposal_ids = _ids(Proposal)
    counters.set_to(process, "proposals", n_proposals)
    _bulk(
        Support.__table__,
        [{"proposal_id": proposal_ids[p], "user_id": user_ids[u], "created_at": now} for p, u in sorted(pairs)],
    )
    comments = make_comments(process.id, proposal_ids[0], proposal_ids, user_ids, sizes)
    db.session.commit()
    data = DataSet(process.id, proposal_ids[0], f"bench{n_users - 1}@example.jp")
    data.counts = {"proposals": n_proposals, "supports": len(pairs), "users": n_users, "comments": comments}
    return data


def _conversation_ranks(n_comments: int):
    """The measured proposal's conversations, newest first: (rank, replies) until ``n_comments``.
    Every other top-level comment has a reply, every fourth a reply to that reply (depth 3), so
    the first page (20 conversations) has the same shape in both sizes."""
    made, rank = 0, 0
    while made < n_comments:
        replies = min(n_comments - made - 1, (1 if rank % 2 == 0 else 0) + (1 if rank % 4 == 0 else 0))
        yield rank, replies
        made += 1 + replies
        rank += 1


def make_comments(process_id, proposal_id, proposal_ids, user_ids, sizes) -> int | None:
    """``sizes["comments_on_one"]`` comments on ``proposal_id`` and ``sizes["comments"]`` in all over
    ``proposal_ids``, bulk-inserted with the columns the comments service writes: ``root_id`` (the
    top-level comment, itself for one), ``depth`` (1-3), vote rows with the up/down counters, and each
    proposal's ``comments_count`` (visible comments). Returns how many comments were written."""
    from participation.core.comments.models import Comment, CommentVote

    rng = random.Random(20261203)
    now = datetime.now(UTC).replace(microsecond=0)
    resident = len(user_ids) - 1  # the measured signed-in resident (see DataSet.resident_email)
    others = len(user_ids) - 1
    next_id = (db.session.scalar(db.select(db.func.max(Comment.id))) or 0) + 1
    rows: list[dict] = []
    votes: list[dict] = []
    per_proposal: dict[int, int] = {}

    def add(resource_id, author, *, parent=None, created_at, stance=None) -> dict:
        nonlocal next_id
        row = {
            "id": next_id,
            "resource_type": "proposal",
            "resource_id": resource_id,
            "parent_id": parent["id"] if parent else None,
            "root_id": parent["root_id"] if parent else next_id,
            "depth": parent["depth"] + 1 if parent else 1,
            "author_id": user_ids[author],
            "body": f"**{len(rows)}番目**のコメントです。賛成の理由を書きます。\n\n- 安全\n- 便利",
            "locale": "ja",
            "stance": stance,
            "official": False,
            "upvotes": 0,
            "downvotes": 0,
            "created_at": created_at,
        }
        next_id += 1
        rows.append(row)
        per_proposal[resource_id] = per_proposal.get(resource_id, 0) + 1
        return row

    def vote(row, voter, value) -> None:
        votes.append({"comment_id": row["id"], "user_id": user_ids[voter], "value": value, "created_at": now})
        row["upvotes" if value > 0 else "downvotes"] += 1

    # The measured proposal: conversations by rank (0 = newest), the same authors and votes by rank
    # in both sizes; the resident wrote one of the first page and voted on three.
    stances = ("for", "against", "neutral")
    for rank, n_replies in _conversation_ranks(sizes["comments_on_one"]):
        author = resident if rank == 3 else rank % others
        created = now - timedelta(minutes=10 * (rank + 1))
        root = add(proposal_id, author, created_at=created, stance=stances[rank % 3])
        for j in range(3):
            voter = (rank + 1 + j) % others
            if voter != author:
                vote(root, voter, 1 if j < 2 else -1)
        if rank in (0, 1, 2):
            vote(root, resident, 1)
        parent = root
        for depth in range(n_replies):
            parent = add(
                proposal_id,
                (rank + 5 + depth) % others,
                parent=parent,
                created_at=created + timedelta(minutes=depth + 1),
            )
    # The rest, skewed over the proposals like the supports; about a third are replies.
    n_proposals = len(proposal_ids)
    last_root: dict[int, dict] = {}
    for i in range(max(0, sizes["comments"] - len(rows))):
        target = proposal_ids[1 + int((n_proposals - 1) * rng.random() ** 3)] if n_proposals > 1 else proposal_id
        parent = last_root.get(target) if rng.random() < 0.3 else None
        row = add(
            target,
            i % others,
            parent=parent,
            created_at=now - timedelta(minutes=i % 50_000),
            stance=None if parent else stances[i % 3],
        )
        if parent is None:
            last_root[target] = row
    _bulk(Comment.__table__, rows)
    _bulk(CommentVote.__table__, votes)
    if db.engine.dialect.name == "postgresql":  # explicit ids: move the sequence past them
        db.session.execute(
            text("SELECT setval(pg_get_serial_sequence('comments', 'id'), (SELECT MAX(id) FROM comments))")
        )
    by_count: dict[int, list[int]] = {}
    for resource_id, count in per_proposal.items():
        by_count.setdefault(count, []).append(resource_id)
    for count, ids in by_count.items():
        db.session.execute(Proposal.__table__.update().where(Proposal.id.in_(ids)).values(comments_count=count))
    return len(rows)


# --- measuring ---------------------------------------------------------------------------------


@contextmanager
def counting_queries(engine):
    """The statements run inside the block, each as [sql, milliseconds]."""
    statements: list[list] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            statements.append([statement, (time.perf_counter() - conn.info.pop("bench_started")) * 1000])

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


# The pages the requirement is about; the others (a text search scans every text, a deep page skips
# rows) are measured for information.
CHECKED_PAGES = {
    "list (newest)",
    "list (supported)",
    "list (commented)",
    "list (random)",
    "proposal page",
    "process page",
}


def pages(data: DataSet) -> dict[str, str]:
    from participation.proposals.views import SORTS

    base = f"/processes/{data.process_id}/proposals"
    urls = {"list (newest)": base, "list (supported)": f"{base}?sort=supported"}
    if "commented" in SORTS:
        urls["list (commented)"] = f"{base}?sort=commented"
    urls["list (random)"] = f"{base}?sort=random"
    urls["list (filtered)"] = f"{base}?state=active&q=%E5%85%AC%E5%9C%92"  # 公園
    urls["list (page 3)"] = f"{base}?page=3"
    urls["proposal page"] = f"/proposals/{data.proposal_id}"
    urls["process page"] = f"/processes/{data.process_id}"
    return urls


@dataclass
class Target:
    """One size's app, data and clients (a visitor and a signed-in resident)."""

    app: object
    data: DataSet
    clients: dict = field(default_factory=dict)
    times: dict = field(default_factory=dict)
    queries: dict = field(default_factory=dict)


def prepare(url: str, sizes: dict, workdir: Path, out=print) -> Target:
    app = create_app({**CONFIG, "DATABASE_URL": url}, instance_path=str(workdir / "instance"))
    started = time.perf_counter()
    with app.app_context():
        data = build(sizes)
        db.session.remove()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))  # fresh statistics, as autovacuum would give a live site
        db.engine.dispose()
    if url.startswith("sqlite"):
        # Move the bulk insert out of the write-ahead log, as SQLite's automatic checkpoints do on a live site.
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    out(f"{sizes['proposals']:>6} proposals: {data.counts} built in {time.perf_counter() - started:.1f} s")
    target = Target(app, data)
    for who in ("visitor", "resident"):
        client = app.test_client()
        if who == "resident":
            response = client.post("/login", data={"email": data.resident_email, "password": PASSWORD})
            assert response.status_code == 302, f"login failed: {response.status_code}"
        target.clients[who] = client
    return target


def measure_once(target: Target, who: str, name: str, url: str, slow: bool = False) -> None:
    with target.app.app_context():
        engine = db.engine
    with counting_queries(engine) as statements:
        started = time.perf_counter()
        response = target.clients[who].get(url)
        elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    target.times.setdefault((who, name), []).append(elapsed)
    target.queries.setdefault((who, name), set()).add(len(statements))
    if slow:
        for sql, ms in sorted(statements, key=lambda item: -item[1])[:3]:
            print(f"  {who} {name}: {ms:7.2f} ms  {' '.join(sql.split())[:200]}")


def measure(targets: dict[str, Target], repeat: int, slow: bool = False) -> None:
    """Every page of every size, in turns (small, large, small, ...), so that the load other programs
    put on the machine meanwhile falls on both sizes alike."""
    for _ in range(2):  # warm up: templates compiled, statements cached, database pages read
        for target in targets.values():
            for who in target.clients:
                for url in pages(target.data).values():
                    assert target.clients[who].get(url).status_code == 200, url
    for round_ in range(repeat):
        for who in ("visitor", "resident"):
            for label, target in targets.items():
                for name, url in pages(target.data).items():
                    measure_once(target, who, name, url, slow and label == "large" and round_ == repeat - 1)


def run(database_url: str | None, scale: float, repeat: int, out=print, slow: bool = False) -> list[dict]:
    """Both sizes, measured; one row per (who, page) with both figures and whether they pass."""
    large = {key: max(1, round(value * scale)) for key, value in LARGE.items()}
    for key in ("proposals", "comments_on_one", "comments"):  # a scaled-down large set is never smaller
        large[key] = max(large[key], SMALL[key])
    with tempfile.TemporaryDirectory(prefix="proposals-bench-") as tmp:
        targets = {
            label: prepare(fresh_database(database_url, Path(tmp), label), sizes, Path(tmp), out)
            for label, sizes in (("small", SMALL), ("large", large))
        }
        try:
            measure(targets, repeat, slow)
        finally:
            for target in targets.values():
                with target.app.app_context():
                    db.session.remove()
                    db.engine.dispose()
            if database_url:
                engine = create_engine(database_url)
                with engine.begin() as conn:
                    for label in targets:
                        conn.execute(text(f"DROP SCHEMA IF EXISTS bench_{label} CASCADE"))
                engine.dispose()
    small, large_ = targets["small"], targets["large"]
    rows = []
    for key in small.times:
        small_ms, large_ms = statistics.median(small.times[key]), statistics.median(large_.times[key])
        small_queries, large_queries = max(small.queries[key]), max(large_.queries[key])
        growth = large_ms / small_ms if small_ms else float("inf")
        checked = key[1] in CHECKED_PAGES
        rows.append(
            {
                "who": key[0],
                "page": key[1],
                "small_queries": small_queries,
                "large_queries": large_queries,
                "small_ms": small_ms,
                "large_ms": large_ms,
                "growth": growth,
                "checked": checked,
                "ok": not checked or (small_queries == large_queries and growth <= MAX_GROWTH),
            }
        )
    return rows


def report(rows: list[dict], out=print) -> None:
    out(f"{'who':<9} {'page':<18} {'queries S/L':>11} {'median S ms':>11} {'median L ms':>11} {'growth':>7}")
    for r in rows:
        out(
            f"{r['who']:<9} {r['page']:<18} {r['small_queries']:>5}/{r['large_queries']:<5} "
            f"{r['small_ms']:>11.1f} {r['large_ms']:>11.1f} {r['growth']:>6.2f}x"
            f"{'' if r['ok'] else '  FAIL'}{'' if r['checked'] else '  (for information)'}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url", help="PostgreSQL URL (its public schema is dropped); default: SQLite files in a temp dir"
    )
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the large data set (default 1)")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page for the median (default 20)")
    parser.add_argument("--slow", action="store_true", help="print the slowest statements of each page (large set)")
    parser.add_argument("--no-check", action="store_true", help="exit 0 even when a requirement is not met")
    args = parser.parse_args(argv)
    url = normalise_database_url(args.database_url) if args.database_url else None
    if url and not url.startswith("postgresql"):
        parser.error("--database-url must be a PostgreSQL URL (SQLite is used without it)")
    rows = run(url, args.scale, max(1, args.repeat), slow=args.slow)
    report(rows)
    failed = [r for r in rows if not r["ok"]]
    print("OK" if not failed else f"{len(failed)} page(s) exceed the limits")
    return 0 if args.no_check or not failed else 1


if __name__ == "__main__":
    sys.exit(main())
