"""The fixed vocabularies of the data-governance process (seed 000, R10–R52): the five stages, the
triggers of a loop back, the stakeholder analysis, the data types that suggest laws, and the risk
grid's lifecycle stages and viewpoints. Codes are stored; labels are translated when shown."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# R10: the five stages, in order.
STAGE_LABELS = {
    "overview": _l("Business overview"),
    "laws": _l("Related laws and soft law"),
    "risk": _l("Risk analysis"),
    "rules": _l("Rule design"),
    "operation": _l("Operation and evaluation"),
}
STAGES = tuple(STAGE_LABELS)

# R52: why a project returns to risk analysis or rule design.
TRIGGER_LABELS = {
    "excessive_rule": _l("A rule is excessive"),
    "not_complied": _l("A rule is not complied with"),
    "law_amended": _l("A related law was amended"),
    "technology_changed": _l("The technology changed"),
    "awareness_changed": _l("Residents' awareness changed"),
}
# The stages a loop back may return to (R10: "return to risk analysis or rule design").
LOOP_TARGETS = ("risk", "rules")

# R14–R15: the stakeholder analysis.
RELATION_LABELS = {"direct": _l("Direct"), "indirect": _l("Indirect")}
LEVEL_LABELS = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")}
LEVELS = tuple(LEVEL_LABELS)
INVOLVEMENT_LABELS = {
    "inform": _l("Inform (announcements, media)"),
    "consult": _l("Consult (surveys, expert meetings)"),
    "two_way": _l("Two-way (negotiation, liaison meetings)"),
    "involve": _l("Involve and collaborate (living lab, partnership, multi-stakeholder process)"),
}

# R23: the data types a project declares; each suggests the laws and soft law that concern it.
DATA_TYPE_LABELS = {
    "personal": _l("Personal information"),
    "camera": _l("Camera images"),
    "face_recognition": _l("Face recognition"),
    "location": _l("Location data"),
    "transport": _l("Transport data"),
    "health": _l("Health information"),
    "medical": _l("Medical information"),
    "education": _l("Education data"),
    "smartphone": _l("Smartphone apps"),
}

LAW_KIND_LABELS = {
    "law": _l("Law"),
    "ordinance": _l("Municipal ordinance"),
    "soft_law": _l("Soft law (guideline)"),
}

# R25: the risk grid (Table 5-4's six viewpoints over the data lifecycle).
LIFECYCLE_LABELS = {
    "collection": _l("Collection"),
    "distribution": _l("Distribution"),
    "analysis": _l("Analysis"),
    "use": _l("Use"),
}
VIEWPOINT_LABELS = {
    "legal": _l("Compliance with related laws"),
    "privacy": _l("Privacy protection"),
    "ip": _l("Respect for IP and confidential information"),
    "security": _l("Ensuring security"),
    "operation": _l("Appropriate operation"),
    "governance": _l("Maintaining overall governance"),
}

# Likelihood × severity: a cell is high risk when the product reaches this (3 × 2 or more).
LEVEL_SCORE = {"low": 1, "medium": 2, "high": 3}
HIGH_RISK_SCORE = 6

BOARD_DECISION_LABELS = {
    "approved": _l("Approved"),
    "approved_with_conditions": _l("Approved with conditions"),
    "returned": _l("Returned for changes"),
}

# R50–R51: indicators.
KPI_KIND_LABELS = {"service": _l("Service KPI"), "rule": _l("Rule KPI")}
KPI_LEVEL_LABELS = {"outcome": _l("Outcome"), "output": _l("Output")}
DIRECTION_LABELS = {"higher": _l("Higher is better"), "lower": _l("Lower is better")}
FREQUENCY_LABELS = {
    "monthly": _l("Monthly"),
    "quarterly": _l("Quarterly"),
    "yearly": _l("Yearly"),
}


def risk_score(likelihood: str | None, severity: str | None) -> int:
    return LEVEL_SCORE.get(likelihood or "", 0) * LEVEL_SCORE.get(severity or "", 0)
