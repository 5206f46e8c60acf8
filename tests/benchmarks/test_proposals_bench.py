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


def test_bulk_comments_match_what_the_comments_service_writes(tmp_path):
    from participation.core.comments.models import Comment, CommentVote
    from participation.extensions import db
    from participation.proposals.models import Proposal

    bench = _load()
    url = bench.fresh_database(None, tmp_path, "small")
    app = bench.create_app({**bench.CONFIG, "DATABASE_URL": url}, instance_path=str(tmp_path / "instance"))
    with app.app_context():
        data = bench.build(bench.SMALL)
        comments = db.session.scalars(db.select(Comment)).all()
        assert len(comments) == data.counts["comments"] == bench.SMALL["comments"]
        by_id = {c.id: c for c in comments}
        for c in comments:
            if c.parent_id is None:
                assert (c.root_id, c.depth) == (c.id, 1)
            else:
                parent = by_id[c.parent_id]
                assert (c.root_id, c.depth) == (parent.root_id, parent.depth + 1)
                assert c.resource_id == parent.resource_id
        for proposal in db.session.scalars(db.select(Proposal)):
            assert proposal.comments_count == sum(1 for c in comments if c.resource_id == proposal.id and c.is_visible)
        measured = [c for c in comments if c.resource_id == data.proposal_id]
        assert len(measured) == bench.SMALL["comments_on_one"]
        assert sum(1 for c in measured if c.parent_id is None) == 20  # one full page of conversations
        assert {c.depth for c in measured} == {1, 2, 3}
        votes = db.session.scalars(db.select(CommentVote)).all()
        for c in comments:
            mine = [v.value for v in votes if v.comment_id == c.id]
            assert (c.upvotes, c.downvotes) == (mine.count(1), mine.count(-1))
        resident = db.session.scalar(db.select(bench.User).where(bench.User.email == data.resident_email))
        assert any(v.user_id == resident.id for v in votes)
        db.session.remove()
        db.engine.dispose()
