"""The site as production runs it, on this machine only: gunicorn with 3 workers and `flask jobs
worker`, on a PostgreSQL database loaded with the demo city, plus an HTTP client that signs in like a
person (CSRF token from the page, session cookie). Used by saturate.py and faults.py.

The database is dropped and rebuilt: give it a disposable cluster, e.g. (as root)

    pg_createcluster 15 faults -p 5433 -- --auth-host=trust && pg_ctlcluster 15 faults start

and --database-url postgresql://postgres@127.0.0.1:5433/load (the default).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5433/load"
PASSWORD = "load-test-password"  # noqa: S105 (accounts created on a throw-away database)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def environment(database_url: str, instance: Path, port: int) -> dict[str, str]:
    """Production settings, pointed at loopback: mail goes to files, limits to Redis database 2."""
    return {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": "load-test-secret-key-not-for-production",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": database_url,
        "PARTICIPATION_INSTANCE_PATH": str(instance),
        "PARTICIPATION_MAIL_BACKEND": "file",
        "PARTICIPATION_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/2",
        "PARTICIPATION_RATELIMIT_KEY_PREFIX": f"load-{uuid.uuid4().hex[:8]}",  # fresh counters each run
        # Many residents sign in from one address at the start of a run.
        "PARTICIPATION_RATELIMIT_LOGIN": "10000 per minute",
        "PARTICIPATION_RATELIMIT_RIGHTS_REQUEST": "10000 per hour",
        "PARTICIPATION_RATELIMIT_PASSWORD_RESET": "10000 per hour",
    }


def flask(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own command line)
        [str(Path(sys.executable).parent / "flask"), "--app", "app", *args],
        cwd=ROOT,
        env=env,
        check=check,
        capture_output=True,
        text=True,
    )


def prepare(database_url: str, env: dict, residents: int) -> None:
    """A fresh database: migrations, the demo city, ``residents`` extra accounts, the search index."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    flask(env, "db", "upgrade")
    flask(env, "seed", "demo", "--allow-production")
    script = (
        "from participation import create_app\n"
        "from participation.core.models import RoleGrant, User\n"
        "from participation.extensions import db\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        f"    for n in range({residents}):\n"
        "        user = User(email=f'load{n}@example.jp', display_name=f'負荷試験{n}')\n"
        f"        user.set_password({PASSWORD!r})\n"
        "        user.role_grants.append(RoleGrant(role='resident'))\n"
        "        db.session.add(user)\n"
        "    db.session.commit()\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True)  # noqa: S603
    flask(env, "search", "rebuild")


class Process:
    """A child process we started, ended by its own id only."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.log = log.open("ab")
        self.popen = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)  # noqa: S603

    @property
    def pid(self) -> int:
        return self.popen.pid

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return [int(p) for p in path.read_text().split()] if path.exists() else []

    def stop(self, timeout: float = 30) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(10)
        self.log.close()


def start_gunicorn(env: dict, port: int, logs: Path, workers: int = 3) -> Process:
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    args = [gunicorn, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "60"]
    args += ["--control-socket", str(logs / "gunicorn.ctl"), "app:app"]
    process = Process(args, env, logs / "gunicorn.log")
    wait_until_up(f"http://127.0.0.1:{port}/healthz")
    return process


def start_worker(env: dict, logs: Path) -> Process:
    flask_bin = str(Path(sys.executable).parent / "flask")
    return Process([flask_bin, "--app", "app", "jobs", "worker"], env, logs / "jobs-worker.log")


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up within {timeout} s")


async def sign_in(client: httpx.AsyncClient, email: str) -> str:
    """Log in as ``email``; returns the session's CSRF token for later forms."""
    page = await client.get("/login")
    token = CSRF.search(page.text).group(1)
    response = await client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    if response.status_code != 302:
        raise RuntimeError(f"login of {email} answered {response.status_code}")
    return token


def site_app(env: dict):
    """The app itself, on the load database, for setting up and checking (never for serving)."""
    os.environ.update({k: v for k, v in env.items() if k not in os.environ or os.environ[k] != v})
    from participation import create_app

    return create_app()


def targets(env: dict) -> dict[str, list[int]]:
    """What the demo city lets a resident support and comment on, by the app's own rules."""
    from participation.core.models import User
    from participation.core.permissions import can
    from participation.core.types import local_today
    from participation.extensions import db
    from participation.processes.models import Process
    from participation.proposals.models import Proposal

    app = site_app(env)
    with app.test_request_context("/"):
        resident = db.session.scalar(db.select(User).where(User.email == "load0@example.jp"))
        proposals = db.session.scalars(db.select(Proposal).order_by(Proposal.id)).all()
        today = local_today()
        found = {
            # The support permission does not yet ask the stage (the service does): ask it here, so
            # the load is made of supports the site accepts.
            "support": [
                p.id
                for p in proposals
                if can("proposals.support", p, resident)
                and not p.is_withdrawn
                and p.process.allows("proposals.support", today)
            ],
            "comment": [p.id for p in proposals if can("comments.create", p, resident)],
            "proposals": [p.id for p in proposals if p.hidden_at is None],
        }
        client = app.test_client()
        found["processes"] = [
            p.id
            for p in db.session.scalars(db.select(Process).order_by(Process.id))
            if client.get(f"/processes/{p.id}").status_code == 200
        ]
        db.session.remove()
        db.engine.dispose()
    return found
