"""A name that matches nobody, on an app client with PreventUserExistenceErrors ENABLED: USER_SRP_AUTH answers with
a stable stand-in shaped like a user's answer, and PreAuthentication runs with ``userNotFound`` true.

Sources: CogDG:cognito-user-pool-managing-errors.md ("the same salt and an internal user ID in UUID format for the
same user name and user pool combination"; "If you call the Pre-Authentication Lambda trigger for a user that doesn't
exist, then Amazon Cognito returns UserNotFound") and CogDG:user-pool-lambda-pre-authentication.md ("doesn't activate
when a user doesn't exist unless the PreventUserExistenceErrors setting … is set to ENABLED").
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from .conftest import PASSWORD, LiveServer, make_pool, make_user

WRONG = ("NotAuthorizedException", "Incorrect username or password.", 400)
MISMATCH = ("NotAuthorizedException", "Invalid session provided for the user.", 400)
CUSTOM = ["DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse"]
FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def _error(call: Any, **kwargs: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def _strict_client(idp: Any, pool: str) -> str:
    client: dict[str, Any] = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="strict", PreventUserExistenceErrors="ENABLED",
        ExplicitAuthFlows=FLOWS)["UserPoolClient"]
    return str(client["ClientId"])


def _srp(idp: Any, pool: str, client: str, username: str) -> tuple[AWSSRP, dict[str, str], dict[str, Any]]:
    srp = AWSSRP(username, PASSWORD, pool, client, client=idp)
    params = srp.get_auth_params()
    challenge: dict[str, Any] = idp.initiate_auth(ClientId=client, AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER"
    return srp, params, challenge


def _shape(challenge: dict[str, Any]) -> dict[str, Any]:
    """What tells a challenge apart without knowing the password: keys, lengths, formats."""
    parameters = challenge["ChallengeParameters"]
    user_id = uuid.UUID(parameters["USER_ID_FOR_SRP"])  # raises when it is not a UUID
    return {"keys": sorted(parameters), "same_ids": parameters["USERNAME"] == parameters["USER_ID_FOR_SRP"],
            "uuid_version": user_id.version, "salt_length": len(parameters["SALT"]),
            "salt_hex": int(parameters["SALT"], 16) >= 0, "b_hex": int(parameters["SRP_B"], 16) > 0,
            "secret_block_bytes": len(base64.b64decode(parameters["SECRET_BLOCK"])),
            "top": sorted(k for k in challenge if k != "ResponseMetadata")}


def test_unknown_users_srp_challenge_looks_like_a_users(live: LiveServer, idp: Any) -> None:
    pool, _, _ = make_pool(idp, UsernameAttributes=["email"])
    client = _strict_client(idp, pool)
    make_user(idp, pool, "real@example.com")
    sub = idp.admin_get_user(UserPoolId=pool, Username="real@example.com")["Username"]
    srp, params, real = _srp(idp, pool, client, "real@example.com")
    # a user of an e-mail-username pool: both names are the internal username, the sub (rogatty/hexo-blog
    # source/_posts/2018-02-04-Authentication-and-authorization-in-AWS-ecosystem.md, a captured exchange)
    assert real["ChallengeParameters"]["USERNAME"] == real["ChallengeParameters"]["USER_ID_FOR_SRP"] == sub
    answer = srp.process_challenge(real["ChallengeParameters"], params)
    assert idp.respond_to_auth_challenge(ClientId=client, ChallengeName="PASSWORD_VERIFIER",
                                         ChallengeResponses=answer)["AuthenticationResult"]["IdToken"]

    ghost, ghost_params, unknown = _srp(idp, pool, client, "ghost@example.com")
    assert _shape(unknown) == _shape(real)
    stand_in = unknown["ChallengeParameters"]["USER_ID_FOR_SRP"]
    assert stand_in not in ("ghost@example.com", sub)
    # pycognito answers with the challenge's USERNAME (the stand-in): accepted as the session's, and refused as a
    # wrong password would be
    answer = ghost.process_challenge(unknown["ChallengeParameters"], ghost_params)
    assert answer["USERNAME"] == stand_in
    assert _error(idp.respond_to_auth_challenge, ClientId=client, ChallengeName="PASSWORD_VERIFIER",
                  ChallengeResponses=answer) == WRONG
    # the name asked for is the session's too; another user's is not
    for username, expected in (("ghost@example.com", WRONG), ("real@example.com", MISMATCH)):
        ghost, ghost_params, unknown = _srp(idp, pool, client, "ghost@example.com")
        answer = {**ghost.process_challenge(unknown["ChallengeParameters"], ghost_params), "USERNAME": username}
        assert _error(idp.respond_to_auth_challenge, ClientId=client, ChallengeName="PASSWORD_VERIFIER",
                      ChallengeResponses=answer) == expected, username


def test_unknown_users_stand_in_and_salt_are_stable_per_name(live: LiveServer, idp: Any) -> None:
    pool, _, _ = make_pool(idp, UsernameAttributes=["email"], triggers=CUSTOM)
    client = _strict_client(idp, pool)
    first = _srp(idp, pool, client, "ghost@example.com")[2]["ChallengeParameters"]
    again = _srp(idp, pool, client, "ghost@example.com")[2]["ChallengeParameters"]
    other = _srp(idp, pool, client, "other@example.com")[2]["ChallengeParameters"]
    assert (again["USERNAME"], again["USER_ID_FOR_SRP"], again["SALT"]) == \
        (first["USERNAME"], first["USER_ID_FOR_SRP"], first["SALT"])
    assert again["SRP_B"] != first["SRP_B"] and again["SECRET_BLOCK"] != first["SECRET_BLOCK"]
    assert other["USER_ID_FOR_SRP"] != first["USER_ID_FOR_SRP"] and other["SALT"] != first["SALT"]
    # the same stand-in as CUSTOM_AUTH's for that name
    custom = idp.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH",
                               AuthParameters={"USERNAME": "ghost@example.com"})
    assert custom["ChallengeParameters"]["USERNAME"] == first["USER_ID_FOR_SRP"]
    # another pool, another stand-in
    pool_b, _, _ = make_pool(idp, UsernameAttributes=["email"])
    elsewhere = _srp(idp, pool_b, _strict_client(idp, pool_b), "ghost@example.com")[2]["ChallengeParameters"]
    assert elsewhere["USER_ID_FOR_SRP"] != first["USER_ID_FOR_SRP"]


def test_pre_authentication_runs_for_unknown_users(live: LiveServer, idp: Any) -> None:
    pool, legacy, _ = make_pool(idp, triggers=["PreAuthentication", *CUSTOM], UsernameAttributes=["email"])
    client = _strict_client(idp, pool)
    metadata = {"app": "unknown-user-test"}
    stand_in = _srp(idp, pool, client, "nobody@example.com")[2]["ChallengeParameters"]["USER_ID_FOR_SRP"]

    def events() -> list[dict[str, Any]]:
        return [e for e in live.events("PreAuthentication") if e["userName"] == stand_in]

    expected = {"userAttributes": {}, "validationData": metadata, "userNotFound": True}
    calls: dict[str, Any] = {
        "USER_SRP_AUTH": lambda: idp.initiate_auth(
            ClientId=client, AuthFlow="USER_SRP_AUTH", ClientMetadata=metadata,
            AuthParameters=AWSSRP("nobody@example.com", PASSWORD, pool, client, client=idp).get_auth_params()),
        "CUSTOM_AUTH": lambda: idp.initiate_auth(ClientId=client, AuthFlow="CUSTOM_AUTH", ClientMetadata=metadata,
                                                 AuthParameters={"USERNAME": "nobody@example.com"}),
    }
    for flow, call in calls.items():
        before = len(events())
        assert call()["ChallengeParameters"]["USERNAME"] == stand_in, flow
        assert len(events()) == before + 1, flow
        event = events()[-1]
        assert event["triggerSource"] == "PreAuthentication_Authentication"
        assert event["callerContext"]["clientId"] == client and event["request"] == expected, flow
    before = len(events())
    assert _error(idp.initiate_auth, ClientId=client, AuthFlow="USER_PASSWORD_AUTH", ClientMetadata=metadata,
                  AuthParameters={"USERNAME": "nobody@example.com", "PASSWORD": PASSWORD}) == WRONG
    assert len(events()) == before + 1 and events()[-1]["request"] == expected
    # a LEGACY client tells at once, and runs no trigger for nobody
    total = len(live.events("PreAuthentication"))
    assert _error(idp.initiate_auth, ClientId=legacy, AuthFlow="USER_PASSWORD_AUTH",
                  AuthParameters={"USERNAME": "nobody@example.com", "PASSWORD": PASSWORD})[0] == "UserNotFoundException"
    assert len(live.events("PreAuthentication")) == total
    # a user on the same client: userNotFound false, the user's attributes
    make_user(idp, pool, "somebody@example.com")
    idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                      AuthParameters={"USERNAME": "somebody@example.com", "PASSWORD": PASSWORD})
    sub = idp.admin_get_user(UserPoolId=pool, Username="somebody@example.com")["Username"]
    known = [e for e in live.events("PreAuthentication") if e["userName"] == sub][-1]["request"]
    assert known["userNotFound"] is False and known["userAttributes"]["email"] == "somebody@example.com"
