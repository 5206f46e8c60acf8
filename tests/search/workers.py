"""Run in separate processes (spawn) by test_concurrency: one app, like one gunicorn worker."""

from __future__ import annotations


def add_documents(database_url: str, index_dir: str, instance: str, worker: int, count: int) -> None:
    from participation import create_app
    from participation.core.types import LocalizedText, utcnow
    from participation.extensions import db
    from participation.processes.models import Process
    from participation.search.index import apply_pending

    from ..conftest import BASE_CONFIG

    app = create_app(
        {**BASE_CONFIG, "DATABASE_URL": database_url, "SEARCH_INDEX_DIR": index_dir, "SEARCH_WRITER_TIMEOUT": 0.05},
        instance_path=instance,
    )
    with app.app_context():
        for n in range(count):
            text = LocalizedText({"ja": f"作業者{worker}の公園計画{n}"})
            db.session.add(Process(title=text, summary=text, published_at=utcnow()))
            db.session.commit()  # applies the outbox if the index's lock comes at once
        apply_pending(timeout=60)  # what `flask search sync` does
        db.engine.dispose()
