"""Demo accounts, one per role. Their credentials are printed by `flask seed demo`."""

from __future__ import annotations

import click

from ..core.db import transaction
from ..core.models import TERMS_VERSION, Role, RoleGrant, User
from ..core.seeds import district_ids, read_seed
from ..core.types import utcnow
from ..extensions import db


def seed() -> None:
    accounts = read_seed("accounts")["accounts"]
    districts = district_ids()
    with transaction():
        for item in accounts:
            user = db.session.scalar(db.select(User).where(User.email == item["email"]))
            if user is None:
                user = User(email=item["email"], terms_version=TERMS_VERSION, terms_accepted_at=utcnow())
                db.session.add(user)
            user.display_name = item["display_name"]
            if not user.check_password(item["password"]):
                user.set_password(item["password"])
            user.district_id = districts.get(item.get("district", ""))
            held = {g.role for g in user.role_grants}
            for role in item["roles"]:
                if role not in held:
                    user.role_grants.append(RoleGrant(role=Role(role).value))
    click.echo("\nDemo accounts (demo data only; never use these on a real site):")
    width = max(len(item["email"]) for item in accounts)
    for item in accounts:
        click.echo(f"  {item['email']:<{width}}  {item['password']:<22}  {', '.join(item['roles'])}")
