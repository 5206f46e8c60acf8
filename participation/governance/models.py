"""Data-governance projects (seed 000, R10–R52): the business overview, the stage and its public
history, stakeholders, applicable laws, the risk grid, rules with the board's review, and KPIs.

People who sign off or review are named as text (an official's name or title, as published), not as
accounts: the public record must not change when an account is deleted."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.append_only import append_only
from ..core.types import LocalizedText, LocalizedTextType, UTCDateTime, utcnow
from ..extensions import db
from .catalog import HIGH_RISK_SCORE, LEVEL_SCORE, risk_score

# The business-overview fields of R12, in the order pages show them.
OVERVIEW_FIELDS = (
    "goals",
    "activities",
    "implementing_body",
    "stakeholder_summary",
    "promotion_policy",
    "schedule",
    "service_benefit",
    "architecture",
    "business_model",
)
# What must be filled before a project leaves the business overview (R12, scenario 8).
OVERVIEW_REQUIRED = ("goals", "activities", "implementing_body", "promotion_policy", "schedule", "service_benefit")


class Project(db.Model):
    __tablename__ = "governance_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    goals: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    activities: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    implementing_body: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    stakeholder_summary: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    promotion_policy: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    schedule: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    service_benefit: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    architecture: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    business_model: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    # codes of catalog.DATA_TYPE_LABELS
    data_types: Mapped[list] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    stage: Mapped[str] = mapped_column(String(20), default="overview", server_default="overview", index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    transitions: Mapped[list[Transition]] = relationship(
        back_populates="project", order_by="Transition.id", cascade="all, delete-orphan", passive_deletes=True
    )
    stakeholders: Mapped[list[Stakeholder]] = relationship(
        back_populates="project", order_by="Stakeholder.id", cascade="all, delete-orphan", passive_deletes=True
    )
    laws: Mapped[list[ProjectLaw]] = relationship(
        order_by="ProjectLaw.id", cascade="all, delete-orphan", passive_deletes=True
    )
    risks: Mapped[list[RiskCell]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    rules: Mapped[list[Rule]] = relationship(
        back_populates="project", order_by="Rule.id", cascade="all, delete-orphan", passive_deletes=True
    )
    reviews: Mapped[list[BoardReview]] = relationship(
        order_by="BoardReview.id", cascade="all, delete-orphan", passive_deletes=True
    )
    kpis: Mapped[list[Kpi]] = relationship(order_by="Kpi.id", cascade="all, delete-orphan", passive_deletes=True)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


@append_only("a project's public history", deletes=True)
class Transition(db.Model):
    """One move between stages: forward with a sign-off, or back on a trigger with a reason."""

    __tablename__ = "governance_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("governance_projects.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    loop_back: Mapped[bool] = mapped_column(default=False)
    trigger: Mapped[str | None] = mapped_column(String(30))
    reason: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    signed_off_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="transitions")


class Stakeholder(db.Model):
    """R14: a party the project affects. Only organisations are shown to the public."""

    __tablename__ = "governance_stakeholders"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("governance_projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    is_organisation: Mapped[bool] = mapped_column(default=True)
    relation: Mapped[str] = mapped_column(String(20))
    benefit: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    impact: Mapped[str] = mapped_column(String(10))
    uncertainty: Mapped[str] = mapped_column(String(10))
    involvement: Mapped[str] = mapped_column(String(20))

    project: Mapped[Project] = relationship(back_populates="stakeholders")

    @property
    def importance(self) -> str:
        """High when impact or uncertainty is high (Fig 4-4), else the higher of the two."""
        score = max(LEVEL_SCORE[self.impact], LEVEL_SCORE[self.uncertainty])
        return {1: "low", 2: "medium", 3: "high"}[score]


class Law(db.Model):
    """The maintained list of laws, ordinances and soft law, with the data types they concern."""

    __tablename__ = "governance_laws"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    summary: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    data_types: Mapped[list] = mapped_column(JSON, default=list, server_default=text("'[]'"))


class ProjectLaw(db.Model):
    """A law or soft law that applies to a project, with a note on how the project meets it."""

    __tablename__ = "governance_project_laws"
    __table_args__ = (UniqueConstraint("project_id", "law_id", name="one_project_law"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("governance_projects.id", ondelete="CASCADE"), index=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("governance_laws.id", ondelete="RESTRICT"), index=True)
    note: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)

    law: Mapped[Law] = relationship(lazy="joined")


class RiskCell(db.Model):
    """One cell of the risk grid: a lifecycle stage seen from one viewpoint (R25)."""

    __tablename__ = "governance_risk_cells"
    __table_args__ = (UniqueConstraint("project_id", "lifecycle", "viewpoint", name="one_risk_cell"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("governance_projects.id", ondelete="CASCADE"), index=True)
    lifecycle: Mapped[str] = mapped_column(String(20))
    viewpoint: Mapped[str] = mapped_column(String(20))
    likelihood: Mapped[str] = mapped_column(String(10))
    severity: Mapped[str] = mapped_column(String(10))
    measures: Mapped[LocalizedText | None] = mapped_column(LocalizedTextType)
    residual: Mapped[str | None] = mapped_column(String(10))

    @property
    def score(self) -> int:
        return risk_score(self.likelihood, self.severity)

    @property
    def is_high(self) -> bool:
        return self.score >= HIGH_RISK_SCORE

    @property
    def is_answered(self) -> bool:
        """A high risk is answered by measures that bring the residual risk below high."""
        return not self.is_high or (bool(self.measures) and self.residual in ("low", "medium"))


class Rule(db.Model):
    """A rule of the project (R34–R49) with the burden it puts on people and operators (R13); it
    links to the data-use policies and devices it governs through core.links."""

    __tablename__ = "governance_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("governance_projects.id", ondelete="CASCADE"), index=True)
    title: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    body: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    burden: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="rules")


@append_only("the board's decisions", deletes=True)
class BoardReview(db.Model):
    """The data-governance board's decision on the project's rules (seed 001), with its reviewers."""

    __tablename__ = "governance_board_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("governance_projects.id", ondelete="CASCADE"), index=True)
    reviewers: Mapped[list] = mapped_column(JSON, default=list)
    decision: Mapped[str] = mapped_column(String(30))
    opinion: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    decided_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def approves(self) -> bool:
        return self.decision in ("approved", "approved_with_conditions")


class Kpi(db.Model):
    """An indicator of the service or of its rules (R50–R51), measured over time."""

    __tablename__ = "governance_kpis"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("governance_projects.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    indicator: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    level: Mapped[str] = mapped_column(String(10))
    unit: Mapped[str] = mapped_column(String(40))
    direction: Mapped[str] = mapped_column(String(10))
    baseline_value: Mapped[float] = mapped_column(Float)
    baseline_on: Mapped[date] = mapped_column(Date)
    target_value: Mapped[float] = mapped_column(Float)
    target_on: Mapped[date] = mapped_column(Date)
    source: Mapped[LocalizedText] = mapped_column(LocalizedTextType)
    frequency: Mapped[str] = mapped_column(String(20))
    framework_ref: Mapped[str | None] = mapped_column(String(120))

    measurements: Mapped[list[Measurement]] = relationship(
        order_by="Measurement.measured_on", cascade="all, delete-orphan", passive_deletes=True
    )

    def progress(self) -> int | None:
        """Percent of the way from baseline to target reached by the latest measurement."""
        if not self.measurements or self.target_value == self.baseline_value:
            return None
        latest = self.measurements[-1].value
        share = (latest - self.baseline_value) / (self.target_value - self.baseline_value)
        return round(max(0.0, min(share, 1.5)) * 100)


class Measurement(db.Model):
    __tablename__ = "governance_measurements"
    __table_args__ = (UniqueConstraint("kpi_id", "measured_on", name="one_measurement_per_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("governance_kpis.id", ondelete="CASCADE"), index=True)
    measured_on: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
