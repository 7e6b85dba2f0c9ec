"""The whole life of a user, driven with boto3 only, against SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import jwt

from ..support import Server
from .helpers import (
    NEW_PASSWORD,
    PASSWORD,
    code_from_log,
    code_from_outbox,
    error_of,
    new_client,
    new_pool,
    outbox,
    sign_in,
)


def _claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def _refresh(idp: Any, client_id: str, refresh_token: str) -> Any:
    return idp.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                             AuthParameters={"REFRESH_TOKEN": refresh_token})


def test_user_lifecycle(server: Server, idp: Any) -> None:
    pool_id = new_pool(idp, AutoVerifiedAttributes=["email"])
    client_id = new_client(idp, pool_id, flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["ClientId"]

    # Sign up: unconfirmed, the code goes to the outbox (readable with `poolgate codes`) and the log.
    signed = idp.sign_up(ClientId=client_id, Username="alice", Password=PASSWORD,
                         UserAttributes=[{"Name": "email", "Value": "alice@example.com"}])
    assert signed["UserConfirmed"] is False
    assert signed["CodeDeliveryDetails"] == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL",
                                             "AttributeName": "email"}
    assert idp.admin_get_user(UserPoolId=pool_id, Username="alice")["UserStatus"] == "UNCONFIRMED"
    entries = outbox(server, pool_id, "alice")
    assert [(e.purpose, e.destination) for e in entries] == [("signup", "EMAIL alice@example.com")]
    code = entries[0].code
    assert code.isdigit() and len(code) == 6
    assert code_from_log(server, pool_id, "alice", "signup") == code
    assert error_of(idp.initiate_auth, ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD}).code == "UserNotConfirmedException"

    idp.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=code)
    user = idp.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]

    # Sign in, GetUser with the access token.
    tokens = sign_in(idp, client_id, "alice")
    assert tokens["TokenType"] == "Bearer" and tokens["ExpiresIn"] == 3600
    me = idp.get_user(AccessToken=tokens["AccessToken"])
    assert me["Username"] == "alice"
    attrs = {a["Name"]: a["Value"] for a in me["UserAttributes"]}
    assert attrs["email"] == "alice@example.com" and attrs["sub"] == signed["UserSub"]

    # Refresh: new ID and access tokens, no new refresh token, same sign-in (origin_jti, auth_time).
    refreshed = _refresh(idp, client_id, tokens["RefreshToken"])["AuthenticationResult"]
    assert "RefreshToken" not in refreshed
    before, after = _claims(tokens["AccessToken"]), _claims(refreshed["AccessToken"])
    assert after["origin_jti"] == before["origin_jti"] and after["auth_time"] == before["auth_time"]
    assert after["jti"] != before["jti"]
    assert idp.get_user(AccessToken=refreshed["AccessToken"])["Username"] == "alice"

    # Change password: the old one is refused afterwards.
    idp.change_password(AccessToken=tokens["AccessToken"], PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD)
    refused = error_of(idp.initiate_auth, ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                       AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    assert (refused.code, refused.message) == ("NotAuthorizedException", "Incorrect username or password.")
    sign_in(idp, client_id, "alice", NEW_PASSWORD)

    # Forgot / confirm-forgot password.
    forgot = idp.forgot_password(ClientId=client_id, Username="alice")
    assert forgot["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    reset_code = code_from_outbox(server, pool_id, "alice", "forgot")
    assert code_from_log(server, pool_id, "alice", "forgot") == reset_code
    third = "Th1rd-Passw0rd"
    idp.confirm_forgot_password(ClientId=client_id, Username="alice", ConfirmationCode=reset_code, Password=third)
    assert error_of(idp.initiate_auth, ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": "alice", "PASSWORD": NEW_PASSWORD}).code == "NotAuthorizedException"
    tokens = sign_in(idp, client_id, "alice", third)
    assert "cognito:groups" not in _claims(tokens["IdToken"])

    # Groups: the claim appears in the next tokens (sign-in and refresh alike).
    idp.create_group(UserPoolId=pool_id, GroupName="admins", Precedence=1)
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    grouped = sign_in(idp, client_id, "alice", third)
    assert _claims(grouped["IdToken"])["cognito:groups"] == ["admins"]
    assert _claims(grouped["AccessToken"])["cognito:groups"] == ["admins"]
    again = _refresh(idp, client_id, tokens["RefreshToken"])["AuthenticationResult"]
    assert _claims(again["IdToken"])["cognito:groups"] == ["admins"]

    # Global sign-out: every refresh token and every access token issued before it are refused.
    idp.global_sign_out(AccessToken=grouped["AccessToken"])
    for refresh_token in (tokens["RefreshToken"], grouped["RefreshToken"]):
        err = error_of(_refresh, idp, client_id, refresh_token)
        assert (err.code, err.message, err.status) == ("NotAuthorizedException", "Refresh Token has been revoked", 400)
    for access_token in (grouped["AccessToken"], again["AccessToken"]):
        err = error_of(idp.get_user, AccessToken=access_token)
        assert (err.code, err.message, err.status) == ("NotAuthorizedException", "Access Token has been revoked", 400)

    # A new sign-in works again; RevokeToken revokes that session only.
    first = sign_in(idp, client_id, "alice", third)
    second = sign_in(idp, client_id, "alice", third)
    idp.revoke_token(Token=first["RefreshToken"], ClientId=client_id)
    err = error_of(_refresh, idp, client_id, first["RefreshToken"])
    assert (err.code, err.message) == ("NotAuthorizedException", "Refresh Token has been revoked")
    err = error_of(idp.get_user, AccessToken=first["AccessToken"])
    assert (err.code, err.message) == ("NotAuthorizedException", "Access Token has been revoked")
    assert idp.get_user(AccessToken=second["AccessToken"])["Username"] == "alice"
    _refresh(idp, client_id, second["RefreshToken"])

    # Passwords never reach the log.
    log = server.log()
    for password in (PASSWORD, NEW_PASSWORD, third):
        assert password not in log


def test_admin_sign_out_and_admin_flow(server: Server, idp: Any) -> None:
    pool_id = new_pool(idp)
    client_id = new_client(idp, pool_id)["ClientId"]
    idp.admin_create_user(UserPoolId=pool_id, Username="bob", TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="bob", Password=PASSWORD, Permanent=True)
    result = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": "bob", "PASSWORD": PASSWORD})["AuthenticationResult"]
    assert idp.get_user(AccessToken=result["AccessToken"])["Username"] == "bob"
    idp.admin_user_global_sign_out(UserPoolId=pool_id, Username="bob")
    assert error_of(idp.get_user, AccessToken=result["AccessToken"]).message == "Access Token has been revoked"
    assert error_of(_refresh, idp, client_id, result["RefreshToken"]).message == "Refresh Token has been revoked"
