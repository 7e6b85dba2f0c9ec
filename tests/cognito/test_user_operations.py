"""Operations clients call that poolgate lacked, and AdminCreateUser's own password wording: AdminResetUserPassword,
DeleteUserAttributes, and the InvalidPasswordException AdminCreateUser answers."""

from __future__ import annotations

from typing import Any

from ..support import Server
from .helpers import PASSWORD, AwsError, admin_user, code_from_log, error_of, new_client, new_pool, sign_in


def test_admin_create_user_speaks_of_the_password_policy(idp: Any) -> None:
    # boto3's error as quoted in public code: "An error occurred (InvalidPasswordException) when calling the
    # AdminCreateUser operation: Password did not conform with password policy: Password not long enough"
    pool_id = new_pool(idp)
    for password, problem in (("Sh0rt!", "Password not long enough"),
                              ("nouppercase1!", "Password must have uppercase characters")):
        err = error_of(idp.admin_create_user, UserPoolId=pool_id, Username="ann", TemporaryPassword=password,
                       MessageAction="SUPPRESS")
        assert err == AwsError("InvalidPasswordException",
                               f"Password did not conform with password policy: {problem}", 400)
    # SignUp keeps its own wording
    client_id = new_client(idp, pool_id)["ClientId"]
    assert error_of(idp.sign_up, ClientId=client_id, Username="bob", Password="Sh0rt!").message == (
        "Password did not conform with policy: Password not long enough")


def test_admin_reset_user_password(server: Server, idp: Any) -> None:
    pool_id = new_pool(idp, AutoVerifiedAttributes=["email"])
    client_id = new_client(idp, pool_id)["ClientId"]
    admin_user(idp, pool_id, "ann", email="ann@example.com", email_verified="true")
    idp.admin_reset_user_password(UserPoolId=pool_id, Username="ann")
    assert idp.admin_get_user(UserPoolId=pool_id, Username="ann")["UserStatus"] == "RESET_REQUIRED"
    # Cognito API Reference: a sign-in now gets PasswordResetRequiredException; the code went to the verified e-mail
    err = error_of(idp.initiate_auth, ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                   AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD})
    assert err == AwsError("PasswordResetRequiredException", "Password reset required for the user", 400)
    code = code_from_log(server, pool_id, "ann", "forgot")
    idp.confirm_forgot_password(ClientId=client_id, Username="ann", ConfirmationCode=code, Password="N3w-Passw0rd")
    assert sign_in(idp, client_id, "ann", "N3w-Passw0rd")["AccessToken"]
    assert idp.admin_get_user(UserPoolId=pool_id, Username="ann")["UserStatus"] == "CONFIRMED"


def test_admin_reset_user_password_refusals(idp: Any) -> None:
    pool_id = new_pool(idp)
    admin_user(idp, pool_id, "nomail")
    # ForgotPassword's text for a user with nothing verified (moto gives it for this call too; UNCONFIRMED)
    assert error_of(idp.admin_reset_user_password, UserPoolId=pool_id, Username="nomail") == AwsError(
        "InvalidParameterException",
        "Cannot reset password for the user as there is no registered/verified email or phone_number", 400)
    assert idp.admin_get_user(UserPoolId=pool_id, Username="nomail")["UserStatus"] == "CONFIRMED"
    # AWS's answer for a FORCE_CHANGE_PASSWORD user (amazon-archives/amazon-cognito-identity-js#532)
    idp.admin_create_user(UserPoolId=pool_id, Username="fresh", MessageAction="SUPPRESS", TemporaryPassword=PASSWORD,
                          UserAttributes=[{"Name": "email", "Value": "f@example.com"},
                                          {"Name": "email_verified", "Value": "true"}])
    assert error_of(idp.admin_reset_user_password, UserPoolId=pool_id, Username="fresh") == AwsError(
        "NotAuthorizedException", "User password cannot be reset in the current state.", 400)
    assert error_of(idp.admin_reset_user_password, UserPoolId=pool_id, Username="ghost").code == "UserNotFoundException"


def test_delete_user_attributes(idp: Any) -> None:
    pool_id = new_pool(idp, Schema=[{"Name": "plan", "AttributeDataType": "String"}])
    client_id = new_client(idp, pool_id)["ClientId"]
    admin_user(idp, pool_id, "ann", **{"email": "ann@example.com", "name": "Ann", "custom:plan": "gold"})
    token = sign_in(idp, client_id, "ann")["AccessToken"]
    idp.delete_user_attributes(AccessToken=token, UserAttributeNames=["custom:plan", "name"])
    names = {a["Name"] for a in idp.get_user(AccessToken=token)["UserAttributes"]}
    assert "custom:plan" not in names and "name" not in names and "email" in names
    assert error_of(idp.delete_user_attributes, AccessToken=token, UserAttributeNames=["sub"]).message == (
        "Attributes did not conform to the schema: sub: cannot modify an immutable attribute")
    assert error_of(idp.delete_user_attributes, AccessToken="nope." * 3, UserAttributeNames=["name"]).code == (
        "NotAuthorizedException")
    # the admin form does the same
    idp.admin_delete_user_attributes(UserPoolId=pool_id, Username="ann", UserAttributeNames=["email"])
    assert "email" not in {a["Name"] for a in idp.admin_get_user(UserPoolId=pool_id, Username="ann")["UserAttributes"]}
