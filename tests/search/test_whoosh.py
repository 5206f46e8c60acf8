"""The Whoosh backend: its write lock, generations, and each machine's position in the change feed.
Runs on SQLite and on PostgreSQL (where feed rows are only passed once settled)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from whoosh.index import LockError

from participation.core.db import transaction
from participation.core.models import SearchOutbox
from participation.core.searchable import defer_indexing
from participation.core.types import LocalizedText, utcnow
from participation.extensions import db
from participation.processes.models import Process

from ..conftest import ON_POSTGRES
from .conftest import hits


@pytest.fixture
def app(make_app, tmp_path):
    # settle 0: on PostgreSQL too the position follows at once (the settle time is tested below)
    return make_app(
        SEARCH_BACKEND="whoosh", SEARCH_INDEX_DIR=str(tmp_path / "index" / "search-index"), SEARCH_FEED_SETTLE_SECONDS=0
    )


def _keys(app) -> set[str]:
    from participation.search.backend import backend

    with app.app_context():
        return backend().indexed_keys()


def _pending(app) -> int:
    from participation.search.backend import backend

    with app.app_context():
        return backend().pending()


def _writer(app):
    from participation.search.whoosh_index import open_index

    with app.app_context():
        return open_index().writer()


def test_the_feed_keeps_changes_while_the_index_is_locked(app, add_process, runner):
    writer = _writer(app)
    try:
        process_id = add_process("ロック中の公園")
        assert _pending(app) == 1
        assert _keys(app) == set()
    finally:
        writer.cancel()
    result = runner.invoke(args=["search", "sync"])
    assert result.exit_code == 0, result.output
    assert _keys(app) == {f"process:{process_id}:ja"}
    assert _pending(app) == 0


def test_sync_reports_a_locked_index(make_app, tmp_path, add_process):
    app = make_app(
        SEARCH_BACKEND="whoosh", SEARCH_INDEX_DIR=str(tmp_path / "locked" / "search-index"), SEARCH_SYNC_TIMEOUT=0.1
    )
    writer = _writer(app)
    try:
        with app.app_context():
            text = LocalizedText({"ja": "ロック中の公園"})
            with transaction() as session:
                session.add(Process(title=text, summary=text, published_at=utcnow()))
        result = app.test_cli_runner().invoke(args=["search", "sync"])
        assert result.exit_code != 0 and "1 left" in result.output
    finally:
        writer.cancel()
    assert _keys(app) == set()


def test_rebuild_swaps_in_a_new_generation(app, client, add_process, runner, tmp_path):
    add_process("再構築の公園")
    path = tmp_path / "index" / "search-index"
    before = path.resolve()
    result = runner.invoke(args=["search", "rebuild", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert path.is_symlink() and path.resolve() != before
    assert len(hits(client, "公園")) == 1


def test_rebuild_while_the_writer_is_held_fails_cleanly(make_app, tmp_path):
    app = make_app(
        SEARCH_BACKEND="whoosh", SEARCH_INDEX_DIR=str(tmp_path / "held" / "search-index"), SEARCH_SYNC_TIMEOUT=0.1
    )
    writer = _writer(app)
    try:
        result = app.test_cli_runner().invoke(args=["search", "rebuild"])
        assert isinstance(result.exception, LockError)
    finally:
        writer.cancel()


def test_a_commit_indexes_its_own_changes_and_leaves_the_backlog(app, monkeypatch):
    """After a bulk change left rows waiting, an ordinary commit indexes only its own record."""
    from participation.search import documents

    assert _keys(app) == set()  # the index exists before the bulk change
    with app.app_context(), transaction() as session:
        defer_indexing(session)
        for n in range(30):
            text = LocalizedText({"ja": f"一括登録の公園{n}"})
            session.add(Process(title=text, summary=text, published_at=utcnow()))
    assert _keys(app) == set() and _pending(app) == 30
    applied = []
    real = documents.current_documents
    monkeypatch.setattr(
        "participation.search.whoosh_backend.current_documents",
        lambda session, refs: applied.append(list(refs)) or real(session, refs),
    )
    with app.app_context():
        text = LocalizedText({"ja": "ふつうの公園"})
        with transaction() as session:
            process = Process(title=text, summary=text, published_at=utcnow())
            session.add(process)
        own = process.id
    assert applied == [[("process", own)]]
    assert _keys(app) == {f"process:{own}:ja"}
    assert _pending(app) == 31  # the backlog and this commit's row (passed by the next sync)
    assert app.test_cli_runner().invoke(args=["search", "sync"]).exit_code == 0
    assert len(_keys(app)) == 31 and _pending(app) == 0


def test_every_machine_sees_every_change(make_app, tmp_path, database_url):
    """Two machines, each with its own index: whichever applies a change, the other one sees it
    after its own sync (nothing deleted the feed rows under it)."""
    first = make_app(SEARCH_BACKEND="whoosh", SEARCH_INDEX_DIR=str(tmp_path / "a" / "search-index"))
    second = make_app(SEARCH_BACKEND="whoosh", SEARCH_INDEX_DIR=str(tmp_path / "b" / "search-index"))
    # (the default settle time: on PostgreSQL positions stay behind recent rows, which are re-applied)
    for app in (first, second):  # both machines exist before the change
        with app.app_context():
            from participation.search.whoosh_index import open_index

            open_index()
    with first.app_context():
        text = LocalizedText({"ja": "みどり公園の計画"})
        with transaction() as session:
            process = Process(title=text, summary=text, published_at=utcnow())
            session.add(process)
        key = f"process:{process.id}:ja"
    assert _keys(first) == {key} and _keys(second) == set()
    assert first.test_cli_runner().invoke(args=["search", "sync"]).exit_code == 0
    assert second.test_cli_runner().invoke(args=["search", "sync"]).exit_code == 0
    assert _keys(second) == {key}
    # the change reaches both; rows are pruned once both have read them
    with first.app_context(), transaction() as session:
        session.get(Process, process.id).published_at = None
    for app in (first, second):
        assert app.test_cli_runner().invoke(args=["search", "sync"]).exit_code == 0
        assert _keys(app) == set()
    if not database_url.startswith("postgresql"):  # on PostgreSQL rows newer than the settle time stay
        with first.app_context():  # read by both: pruned but for the newest (which keeps ids rising)
            assert db.session.scalar(db.select(db.func.count(SearchOutbox.id))) == 1


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite writers take turns: ids become visible in order")
def test_on_postgresql_the_position_passes_only_settled_rows(make_app, tmp_path):
    app = make_app(SEARCH_BACKEND="whoosh", SEARCH_INDEX_DIR=str(tmp_path / "s" / "search-index"))
    assert _keys(app) == set()
    with app.app_context():
        text = LocalizedText({"ja": "最近の公園"})
        with transaction() as session:
            session.add(Process(title=text, summary=text, published_at=utcnow()))
        # a recent row is applied but not passed: a smaller id may still commit after it
        assert app.test_cli_runner().invoke(args=["search", "sync"]).exit_code == 0
    assert len(_keys(app)) == 1 and _pending(app) == 1
    with app.app_context():
        db.session.execute(db.update(SearchOutbox).values(created_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
    assert app.test_cli_runner().invoke(args=["search", "sync"]).exit_code == 0
    assert len(_keys(app)) == 1 and _pending(app) == 0
