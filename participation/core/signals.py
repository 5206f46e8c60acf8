"""Signals through which the core tells capabilities about changes they must follow.

Receivers run inside the sender's transaction, so their changes commit or roll back with it.

A capability declares its receivers in its Capability object (``receivers={account_deleting: fn}``)
rather than connecting them itself: blinker signals belong to the process, which may hold several
apps (tests build apps with and without a capability), so each signal gets one dispatcher that calls
the receivers registered in the current app only. An app built without a capability never runs its
handlers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from blinker import NamedSignal, Namespace
from flask import Flask, current_app, has_app_context

_signals = Namespace()

# sender: the User being deleted, before their personal fields are cleared. A capability that keeps
# personal data about users (follows, notifications, consents...) erases or anonymises it here.
account_deleting = _signals.signal("account-deleting")

# sender: the User whose stop of use (a rights request accepted by staff) takes effect. A capability
# that uses personal data beyond running the person's account (consents, profiling) stops it here.
use_stopping = _signals.signal("use-stopping")
# sender: a record just hidden or restored by moderation (keyword ``hidden``: bool), inside the
# moderation transaction. Capabilities keeping counters of visible records (comments) recompute them.
content_moderated = _signals.signal("content-moderated")
# sender: the User whose consent to one purpose ended (keywords ``purpose_key``, ``recipient``,
# ``channel``: "web", "stop_of_use", or the capability that asked), inside the withdrawing
# transaction. A capability that processed data on that consent stops and deletes or anonymises it.
consent_withdrawn = _signals.signal("consent-withdrawn")

EXTENSION_KEY = "participation.receivers"
_dispatchers: dict[NamedSignal, Callable] = {}


def _dispatcher(signal: NamedSignal) -> Callable:
    def dispatch(sender, **kwargs) -> None:
        if not has_app_context():
            return
        for receiver in current_app.extensions.get(EXTENSION_KEY, {}).get(signal, ()):
            receiver(sender, **kwargs)

    dispatch.__name__ = f"dispatch_{signal.name.replace('-', '_')}"
    return dispatch


def register(app: Flask, receivers: Mapping[NamedSignal, Callable]) -> None:
    """Add a capability's receivers to ``app``, in registration order."""
    table = app.extensions.setdefault(EXTENSION_KEY, {})
    for signal, receiver in receivers.items():
        if not isinstance(signal, NamedSignal):
            raise TypeError(f"receivers are keyed by core signals, not {signal!r}")
        if signal not in _dispatchers:
            _dispatchers[signal] = _dispatcher(signal)
            signal.connect(_dispatchers[signal], weak=False)
        table.setdefault(signal, []).append(receiver)
