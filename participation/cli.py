"""Command line: `flask seed demo`, `flask i18n ...`, `flask users grant ...` (plus `flask db ...`
from Flask-Migrate and each capability's own commands)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .config import PROJECT_ROOT
from .core.capability import capabilities
from .core.i18n import compile_catalogs
from .core.models import Role, User
from .extensions import db


@click.group()
def seed():
    """Load data into the database."""


@seed.command("demo")
@click.option("--allow-production", is_flag=True, help="Load demo data even though APP_ENV is production.")
@with_appcontext
def seed_demo(allow_production: bool):
    """Load the demo city, one account per role, and each capability's sample data (idempotent)."""
    if current_app.config["APP_ENV"] == "production" and not allow_production:
        raise click.ClickException("refusing to load demo accounts with public passwords into a production site")
    from .core.seeds import seed_site

    seed_site()
    for capability in capabilities():
        if capability.seed:
            capability.seed()
    click.echo("\nDemo data loaded.")


@click.group()
def i18n():
    """Message catalogs (translations/)."""


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=PROJECT_ROOT)  # noqa: S603 (fixed arguments)


SOURCE_LOCALE = "en"  # msgids are written in English


@i18n.command("extract")
def i18n_extract():
    """Collect translatable strings into translations/messages.pot, merge them into every catalog,
    and fill the English catalog from the source strings. Then translate the new entries in the
    other catalogs (the test suite fails while any is missing or fuzzy)."""
    pot = "translations/messages.pot"
    options = ("--no-wrap", "--sort-output", "--no-location")
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", *options, "-o", pot, ".")
    for po_path in sorted((PROJECT_ROOT / "translations").glob("*/LC_MESSAGES/messages.po")):
        _pybabel(
            "update",
            "-i",
            pot,
            "-o",
            str(po_path),
            "-l",
            po_path.parent.parent.name,
            "--no-wrap",
            "--ignore-obsolete",
            "--no-fuzzy-matching",
        )
    _fill_source_catalog(PROJECT_ROOT / "translations" / SOURCE_LOCALE / "LC_MESSAGES" / "messages.po")


def _fill_source_catalog(po_path: Path) -> None:
    from babel.messages.pofile import read_po, write_po

    with po_path.open("rb") as f:
        catalog = read_po(f, locale=SOURCE_LOCALE)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not all(message.string):
                message.string = tuple(message.id)
        elif not message.string:
            message.string = message.id
        message.flags.discard("fuzzy")
    with po_path.open("wb") as f:
        write_po(f, catalog, width=0, sort_output=True, omit_header=False, no_location=True)


@i18n.command("compile")
@click.option("--force", is_flag=True)
def i18n_compile(force: bool):
    """Compile the .po catalogs into .mo files."""
    for path in compile_catalogs(Path(PROJECT_ROOT / "translations"), force=force):
        click.echo(f"compiled {path.relative_to(PROJECT_ROOT)}")


@click.group()
def users():
    """Manage accounts from the command line (e.g. the first administrator)."""


@users.command("grant")
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@with_appcontext
def users_grant(email: str, role: str):
    """Grant ROLE to the account registered with EMAIL."""
    from .core.users import grant_role

    user = db.session.scalar(db.select(User).where(User.email == email.strip().lower(), User.deleted_at.is_(None)))
    if user is None:
        raise click.ClickException(f"no account with the e-mail address {email}")
    if grant_role(None, user, Role(role)):
        click.echo(f"granted {role} to {email}")
    else:
        click.echo(f"{email} already has {role}")


def init_app(app: Flask) -> None:
    for group in (seed, i18n, users):
        app.cli.add_command(group)
