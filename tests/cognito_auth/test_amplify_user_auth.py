"""aws-amplify v6 from npm, unmodified (tests/js/amplify-user-auth.mjs), signs in by choice (authFlowType USER_AUTH):
with preferredChallenge EMAIL_OTP (the code read here from the outbox), by picking PASSWORD among the
availableChallenges, and with PASSWORD_SRP. Amplify's own calls are the ones Cognito documents for USER_AUTH
(@aws-amplify/auth client/flows/userAuth/handleUserAuthFlow, handleSelectChallengeWithPassword)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from typing import Any

import jwt
import pytest

from .conftest import PASSWORD, LiveServer, make_pool, make_user
from .test_amplify import JS_DIR, _node

Answer = Callable[[dict[str, Any]], str]


def _amplify(live: LiveServer, pool: str, client: str, username: str, answer: Answer,
             **options: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Run the script; ``answer`` gives the challengeResponse for each nextStep. Returns (the steps, the tokens)."""
    proc = subprocess.Popen([_node(), str(JS_DIR / "amplify-user-auth.mjs")], cwd=JS_DIR, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    steps: list[dict[str, Any]] = []
    try:
        proc.stdin.write(json.dumps({"endpoint": live.url + "/", "userPoolId": pool, "clientId": client,
                                     "username": username, **options}) + "\n")
        proc.stdin.flush()
        for _ in range(5):
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
            said = json.loads(line)
            if "step" not in said:
                assert "signedIn" in said, said
                assert proc.wait(60) == 0
                return steps, said["signedIn"]
            steps.append(said["step"])
            proc.stdin.write(json.dumps({"answer": answer(said["step"])}) + "\n")
            proc.stdin.flush()
        raise AssertionError(f"no sign-in after {steps}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _pool(idp: Any, factors: list[str]) -> tuple[str, str]:
    pool, client, _ = make_pool(idp, ["ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                                Policies={"SignInPolicy": {"AllowedFirstAuthFactors": factors}})
    return pool, client


def _signed_in_as(idp: Any, tokens: dict[str, Any], username: str) -> None:
    assert idp.get_user(AccessToken=tokens["accessToken"])["Username"] == username
    assert jwt.decode(tokens["idToken"], options={"verify_signature": False})["cognito:username"] == username


@pytest.mark.node
def test_amplify_signs_in_with_an_email_code(live: LiveServer, idp: Any) -> None:
    pool, client = _pool(idp, ["PASSWORD", "EMAIL_OTP"])
    make_user(idp, pool, "eve", attributes={"email": "eve@example.com", "email_verified": "true"})
    steps, tokens = _amplify(live, pool, client, "eve", lambda step: live.outbox("eve")[-1]["code"],
                             preferredChallenge="EMAIL_OTP")
    assert [s["signInStep"] for s in steps] == ["CONFIRM_SIGN_IN_WITH_EMAIL_CODE"]
    assert steps[0]["codeDeliveryDetails"]["deliveryMedium"] == "EMAIL"
    _signed_in_as(idp, tokens, "eve")


@pytest.mark.node
def test_amplify_picks_password_among_the_available_challenges(live: LiveServer, idp: Any) -> None:
    pool, client = _pool(idp, ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"])
    make_user(idp, pool, "pam", attributes={"email": "pam@example.com", "email_verified": "true"})

    def answer(step: dict[str, Any]) -> str:
        return "PASSWORD" if step["signInStep"] == "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION" else PASSWORD

    steps, tokens = _amplify(live, pool, client, "pam", answer)
    assert [s["signInStep"] for s in steps] == ["CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION",
                                                "CONFIRM_SIGN_IN_WITH_PASSWORD"]
    assert set(steps[0]["availableChallenges"]) == {"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"}
    _signed_in_as(idp, tokens, "pam")


@pytest.mark.node
def test_amplify_signs_in_with_password_srp_through_user_auth(live: LiveServer, idp: Any) -> None:
    pool, client = _pool(idp, ["PASSWORD"])
    make_user(idp, pool, "sri")
    steps, tokens = _amplify(live, pool, client, "sri", lambda step: "", password=PASSWORD,
                             preferredChallenge="PASSWORD_SRP")
    assert steps == []
    _signed_in_as(idp, tokens, "sri")
