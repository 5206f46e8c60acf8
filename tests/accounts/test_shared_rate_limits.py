"""Rate limits hold across workers: three processes (three gunicorn workers, or three machines)
sharing one Redis allow exactly the limit. Counted in each process's memory they would allow three
times as much, which is why production refuses to start without a shared storage (test_factory)."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import pytest

from participation.config import PROJECT_ROOT

from ..conftest import BASE_CONFIG

redis = pytest.importorskip("redis")

REDIS_URL = "redis://127.0.0.1:6379/15"  # not database 0: others use it


@pytest.fixture
def redis_prefix():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    prefix = f"test-{uuid.uuid4().hex}"
    yield prefix
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


WORKER = """
import json, sys
from participation import create_app
app = create_app(json.loads(sys.argv[1]), instance_path=sys.argv[2])
client = app.test_client()
for n in range(4):
    status = client.post("/login", data={"email": f"p{n}@example.jp", "password": "wrong"}).status_code
    print(status, flush=True)
"""


def _allowed_across_three_processes(database_url, tmp_path, storage: str, prefix: str) -> int:
    """Three separate processes (as three gunicorn workers are) each try to log in four times."""
    settings = {
        **BASE_CONFIG,
        "DATABASE_URL": database_url,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": storage,
        "RATELIMIT_KEY_PREFIX": prefix,
        "RATELIMIT_LOGIN": "4 per minute",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, json.dumps(settings), str(tmp_path / f"instance{n}")],
            stdout=subprocess.PIPE,
            text=True,
            cwd=PROJECT_ROOT,
        )
        for n in range(3)
    ]
    statuses = []
    for worker in workers:
        out, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0
        statuses += [int(line) for line in out.split()]
    assert len(statuses) == 12
    return sum(status != 429 for status in statuses)


def test_three_workers_sharing_redis_allow_exactly_the_limit(database_url, tmp_path, redis_prefix):
    assert _allowed_across_three_processes(database_url, tmp_path, REDIS_URL, redis_prefix) == 4
