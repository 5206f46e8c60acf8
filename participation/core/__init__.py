"""The kernel every capability builds on: users and roles, permissions, the action log,
translatable content, markup sanitising, htmx helpers, mail, and the capability registry."""
