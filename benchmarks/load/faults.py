"""Faults on purpose, then a look at the database: nothing lost, nothing done twice.

1. A gunicorn worker is SIGKILLed in the middle of a burst of supports, of comments and of rights
   requests (each with a unique marker). Right after: no marker exists twice, and every request that
   was answered "done" is in the database. The residents then send again what failed (a person
   pressing the button again); finally every marker exists exactly once, every proposal's support
   counter equals its supports, and each rights request's acknowledgement mail arrived once.
2. The jobs worker is SIGKILLed while it is delivering a mail (the SMTP sink holds the DATA
   command). A new worker retries the job once the dead one's heartbeat is stale; each mail
   arrives exactly once.
3. The search index has caught up: the comments' markers are found through /search.
4. PostgreSQL restarts during a run: requests get the 503 page meanwhile, then succeed again, with
   the same gunicorn workers (no restart of the app).

Loopback only, bounded (a few minutes), stops by itself. Needs a disposable cluster (see stack.py);
--restart-command restarts it (default: pg_ctlcluster 15 faults restart).

    .venv/bin/python benchmarks/load/faults.py [--database-url ...] [--port 8331]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import smtp_sink  # noqa: E402
import stack  # noqa: E402

RESIDENTS = 30
FLASH = re.compile(r'class="flash flash--error">([^<]+)')


def say(text: str) -> None:
    print(text, flush=True)


def check(condition: bool, text: str, failures: list) -> None:
    say(("  ok    " if condition else "  FAIL  ") + text)
    if not condition:
        failures.append(text)


class Site:
    def __init__(self, args, work: Path):
        self.args, self.work = args, work
        self.sink = smtp_sink.Sink()
        self.env = stack.environment(args.database_url, work / "instance", args.port)
        self.env.update(
            {
                "PARTICIPATION_MAIL_BACKEND": "smtp",
                "MAIL_SERVER": "127.0.0.1",
                "MAIL_PORT": str(self.sink.port),
                "MAIL_USE_TLS": "false",
            }
        )
        self.base = f"http://127.0.0.1:{args.port}"

    def start(self):
        stack.prepare(self.args.database_url, self.env, residents=RESIDENTS)
        self.ids = stack.targets(self.env)
        self.app = stack.site_app(self.env)
        self.server = stack.start_gunicorn(self.env, self.args.port, self.work)
        self.worker = stack.start_worker(self.env, self.work)

    def stop(self):
        self.worker.stop()
        self.server.stop()
        self.sink.close()

    def sql(self, query: str, **params):
        from sqlalchemy import text

        from participation.extensions import db

        with self.app.app_context():
            rows = db.session.execute(text(query), params).all()
            db.session.remove()
        return rows

    def kill_a_web_worker(self) -> int:
        pid = self.server.children()[0]
        os.kill(pid, signal.SIGKILL)
        return pid


def _outcome(response: httpx.Response) -> str:
    if response.status_code != 302:
        return f"HTTP {response.status_code}"
    location = response.headers.get("Location", "")
    if "/comments-" in location or "#comments-" in location:
        return "refused"  # a comment sent back to its form
    return "done"


async def _post_all(site: Site, posts, kill_after: float) -> dict:
    """Send every (client, path, data) at once; SIGKILL a web worker ``kill_after`` s in. Returns
    index -> "done" | "failed"."""
    outcome = {}

    async def one(i, client, path, data):
        try:
            response = await client.post(path, data=data)
            outcome[i] = _outcome(response)
            if outcome[i] == "refused":  # say why: the message the page shows
                page = await client.get(response.headers["Location"])
                outcome[i] += ": " + " / ".join(FLASH.findall(page.text))
        except httpx.HTTPError as exc:
            outcome[i] = f"failed ({type(exc).__name__})"

    async def killer():
        await asyncio.sleep(kill_after)
        say(f"  SIGKILL web worker {site.kill_a_web_worker()}")

    await asyncio.gather(killer(), *(one(i, *post) for i, post in enumerate(posts)))
    return outcome


async def _residents(site: Site, count: int):
    clients = [httpx.AsyncClient(base_url=site.base, timeout=30) for _ in range(count)]
    tokens = [await stack.sign_in(c, f"load{n}@example.jp") for n, c in enumerate(clients)]
    return clients, tokens


async def _resend(posts, outcome) -> None:
    for i, (client, path, data) in enumerate(posts):
        for _attempt in range(5):
            if outcome[i] == "done":
                break
            await asyncio.sleep(1)
            try:
                response = await client.post(path, data=data)
                outcome[i] = _outcome(response)
            except httpx.HTTPError:
                outcome[i] = "failed"


async def web_worker_kills(site: Site, failures: list) -> list[str]:
    say("1. a web worker killed in the middle of supports, comments and rights requests")
    clients, tokens = await _residents(site, RESIDENTS)
    run = uuid.uuid4().hex[:8]
    support_targets = site.ids["support"]
    supports = [
        (c, f"/proposals/{support_targets[n % len(support_targets)]}/support", {"csrf_token": t})
        for n, (c, t) in enumerate(zip(clients, tokens, strict=True))
    ]
    comment_markers = [f"faultmark{run}c{n}" for n in range(RESIDENTS)]
    comments = [
        (
            c,
            f"/comments/proposal/{site.ids['comment'][n % len(site.ids['comment'])]}",
            {"csrf_token": t, "body": f"障害試験のコメント {comment_markers[n]}", "stance": "neutral"},
        )
        for n, (c, t) in enumerate(zip(clients, tokens, strict=True))
    ]
    anonymous = [httpx.AsyncClient(base_url=site.base, timeout=30) for _ in range(RESIDENTS)]
    rights, rights_markers = [], [f"faultmark{run}r{n}" for n in range(RESIDENTS)]
    for n, client in enumerate(anonymous):
        token = stack.CSRF.search((await client.get("/rights/new")).text).group(1)
        data = {
            "csrf_token": token,
            "kind": "disclosure",
            "about": "platform",
            "details": f"開示請求 {rights_markers[n]}",
            "contact_email": f"{rights_markers[n]}@example.jp",
        }
        rights.append((client, "/rights/new", data))

    for name, posts, markers in (
        ("supports", supports, None),
        ("comments", comments, comment_markers),
        ("rights requests", rights, rights_markers),
    ):
        outcome = await _post_all(site, posts, kill_after=0.15)
        failed = [i for i, o in outcome.items() if o != "done"]
        say(
            f"  {name}: {len(posts) - len(failed)} answered, {len(failed)} not: {dict(Counter(outcome[i] for i in failed))}"
        )
        if markers:
            table = "comments" if name == "comments" else "rights_requests"
            column = "body" if name == "comments" else "details"
            counts = _marker_counts(site, table, column, markers)
            check(all(v <= 1 for v in counts.values()), f"{name}: no marker stored twice after the kill", failures)
            check(
                all(counts[markers[i]] == 1 for i, o in outcome.items() if o == "done"),
                f"{name}: every request answered 'done' is stored",
                failures,
            )
            await _resend(posts, outcome)
            counts = _marker_counts(site, table, column, markers)
            check(
                set(counts.values()) == {1}, f"{name}: after resending, each of {len(markers)} exactly once", failures
            )
        else:
            await _resend(posts, outcome)
            rows = site.sql(
                "SELECT proposal_id, user_id, count(*) AS n FROM proposals_supports GROUP BY 1, 2 HAVING count(*) > 1"
            )
            check(rows == [], "supports: nobody supports a proposal twice", failures)
            drift = site.sql(
                "SELECT p.id FROM proposals_proposals p LEFT JOIN proposals_supports s ON s.proposal_id = p.id "
                "GROUP BY p.id, p.supports_count HAVING p.supports_count <> count(s.id)"
            )
            check(drift == [], "supports: every proposal's counter equals its supports", failures)
            supported = site.sql(
                "SELECT count(*) FROM proposals_supports s JOIN users u ON u.id = s.user_id WHERE u.email LIKE 'load%'"
            )[0][0]
            check(
                supported >= RESIDENTS,
                f"supports: all {RESIDENTS} residents' supports are stored ({supported})",
                failures,
            )
    for client in clients + anonymous:
        await client.aclose()
    # Each filed request's acknowledgement: queued with it, delivered by the jobs worker, once.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(site.sink.recipients_matching(f"faultmark{run}r")) < RESIDENTS:
        await asyncio.sleep(1)
    received = Counter(site.sink.recipients_matching(f"faultmark{run}r"))
    check(
        len(received) == RESIDENTS and set(received.values()) == {1},
        f"rights: {len(received)} acknowledgement mails, each once",
        failures,
    )
    return comment_markers


def _marker_counts(site, table, column, markers) -> dict[str, int]:
    counts = dict.fromkeys(markers, 0)
    rows = site.sql(f"SELECT {column} FROM {table} WHERE {column} LIKE :p", p=f"%{markers[0][:17]}%")  # noqa: S608
    for (value,) in rows:
        for marker in markers:
            if marker + " " in value + " ":
                counts[marker] += 1
    return counts


async def jobs_worker_kill(site: Site, failures: list) -> None:
    say("2. the jobs worker killed in the middle of a mail job")
    people = [f"load{n}@example.jp" for n in range(5)]
    site.sink.hold_data.set()  # the next delivery waits at DATA, mid-conversation
    async with httpx.AsyncClient(base_url=site.base, timeout=30) as client:
        for email in people:
            token = stack.CSRF.search((await client.get("/password/forgot")).text).group(1)
            await client.post("/password/forgot", data={"email": email, "csrf_token": token})
    if not site.sink.in_data.wait(60):
        check(False, "a delivery started", failures)
        return
    os.kill(site.worker.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    say(f"  SIGKILL jobs worker {site.worker.pid} while it waited on the mail server")
    site.sink.hold_data.clear()
    site.sink.release.set()
    site.worker.popen.wait(10)
    site.worker = stack.start_worker(site.env, site.work)
    deadline = killed_at + 240
    while time.monotonic() < deadline and len(set(site.sink.recipients_matching("load"))) < len(people):
        await asyncio.sleep(1)
    got = Counter(r for r in site.sink.recipients_matching("load") if r in people)
    say(f"  all delivered {time.monotonic() - killed_at:.0f} s after the kill (stale heartbeat, then retry)")
    check(sorted(got) == sorted(people) and set(got.values()) == {1}, "each reset mail arrived exactly once", failures)
    log = (site.work / "jobs-worker.log").read_text(errors="replace")
    retried = [line for line in log.splitlines() if "was running on a worker that stopped; retrying it" in line]
    say(f"  worker log: {retried[-1].split(': ', 1)[-1] if retried else 'no retry logged'}")
    check(len(retried) >= 1, "the interrupted job was retried by the stalled-job check", failures)


def _found(page: httpx.Response, marker: str) -> bool:
    """The marker in a result (the page also repeats the query in its search box)."""
    results = page.text.partition('class="search-list"')[2]
    return marker in results


async def search_caught_up(site: Site, markers: list[str], failures: list) -> None:
    say("3. the search index caught up")
    deadline = time.monotonic() + 120
    missing = markers
    async with httpx.AsyncClient(base_url=site.base, timeout=30) as client:
        while missing and time.monotonic() < deadline:
            missing = [m for m in missing if not _found(await client.get("/search", params={"q": m}), m)]
            if missing:
                await asyncio.sleep(5)
    check(
        not missing,
        f"every comment marker is found by /search ({len(markers) - len(missing)}/{len(markers)})",
        failures,
    )


async def database_restart(site: Site, failures: list) -> None:
    say("4. PostgreSQL restarted during a run")
    workers_before = sorted(site.server.children())
    statuses: list[tuple[float, int | str]] = []
    stop_at = time.monotonic() + 40
    clients, _tokens = await _residents(site, 4)

    async def browse(client, n):
        paths = ["/", f"/proposals/{site.ids['proposals'][n]}", "/processes", "/sensors"]
        i = 0
        while time.monotonic() < stop_at:
            try:
                response = await client.get(paths[i % len(paths)])
                statuses.append((time.monotonic(), response.status_code))
                if response.status_code == 503:
                    assert "一時的にご利用いただけません" in response.text
            except httpx.HTTPError as exc:
                statuses.append((time.monotonic(), type(exc).__name__))
            i += 1
            await asyncio.sleep(0.05)

    async def restart():
        await asyncio.sleep(8)
        say(f"  {site.args.restart_command}")
        started = time.monotonic()
        await asyncio.to_thread(subprocess.run, shlex.split(site.args.restart_command), check=True)  # noqa: S603
        return started, time.monotonic()

    results = await asyncio.gather(restart(), *(browse(c, n) for n, c in enumerate(clients)))
    began, ended = results[0]
    for client in clients:
        await client.aclose()
    before = Counter(s for t, s in statuses if t < began)
    during = Counter(s for t, s in statuses if began <= t <= ended + 2)
    after = Counter(s for t, s in statuses if t > ended + 2)
    say(f"  before: {dict(before)}  during (restart took {ended - began:.1f} s): {dict(during)}  after: {dict(after)}")
    unavailable = [t for t, s in statuses if s == 503]
    if unavailable:
        say(
            f"  503 from {unavailable[0] - began:.1f} s to {unavailable[-1] - began:.1f} s after the restart began; "
            f"200 again {min((t for t, s in statuses if t > unavailable[-1] and s == 200), default=0) - ended:+.1f} s "
            "after it finished"
        )
    check(set(before) == {200}, "before: every page 200", failures)
    check(set(during) <= {200, 503}, "during: only 200 or the 503 page (no 500, no dropped connection)", failures)
    check(set(after) == {200} and after[200] > 0, "after: every page 200 again", failures)
    check(sorted(site.server.children()) == workers_before, "the same gunicorn workers (no restart)", failures)
    check(site.worker.popen.poll() is None, "the jobs worker is still running", failures)


async def main_async(site: Site) -> list[str]:
    failures: list[str] = []
    markers = await web_worker_kills(site, failures)
    await jobs_worker_kill(site, failures)
    await search_caught_up(site, markers, failures)
    await database_restart(site, failures)
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=stack.DEFAULT_DATABASE_URL)
    parser.add_argument("--port", type=int, default=8331)
    parser.add_argument("--restart-command", default="pg_ctlcluster 15 faults restart")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="participation-faults-"))
    site = Site(args, work)
    say(f"preparing {args.database_url} (logs in {work})")
    site.start()
    try:
        failures = asyncio.run(asyncio.wait_for(main_async(site), timeout=900))
    finally:
        site.stop()
    say(f"{'all checks passed' if not failures else f'{len(failures)} check(s) failed'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
