"""The search capability's tables: the staff's synonym table, each local index's position in the
change feed, and the PostgreSQL backend's documents and vocabulary (empty with the Whoosh backend)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import User
from ..core.types import UTCDateTime, utcnow
from ..extensions import db

# A tsvector on PostgreSQL; plain text elsewhere (the table is only used on PostgreSQL).
TSVector = Text().with_variant(postgresql.TSVECTOR(), "postgresql")


class SearchSynonym(db.Model):
    """Expressions a city uses for one thing (防犯カメラ, 監視カメラ, 街頭カメラ; プライバシー, privacy):
    a search for any of them finds the others. Applied when searching, so no rebuild is needed."""

    __tablename__ = "search_synonyms"

    id: Mapped[int] = mapped_column(primary_key=True)
    terms: Mapped[str] = mapped_column(Text)  # one expression per line
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    updated_by: Mapped[User | None] = relationship()

    @property
    def expressions(self) -> list[str]:
        return [line.strip() for line in self.terms.splitlines() if line.strip()]


class SearchFeedPosition(db.Model):
    """How far a machine's own (Whoosh) index has read the change feed (search_outbox): rows up to
    ``position`` are applied there. Rows every index has read are pruned."""

    __tablename__ = "search_feed_positions"

    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SearchDocument(db.Model):
    """The PostgreSQL backend's index: one record in one locale, with the analyser's terms in a
    tsvector (title words weighted A, body words B; readings as "~" lexemes at their word's position)."""

    __tablename__ = "search_documents"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)  # "process:12:ja"
    ref: Mapped[str] = mapped_column(String(100), index=True)  # "process:12"
    type: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[int] = mapped_column(Integer)
    locale: Mapped[str] = mapped_column(String(10))
    space: Mapped[str] = mapped_column(String(100), default="", index=True)
    date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    terms: Mapped[str] = mapped_column(TSVector)

    __table_args__ = (Index("ix_search_documents_terms", "terms", postgresql_using="gin"),)


class SearchTerm(db.Model):
    """The PostgreSQL backend's vocabulary: readings it holds ("~コウエン", to split a hiragana query),
    nouns by reading ("s:コウエン:公園") and Latin words ("w:privacy"), for "did you mean". Terms are
    added as documents are; a suggestion is only offered when it finds public documents."""

    __tablename__ = "search_terms"

    term: Mapped[str] = mapped_column(
        String(200).with_variant(String(200, collation="C"), "postgresql"), primary_key=True
    )
