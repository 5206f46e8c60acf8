"""Why a job failed. procrastinate keeps each job's state but only logs its errors; administrators
need to read them next to the job, so each failed attempt leaves a row here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ...extensions import db
from ..types import UTCDateTime, utcnow

ERROR_LENGTH = 2000


class JobError(db.Model):
    __tablename__ = "job_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(BigInteger, index=True)  # procrastinate_jobs.id
    task_name: Mapped[str] = mapped_column(String(128))
    attempt: Mapped[int]
    error: Mapped[str] = mapped_column(String(ERROR_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
