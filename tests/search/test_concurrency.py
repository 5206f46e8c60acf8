"""Several workers writing to one index at once lose no update and leave a sound index."""

import multiprocessing

from whoosh import index as windex

from participation.search.index import apply_pending, index_path, pending_count

from .workers import add_documents, title

WORKERS = 4
EACH = 10


def test_four_processes_add_and_change_documents_through_the_outbox(app, database_url, tmp_path):
    with app.app_context():
        path = index_path()  # the app's own index, emptied after the test
    index_dir = str(path)
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(
            target=add_documents,
            args=(database_url, index_dir, str(tmp_path / f"instance{n}"), n, EACH),
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
        apply_pending(timeout=60)
        assert pending_count() == 0

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
    assert len([p for p in path.parent.iterdir() if p.name.startswith("search-index.")]) == 1


def test_a_failed_read_never_replaces_the_index_with_an_empty_one(app, add_process, monkeypatch):
    """Another process's commit may remove the table of contents a reader just listed: opening again
    must find the same index, not make a new empty generation (which would lose every document)."""
    from participation.search import index

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
