"""`flask jobs worker` (run it on every machine, next to the web server) and `flask jobs status`."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from contextlib import suppress

import click
from croniter import croniter
from flask import current_app
from flask.cli import with_appcontext
from procrastinate import utils as putils

from . import backend
from .backends import STATES

log = logging.getLogger(__name__)


@click.group("jobs")
def jobs_cli():
    """Background jobs: mail, digests, the search backlog, retention."""


@jobs_cli.command("worker")
@click.option("--once", is_flag=True, help="Run the jobs due now, then exit (no schedules).")
@click.option("--concurrency", default=4, show_default=True, help="Jobs run at the same time.")
@with_appcontext
def worker(once: bool, concurrency: int):
    """Run jobs as they are queued, retry failed ones with backoff, and start the periodic jobs
    (digests, retention, search sync). Stops cleanly on SIGTERM / Ctrl-C; a job it was running when
    killed outright is run again by another worker within a few minutes."""
    queue = backend()
    if queue.kind != "database":
        raise click.ClickException(
            f"JOBS_BACKEND is {queue.kind!r}: jobs run inside the serving process. "
            "A separate worker needs PostgreSQL and JOBS_BACKEND=database."
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if once:
        queue.work()
        return
    asyncio.run(_serve(queue, concurrency))


async def _serve(queue, concurrency: int) -> None:
    """Run the worker until SIGTERM / SIGINT. If it stops on its own (the database restarted or
    was unreachable), start it again after a pause: a restart of PostgreSQL needs no restart here."""
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    papp = queue.worker_app(with_periodic=True)
    async with papp.open_async():
        current = None

        def stop() -> None:
            stopping.set()
            if current is not None:
                current.cancel()  # procrastinate then finishes the jobs it is running

        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop)
        local = [asyncio.create_task(_per_machine(queue, s)) for s in queue.periodic if s.per_machine]
        pause = 1.0
        try:
            while not stopping.is_set():
                current = asyncio.create_task(papp.run_worker_async(**queue.worker_options(concurrency=concurrency)))
                started = time.monotonic()
                try:
                    await current
                except asyncio.CancelledError:
                    if stopping.is_set():
                        break
                    raise
                except Exception:
                    log.exception("the jobs worker stopped")
                if stopping.is_set():
                    break
                pause = 1.0 if time.monotonic() - started > 60 else min(pause * 2, 30.0)
                log.warning("the jobs worker stopped (is the database reachable?); starting again in %.0f s", pause)
                with suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), pause)
        finally:
            for task in local:
                task.cancel()


async def _per_machine(queue, schedule) -> None:
    """A schedule every machine keeps for itself (its own search index): run here, not queued."""
    times = croniter(schedule.cron, time.time())
    while True:
        await asyncio.sleep(max(times.get_next(float) - time.time(), 0))
        try:
            await putils.sync_to_async(queue.run, schedule.job, dict(schedule.args))
        except Exception:
            log.exception("periodic job %s failed on this machine", schedule.job)


@jobs_cli.command("status")
@with_appcontext
def status():
    """How many jobs wait, retry, run and failed."""
    counts = backend().counts()
    click.echo(f"backend: {current_app.config['JOBS_BACKEND']}")
    for state in STATES:
        click.echo(f"{state:<10}{counts.get(state, 0):>8}")
