"""`flask retention show` and `flask retention enforce [--dry-run]`: apply every capability's
retention periods (`flask jobs worker` runs enforce every night)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..core.retention import categories
from ..core.types import utcnow


@click.group("retention", help="Retention periods of the data the platform keeps.")
def retention_cli():
    pass


def enforce_all(dry_run: bool = False) -> list[tuple]:
    """Apply every category's period; (category, records deleted or anonymised) for each."""
    now = utcnow()
    return [(category, category.enforce(category.cutoff(now), dry_run)) for category in categories()]


def retention_job() -> None:
    """The "retention.enforce" job."""
    enforce_all()


@retention_cli.command("show", help="List each data category with its retention period.")
@with_appcontext
def show():
    for category in categories():
        click.echo(f"{category.key}\t{category.period_days()} days\t{category.label}")


@retention_cli.command("enforce", help="Delete or anonymise what is past its retention period.")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted or anonymised.")
@with_appcontext
def enforce(dry_run: bool):
    total = 0
    for category, count in enforce_all(dry_run):
        total += count
        verb = "would process" if dry_run else "processed"
        click.echo(f"{category.key}: {verb} {count} records (older than {category.period_days()} days)")
    click.echo(f"total: {total}{' (dry run, nothing changed)' if dry_run else ''}")
