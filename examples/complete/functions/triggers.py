"""The pool's PreTokenGeneration trigger (``LambdaConfig.PreTokenGeneration`` names the function ``pretoken``):
every ID token carries the user's pet-owner tier."""

from __future__ import annotations

from typing import Any


def pre_token(event: dict[str, Any], context: Any) -> dict[str, Any]:
    groups = event["request"]["groupConfiguration"].get("groupsToOverride") or []
    tier = "owner" if "petowners" in groups else "visitor"
    event["response"] = {"claimsOverrideDetails": {"claimsToAddOrOverride": {"pets:tier": tier}}}
    return event
