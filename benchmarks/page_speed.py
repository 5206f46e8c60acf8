"""Page speed against Flask itself: every public page's requests per second divided by those of a bare
Flask route rendering a small Jinja page (benchmarks/bare_app.py), both served by gunicorn with the
same number of workers in the same run, for an anonymous reader and for a signed-in resident.

The site runs as production does (APP_ENV=production, rate limits in Redis) on a fresh SQLite file
loaded with the demo city (`flask seed demo`), on loopback only; the script stops by itself and leaves
nothing running. The load generator is `wrk` when installed (apt-get install wrk), else a small
threaded Python client (slower: it takes CPU from the server, so ratios come out lower).

    .venv/bin/python benchmarks/page_speed.py [--seconds 5] [--connections 4] [--workers 2]
        [--port 8331] [--only anonymous|signed-in] [--python-client]

Goal (issue 21): every ratio >= 0.20 anonymous and >= 0.10 signed in. Exit status 1 otherwise
(--no-check: always 0).
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent / "load"))
import stack  # noqa: E402

RESIDENT = ("resident@midorigawa.example", "demo-resident-2026")  # public demo account (seeds/demo)
GOALS = {"anonymous": 0.20, "signed-in": 0.10}


def setup(tmp: Path, port: int) -> dict:
    env = stack.environment(f"sqlite:///{tmp / 'site.sqlite'}", tmp / "instance", port)
    env["PARTICIPATION_JOBS_BACKEND"] = "memory"  # SQLite: jobs run in the serving process
    env["PARTICIPATION_SEARCH_SYNC_IN_BACKGROUND"] = "false"
    for command in (["db", "upgrade"], ["seed", "demo", "--allow-production"], ["search", "rebuild"]):
        result = stack.flask(env, *command, check=False)
        if result.returncode:
            sys.exit(f"flask {' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return env


def first(client: httpx.Client, path: str, pattern: str) -> str:
    """The first link on ``path`` matching ``pattern``: the demo city's records, found as a reader would."""
    found = re.search(pattern, client.get(path).text)
    if not found:
        sys.exit(f"no link matching {pattern} on {path}")
    return found.group(0)


def pages(base: str) -> dict[str, str]:
    with httpx.Client(base_url=base) as client:
        consultation = first(client, "/processes", r"/processes/\d+(?=\")")
        return {
            "home": "/",
            "a consultation": consultation,
            "its proposal list": f"{consultation}/proposals",
            "a proposal": first(client, f"{consultation}/proposals", r"/proposals/\d+(?=\")"),
            "sensor register": "/sensors",
            "a device": first(client, "/sensors", r"/sensors/\d+(?=\")"),
            "search results": "/search?q=%E5%85%AC%E5%9C%92",  # 公園
            "a policy": first(client, "/policies", r"/policies/\d+(?=\")"),
        }


def signed_in_cookie(base: str) -> str:
    with httpx.Client(base_url=base) as client:
        token = stack.CSRF.search(client.get("/login").text).group(1)
        email, password = RESIDENT
        response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
        if response.status_code != 302:
            sys.exit(f"signing in answered {response.status_code}")
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def check(base: str, path: str, cookie: str | None) -> None:
    response = httpx.get(base + path, headers={"Cookie": cookie} if cookie else {})
    if response.status_code != 200:
        sys.exit(f"{path} answered {response.status_code}")
    if cookie and "/logout" not in response.text:
        sys.exit(f"{path} is not shown signed in")


def wrk(url: str, seconds: int, connections: int, cookie: str | None) -> tuple[float, int]:
    args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", url]
    if cookie:
        args[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout  # noqa: S603
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|connect|read|write|timeout) (\d+)", out))
    return rate, errors


def python_client(url: str, seconds: float, connections: int, cookie: str | None) -> tuple[float, int]:
    """Threads, each on its own keep-alive connection, asking ``url`` until time is up."""
    parts = httpx.URL(url)
    target = parts.raw_path.decode()
    headers = {"Cookie": cookie} if cookie else {}
    counts, errors = [0] * connections, [0] * connections
    deadline = time.monotonic() + seconds

    def run(n: int) -> None:
        conn = http.client.HTTPConnection(parts.host, parts.port, timeout=10)
        while time.monotonic() < deadline:
            try:
                conn.request("GET", target, headers=headers)
                response = conn.getresponse()
                response.read()
                counts[n] += 1
                errors[n] += response.status >= 300
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                errors[n] += 1
                conn.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds, sum(errors)


def measure(options, site: str, bare: str, targets: dict[str, str], mode: str, cookie: str | None) -> list:
    load = python_client if options.python_client or not shutil.which("wrk") else wrk
    for path in targets.values():
        check(site, path, cookie)
        load(site + path, 1, options.connections, cookie)  # warm-up: templates, caches
    load(bare + "/", 1, options.connections, None)
    # The shared machine's speed drifts: each page is measured between two runs of the bare route
    # and divided by their mean.
    rows, before = [], load(bare + "/", options.seconds, options.connections, None)[0]
    for name, path in targets.items():
        rate, errors = load(site + path, options.seconds, options.connections, cookie)
        after = load(bare + "/", options.seconds, options.connections, None)[0]
        rows.append((mode, name, path, rate, (before + after) / 2, errors))
        before = after
    return rows


def report(rows: list, check_goals: bool) -> int:
    print(f"\n{'reader':<11}{'page':<20}{'req/s':>8}{'bare':>8}{'ratio':>7}{'errors':>8}  path")
    failed = False
    for mode, name, path, rate, bare_rate, errors in rows:
        ratio = rate / bare_rate
        mark = "" if ratio >= GOALS[mode] and not errors else "  <- below goal" if not errors else "  <- errors"
        failed |= bool(mark)
        print(f"{mode:<11}{name:<20}{rate:>8.1f}{bare_rate:>8.1f}{ratio:>7.3f}{errors:>8}  {path}{mark}")
    for mode in dict.fromkeys(row[0] for row in rows):
        ratios = [r[3] / r[4] for r in rows if r[0] == mode]
        print(f"{mode}: median ratio {statistics.median(ratios):.3f}, lowest {min(ratios):.3f} (goal {GOALS[mode]})")
    return 1 if failed and check_goals else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8331)
    parser.add_argument("--only", choices=sorted(GOALS))
    parser.add_argument("--python-client", action="store_true", help="the threaded client even if wrk is there")
    parser.add_argument("--no-check", action="store_true")
    options = parser.parse_args()
    site, bare = f"http://127.0.0.1:{options.port}", f"http://127.0.0.1:{options.port + 1}"
    with tempfile.TemporaryDirectory(prefix="page-speed-") as name:
        tmp = Path(name)
        env = setup(tmp, options.port)
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        common = ["-w", str(options.workers), "--timeout", "60"]
        servers = [
            stack.Process([gunicorn, *common, "-b", site[7:], "app:app"], env, tmp / "site.log"),
            stack.Process([gunicorn, *common, "-b", bare[7:], "benchmarks.bare_app:app"], env, tmp / "bare.log"),
        ]
        try:
            stack.wait_until_up(site + "/healthz")
            stack.wait_until_up(bare + "/")
            targets = pages(site)
            rows = []
            if options.only != "signed-in":
                rows += measure(options, site, bare, targets, "anonymous", None)
            if options.only != "anonymous":
                rows += measure(options, site, bare, targets, "signed-in", signed_in_cookie(site))
        finally:
            for server in servers:
                server.stop()
    return report(rows, not options.no_check)


if __name__ == "__main__":
    sys.exit(main())
