"""What an administrator can do with jobs: see them, and run a failed one again."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from ..action_log import log_action
from ..db import transaction
from ..errors import Refused
from ..models import User
from ..pagination import paginate_fetched
from . import backend
from .backends import STATES, JobView

__all__ = ["STATES", "STATE_LABELS", "JobRefused", "backend", "forget_failed", "job_label", "job_page", "retry_failed"]

STATE_LABELS = {
    "waiting": _l("Waiting"),
    "retrying": _l("Waiting to retry"),
    "running": _l("Running"),
    "failed": _l("Failed"),
    "cancelled": _l("Cancelled"),
    "aborted": _l("Aborted"),
}


class JobRefused(Refused):
    pass


def job_label(name: str) -> str:
    job = backend().jobs.get(name)
    return str(job.label) if job is not None and job.label else name


def job_page(state: str | None):
    """One page of the jobs in ``state`` (any unfinished or failed job when None), newest first."""
    state = state if state in STATES else None
    return paginate_fetched(lambda offset, limit: backend().listing(state, offset, limit))


def retry_failed(actor: User, job_id: int) -> JobView:
    """Queue a failed job once more (its automatic retries are spent), in the action log."""
    with transaction():
        job = backend().retry(job_id)
        if job is None:
            raise JobRefused(_l("This job is not waiting for a retry: it has run again or was removed."))
        log_action(actor, "job.retried", data={"job": job.id, "task": job.name})
    return job


def forget_failed(cutoff: datetime, dry_run: bool) -> int:
    """Retention of failed jobs (their arguments can hold an address or a name)."""
    with transaction():
        return backend().forget_failed(cutoff, dry_run)
