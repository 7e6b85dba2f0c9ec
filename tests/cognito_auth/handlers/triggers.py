"""User-pool trigger handlers for the tests: each records the event it returns (one JSON line per call)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def _record(trigger: str, event: dict[str, Any]) -> dict[str, Any]:
    folder = os.environ.get("TRIGGER_EVENTS_DIR")
    if folder:
        with (Path(folder) / f"{trigger}.jsonl").open("a") as out:
            out.write(json.dumps(event) + "\n")
    return event


def pre_sign_up(event: dict[str, Any], context: Any) -> dict[str, Any] | None:
    name = event["userName"]
    if name.startswith("reject"):
        raise Exception("Sign-ups from reject* are closed")
    if name.startswith("nothing"):
        return None  # a handler that forgot its return statement
    if name.startswith("auto"):
        event["response"]["autoConfirmUser"] = True
        event["response"]["autoVerifyEmail"] = True
    return _record("PreSignUp", event)


def post_confirmation(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return _record("PostConfirmation", event)


def pre_authentication(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event["userName"].startswith("blocked"):
        raise Exception("This account is blocked")
    return _record("PreAuthentication", event)


def post_authentication(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return _record("PostAuthentication", event)


def pre_token_generation(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event["version"] == "1":
        event["response"]["claimsOverrideDetails"] = {
            "claimsToAddOrOverride": {"tier": "gold", "email": "override@example.com", "sub": "forged"},
            "claimsToSuppress": ["family_name"],
            "groupOverrideDetails": {"groupsToOverride": ["vip"]},
        }
    else:
        event["response"]["claimsAndScopeOverrideDetails"] = {
            "idTokenGeneration": {"claimsToAddOrOverride": {"tier": "platinum"}},
            "accessTokenGeneration": {"claimsToAddOrOverride": {"plan": "pro"}, "scopesToAdd": ["pets/read"]},
        }
    return _record("PreTokenGeneration", event)


def custom_message(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = event["request"]
    event["response"]["emailSubject"] = f"Hello {event['userName']}"
    event["response"]["emailMessage"] = f"[{event['triggerSource']}] code {request['codeParameter']}"
    if request["usernameParameter"]:
        event["response"]["emailMessage"] += f" for {request['usernameParameter']}"
    event["response"]["smsMessage"] = f"SMS code {request['codeParameter']}"
    return _record("CustomMessage", event)


def user_migration(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event["triggerSource"] == "UserMigration_ForgotPassword":
        if "password" in event["request"] or not event["userName"].startswith("legacy"):
            raise Exception("Unknown legacy user")
    elif event["request"]["password"] != "Legacy-Passw0rd!":
        raise Exception("Bad legacy password")
    event["response"]["userAttributes"] = {"email": f"{event['userName']}@legacy.example",
                                           "email_verified": "true"}
    event["response"]["finalUserStatus"] = "CONFIRMED"
    event["response"]["messageAction"] = "SUPPRESS"
    return _record("UserMigration", event)


def define_auth_challenge(event: dict[str, Any], context: Any) -> dict[str, Any]:
    session = event["request"]["session"]
    response = event["response"]
    if event["userName"].startswith("odd"):
        response.update(challengeName="NO_SUCH_CHALLENGE", issueTokens=False, failAuthentication=False)
    elif session and session[-1]["challengeName"] == "SRP_A":
        response.update(challengeName="PASSWORD_VERIFIER", issueTokens=False, failAuthentication=False)
    elif session and session[-1]["challengeName"] == "CUSTOM_CHALLENGE" and session[-1]["challengeResult"]:
        response.update(issueTokens=True, failAuthentication=False)
    elif len([s for s in session if s["challengeName"] == "CUSTOM_CHALLENGE"]) >= 3:
        response.update(issueTokens=False, failAuthentication=True)
    else:
        response.update(challengeName="CUSTOM_CHALLENGE", issueTokens=False, failAuthentication=False)
    return _record("DefineAuthChallenge", event)


def create_auth_challenge(event: dict[str, Any], context: Any) -> dict[str, Any]:
    code = str(100000 + len(event["request"]["session"]) * 1111)
    event["response"]["publicChallengeParameters"] = {"hint": "a six-digit code was e-mailed"}
    event["response"]["privateChallengeParameters"] = {"answer": code}
    event["response"]["challengeMetadata"] = f"CODE-{len(event['request']['session'])}"
    return _record("CreateAuthChallenge", event)


def verify_auth_challenge_response(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request = event["request"]
    event["response"]["answerCorrect"] = request["challengeAnswer"] == request["privateChallengeParameters"]["answer"]
    return _record("VerifyAuthChallengeResponse", event)
