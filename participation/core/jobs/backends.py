"""Where jobs run, by JOBS_BACKEND:

- ``database``: a procrastinate queue in PostgreSQL. A job is inserted in the transaction of the
  change that causes it and run by `flask jobs worker` (any number, on any machine): retried with
  backoff, picked up again when a worker dies mid-job. Required in production.
- ``memory``: procrastinate's in-memory queue, worked by a thread in the serving process (the
  development server needs no extra process); a command-line process runs its jobs right after the
  commit. Nothing survives a restart.
- ``inline``: right after the commit, in the caller's thread (tests: deterministic, no state).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime

import procrastinate
from flask import Flask
from procrastinate import exceptions as pexceptions
from procrastinate.testing import InMemoryConnector
from sqlalchemy import make_url, text

from ...extensions import db
from ..db import on_commit, transaction
from ..types import utcnow
from . import Job, Periodic
from .models import ERROR_LENGTH, JobError

log = logging.getLogger(__name__)


class _WithoutArguments(logging.Filter):
    """procrastinate writes each job's arguments into its log lines; ours hold addresses, names and
    password-reset links, so the logs name a job by its task and id only."""

    def filter(self, record: logging.LogRecord) -> bool:
        job = getattr(record, "job", None)
        if isinstance(job, dict) and job.get("call_string"):
            record.msg = record.getMessage().replace(job["call_string"], f"{job.get('task_name')}[{job.get('id')}]")
            record.args = None
            record.job = {k: v for k, v in job.items() if k not in ("call_string", "task_kwargs")}
        return True


WORKER_NAME = "participation"  # procrastinate logs a worker's lines as procrastinate.worker.<name>
_REDACT = _WithoutArguments()
for _name in ("worker", f"worker.{WORKER_NAME}", "jobs", "manager", "periodic", "app", "tasks", "blueprints"):
    logging.getLogger(f"procrastinate.{_name}").addFilter(_REDACT)
for _name in [n for n in logging.root.manager.loggerDict if n.startswith("procrastinate")]:
    logging.getLogger(_name).addFilter(_REDACT)

STATES = ("waiting", "retrying", "running", "failed")
STALLED_AFTER = 60  # seconds without a heartbeat before a worker's running jobs are retried


@dataclass
class JobView:
    """One job as the administration lists it (never its arguments: they may hold personal data)."""

    id: int
    name: str
    state: str
    attempts: int
    scheduled_at: datetime | None
    error: str | None = None


def _state(status: str, attempts: int) -> str:
    if status == "todo":
        return "retrying" if attempts else "waiting"
    return {"doing": "running"}.get(status, status)


class Backend:
    kind = ""

    def __init__(self, app: Flask, jobs: dict[str, Job], periodic: tuple[Periodic, ...]):
        self.app, self.jobs, self.periodic = app, jobs, periodic

    def enqueue(self, name: str, args: dict, *, key: str | None, delay: int | None) -> None:
        if name not in self.jobs:
            raise LookupError(f"unknown job {name!r}")
        json.dumps(args)  # fail in the caller, not in the worker, on arguments that are not JSON
        with transaction():
            self._defer(name, args, key=key, delay=delay)

    def _defer(self, name, args, *, key, delay) -> None:
        raise NotImplementedError

    def work(self) -> None:
        """Run what is due now (nothing to do where jobs run right after their commit)."""

    def run(self, name: str, args: dict, *, job_id: int | None = None, attempt: int = 1) -> None:
        """Run one job's function in an app context of its own (its own session and transaction),
        with a request context at the site's public address so links can be built."""
        base_url = self.app.config["PUBLIC_URL"]
        with self.app.app_context(), self.app.test_request_context("/", base_url=base_url):
            try:
                self.jobs[name].function(**args)
            except Exception as exc:
                if job_id is not None:
                    self.record_failure(job_id, name, attempt, exc)
                raise
            if job_id is not None and attempt > 1:
                self.forget_errors(job_id)

    def record_failure(self, job_id: int, name: str, attempt: int, exc: Exception) -> None:
        pass

    def forget_errors(self, job_id: int) -> None:
        pass

    # --- what the administration shows -------------------------------------------------------

    def counts(self) -> dict[str, int]:
        return dict.fromkeys(STATES, 0)

    def listing(self, state: str | None, offset: int, limit: int) -> tuple[list[JobView], int]:
        return [], 0

    def retry(self, job_id: int) -> JobView | None:
        """Queue a failed job again; None when there is no failed job with that id."""
        return None

    def forget_failed(self, cutoff: datetime, dry_run: bool) -> int:
        return 0

    def reset(self) -> None:
        """Forget every job kept outside the database (tests start each one from nothing)."""


class InlineBackend(Backend):
    kind = "inline"

    def _defer(self, name, args, *, key, delay) -> None:
        on_commit(lambda: self._run_now(name, args), key=key and f"job:{key}")

    def _run_now(self, name: str, args: dict) -> None:
        # The change has committed: like a queued job, a failure here is logged, not the caller's.
        try:
            self.run(name, args)
        except Exception:
            log.exception("job %s failed", name)


class QueueBackend(Backend):
    """The procrastinate queues: jobs declared as procrastinate tasks, failures kept for review."""

    def build(self, connector, *, with_periodic: bool) -> procrastinate.App:
        papp = procrastinate.App(connector=connector)
        for job in self.jobs.values():
            papp.task(
                name=job.name,
                queue=job.queue,
                pass_context=True,
                retry=procrastinate.RetryStrategy(max_attempts=job.retries, exponential_wait=job.backoff),
            )(self._task_function(job))
        papp.task(name="jobs.retry_stalled", queue="default", pass_context=True)(_retry_stalled)
        if with_periodic:
            papp.periodic(cron="* * * * *", queueing_lock="jobs.retry_stalled")(papp.tasks["jobs.retry_stalled"])
            for schedule in self.periodic:
                if not schedule.per_machine:
                    papp.periodic(
                        cron=schedule.cron,
                        periodic_id=schedule.id,
                        task_kwargs=dict(schedule.args),
                        queueing_lock=f"periodic:{schedule.job}:{schedule.id}",
                    )(papp.tasks[schedule.job])
        return papp

    def _task_function(self, job: Job):
        def run(context, timestamp: int | None = None, **args):  # periodic jobs also get `timestamp`
            self.run(job.name, args, job_id=context.job.id, attempt=context.job.attempts + 1)

        run.__name__ = job.name.replace(".", "_")
        return run

    def _deferrer(self, papp: procrastinate.App, name, key, delay):
        return papp.configure_task(name, queueing_lock=key, schedule_in={"seconds": delay} if delay else None)

    def worker_options(self, **overrides) -> dict:
        options = {
            "install_signal_handlers": False,
            "delete_jobs": "successful",  # mail arguments are personal data; keep only what failed
            "stalled_worker_timeout": STALLED_AFTER,
            "update_heartbeat_interval": 10,
            "name": WORKER_NAME,
        }
        options.update(overrides)
        return options


async def _retry_stalled(context, timestamp: int | None = None) -> None:
    """Jobs whose worker stopped sending heartbeats (killed, machine lost) run again."""
    manager = context.app.job_manager
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER):
        log.warning("job %s[%s] was running on a worker that stopped; retrying it", job.task_name, job.id)
        await manager.retry_job(job)


class MemoryBackend(QueueBackend):
    kind = "memory"

    def __init__(self, app, jobs, periodic):
        super().__init__(app, jobs, periodic)
        self.connector = InMemoryConnector()
        self.papp = self.build(self.connector, with_periodic=False)
        self.errors: dict[int, str] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._task: asyncio.Task | None = None

    def _defer(self, name, args, *, key, delay) -> None:
        on_commit(lambda: self._defer_now(name, args, key, delay), key=key and f"job:{key}")

    def _defer_now(self, name, args, key, delay) -> None:
        deferrer = self._deferrer(self.papp, name, key, delay)
        try:
            if self._loop is not None:  # the serving thread owns the queue: hand it the job
                asyncio.run_coroutine_threadsafe(deferrer.defer_async(**args), self._loop).result(timeout=30)
                return
            deferrer.defer(**args)
        except pexceptions.AlreadyEnqueued:
            return
        self.work()

    def work(self) -> None:
        if self._loop is not None:  # the serving thread runs them: wait until it has
            self._wait_idle()
            return
        # A job enqueued by a job is picked up by the run already under way.
        if not self._lock.acquire(blocking=False):
            return
        try:
            self.papp.run_worker(wait=False, listen_notify=False, **self.worker_options())
        finally:
            self._lock.release()

    def _wait_idle(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            now = utcnow()
            busy = [
                row
                for row in self.connector.jobs.copy().values()
                if row["status"] == "doing" or (row["status"] == "todo" and (row["scheduled_at"] or now) <= now)
            ]
            if not busy:
                return
            time.sleep(0.01)

    def start(self) -> None:
        """Work the queue from a thread of this (serving) process, periodic jobs included."""
        with self._lock:
            if self._thread is not None:
                return
            ready = threading.Event()
            self._thread = threading.Thread(target=self._serve, args=(ready,), name="participation-jobs", daemon=True)
            self._thread.start()
        ready.wait(timeout=10)

    def _serve(self, ready: threading.Event) -> None:
        papp = self.build(self.connector, with_periodic=True)

        async def serve():
            async with papp.open_async():
                self._task = asyncio.current_task()
                self._loop = asyncio.get_running_loop()
                ready.set()
                with suppress(asyncio.CancelledError):  # stop() cancels it
                    await papp.run_worker_async(**self.worker_options(fetch_job_polling_interval=0.2))

        try:
            asyncio.run(serve())
        finally:
            self._loop = None
            ready.set()

    def stop(self) -> None:
        """Stop the thread after the job it is running (tests; a serving process just exits)."""
        thread, loop = self._thread, self._loop
        if thread is None:
            return
        if loop is not None:
            loop.call_soon_threadsafe(self._task.cancel)
        thread.join(timeout=30)
        self._thread = None
        self.connector.on_notification = None  # the stopped thread's loop listened; nobody does now
        self.connector.notify_channels = []

    def reset(self) -> None:
        self.stop()
        self.connector.reset()
        self.errors.clear()

    def record_failure(self, job_id, name, attempt, exc) -> None:
        self.errors[job_id] = f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH]

    def forget_errors(self, job_id) -> None:
        self.errors.pop(job_id, None)

    def _rows(self) -> list[dict]:
        return [row for row in self.connector.jobs.copy().values() if row["status"] != "succeeded"]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATES, 0)
        for row in self._rows():
            state = _state(row["status"], row["attempts"])
            counts[state] = counts.get(state, 0) + 1
        return counts

    def listing(self, state, offset, limit):
        rows = [r for r in self._rows() if state is None or _state(r["status"], r["attempts"]) == state]
        rows.sort(key=lambda r: -r["id"])
        views = [
            JobView(r["id"], r["task_name"], _state(r["status"], r["attempts"]), r["attempts"], r["scheduled_at"])
            for r in rows[offset : offset + limit]
        ]
        for view in views:
            view.error = self.errors.get(view.id)
        return views, len(rows)

    def retry(self, job_id):
        row = self.connector.jobs.get(job_id)
        if row is None or row["status"] != "failed":
            return None
        view = JobView(job_id, row["task_name"], "failed", row["attempts"], row["scheduled_at"])
        on_commit(lambda: self._retry_now(job_id))
        return view

    def _retry_now(self, job_id) -> None:
        if self._loop is not None:
            coroutine = self.papp.job_manager.retry_job_by_id_async(job_id, retry_at=utcnow())
            asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=30)
            return
        self.papp.job_manager.retry_job_by_id(job_id, retry_at=utcnow())
        self.work()

    def forget_failed(self, cutoff, dry_run) -> int:
        old = [
            job_id
            for job_id, row in self.connector.jobs.copy().items()
            if row["status"] in ("failed", "cancelled", "aborted")
            and max(
                (e["at"] for e in self.connector.events.get(job_id, ()) if e["type"] != "scheduled"), default=cutoff
            )
            < cutoff
        ]
        if not dry_run:
            for job_id in old:
                self.connector.jobs.pop(job_id, None)
                self.errors.pop(job_id, None)
        return len(old)


class DatabaseBackend(QueueBackend):
    kind = "database"

    def __init__(self, app, jobs, periodic):
        super().__init__(app, jobs, periodic)
        from .connector import SessionConnector

        self.papp = self.build(SessionConnector(), with_periodic=False)

    def _defer(self, name, args, *, key, delay) -> None:
        deferrer = self._deferrer(self.papp, name, key, delay)
        if key is None:
            deferrer.defer(**args)
            return
        try:
            with db.session.begin_nested():  # a refused duplicate must not abort the transaction
                deferrer.defer(**args)
        except pexceptions.AlreadyEnqueued:
            pass

    def worker_app(self, *, with_periodic: bool) -> procrastinate.App:
        """The app `flask jobs worker` runs: procrastinate's own connector, listening for new jobs."""
        url = make_url(self.app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
        connector = procrastinate.PsycopgConnector(conninfo=url.render_as_string(hide_password=False))
        return self.build(connector, with_periodic=with_periodic)

    def work(self) -> None:
        self.worker_app(with_periodic=False).run_worker(wait=False, listen_notify=False, **self.worker_options())

    def record_failure(self, job_id, name, attempt, exc) -> None:
        try:
            with transaction():
                message = f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH]
                db.session.add(JobError(job_id=job_id, task_name=name, attempt=attempt, error=message))
        except Exception:  # e.g. the database itself is what failed; the worker logs the error anyway
            log.exception("could not record the failure of job %s", job_id)

    def forget_errors(self, job_id) -> None:
        with transaction():
            db.session.execute(db.delete(JobError).where(JobError.job_id == job_id))

    _FILTERS = {
        None: "TRUE",
        "waiting": "status = 'todo' AND attempts = 0",
        "retrying": "status = 'todo' AND attempts > 0",
        "running": "status = 'doing'",
        "failed": "status = 'failed'",
    }

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATES, 0)
        rows = db.session.execute(
            text("SELECT status::text, attempts > 0, count(*) FROM procrastinate_jobs GROUP BY 1, 2")
        )
        for status, retried, number in rows:
            state = _state(status, int(retried))
            counts[state] = counts.get(state, 0) + number
        return counts

    def listing(self, state, offset, limit):
        where = self._FILTERS[state]
        total = db.session.execute(text(f"SELECT count(*) FROM procrastinate_jobs WHERE {where}")).scalar()  # noqa: S608 (fixed filters)
        rows = db.session.execute(
            text(
                "SELECT id, task_name, status::text, attempts, scheduled_at FROM procrastinate_jobs "  # noqa: S608
                f"WHERE {where} ORDER BY id DESC LIMIT :limit OFFSET :offset"
            ),
            {"limit": limit, "offset": offset},
        ).all()
        views = [JobView(r.id, r.task_name, _state(r.status, r.attempts), r.attempts, r.scheduled_at) for r in rows]
        if views:
            errors = db.session.execute(
                db.select(JobError.job_id, JobError.error)
                .where(JobError.job_id.in_([v.id for v in views]))
                .order_by(JobError.id)
            ).all()
            latest = dict(errors)  # the last attempt's error wins
            for view in views:
                view.error = latest.get(view.id)
        return views, total

    def retry(self, job_id):
        row = db.session.execute(
            text(
                "SELECT id, task_name, attempts FROM procrastinate_jobs WHERE id = :id AND status = 'failed' FOR UPDATE"
            ),
            {"id": job_id},
        ).first()
        if row is None:
            return None
        self.papp.job_manager.retry_job_by_id(job_id, retry_at=utcnow())
        return JobView(row.id, row.task_name, "failed", row.attempts, None)

    def forget_failed(self, cutoff, dry_run) -> int:
        condition = (
            "FROM procrastinate_jobs j WHERE j.status IN ('failed', 'cancelled', 'aborted') AND NOT EXISTS "
            "(SELECT 1 FROM procrastinate_events e WHERE e.job_id = j.id AND e.type <> 'scheduled' AND e.at >= :cutoff)"
        )
        params = {"cutoff": cutoff}
        if dry_run:
            return db.session.execute(text(f"SELECT count(*) {condition}"), params).scalar()  # noqa: S608
        deleted = db.session.execute(text(f"DELETE {condition}"), params).rowcount  # noqa: S608
        db.session.execute(text("DELETE FROM job_errors WHERE job_id NOT IN (SELECT id FROM procrastinate_jobs)"))
        return deleted


BACKENDS = {"inline": InlineBackend, "memory": MemoryBackend, "database": DatabaseBackend}


def make_backend(app: Flask, jobs: dict[str, Job], periodic: tuple[Periodic, ...]) -> Backend:
    return BACKENDS[app.config["JOBS_BACKEND"]](app, jobs, periodic)
