"""JOBS_BACKEND=database: procrastinate's queue in PostgreSQL. A job is inserted on the connection
of the transaction that causes it (connector.py) and run by `flask jobs worker` on any machine."""

from __future__ import annotations

import procrastinate
from procrastinate import exceptions as pexceptions
from sqlalchemy import make_url, text

from ...extensions import db
from ..db import transaction
from ..types import utcnow
from .backends import STATES, JobView, QueueBackend, log, outside_event_loop, state_of
from .models import ERROR_LENGTH, JobError


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
        papp = self.worker_app(with_periodic=False)
        outside_event_loop(papp.run_worker, wait=False, listen_notify=False, **self.worker_options())

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
            state = state_of(status, int(retried))
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
        views = [JobView(r.id, r.task_name, state_of(r.status, r.attempts), r.attempts, r.scheduled_at) for r in rows]
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

    def reset(self) -> None:
        """Tests only: empty the queue, as each test starts from an empty database."""
        if not self.app.testing:
            raise RuntimeError("emptying the job queue is for tests")
        from .schema import TABLES

        with self.app.app_context(), transaction():
            db.session.execute(text(f"TRUNCATE {', '.join(TABLES)}, job_errors RESTART IDENTITY CASCADE"))
