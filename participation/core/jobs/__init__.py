"""Background jobs: work that must happen because of a change, but not while a person waits (mail,
digests, the search backlog, retention). Capabilities declare them in their Capability object::

    Capability(..., jobs=(Job("notifications.digest", digest_job, label=_l("E-mail digests")),),
               periodic=(Periodic("notifications.digest", "0 22 * * *", {"frequency": "daily"}),))

and services call ``enqueue("notifications.digest", frequency="daily")`` inside their transaction:
the job exists if and only if the change commits. Where it runs depends on JOBS_BACKEND
(see backends.py): a procrastinate queue in PostgreSQL worked by `flask jobs worker` in production,
a queue in the serving process in development, right after the commit in tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flask import Flask, current_app

EXTENSION_KEY = "participation.jobs"


@dataclass(frozen=True)
class Job:
    """A kind of job: ``function(**args)`` runs inside an app context, with JSON arguments.

    A failure is retried ``retries`` times, waiting ``backoff ** (attempt + 1)`` seconds before
    each (4 s, 16 s, 64 s... by default), then the job is kept as failed for an administrator
    to see and retry. A function must be safe to run again after a crash (idempotent).
    """

    name: str
    function: Callable[..., None]
    label: object = None  # lazy_gettext, shown in the administration's job list
    retries: int = 6
    backoff: int = 4
    queue: str = "default"


@dataclass(frozen=True)
class Periodic:
    """Run job ``job`` with ``args`` on a cron schedule (in UTC: Tokyo is UTC+9).

    Cluster-wide by default: one run per tick however many workers run. ``per_machine`` jobs
    keep something local up to date (a search index on local disk): every worker runs them.
    """

    job: str
    cron: str
    args: Mapping = field(default_factory=dict)
    per_machine: bool = False

    @property
    def id(self) -> str:
        return "-".join(f"{key}={value}" for key, value in sorted(self.args.items()))


def enqueue(name: str, *, key: str | None = None, delay: int | None = None, **args) -> None:
    """Run job ``name`` with ``args`` once the current transaction commits (nothing if it rolls
    back); outside a transaction, in a transaction of its own.

    ``key`` names the logical job: while one job with this key waits, enqueueing another with
    the same key does nothing. ``delay`` (seconds) runs it no sooner than that.
    """
    backend().enqueue(name, args, key=key, delay=delay)


def work(app: Flask | None = None) -> None:
    """Run every job due now, then return (tests, and `flask jobs worker --once`)."""
    backend(app).work()


def backend(app: Flask | None = None):
    return (app or current_app).extensions[EXTENSION_KEY]


def init_app(app: Flask) -> None:
    """Collect every capability's jobs and schedules; called by create_app once all are registered."""
    from ..capability import capabilities
    from .backends import make_backend

    jobs: dict[str, Job] = {}
    periodic: list[Periodic] = []
    for capability in capabilities(app):
        for job in capability.jobs:
            if job.name in jobs:
                raise RuntimeError(f"job {job.name!r} declared twice")
            jobs[job.name] = job
        periodic.extend(capability.periodic)
    for schedule in periodic:
        if schedule.job not in jobs:
            raise RuntimeError(f"periodic job {schedule.job!r} is not declared")
    app.extensions[EXTENSION_KEY] = make_backend(app, jobs, tuple(periodic))
