"""Proposals benchmark: the pages of a consultation must not slow down as it grows.

Builds a small data set (10 proposals) and a large one (10,000 proposals, 200,000 supports in one
consultation; comments are added by ``make_comments`` once the comments capability exists), then
measures, for a visitor and a signed-in resident, the SQL query count and the median server time of:
the proposal list (default sort, most supported, most commented when it exists, random), one
proposal page and the consultation page. Requirement: the same query count for both sizes, and the
median growing by at most 1.5x.

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
from participation.core.models import District, Role, RoleGrant, User  # noqa: E402
from participation.core.types import LocalizedText, local_today  # noqa: E402
from participation.extensions import db  # noqa: E402
from participation.processes.models import Phase, Process, ProcessCategory  # noqa: E402
from participation.proposals.models import AnswerState, Proposal, Support  # noqa: E402

PASSWORD = "benchmark password"  # noqa: S105 (throwaway accounts of a temporary database)
FAST_HASH = "pbkdf2:sha256:1"  # the accounts are throwaway; hashing 4,000 strong hashes takes minutes
SMALL = {"proposals": 10, "supports": 200, "comments_on_one": 20, "comments": 100}
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
    "MAIL_IN_BACKGROUND": False,
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
        support_threshold=100,
        supports_per_resident=None,
    )
    process.phases.append(
        Phase(
            title=LocalizedText({"ja": "提案と賛同", "en": "Proposals and supports"}),
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=30),
            proposals_open=True,
            supports_open=True,
            comments_open=True,
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
    process.proposals_count = n_proposals
    _bulk(
        Support.__table__,
        [{"proposal_id": proposal_ids[p], "user_id": user_ids[u], "created_at": now} for p, u in sorted(pairs)],
    )
    comments = make_comments(process.id, proposal_ids[0], proposal_ids, user_ids, sizes)
    db.session.commit()
    data = DataSet(process.id, proposal_ids[0], f"bench{n_users - 1}@example.jp")
    data.counts = {"proposals": n_proposals, "supports": len(pairs), "users": n_users, "comments": comments}
    return data


def make_comments(process_id, proposal_id, proposal_ids, user_ids, sizes) -> int | None:
    """``sizes["comments_on_one"]`` comments on ``proposal_id`` and ``sizes["comments"]`` in all over
    ``proposal_ids``, bulk-inserted. Returns how many, or None when comments do not exist yet.

    TODO(lead, after the comments branch merges): insert the rows with ``_bulk(Comment.__table__, rows)``
    and keep each commentable's comments counter in step (as the comments service does)."""
    try:
        import participation.core.comments  # noqa: F401
    except ImportError:
        return None
    return None


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
    large["proposals"] = max(large["proposals"], SMALL["proposals"])
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
