"""Passkey operations of the signed-in user (an access token with aws.cognito.signin.user.admin):
StartWebAuthnRegistration, CompleteWebAuthnRegistration, ListWebAuthnCredentials, DeleteWebAuthnCredential.

Sources: botocore's cognito-idp model (the four operations, their inputs, outputs and errors; ListWebAuthnCredentials'
MaxResults 0..20). The domain rules and what is UNCONFIRMED are in ``cognito/passkeys.py``; here also the text of
DeleteWebAuthnCredential's ResourceNotFoundException, ListWebAuthnCredentials' default page size (20) and the
InvalidParameterException for a NextToken poolgate did not issue.
"""

from __future__ import annotations

import base64
from typing import Any

from ...errors import ServiceError, invalid_parameter
from .. import passkeys
from ..access import user_from_access_token
from ..service import COGNITO, Caller, Services

_PAGE = 20


@COGNITO.operation("StartWebAuthnRegistration")
async def start_web_authn_registration(services: Services, caller: Caller, params: dict[str, Any]
                                       ) -> dict[str, Any]:
    pool, user, claims = await user_from_access_token(services, params["AccessToken"])
    passkeys.check_enabled(pool)
    options = await passkeys.start_registration(services, pool, str(claims.get("client_id")), user)
    return {"CredentialCreationOptions": options}


@COGNITO.operation("CompleteWebAuthnRegistration")
async def complete_web_authn_registration(services: Services, caller: Caller, params: dict[str, Any]
                                          ) -> dict[str, Any]:
    pool, user, claims = await user_from_access_token(services, params["AccessToken"])
    passkeys.check_enabled(pool)
    await passkeys.complete_registration(services, pool, str(claims.get("client_id")), user, params["Credential"])
    return {}


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        offset = int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("passkeys:"))
    except ValueError:
        raise invalid_parameter("Invalid NextToken.") from None  # message UNCONFIRMED
    if offset < 0:
        raise invalid_parameter("Invalid NextToken.")
    return offset


@COGNITO.operation("ListWebAuthnCredentials")
async def list_web_authn_credentials(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = await user_from_access_token(services, params["AccessToken"])
    size = int(params.get("MaxResults") or _PAGE)
    offset = _offset(params.get("NextToken"))
    every = await passkeys.list_credentials(services, pool, user)
    out: dict[str, Any] = {"Credentials": every[offset:offset + size]}
    if offset + size < len(every):
        out["NextToken"] = base64.urlsafe_b64encode(f"passkeys:{offset + size}".encode()).decode()
    return out


@COGNITO.operation("DeleteWebAuthnCredential")
async def delete_web_authn_credential(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = await user_from_access_token(services, params["AccessToken"])
    if not await passkeys.delete_credential(services, pool, user, params["CredentialId"]):
        raise ServiceError("ResourceNotFoundException", "Credential not found.")  # message UNCONFIRMED
    return {}
