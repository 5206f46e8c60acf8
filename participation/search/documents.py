"""From the capabilities' declarations (their search.py) to analysed index documents, whatever backend
stores them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..core.capability import capabilities
from ..core.searchable import Searchable
from .analysis import analyse_field, normalize
from .query import READING


def declarations() -> dict[str, Searchable]:
    return {s.name: s for cap in capabilities() for s in cap.searchable}


def declared_models() -> dict[type, str]:
    return {s.model: s.name for s in declarations().values()}


def ref_of(name: str, ident: int) -> str:
    return f"{name}:{ident}"


def parse_ref(value: str | None) -> tuple[str, int] | None:
    name, _, ident = (value or "").partition(":")
    return (name, int(ident)) if name and ident.isdigit() else None


@dataclass
class IndexDocument:
    """One record in one locale as every backend stores it: the normalised text (shown, highlighted)
    and its analysis: ``title_terms`` / ``body_terms`` list each word's term followed by its reading
    (prefixed "~", at the same position), ``vocab`` the words "did you mean" may offer."""

    key: str
    ref: str
    type: str
    resource_id: int
    locale: str
    title: str
    body: str
    space: str
    date: object
    title_terms: list[str]
    body_terms: list[str]
    vocab: set[str]


def terms_with_readings(words: list[str], readings: list[str], skeletons: list[str]) -> list[str]:
    """Each word, then its reading and its form without okurigana (at the word's position)."""
    found = []
    for word, reading, skeleton in zip(words, readings, skeletons, strict=True):
        found.append(word)
        if reading:
            found.append(READING + reading)
        if skeleton:
            found.append(skeleton)
    return found


def analyse(key, ref, type_, resource_id, locale, title, body, space, date) -> IndexDocument:
    title, body = normalize(title), normalize(body)
    t, b = analyse_field(title), analyse_field(body)
    return IndexDocument(
        key,
        ref,
        type_,
        resource_id,
        locale,
        title,
        body,
        space,
        date,
        terms_with_readings(t.words, t.readings, t.skeletons),
        terms_with_readings(b.words, b.readings, b.skeletons),
        t.sounds | b.sounds | t.latin | b.latin,
    )


def raw_documents(declaration: Searchable, record) -> Iterator[tuple]:
    """The unanalysed documents of a public record, one per locale (cheap: no analysis yet)."""
    if not declaration.is_public(record):
        return
    ref = ref_of(declaration.name, record.id)
    for doc in declaration.documents(record):
        yield (
            f"{ref}:{doc.locale}",
            ref,
            declaration.name,
            record.id,
            doc.locale,
            doc.title or "",
            doc.body or "",
            ref_of(*doc.space) if doc.space else "",
            doc.date.replace(tzinfo=None) if doc.date else None,
        )


def documents_for(declaration: Searchable, record) -> Iterator[IndexDocument]:
    for raw in raw_documents(declaration, record):
        yield analyse(*raw)


def with_members(session: Session, refs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], None]:
    """``refs`` and the records inside any of them (see ``Searchable.members``)."""
    found = declarations()
    expanded = dict.fromkeys(refs)
    for name, ident in list(expanded):
        for declaration in found.values():
            select_members = declaration.members(name, ident) if declaration.members else None
            if select_members is not None:
                for record in session.scalars(select_members):
                    expanded.setdefault((declaration.name, record.id), None)
    return expanded


def current_documents(session: Session, refs: Iterable[tuple[str, int]]) -> tuple[list[str], list[IndexDocument]]:
    """For changed records (and their members): the refs to drop from the index and the documents
    to put back (none for a record deleted or no longer public)."""
    found = declarations()
    drop, documents = [], []
    for name, ident in with_members(session, refs):
        drop.append(ref_of(name, ident))
        declaration = found.get(name)
        record = session.get(declaration.model, ident) if declaration else None
        if record is not None:
            documents.extend(documents_for(declaration, record))
    return drop, documents
