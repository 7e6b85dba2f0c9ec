"""aws-amplify v6 from npm, unmodified (tests/js/amplify-devices.mjs), remembers a device as an app does: sign in
with SRP and a TOTP code (Amplify itself confirms the NewDeviceMetadata with ConfirmDevice), rememberDevice,
fetchDevices, sign out, sign in again with no TOTP code (Amplify presents DEVICE_KEY and answers DEVICE_SRP_AUTH and
DEVICE_PASSWORD_VERIFIER, @aws-amplify/auth handleDeviceSRPAuth), then a refresh with the device key
(refreshAuthTokens sends DeviceKey). Against a real server, SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pyotp
import pytest

from ..cognito_auth.test_amplify import JS_DIR, _node
from .helpers import claims
from .test_wire import PASSWORD, _attributes, _calm_totp_moment, _pool, _with_totp


def _amplify(idp: Any, pool: str, client: str, secret: str, step: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Run the script, answering each code it asks for with the TOTP of ``step`` (then later ones)."""
    proc = subprocess.Popen([_node(), str(JS_DIR / "amplify-devices.mjs")], cwd=JS_DIR, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    asked: list[dict[str, Any]] = []
    try:
        proc.stdin.write(json.dumps({"endpoint": idp.meta.endpoint_url + "/", "userPoolId": pool,
                                     "clientId": client, "username": "dana", "password": PASSWORD}) + "\n")
        proc.stdin.flush()
        for _ in range(4):
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
            said = json.loads(line)
            if "step" not in said:
                assert "error" not in said, said
                assert proc.wait(60) == 0
                return asked, said
            asked.append(said["step"])
            code = pyotp.TOTP(secret).generate_otp(step + len(asked) - 1)
            proc.stdin.write(json.dumps({"answer": code}) + "\n")
            proc.stdin.flush()
        raise AssertionError(f"still asked after {asked}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.node
def test_amplify_remembers_the_device_and_then_signs_in_without_the_totp_code(idp: Any) -> None:
    _node()
    pool, client = _pool(idp, {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True})
    _, secret, _ = _with_totp(idp, pool, client)
    asked, out = _amplify(idp, pool, client, secret, _calm_totp_moment())
    assert [s["signInStep"] for s in asked] == ["CONFIRM_SIGN_IN_WITH_TOTP_CODE"]
    assert out["firstSteps"] == ["CONFIRM_SIGN_IN_WITH_TOTP_CODE"] and out["secondSteps"] == []
    key = out["stored"]["deviceKey"]
    assert out["stored"]["deviceGroupKey"]
    assert claims(out["first"]["accessToken"])["device_key"] == key  # the device made for the first sign-in
    assert claims(out["second"]["accessToken"])["device_key"] == key  # proven by device SRP, no new one
    assert claims(out["refreshed"]["accessToken"])["device_key"] == key
    assert key in [d["id"] for d in out["devices"]]
    device = idp.admin_get_device(UserPoolId=pool, Username="dana", DeviceKey=key)["Device"]
    assert _attributes(device)["dev:device_remembered_status"] == "remembered"
    assert "DeviceLastAuthenticatedDate" in device
    assert _attributes(device)["device_name"] == "poolgate-tests/node"  # Amplify's getDeviceName (navigator)
