"""Counters (core/counters.py): one atomic statement per change, read alone or with their records."""

from participation.core import counters
from participation.extensions import db
from participation.processes.models import Process


def test_counters_add_set_and_read(app, make_process, count_queries):
    first, second = make_process("一つ目"), make_process("二つ目")
    with app.app_context():
        process = db.session.get(Process, first)
        assert counters.value(process, "probe") == 0  # never counted
        with count_queries() as counted:
            counters.add(process, "probe")
            counters.add(process, "probe", by=4)
            counters.add(process, "probe", by=-2)
        assert counted.n == 3  # one statement each, whether the row exists or not
        counters.set_to(
            db.session.get(Process, second), "probe", db.select(db.func.count(Process.id)).scalar_subquery()
        )
        db.session.commit()
        assert counters.value(process, "probe") == 3
        rows = db.session.execute(
            db.select(Process.id, counters.column("process", Process.id, "probe")).order_by(Process.id)
        ).all()
        assert [tuple(row) for row in rows] == [(first, 3), (second, 2)]
        assert counters.value(process, "other") == 0  # names do not mix
