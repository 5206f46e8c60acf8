"""Several workers writing to one index at once lose no update and leave a sound index."""

import multiprocessing

from whoosh import index as windex

from participation.core.models import SearchOutbox
from participation.extensions import db

from .workers import add_documents

WORKERS = 4
EACH = 10


def test_four_processes_add_documents_through_the_outbox(app, database_url, tmp_path):
    index_dir = str(tmp_path / "index" / "search-index")
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

    ix = windex.open_dir(index_dir)
    with ix.searcher() as searcher:
        keys = {fields["key"] for fields in searcher.all_stored_fields()}
        assert searcher.doc_count() == WORKERS * EACH
    assert len(keys) == WORKERS * EACH
    assert ix.latest_generation() >= 1
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(SearchOutbox.id))) == 0
