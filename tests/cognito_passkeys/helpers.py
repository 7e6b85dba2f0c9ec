"""Helpers for the passkey tests: a pool that allows WEB_AUTHN, a signed-in user, passkeys registered through the
API with the software authenticator, and USER_AUTH sign-ins with them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..cognito.helpers import PASSWORD, admin_user, new_client, new_pool, sign_in, unique
from .authenticator import SoftAuthenticator

ORIGIN = "http://localhost:8443"
FLOWS = ["ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@dataclass
class Member:
    """A user of a passkey pool, signed in with a password."""

    pool_id: str
    client_id: str
    username: str
    access_token: str


def passkey_pool(idp: Any, factors: tuple[str, ...] = ("PASSWORD", "WEB_AUTHN"), **config: Any) -> tuple[str, str]:
    """A pool allowing ``factors`` first (passkeys by default) and a USER_AUTH client; (pool id, client id)."""
    pool_id = new_pool(idp, Policies={"SignInPolicy": {"AllowedFirstAuthFactors": list(factors)}})
    if config:
        idp.set_user_pool_mfa_config(UserPoolId=pool_id, WebAuthnConfiguration=config)
    return pool_id, str(new_client(idp, pool_id, FLOWS)["ClientId"])


def member(idp: Any, pool_id: str, client_id: str, username: str | None = None) -> Member:
    name = username or unique("u")
    admin_user(idp, pool_id, name)
    return Member(pool_id, client_id, name, sign_in(idp, client_id, name, PASSWORD)["AccessToken"])


def register(idp: Any, who: Member, device: SoftAuthenticator, origin: str = ORIGIN) -> str:
    """Register a new passkey of ``device`` for ``who``; returns its credential id."""
    options = idp.start_web_authn_registration(AccessToken=who.access_token)["CredentialCreationOptions"]
    credential = device.create(options, origin)
    idp.complete_web_authn_registration(AccessToken=who.access_token, Credential=credential)
    return str(credential["id"])


def webauthn_challenge(idp: Any, who: Member) -> tuple[str, dict[str, Any]]:
    """USER_AUTH preferring WEB_AUTHN: (Session, the parsed CREDENTIAL_REQUEST_OPTIONS)."""
    started = idp.initiate_auth(ClientId=who.client_id, AuthFlow="USER_AUTH",
                                AuthParameters={"USERNAME": who.username, "PREFERRED_CHALLENGE": "WEB_AUTHN"})
    assert started["ChallengeName"] == "WEB_AUTHN", started
    return str(started["Session"]), json.loads(started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])


def answer(idp: Any, who: Member, session: str, credential: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = idp.respond_to_auth_challenge(
        ClientId=who.client_id, ChallengeName="WEB_AUTHN", Session=session,
        ChallengeResponses={"USERNAME": who.username, "CREDENTIAL": json.dumps(credential)})
    return result
