"""Signals through which the core tells capabilities about changes they must follow.

Receivers run inside the sender's transaction, so their changes commit or roll back with it.
"""

from blinker import Namespace

_signals = Namespace()

# sender: the User being deleted, before their personal fields are cleared. A capability that keeps
# personal data about users (follows, notifications, consents...) erases or anonymises it here.
account_deleting = _signals.signal("account-deleting")

# sender: the User whose stop-of-use request took effect. Capabilities stop every use of that
# person's data that rests on their consent (policies withdraws all their consents).
use_stopping = _signals.signal("use-stopping")
