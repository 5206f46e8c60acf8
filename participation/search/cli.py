"""`flask search sync | rebuild | stats`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from . import index


@click.group("search")
def search_cli():
    """The search index."""


def sync_job() -> None:
    """The "search.sync" job: the changes a busy writer left waiting (the backlog)."""
    index.apply_pending(timeout=current_app.config["SEARCH_SYNC_TIMEOUT"])


@search_cli.command("sync")
@with_appcontext
def sync():
    """Apply every change still waiting in the search outbox."""
    applied = index.apply_pending(timeout=current_app.config["SEARCH_SYNC_TIMEOUT"])
    left = index.pending_count()
    click.echo(f"Applied {applied} pending change(s); {left} left.")
    if left:
        raise click.ClickException("the index stayed locked; run `flask search sync` again")


@search_cli.command("rebuild")
@with_appcontext
def rebuild():
    """Build a fresh index from the database and swap it in (searches keep working meanwhile)."""

    def progress(total, records, name):
        return click.progressbar(records, length=total, label=f"Indexing {name}")

    def with_bar(total, records, name):
        with progress(total, records, name) as bar:
            yield from bar

    count = index.rebuild(progress=with_bar, lock_timeout=current_app.config["SEARCH_SYNC_TIMEOUT"])
    click.echo(f"Indexed {count} document(s) into {index.index_path()}.")


@search_cli.command("stats")
@with_appcontext
def stats():
    """Records in the database vs in the index, per type, and changes waiting in the outbox."""
    in_db = index.record_counts()
    public = index.public_counts()
    in_index = index.index_counts()
    click.echo(f"{'type':<16}{'records':>10}{'public':>10}{'indexed':>10}{'documents':>11}")
    ok = True
    for name in sorted(set(in_db) | set(in_index)):
        found = in_index.get(name, {"records": 0, "documents": 0})
        click.echo(
            f"{name:<16}{in_db.get(name, 0):>10}{public.get(name, 0):>10}{found['records']:>10}{found['documents']:>11}"
        )
        ok = ok and found["records"] == public.get(name, 0)
    pending = index.pending_count()
    click.echo(f"pending changes: {pending}")
    click.echo(f"index: {index.index_path()}")
    if not ok and not pending:
        click.echo("The index differs from the database: run `flask search rebuild`.")
