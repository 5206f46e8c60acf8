"""Signals through which the core tells capabilities about changes they must follow.

Receivers run inside the sender's transaction, so their changes commit or roll back with it.
"""

from blinker import Namespace

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
