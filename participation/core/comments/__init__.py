"""Comments any resource type can take: ``ResourceType(..., comments=Commentable(...))``.

The core registers the mechanism (``capability`` below) right after itself; a page shows a record's
comments with ``{% set section = comment_section(obj) %}{% include "comments/_section.html" %}``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Commentable:
    # (record, user) -> None when the record takes comments, else the message saying why not
    closed_reason: Callable[[object, object], object]
    # record -> whether commenters are asked for a stance (for / against / neutral)
    asks_stance: Callable[[object], bool] = lambda _record: False
    # a column of the record's model holding its number of visible comments, kept up to date
    counter: object = None
    # staff may mark a comment as the city's official answer
    official_answers: bool = False
    # lazy text replacing the section's generic "Comments" heading, e.g. "Questions about this device"
    heading: object = None
    # lazy text shown under the heading, saying what the thread is for
    intro: object = None


def make_capability():
    """The Capability object, built on demand so importing Commentable pulls in nothing else."""
    from .capability import capability

    return capability
