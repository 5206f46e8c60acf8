"""Per-app registries (permissions, resource types, action labels, capabilities) kept in
``app.extensions``, so several apps in one process (tests) never share them."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, current_app


def add(app: Flask, key: str, items: Mapping[str, object], what: str) -> None:
    registry = app.extensions.setdefault(key, {})
    for name, value in items.items():
        if name in registry:
            raise RuntimeError(f"{what} {name!r} declared twice")
        registry[name] = value


def get(key: str, app: Flask | None = None) -> dict[str, object]:
    return (app or current_app).extensions.get(key, {})
