from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from participation.core.types import LocalizedText, local_today
from participation.extensions import db
from participation.processes import services
from participation.processes.models import Process


def ja(text: str, en: str | None = None) -> LocalizedText:
    return LocalizedText({"ja": text, **({"en": en} if en else {})})


@pytest.fixture
def today(app) -> date:
    with app.app_context():
        return local_today()


# Short names the tests use for the proposals component's stage switches.
FLAG_SWITCHES = {
    "proposals_open": "proposals.create",
    "supports_open": "proposals.support",
    "comments_open": "proposals.comment",
}


@pytest.fixture
def make_process(app, today) -> Callable[..., int]:
    """A process with phases given as (start offset, end offset) in days from today; returns its id.
    ``flags`` (proposals_open=True...) set the proposals component's switches on every phase."""

    def build(
        title: str = "駅前広場の再整備",
        phases: tuple[tuple[int, int], ...] = ((-10, 10),),
        published: bool = True,
        **flags,
    ) -> int:
        switches = {FLAG_SWITCHES[name]: bool(on) for name, on in flags.items()}
        with app.app_context():
            process = services.create_process(
                None, title=ja(title, "Station square"), summary=ja("概要です。", "A summary.")
            )
            for n, (start, end) in enumerate(phases):
                services.add_phase(
                    None,
                    process,
                    title=ja(f"段階{n + 1}", f"Stage {n + 1}"),
                    starts_on=today + timedelta(days=start),
                    ends_on=today + timedelta(days=end),
                    switches=switches,
                )
            if published:
                services.publish(None, process)
            return process.id

    return build


def get_process(app, process_id: int) -> Process | None:
    with app.app_context():
        process = db.session.get(Process, process_id)
        if process is not None:
            _ = list(process.phases), list(process.categories)
            db.session.expunge_all()
        return process
