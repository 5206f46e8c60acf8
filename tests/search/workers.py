"""Run in separate processes (spawn) by test_concurrency: one app, like one gunicorn worker."""

from __future__ import annotations


def title(worker: int, n: int, version: int) -> str:
    return f"作業者{worker}の公園計画{n}版{version}"


def add_documents(database_url: str, index_dir: str, instance: str, worker: int, count: int, engine: str) -> None:
    """Add ``count`` consultations one commit at a time, then change the title of each (a second
    commit per record, so a lost or out-of-order update would leave the first title in the index)."""
    from participation import create_app
    from participation.core.db import transaction
    from participation.core.types import LocalizedText, utcnow
    from participation.extensions import db
    from participation.processes.models import Process
    from participation.search.backend import backend

    from ..conftest import BASE_CONFIG

    app = create_app(
        {
            **BASE_CONFIG,
            "DATABASE_URL": database_url,
            "SEARCH_INDEX_DIR": index_dir,
            "SEARCH_WRITER_TIMEOUT": 0.05,
            "SEARCH_BACKEND": engine,
            "SEARCH_FEED_SETTLE_SECONDS": 0,
        },
        instance_path=instance,
    )
    with app.app_context():
        ids = []
        for n in range(count):
            text = LocalizedText({"ja": title(worker, n, 1)})
            # as a service does; the commit applies the outbox if the index's lock comes at once
            with transaction() as session:
                process = Process(title=text, summary=text, published_at=utcnow())
                session.add(process)
            ids.append(process.id)
        for n, ident in enumerate(ids):
            with transaction() as session:
                session.get(Process, ident).title = LocalizedText({"ja": title(worker, n, 2)})
        # What `flask search sync` does; under load it may give up (the lock stayed busy) and leave
        # rows for a later sync: the test runs one after all workers have finished.
        backend().sync(timeout=60)
        db.engine.dispose()
