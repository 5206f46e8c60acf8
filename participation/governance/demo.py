"""The demo projects (filled in below once the pages work)."""

from __future__ import annotations


def seed_projects(data: dict) -> None:
    return None
