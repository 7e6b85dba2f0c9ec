"""Device tracking in the sign-in engine, in-process with a fake clock: the Step transitions a device changes (a new
device's NewDeviceMetadata, DEVICE_SRP_AUTH -> DEVICE_PASSWORD_VERIFIER before MFA, a remembered device instead of
the TOTP code, a not-remembered one still asked for it), and the refusals (a wrong device password, a forgotten
device, an expired session, a stale TIMESTAMP). The device's side is pycognito's (tests/cognito_devices/helpers.py).

AWS sources: DeviceConfigurationType (ChallengeRequiredOnNewDevice: "a remembered device can sign in with device
authentication instead of SMS and TOTP factors"; DeviceOnlyRememberedOnUserPrompt), RespondToAuthChallenge
ChallengeResponses (DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER), "Working with user devices in your user pool"
(device keys "Region_UUID")."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from pycognito import aws_srp

from poolgate.cognito import repo
from poolgate.cognito.signin.errors import Reason
from poolgate.cognito.signin.steps import Challenge, Issued, Step
from poolgate.cognito.signin.totp import associate_token, verify_token
from poolgate.errors import ServiceError

from ..cognito.test_signin_engine import PASSWORD, Bench, run
from .helpers import DeviceSecret, claims

TRACKING = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}
DEVICE_KEY = re.compile(r"^us-east-1_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


async def _pool(b: Bench, device_config: dict[str, Any] | None = None, mfa: bool = True) -> str | None:
    """A pool tracking devices (``device_config``), with TOTP MFA required and user lee's authenticator set up."""
    config: dict[str, Any] = {"DeviceConfiguration": device_config} if device_config is not None else {}
    await b.setup(MfaConfiguration="ON" if mfa else "OFF", **config)
    if mfa:
        await b.call("SetUserPoolMfaConfig", UserPoolId=b.pool.id, MfaConfiguration="ON",
                     SoftwareTokenMfaConfiguration={"Enabled": True})
    await b.user()
    if not mfa:
        return None
    async with b.services.db.read() as conn:
        user = await repo.get_user(conn, b.pool, "lee")
    secret = await associate_token(b.services, user)
    await verify_token(b.services, user, pyotp.TOTP(secret).at(b.clock.now()), None, enable=True)
    b.clock.advance(30)
    return secret


def _tokens(step: Step) -> Issued:
    assert isinstance(step, Issued), step
    return step


async def _totp(b: Bench, step: Step, secret: str | None, **extra: str) -> Step:
    assert isinstance(step, Challenge) and step.name == "SOFTWARE_TOKEN_MFA", step
    assert secret is not None
    answered = await b.answer(step, USERNAME="lee", SOFTWARE_TOKEN_MFA_CODE=pyotp.TOTP(secret).at(b.clock.now()),
                              **extra)
    b.clock.advance(30)
    return answered


async def _remembered_device(b: Bench, secret: str | None) -> DeviceSecret:
    """Sign in (password, TOTP), then ConfirmDevice the NewDeviceMetadata as aws-amplify does."""
    step = await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD)
    issued = _tokens(await _totp(b, step, secret) if secret else step)
    assert issued.tokens.new_device is not None
    metadata = {"DeviceKey": issued.tokens.new_device.key, "DeviceGroupKey": issued.tokens.new_device.group_key}
    device, config = DeviceSecret.new(metadata)
    confirmed = await b.call("ConfirmDevice", AccessToken=issued.tokens.access_token, DeviceKey=device.key,
                             DeviceSecretVerifierConfig=config, DeviceName="lee's laptop")
    assert confirmed == {"UserConfirmationNecessary": bool((b.pool.config.get("DeviceConfiguration") or {})
                                                           .get("DeviceOnlyRememberedOnUserPrompt"))}
    return device


async def _prove(b: Bench, device: DeviceSecret, step: Step) -> Step:
    """Answer DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER as the device."""
    assert isinstance(step, Challenge) and step.name == "DEVICE_SRP_AUTH", step
    prover = device.prover(b.pool.id, "lee")
    verifier = await b.answer(step, **prover.srp_auth())
    assert isinstance(verifier, Challenge) and verifier.name == "DEVICE_PASSWORD_VERIFIER", verifier
    assert set(verifier.parameters) >= {"SALT", "SRP_B", "SECRET_BLOCK", "USERNAME"}
    return await b.engine.answer(b.pool, b.client, verifier.name, "", prover.verifier(verifier.parameters))


def test_a_pool_without_device_configuration_tracks_nothing() -> None:
    async def scenario(b: Bench) -> None:
        await _pool(b, None, mfa=False)
        issued = _tokens(await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD))
        assert issued.tokens.new_device is None and "device_key" not in claims(issued.tokens.access_token)
        listed = await b.call("AdminListDevices", UserPoolId=b.pool.id, Username="lee")
        assert listed == {"Devices": []}
    run(scenario)


def test_each_sign_in_without_a_device_gets_a_new_one_in_the_users_group() -> None:
    async def scenario(b: Bench) -> None:
        await _pool(b, TRACKING, mfa=False)
        first = _tokens(await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD)).tokens
        b.clock.advance(1)  # listed oldest first
        second = _tokens(await b.start("ADMIN_USER_PASSWORD_AUTH", admin=True, USERNAME="lee",
                                       PASSWORD=PASSWORD)).tokens
        assert first.new_device and second.new_device
        assert DEVICE_KEY.match(first.new_device.key) and DEVICE_KEY.match(second.new_device.key)
        assert first.new_device.key != second.new_device.key
        assert first.new_device.group_key == second.new_device.group_key
        assert claims(first.access_token)["device_key"] == first.new_device.key
        assert "device_key" not in claims(first.id_token)
        # listed once registered by ConfirmDevice, oldest first
        assert await b.call("AdminListDevices", UserPoolId=b.pool.id, Username="lee") == {"Devices": []}
        for tokens in (second, first):
            assert tokens.new_device
            metadata = {"DeviceKey": tokens.new_device.key, "DeviceGroupKey": tokens.new_device.group_key}
            await b.call("ConfirmDevice", AccessToken=tokens.access_token, DeviceKey=tokens.new_device.key,
                         DeviceSecretVerifierConfig=DeviceSecret.new(metadata)[1])
        listed = await b.call("AdminListDevices", UserPoolId=b.pool.id, Username="lee")
        assert [d["DeviceKey"] for d in listed["Devices"]] == [first.new_device.key, second.new_device.key]
    run(scenario)


def test_a_remembered_device_signs_in_without_the_totp_code() -> None:
    async def scenario(b: Bench) -> None:
        secret = await _pool(b, TRACKING)
        device = await _remembered_device(b, secret)
        step = await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD, DEVICE_KEY=device.key)
        issued = _tokens(await _prove(b, device, step))  # no SOFTWARE_TOKEN_MFA
        assert issued.tokens.new_device is None
        assert claims(issued.tokens.access_token)["device_key"] == device.key
        got = await b.call("AdminGetDevice", UserPoolId=b.pool.id, Username="lee", DeviceKey=device.key)
        attributes = {a["Name"]: a["Value"] for a in got["Device"]["DeviceAttributes"]}
        assert attributes["dev:device_remembered_status"] == "remembered"
        assert attributes["device_name"] == "lee's laptop"
        assert got["Device"]["DeviceLastAuthenticatedDate"] == b.clock.now()
    run(scenario)


def test_a_device_that_is_not_remembered_is_proven_and_still_asked_for_the_code() -> None:
    async def scenario(b: Bench) -> None:
        secret = await _pool(b, TRACKING)
        device = await _remembered_device(b, secret)
        await b.call("AdminUpdateDeviceStatus", UserPoolId=b.pool.id, Username="lee", DeviceKey=device.key,
                     DeviceRememberedStatus="not_remembered")
        step = await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD, DEVICE_KEY=device.key)
        mfa = await _prove(b, device, step)
        issued = _tokens(await _totp(b, mfa, secret, DEVICE_KEY=device.key))
        assert issued.tokens.new_device is None
        assert claims(issued.tokens.access_token)["device_key"] == device.key
    run(scenario)


def test_without_challenge_required_on_new_device_a_remembered_device_does_not_replace_mfa() -> None:
    async def scenario(b: Bench) -> None:
        secret = await _pool(b, {"ChallengeRequiredOnNewDevice": False, "DeviceOnlyRememberedOnUserPrompt": False})
        device = await _remembered_device(b, secret)
        step = await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD, DEVICE_KEY=device.key)
        mfa = await _prove(b, device, step)
        assert isinstance(mfa, Challenge) and mfa.name == "SOFTWARE_TOKEN_MFA"
    run(scenario)


def test_on_user_prompt_a_confirmed_device_is_remembered_only_after_update_device_status() -> None:
    async def scenario(b: Bench) -> None:
        secret = await _pool(b, {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True})
        device = await _remembered_device(b, secret)  # UserConfirmationNecessary true
        step = await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD, DEVICE_KEY=device.key)
        mfa = await _prove(b, device, step)
        access = _tokens(await _totp(b, mfa, secret, DEVICE_KEY=device.key)).tokens.access_token
        await b.call("UpdateDeviceStatus", AccessToken=access, DeviceKey=device.key,
                     DeviceRememberedStatus="remembered")
        step = await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD, DEVICE_KEY=device.key)
        _tokens(await _prove(b, device, step))
    run(scenario)


def test_a_wrong_device_password_is_refused_and_skips_nothing() -> None:
    async def scenario(b: Bench) -> None:
        secret = await _pool(b, TRACKING)
        device = await _remembered_device(b, secret)
        impostor = DeviceSecret(device.key, device.group_key, device.password[::-1])
        step = await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD, DEVICE_KEY=device.key)
        assert await b.refused(_prove(b, impostor, step)) == Reason.WRONG_CREDENTIALS
        wrong_group = DeviceSecret(device.key, device.group_key + "x", device.password)
        step = await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD, DEVICE_KEY=device.key)
        assert await b.refused(_prove(b, wrong_group, step)) == Reason.WRONG_CREDENTIALS
    run(scenario)


def test_a_forgotten_device_is_not_found_and_the_sign_in_works_again_without_it() -> None:
    async def scenario(b: Bench) -> None:
        secret = await _pool(b, TRACKING)
        device = await _remembered_device(b, secret)
        await b.call("AdminForgetDevice", UserPoolId=b.pool.id, Username="lee", DeviceKey=device.key)
        with pytest.raises(ServiceError) as caught:
            await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD, DEVICE_KEY=device.key)
        assert (caught.value.code, caught.value.message) == ("ResourceNotFoundException", "Device does not exist.")
        step = await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD)
        assert isinstance(step, Challenge) and step.name == "SOFTWARE_TOKEN_MFA"
    run(scenario)


def test_the_device_proof_expires_with_its_session_and_with_a_stale_timestamp() -> None:
    async def scenario(b: Bench) -> None:
        secret = await _pool(b, TRACKING)
        device = await _remembered_device(b, secret)
        step = await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD, DEVICE_KEY=device.key)
        b.clock.advance(3 * 60 + 1)  # AuthSessionValidity: 3 minutes
        assert await b.refused(_prove(b, device, step)) == Reason.SESSION_EXPIRED
        b.clock.advance(-(3 * 60 + 1))
        step = await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD, DEVICE_KEY=device.key)
        assert isinstance(step, Challenge)
        prover = device.prover(b.pool.id, "lee")
        verifier = await b.answer(step, **prover.srp_auth())
        assert isinstance(verifier, Challenge)
        answer = prover.verifier(verifier.parameters)
        b.clock.advance(-600)  # the TIMESTAMP is over five minutes off the server's clock (srp_flow.TIMESTAMP_SKEW)
        assert await b.refused(b.engine.answer(b.pool, b.client, verifier.name, "", answer)) \
            == Reason.WRONG_CREDENTIALS
    run(scenario)


def test_refresh_names_the_device_and_refuses_a_forgotten_one() -> None:
    async def scenario(b: Bench) -> None:
        await _pool(b, TRACKING, mfa=False)
        tokens = _tokens(await b.start("USER_PASSWORD_AUTH", USERNAME="lee", PASSWORD=PASSWORD)).tokens
        assert tokens.new_device and tokens.refresh_token
        key = tokens.new_device.key
        with pytest.raises(ServiceError) as caught:  # a device never confirmed cannot refresh
            await b.start("REFRESH_TOKEN_AUTH", REFRESH_TOKEN=tokens.refresh_token, DEVICE_KEY=key)
        assert (caught.value.code, caught.value.message) == ("NotAuthorizedException", "Invalid Refresh Token.")
        metadata = {"DeviceKey": key, "DeviceGroupKey": tokens.new_device.group_key}
        await b.call("ConfirmDevice", AccessToken=tokens.access_token, DeviceKey=key,
                     DeviceSecretVerifierConfig=DeviceSecret.new(metadata)[1])
        renewed = _tokens(await b.start("REFRESH_TOKEN_AUTH", REFRESH_TOKEN=tokens.refresh_token, DEVICE_KEY=key))
        assert claims(renewed.tokens.access_token)["device_key"] == key
        await b.call("AdminForgetDevice", UserPoolId=b.pool.id, Username="lee", DeviceKey=key)
        with pytest.raises(ServiceError) as caught:
            await b.start("REFRESH_TOKEN_AUTH", REFRESH_TOKEN=tokens.refresh_token, DEVICE_KEY=key)
        assert (caught.value.code, caught.value.message) == ("NotAuthorizedException", "Invalid Refresh Token.")
    run(scenario)


def test_a_password_verifier_presenting_a_forgotten_device_can_be_sent_again_without_it() -> None:
    """amazon-cognito-identity-js answers "Device does not exist." by sending the same PASSWORD_VERIFIER again
    without DEVICE_KEY (amazon-archives/amazon-cognito-identity-js#206): the first answer must not use the session."""
    async def scenario(b: Bench) -> None:
        secret = await _pool(b, TRACKING)
        device = await _remembered_device(b, secret)
        await b.call("AdminForgetDevice", UserPoolId=b.pool.id, Username="lee", DeviceKey=device.key)
        client = aws_srp.AWSSRP("lee", PASSWORD, b.pool.id, b.client.client_id, client=object(),
                                device_key=device.key, device_group_key=device.group_key,
                                device_password=device.password)
        auth = client.get_auth_params()
        step = await b.start("USER_SRP_AUTH", **auth)
        assert isinstance(step, Challenge) and step.name == "PASSWORD_VERIFIER"
        answer = client.process_challenge(step.parameters, auth)
        with pytest.raises(ServiceError) as caught:
            await b.engine.answer(b.pool, b.client, step.name, "", answer)
        assert (caught.value.code, caught.value.message) == ("ResourceNotFoundException", "Device does not exist.")
        del answer["DEVICE_KEY"]
        mfa = await b.engine.answer(b.pool, b.client, step.name, "", answer)
        assert isinstance(mfa, Challenge) and mfa.name == "SOFTWARE_TOKEN_MFA"
    run(scenario)
