"""Reading every searchable record for a rebuild, with the analysis spread over worker processes.

The morphological analysis is most of a rebuild's cost and needs no database: records are read
here, their raw documents handed to ``workers`` processes (forked, so the dictionary is mapped once
more per worker, not copied), and the analysed documents come back in order, in batches.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..extensions import db
from .documents import IndexDocument, analyse, declarations, raw_documents

CHUNK = 64


def _analyse(raw: tuple) -> IndexDocument:
    return analyse(*raw)


def raw_all(progress: Callable | None = None) -> Iterator[tuple]:
    with Session(db.engine) as session:
        for name, declaration in declarations().items():
            total = session.scalar(select(func.count()).select_from(declaration.query().subquery()))
            records = session.scalars(declaration.query().execution_options(yield_per=200))
            for record in progress(total, records, name) if progress else records:
                yield from raw_documents(declaration, record)


def analysed(raws: Iterable[tuple], workers: int = 1) -> Iterator[IndexDocument]:
    if workers <= 1:
        yield from (analyse(*raw) for raw in raws)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        iterator = iter(raws)
        while batch := list(islice(iterator, CHUNK * workers * 4)):
            yield from pool.imap(_analyse, batch, chunksize=CHUNK)


def all_documents(progress: Callable | None = None, workers: int = 1) -> Iterator[IndexDocument]:
    yield from analysed(raw_all(progress), workers)
