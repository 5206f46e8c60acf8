"""Moderation, generic over resource types: residents report records of any type declared
``ResourceType(..., moderatable=True)`` (whose model has ``hidden_at`` and ``hidden_reason`` columns);
enough reports hide a record until a moderator reviews it; moderators hide, restore, dismiss and
block. The pages live in the ``moderation`` capability; the rules live here."""
