"""`flask search sync | rebuild | stats`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from .backend import backend
from .documents import declarations


@click.group("search")
def search_cli():
    """The search index."""


def sync_job() -> None:
    """The "search.sync" job: every change in the feed this index has not seen yet (a bulk import's
    backlog, another machine's changes)."""
    backend().sync(timeout=current_app.config["SEARCH_SYNC_TIMEOUT"])


@search_cli.command("sync")
@with_appcontext
def sync():
    """Apply every change in the feed this index has not seen yet (from any machine)."""
    found = backend()
    applied = found.sync(timeout=current_app.config["SEARCH_SYNC_TIMEOUT"])
    left = found.pending()
    click.echo(f"Applied {applied} pending change(s); {left} left.")
    if left and found.name == "postgresql":
        raise click.ClickException("other workers hold the remaining changes; run `flask search sync` again")
    if left and not applied:
        raise click.ClickException("the index stayed locked; run `flask search sync` again")


@search_cli.command("rebuild")
@click.option("--workers", type=int, default=None, help="processes analysing text (default: the setting)")
@with_appcontext
def rebuild(workers):
    """Build a fresh index from the database and swap it in (searches keep working meanwhile)."""

    def with_bar(total, records, name):
        with click.progressbar(records, length=total, label=f"Indexing {name}") as bar:
            yield from bar

    count = backend().rebuild(
        progress=with_bar,
        lock_timeout=current_app.config["SEARCH_SYNC_TIMEOUT"],
        workers=workers or current_app.config["SEARCH_REBUILD_WORKERS"],
    )
    click.echo(f"Indexed {count} document(s) into the {backend().describe()}.")


@search_cli.command("stats")
@with_appcontext
def stats():
    """Records in the database vs in the index, per type, and changes waiting in the feed."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from ..extensions import db

    found = backend()
    in_db, public = {}, {}
    with Session(db.engine) as session:
        for name, declaration in declarations().items():
            in_db[name] = session.scalar(select(func.count()).select_from(declaration.query().subquery()))
            records = session.scalars(declaration.query().execution_options(yield_per=500))
            public[name] = sum(1 for record in records if declaration.is_public(record))
    in_index = found.index_counts()
    click.echo(f"{'type':<16}{'records':>10}{'public':>10}{'indexed':>10}{'documents':>11}")
    ok = True
    for name in sorted(set(in_db) | set(in_index)):
        counts = in_index.get(name, {"records": 0, "documents": 0})
        click.echo(
            f"{name:<16}{in_db.get(name, 0):>10}{public.get(name, 0):>10}{counts['records']:>10}{counts['documents']:>11}"
        )
        ok = ok and counts["records"] == public.get(name, 0)
    pending = found.pending()
    click.echo(f"pending changes: {pending}")
    click.echo(f"index: {found.describe()}")
    if not ok and not pending:
        click.echo("The index differs from the database: run `flask search rebuild`.")
