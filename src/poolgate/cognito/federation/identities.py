"""The ``identities`` attribute and ID-token claim: one entry per federated identity a user signs in with.

Cognito writes the attribute as a JSON list of ``{"userId", "providerName", "providerType", "issuer", "primary",
"dateCreated"}`` (``primary`` a boolean, ``dateCreated`` epoch milliseconds, as AdminGetUser shows it) and the ID
token's claim with ``primary`` and ``dateCreated`` as strings (the Developer Guide's ID token example: ``"primary":
"true"``, ``"dateCreated": "1642699117273"``, ``"issuer": null`` for a social provider). ``issuer`` is null for
OIDC and social providers here (UNCONFIRMED for OIDC; for SAML Cognito gives the IdP's entity id).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Identity:
    user_id: str
    provider_name: str
    provider_type: str
    created: float


def attribute_value(identities: list[Identity]) -> str:
    """The attribute: the oldest identity is the primary one (UNCONFIRMED for users with several)."""
    entries = [{"userId": i.user_id, "providerName": i.provider_name, "providerType": i.provider_type,
                "issuer": None, "primary": n == 0, "dateCreated": int(i.created * 1000)}
               for n, i in enumerate(sorted(identities, key=lambda i: i.created))]
    return json.dumps(entries, separators=(",", ":"))


def claim_value(attribute: str) -> Any:
    """The ID token's ``identities`` claim from the stored attribute (strings where Cognito's claim has them);
    an attribute that is not such a list (set by hand) goes out as stored."""
    try:
        entries = json.loads(attribute)
    except ValueError:
        return attribute
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        return attribute
    out = []
    for entry in entries:
        item = dict(entry)
        if isinstance(item.get("primary"), bool):
            item["primary"] = "true" if item["primary"] else "false"
        if isinstance(item.get("dateCreated"), int):
            item["dateCreated"] = str(item["dateCreated"])
        out.append(item)
    return out
