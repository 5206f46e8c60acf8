"""Several workers writing to one index at once lose no update and leave a sound index."""

import multiprocessing

import pytest
from whoosh import index as windex

from participation.extensions import db
from participation.search.backend import backend

from ..conftest import ON_POSTGRES
from .workers import add_documents, title

WORKERS = 4
EACH = 10


@pytest.fixture
def app(make_app, tmp_path):
    return make_app(SEARCH_BACKEND="whoosh", SEARCH_INDEX_DIR=str(tmp_path / "index" / "search-index"))


@pytest.mark.parametrize("engine", ["whoosh", "postgresql"] if ON_POSTGRES else ["whoosh"])
def test_four_processes_add_and_change_documents_through_the_outbox(make_app, database_url, tmp_path, engine):
    index_dir = str(tmp_path / "index" / "search-index")
    # every worker has finished before the check, so no feed row can still be on its way
    app = make_app(SEARCH_BACKEND=engine, SEARCH_INDEX_DIR=index_dir, SEARCH_FEED_SETTLE_SECONDS=0)
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(
            target=add_documents,
            args=(database_url, index_dir, str(tmp_path / f"instance{n}"), n, EACH, engine),
        )
        for n in range(WORKERS)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=180)
    assert [p.exitcode for p in processes] == [0] * WORKERS

    # A worker's own sync may have given up on a busy lock (under heavy load), leaving rows pending:
    # that is allowed, as long as a later sync applies them. A lost update would stay lost here.
    with app.app_context():
        backend().sync(timeout=60)
        assert backend().pending() == 0
        if engine == "postgresql":
            from participation.search.models import SearchDocument

            titles = db.session.scalars(db.select(SearchDocument.title)).all()
            assert sorted(titles) == sorted(title(w, n, 2) for w in range(WORKERS) for n in range(EACH))
            return

    ix = windex.open_dir(index_dir)
    with ix.searcher() as searcher:
        documents = list(searcher.all_stored_fields())
        assert searcher.doc_count() == WORKERS * EACH
    assert len({fields["key"] for fields in documents}) == WORKERS * EACH
    # every record in its latest version: the change committed after its creation was not lost
    assert sorted(fields["title"] for fields in documents) == sorted(
        title(worker, n, 2) for worker in range(WORKERS) for n in range(EACH)
    )
    assert ix.latest_generation() >= 1
    # one generation: nothing replaced the index with an empty one along the way
    assert len([p for p in (tmp_path / "index").iterdir() if p.name.startswith("search-index.")]) == 1


def test_a_failed_read_never_replaces_the_index_with_an_empty_one(app, add_process, monkeypatch):
    """Another process's commit may remove the table of contents a reader just listed: opening again
    must find the same index, not make a new empty generation (which would lose every document)."""
    from participation.search import whoosh_index as index

    add_process("公園の再整備")
    real_open_dir, calls = windex.open_dir, []

    def flaky_open_dir(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise FileNotFoundError("_MAIN_3.toc")
        return real_open_dir(*args, **kwargs)

    monkeypatch.setattr(index.windex, "open_dir", flaky_open_dir)
    monkeypatch.setattr(index.windex, "exists_in", lambda *args, **kwargs: False)  # as a racing read saw it
    with app.app_context():
        ix = index.open_index()
        generations = [p for p in index.index_path().parent.iterdir() if p.name.startswith("search-index.")]
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 1
    assert len(generations) == 1
