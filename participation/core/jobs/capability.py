"""The jobs mechanism as a capability the core always registers: the mail job, the worker command,
who may see and retry jobs, and how long failed ones are kept."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..capability import Capability
from ..mail import deliver
from ..models import Role
from ..permissions import has_role
from ..retention import RetentionCategory
from . import EXTENSION_KEY, Job
from . import models as _models  # noqa: F401 (the job_errors table)
from .cli import jobs_cli
from .services import forget_failed, job_label


def _start_in_process_worker() -> None:
    # Only a serving process starts the thread; a command-line process runs its jobs itself.
    from flask import current_app

    queue = current_app.extensions.get(EXTENSION_KEY)
    if queue is not None and queue.kind == "memory":
        queue.start()


def _retried_label(entry) -> str:
    return _("Retried the failed job “%(task)s”", task=job_label(entry.data.get("task", "?")))


def _init_app(app: Flask) -> None:
    app.before_request(_start_in_process_worker)


capability = Capability(
    name="jobs",
    cli=(jobs_cli,),
    permissions={"jobs.manage": has_role(Role.ADMIN)},
    action_labels={"job.retried": _retried_label},
    jobs=(Job("mail.send", deliver, label=_l("E-mail"), retries=8),),
    retention=(
        RetentionCategory(
            "jobs.failed",
            _l("Background jobs that failed"),
            30,
            forget_failed,
            _l("Failed jobs and their errors are deleted (their data may name the person a mail was for)."),
        ),
    ),
    init_app=_init_app,
)
