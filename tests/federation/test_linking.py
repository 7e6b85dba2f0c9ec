"""AdminLinkProviderForUser, AdminDisableProviderForUser and AdminDeleteUserAttributes of ``identities``
(issue 16): a linked native user gets the federated identity, and signing in through the provider lands on it;
unlinking sends the next sign-in to a ``{ProviderName}_{sub}`` user of its own.

"Merging is not currently supported, provide a SourceUser that has not been signed up in order to link" is the
InvalidParameterException a live pool answered when the source had signed in already (quoted in a public project's
migration notes); the other texts are UNCONFIRMED and only their codes are pinned."""

from __future__ import annotations

import json
from typing import Any

import jwt

from ..cognito.helpers import error_of
from ..oauth.conftest import Callback
from ..oauth.helpers import PASSWORD
from ..support import Server
from .conftest import APP_POOL, UPSTREAM_POOL
from .test_hosted_federation import federated_code, tokens_for

MERGING = "Merging is not currently supported, provide a SourceUser that has not been signed up in order to link"


def _user(idp: Any, pool_id: str, username: str, **attributes: str) -> str:
    idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS", TemporaryPassword=PASSWORD,
                          UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()])
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)
    found = idp.admin_get_user(UserPoolId=pool_id, Username=username)["UserAttributes"]
    return str(next(a["Value"] for a in found if a["Name"] == "sub"))


def _source(sub: str, provider: str = "Upstream") -> dict[str, str]:
    return {"ProviderName": provider, "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": sub}


def _attributes(idp: Any, username: str) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=APP_POOL, Username=username)["UserAttributes"]}


def _signed_in_as(server: Server, callback: Callback, username: str) -> dict[str, Any]:
    code, _ = federated_code(server, callback, username=username)
    return dict(jwt.decode(tokens_for(server, callback, code)["id_token"], options={"verify_signature": False}))


def test_link_sign_in_unlink_and_delete_identities(fed_server: Server, callback: Callback, fed_idp: Any) -> None:
    idp = fed_idp
    upstream_sub = _user(idp, UPSTREAM_POOL, "dave-up", email="dave@example.com")
    _user(idp, APP_POOL, "dave", email="dave@example.com")
    destination = {"ProviderName": "Cognito", "ProviderAttributeValue": "dave"}

    idp.admin_link_provider_for_user(UserPoolId=APP_POOL, DestinationUser=destination,
                                     SourceUser=_source(upstream_sub))
    [identity] = json.loads(_attributes(idp, "dave")["identities"])
    assert (identity["userId"], identity["providerName"], identity["providerType"]) == (upstream_sub, "Upstream",
                                                                                          "OIDC")
    again = error_of(idp.admin_link_provider_for_user, UserPoolId=APP_POOL, DestinationUser=destination,
                     SourceUser=_source(upstream_sub))
    assert again.code == "InvalidParameterException"

    # signing in through the provider lands on the native user, which keeps its status
    claims = _signed_in_as(fed_server, callback, "dave-up")
    assert claims["cognito:username"] == "dave"
    assert [i["userId"] for i in claims["identities"]] == [upstream_sub]
    assert idp.admin_get_user(UserPoolId=APP_POOL, Username="dave")["UserStatus"] == "CONFIRMED"
    assert f"Upstream_{upstream_sub}" not in [u["Username"] for u in idp.list_users(UserPoolId=APP_POOL)["Users"]]

    # unlinked: the identity leaves the native user; the next sign-in makes a user of its own
    idp.admin_disable_provider_for_user(UserPoolId=APP_POOL, User=_source(upstream_sub))
    assert "identities" not in _attributes(idp, "dave")
    claims = _signed_in_as(fed_server, callback, "dave-up")
    assert claims["cognito:username"] == f"Upstream_{upstream_sub}"
    # that user has signed up now: it cannot be merged into dave
    merging = error_of(idp.admin_link_provider_for_user, UserPoolId=APP_POOL, DestinationUser=destination,
                       SourceUser=_source(upstream_sub))
    assert (merging.code, merging.message) == ("InvalidParameterException", MERGING)

    # once that user is gone the link can be made again; deleting the identities attribute undoes it
    idp.admin_delete_user(UserPoolId=APP_POOL, Username=f"Upstream_{upstream_sub}")
    idp.admin_link_provider_for_user(UserPoolId=APP_POOL, DestinationUser=destination,
                                     SourceUser=_source(upstream_sub))
    assert _signed_in_as(fed_server, callback, "dave-up")["cognito:username"] == "dave"
    idp.admin_delete_user_attributes(UserPoolId=APP_POOL, Username="dave", UserAttributeNames=["identities"])
    assert "identities" not in _attributes(idp, "dave")
    assert _signed_in_as(fed_server, callback, "dave-up")["cognito:username"] == f"Upstream_{upstream_sub}"


def test_link_errors(fed_server: Server, fed_idp: Any) -> None:
    idp = fed_idp
    _user(idp, APP_POOL, "erin")
    destination = {"ProviderName": "Cognito", "ProviderAttributeValue": "erin"}
    assert error_of(idp.admin_link_provider_for_user, UserPoolId=APP_POOL, DestinationUser=destination,
                    SourceUser=_source("abc", "Nobody")).code == "ResourceNotFoundException"
    assert error_of(idp.admin_link_provider_for_user, UserPoolId=APP_POOL,
                    DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": "nobody"},
                    SourceUser=_source("abc")).code == "UserNotFoundException"
    assert error_of(idp.admin_link_provider_for_user, UserPoolId=APP_POOL,
                    DestinationUser={"ProviderName": "Upstream", "ProviderAttributeValue": "erin"},
                    SourceUser=_source("abc")).code == "InvalidParameterException"
    assert error_of(idp.admin_link_provider_for_user, UserPoolId=APP_POOL, DestinationUser=destination,
                    SourceUser={**_source("abc"), "ProviderAttributeName": "email"}).code == \
        "InvalidParameterException"
    # disabling a link that does not exist is not an error
    idp.admin_disable_provider_for_user(UserPoolId=APP_POOL, User=_source("never-linked"))
