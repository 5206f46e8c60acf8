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
from dataclasses import dataclass
from datetime import datetime

import procrastinate
from flask import Flask

from ..db import on_commit, transaction
from . import Job, Periodic

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


def outside_event_loop(function, *args, **kwargs):
    """Call ``function`` (which runs an event loop of its own) from a thread that has none: a
    caller already inside one (Playwright's synchronous API in the browser tests) would refuse it."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    result, error = [], []

    def call():
        try:
            result.append(function(*args, **kwargs))
        except BaseException as exc:  # re-raised in the caller's thread
            error.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


def state_of(status: str, attempts: int) -> str:
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


def make_backend(app: Flask, jobs: dict[str, Job], periodic: tuple[Periodic, ...]) -> Backend:
    from .database import DatabaseBackend
    from .memory import MemoryBackend

    backends = {"inline": InlineBackend, "memory": MemoryBackend, "database": DatabaseBackend}
    return backends[app.config["JOBS_BACKEND"]](app, jobs, periodic)
