"""The benchmark script runs at a tiny scale (the full run and its figures: see the script's docstring)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from ..conftest import DATABASE_URL, ON_POSTGRES

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "proposals_bench.py"


def _load():
    spec = importlib.util.spec_from_file_location("proposals_bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_quick_run_gives_the_same_query_counts_for_both_sizes(migrated_database):
    # migrated_database: on PostgreSQL the session's schema is set up first, so the two do not race.
    bench = _load()
    lines: list[str] = []
    rows = bench.run(DATABASE_URL if ON_POSTGRES else None, scale=0.002, repeat=1, out=lines.append)
    assert any("20 proposals" in line for line in lines), lines
    pages = {row["page"] for row in rows if row["checked"]}
    assert {"list (newest)", "list (supported)", "list (random)", "proposal page", "process page"} <= pages
    for row in rows:
        if row["checked"]:
            assert row["small_queries"] == row["large_queries"], row
    bench.report(rows, out=lines.append)
    assert "queries S/L" in lines[-len(rows) - 1]


def test_comments_are_skipped_cleanly_until_they_exist():
    bench = _load()
    try:
        import participation.core.comments  # noqa: F401
    except ImportError:
        assert bench.make_comments(1, 1, [1], [1], bench.SMALL) is None
