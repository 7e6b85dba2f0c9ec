"""Device tracking over the wire, with boto3 against a real server (SQLite and PostgreSQL): NewDeviceMetadata,
ConfirmDevice, UpdateDeviceStatus, Get/List/ForgetDevice and their Admin forms, device SRP skipping TOTP MFA (boto3
by hand, and pycognito's AWSSRP with its device keys), refresh with DEVICE_KEY, and AWS's errors.

AWS sources for the errors: "Device does not exist." (ResourceNotFoundException: aws/aws-sdk-net#1055,
aws-amplify/amplify-android#2605), "Invalid device key given." (ConfirmDevice's InvalidParameterException,
boto/boto3#4059), "Invalid Refresh Token." for a refresh from a device the pool does not know (aws/aws-sdk-java#2841).
UNCONFIRMED: DeviceKeyExistsException's text, the DeviceAttributes beyond device_name and
dev:device_remembered_status."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

import pyotp
import pytest
from botocore.exceptions import ClientError
from pycognito import aws_srp

from ..conftest import cognito_client
from .helpers import DeviceSecret, claims

PASSWORD = "Correct-horse-9!"
STEP = 30


def _calm_totp_moment() -> int:
    """The current TOTP step, waiting out the last seconds of one so the codes below stay in the server's window."""
    if time.time() % STEP > STEP - 6:
        time.sleep(STEP - time.time() % STEP + 0.1)
    return int(time.time() // STEP)


def _pool(idp: Any, device_config: dict[str, bool], **settings: Any) -> tuple[str, str]:
    pool = idp.create_user_pool(PoolName=f"devices-{time.monotonic_ns()}", DeviceConfiguration=device_config,
                                **settings)["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool, Username="dana", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username="dana", Password=PASSWORD, Permanent=True)
    return pool, client


def _sign_in(idp: Any, client: str, **extra: str) -> dict[str, Any]:
    out: dict[str, Any] = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                                            AuthParameters={"USERNAME": "dana", "PASSWORD": PASSWORD, **extra})
    return out


def _with_totp(idp: Any, pool: str, client: str) -> tuple[dict[str, Any], str, int]:
    """Sign in (MFA optional, none set up yet), then set up TOTP as the user's MFA; returns the sign-in's
    AuthenticationResult, the secret and the TOTP step its verification used."""
    pool_settings = {"UserPoolId": pool, "MfaConfiguration": "OPTIONAL",
                     "SoftwareTokenMfaConfiguration": {"Enabled": True}}
    idp.set_user_pool_mfa_config(**pool_settings)
    result = _sign_in(idp, client)["AuthenticationResult"]
    secret = idp.associate_software_token(AccessToken=result["AccessToken"])["SecretCode"]
    step = _calm_totp_moment()
    code = pyotp.TOTP(secret).generate_otp(step - 1)
    assert idp.verify_software_token(AccessToken=result["AccessToken"], UserCode=code)["Status"] == "SUCCESS"
    idp.set_user_mfa_preference(AccessToken=result["AccessToken"],
                                SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    return result, secret, step


def _confirm(idp: Any, result: dict[str, Any]) -> tuple[DeviceSecret, dict[str, Any]]:
    device, config = DeviceSecret.new(result["NewDeviceMetadata"])
    confirmed = idp.confirm_device(AccessToken=result["AccessToken"], DeviceKey=device.key,
                                   DeviceSecretVerifierConfig=config, DeviceName="dana's phone")
    return device, confirmed


def _error(call: Callable[[], Any]) -> tuple[str, str]:
    """The AWS error code and message a call is refused with."""
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response["Error"]
    return str(error["Code"]), str(error["Message"])


def _attributes(device: dict[str, Any]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in device["DeviceAttributes"]}


def test_remember_a_device_then_sign_in_without_the_totp_code(idp: Any) -> None:
    pool, client = _pool(idp, {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True})
    first, secret, step = _with_totp(idp, pool, client)
    metadata = first["NewDeviceMetadata"]
    assert metadata["DeviceKey"].startswith("us-east-1_") and metadata["DeviceGroupKey"]
    assert claims(first["AccessToken"])["device_key"] == metadata["DeviceKey"]

    device, confirmed = _confirm(idp, first)
    assert confirmed["UserConfirmationNecessary"] is True  # DeviceOnlyRememberedOnUserPrompt
    got = idp.get_device(AccessToken=first["AccessToken"], DeviceKey=device.key)["Device"]
    assert _attributes(got)["dev:device_remembered_status"] == "not_remembered"
    assert _attributes(got)["device_name"] == "dana's phone"

    # not remembered yet: the device is proven, and the TOTP code is still asked for
    started = _sign_in(idp, client, DEVICE_KEY=device.key)
    assert started["ChallengeName"] == "DEVICE_SRP_AUTH" and started["Session"]
    prover = device.prover(pool, "dana")
    verifier = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="DEVICE_SRP_AUTH",
                                             Session=started["Session"], ChallengeResponses=prover.srp_auth())
    assert verifier["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER"
    mfa = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="DEVICE_PASSWORD_VERIFIER",
                                        ChallengeResponses=prover.verifier(verifier["ChallengeParameters"]))
    assert mfa["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    signed_in = idp.respond_to_auth_challenge(
        ClientId=client, ChallengeName="SOFTWARE_TOKEN_MFA", Session=mfa["Session"],
        ChallengeResponses={"USERNAME": "dana", "DEVICE_KEY": device.key,
                            "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(secret).generate_otp(step)})["AuthenticationResult"]
    assert "NewDeviceMetadata" not in signed_in
    assert claims(signed_in["AccessToken"])["device_key"] == device.key

    idp.update_device_status(AccessToken=signed_in["AccessToken"], DeviceKey=device.key,
                             DeviceRememberedStatus="remembered")
    # remembered: pycognito's own SRP client signs in with password and device, and no MFA code
    tokens = aws_srp.AWSSRP("dana", PASSWORD, pool, client, client=idp, device_key=device.key,
                            device_group_key=device.group_key, device_password=device.password).authenticate_user()
    result = tokens["AuthenticationResult"]
    assert "NewDeviceMetadata" not in result and claims(result["AccessToken"])["device_key"] == device.key
    listed = idp.list_devices(AccessToken=result["AccessToken"])["Devices"]
    assert [d["DeviceKey"] for d in listed] == [device.key]
    assert "DeviceLastAuthenticatedDate" in listed[0]


def test_a_wrong_device_password_is_not_authorized(idp: Any) -> None:
    pool, client = _pool(idp, {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False})
    first, _, _ = _with_totp(idp, pool, client)
    device, confirmed = _confirm(idp, first)
    assert confirmed["UserConfirmationNecessary"] is False  # remembered at once
    impostor = aws_srp.AWSSRP("dana", PASSWORD, pool, client, client=idp, device_key=device.key,
                              device_group_key=device.group_key, device_password="not-" + device.password)
    assert _error(impostor.authenticate_user) == ("NotAuthorizedException", "Incorrect username or password.")
    with pytest.raises(idp.exceptions.NotAuthorizedException):  # nor can the device proof stand in for the password
        aws_srp.AWSSRP("dana", "Wrong-horse-9!", pool, client, client=idp, device_key=device.key,
                       device_group_key=device.group_key, device_password=device.password).authenticate_user()
    # DEVICE_SRP_AUTH without a Session only answers a sign-in whose password was just checked
    prover = device.prover(pool, "dana")
    assert _error(lambda: idp.respond_to_auth_challenge(ClientId=client, ChallengeName="DEVICE_SRP_AUTH",
                                                        ChallengeResponses=prover.srp_auth())) \
        == ("NotAuthorizedException", "Invalid session for the user, session is expired.")
    tokens = aws_srp.AWSSRP("dana", PASSWORD, pool, client, client=idp, device_key=device.key,
                            device_group_key=device.group_key, device_password=device.password).authenticate_user()
    assert "AuthenticationResult" in tokens


def test_refresh_with_the_device_key_and_a_forgotten_device(idp: Any) -> None:
    _, client = _pool(idp, {"ChallengeRequiredOnNewDevice": False, "DeviceOnlyRememberedOnUserPrompt": False})
    first = _sign_in(idp, client)["AuthenticationResult"]
    device, _ = _confirm(idp, first)
    refreshed = idp.initiate_auth(ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": first["RefreshToken"], "DEVICE_KEY": device.key})
    assert claims(refreshed["AuthenticationResult"]["AccessToken"])["device_key"] == device.key
    renewed = idp.get_tokens_from_refresh_token(ClientId=client, RefreshToken=first["RefreshToken"],
                                                DeviceKey=device.key)
    assert claims(renewed["AuthenticationResult"]["AccessToken"])["device_key"] == device.key

    idp.forget_device(AccessToken=first["AccessToken"], DeviceKey=device.key)
    assert _error(lambda: idp.get_device(AccessToken=first["AccessToken"], DeviceKey=device.key)) \
        == ("ResourceNotFoundException", "Device does not exist.")
    assert _error(lambda: _sign_in(idp, client, DEVICE_KEY=device.key)) \
        == ("ResourceNotFoundException", "Device does not exist.")
    refresh = {"REFRESH_TOKEN": first["RefreshToken"], "DEVICE_KEY": device.key}
    assert _error(lambda: idp.initiate_auth(ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=refresh)) \
        == ("NotAuthorizedException", "Invalid Refresh Token.")
    assert _error(lambda: idp.get_tokens_from_refresh_token(ClientId=client, RefreshToken=first["RefreshToken"],
                                                            DeviceKey=device.key)) \
        == ("NotAuthorizedException", "Invalid Refresh Token.")
    assert _error(lambda: idp.forget_device(AccessToken=first["AccessToken"], DeviceKey=device.key)) \
        == ("ResourceNotFoundException", "Device does not exist.")


def test_admin_device_operations_and_pagination(idp: Any) -> None:
    pool, client = _pool(idp, {"ChallengeRequiredOnNewDevice": True})
    results = [_sign_in(idp, client)["AuthenticationResult"] for _ in range(3)]
    keys = [r["NewDeviceMetadata"]["DeviceKey"] for r in results]
    assert idp.admin_list_devices(UserPoolId=pool, Username="dana")["Devices"] == []  # none registered yet
    for result in results:
        _confirm(idp, result)
    page = idp.admin_list_devices(UserPoolId=pool, Username="dana", Limit=2)
    rest = idp.admin_list_devices(UserPoolId=pool, Username="dana", Limit=2, PaginationToken=page["PaginationToken"])
    assert sorted(d["DeviceKey"] for d in page["Devices"] + rest["Devices"]) == sorted(keys)
    assert "PaginationToken" not in rest

    idp.admin_update_device_status(UserPoolId=pool, Username="dana", DeviceKey=keys[0],
                                   DeviceRememberedStatus="remembered")
    got = idp.admin_get_device(UserPoolId=pool, Username="dana", DeviceKey=keys[0])["Device"]
    assert _attributes(got)["dev:device_remembered_status"] == "remembered"
    assert got["DeviceKey"] == keys[0] and got["DeviceCreateDate"] and got["DeviceLastModifiedDate"]

    idp.admin_forget_device(UserPoolId=pool, Username="dana", DeviceKey=keys[0])
    assert _error(lambda: idp.admin_get_device(UserPoolId=pool, Username="dana", DeviceKey=keys[0])) \
        == ("ResourceNotFoundException", "Device does not exist.")
    assert _error(lambda: idp.admin_update_device_status(UserPoolId=pool, Username="dana", DeviceKey=keys[0],
                                                         DeviceRememberedStatus="remembered")) \
        == ("ResourceNotFoundException", "Device does not exist.")
    assert _error(lambda: idp.admin_forget_device(UserPoolId=pool, Username="nobody", DeviceKey=keys[1])) \
        == ("UserNotFoundException", "User does not exist.")
    assert _error(lambda: idp.admin_list_devices(UserPoolId=pool, Username="nobody")) \
        == ("ResourceNotFoundException", "User does not exist.")
    # another user cannot see or forget dana's device
    idp.admin_create_user(UserPoolId=pool, Username="eve", MessageAction="SUPPRESS")
    assert _error(lambda: idp.admin_get_device(UserPoolId=pool, Username="eve", DeviceKey=keys[1])) \
        == ("ResourceNotFoundException", "Device does not exist.")
    assert _error(lambda: idp.admin_forget_device(UserPoolId=pool, Username="eve", DeviceKey=keys[1])) \
        == ("ResourceNotFoundException", "Device does not exist.")
    assert idp.admin_get_device(UserPoolId=pool, Username="dana", DeviceKey=keys[1])["Device"]["DeviceKey"] == keys[1]


def test_confirm_device_refusals(idp: Any) -> None:
    _, client = _pool(idp, {"ChallengeRequiredOnNewDevice": True})
    result = _sign_in(idp, client)["AuthenticationResult"]
    device, config = DeviceSecret.new(result["NewDeviceMetadata"])
    assert _error(lambda: idp.confirm_device(AccessToken=result["AccessToken"], DeviceKey="us-east-1_0000-0000",
                                             DeviceSecretVerifierConfig=config)) \
        == ("InvalidParameterException", "Invalid device key given.")
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.confirm_device(AccessToken=result["AccessToken"], DeviceKey=device.key,
                           DeviceSecretVerifierConfig={"Salt": config["Salt"], "PasswordVerifier": "%%%"})
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.confirm_device(AccessToken=result["AccessToken"], DeviceKey=device.key,
                           DeviceSecretVerifierConfig={"Salt": config["Salt"], "PasswordVerifier": "AA=="})
    assert idp.confirm_device(AccessToken=result["AccessToken"], DeviceKey=device.key,
                              DeviceSecretVerifierConfig=config)["UserConfirmationNecessary"] is False
    with pytest.raises(idp.exceptions.DeviceKeyExistsException):
        idp.confirm_device(AccessToken=result["AccessToken"], DeviceKey=device.key, DeviceSecretVerifierConfig=config)
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.confirm_device(AccessToken="not-a-token", DeviceKey=device.key, DeviceSecretVerifierConfig=config)


def test_one_of_many_concurrent_confirmations_registers_the_device(idp: Any, server: Any) -> None:
    """Eight ConfirmDevice calls for one device at the same moment, each with its own verifier: the database lets
    one through, the others are DeviceKeyExistsException, and the verifier kept is the winner's (its device
    password signs in)."""
    pool, client = _pool(idp, {"ChallengeRequiredOnNewDevice": True})
    result = _sign_in(idp, client)["AuthenticationResult"]
    attempts = [DeviceSecret.new(result["NewDeviceMetadata"]) for _ in range(8)]
    barrier = Barrier(len(attempts))

    def confirm(config: dict[str, str]) -> str:
        own = cognito_client(server.url)
        barrier.wait()
        try:
            own.confirm_device(AccessToken=result["AccessToken"], DeviceKey=attempts[0][0].key,
                               DeviceSecretVerifierConfig=config)
        except ClientError as err:
            return str(err.response["Error"]["Code"])
        return "ok"

    with ThreadPoolExecutor(len(attempts)) as pool_of_threads:
        outcomes = list(pool_of_threads.map(confirm, [config for _, config in attempts]))
    assert sorted(outcomes) == ["DeviceKeyExistsException"] * 7 + ["ok"]
    winner = attempts[outcomes.index("ok")][0]
    tokens = aws_srp.AWSSRP("dana", PASSWORD, pool, client, client=idp, device_key=winner.key,
                            device_group_key=winner.group_key, device_password=winner.password).authenticate_user()
    assert claims(tokens["AuthenticationResult"]["AccessToken"])["device_key"] == winner.key
