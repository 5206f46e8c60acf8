"""JOBS_BACKEND=memory: procrastinate's in-memory queue, worked by a thread of the serving process
(the development server needs no other process). A process that serves nothing (a command) runs
its jobs right after their commit. Nothing survives a restart."""

from __future__ import annotations

import asyncio
import threading
import time
from contextlib import suppress

from procrastinate import exceptions as pexceptions
from procrastinate.testing import InMemoryConnector

from ..db import on_commit
from ..types import utcnow
from .backends import STATES, JobView, QueueBackend, outside_event_loop, state_of
from .models import ERROR_LENGTH


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
            outside_event_loop(deferrer.defer, **args)
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
            outside_event_loop(self.papp.run_worker, wait=False, listen_notify=False, **self.worker_options())
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
            state = state_of(row["status"], row["attempts"])
            counts[state] = counts.get(state, 0) + 1
        return counts

    def listing(self, state, offset, limit):
        rows = [r for r in self._rows() if state is None or state_of(r["status"], r["attempts"]) == state]
        rows.sort(key=lambda r: -r["id"])
        views = [
            JobView(r["id"], r["task_name"], state_of(r["status"], r["attempts"]), r["attempts"], r["scheduled_at"])
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
        outside_event_loop(self.papp.job_manager.retry_job_by_id, job_id, retry_at=utcnow())
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
