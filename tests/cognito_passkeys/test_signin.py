"""USER_AUTH with passkeys through boto3 (SQLite and PostgreSQL): the WEB_AUTHN challenge with
CREDENTIAL_REQUEST_OPTIONS, answered with CREDENTIAL, and every way an assertion is refused.

Sources: botocore's cognito-idp model (InitiateAuth ChallengeName WEB_AUTHN; RespondToAuthChallenge ChallengeResponses
WEB_AUTHN {USERNAME, CREDENTIAL} and SELECT_CHALLENGE ANSWER WEB_AUTHN); aws-amplify v6 handleWebAuthnSignInResult.
UNCONFIRMED (see cognito/signin/passkey.py): the NotAuthorizedException message of a refused assertion.
"""

from __future__ import annotations

import json
from typing import Any

import jwt
import pytest

from ..cognito.helpers import error_of
from .authenticator import SoftAuthenticator, unb64url
from .helpers import ORIGIN, Member, answer, member, passkey_pool, register, webauthn_challenge


@pytest.fixture
def ada(idp: Any) -> tuple[Member, SoftAuthenticator, str]:
    pool_id, client_id = passkey_pool(idp)
    who = member(idp, pool_id, client_id)
    device = SoftAuthenticator()
    return who, device, register(idp, who, device)


def test_a_passkey_signs_the_user_in(idp: Any, ada: tuple[Member, SoftAuthenticator, str]) -> None:
    who, device, credential_id = ada
    session, options = webauthn_challenge(idp, who)
    assert options["rpId"] == "localhost" and options["userVerification"] == "preferred"
    assert [c["id"] for c in options["allowCredentials"]] == [credential_id]
    result = answer(idp, who, session, device.get(options, ORIGIN))["AuthenticationResult"]
    claims = jwt.decode(result["AccessToken"], options={"verify_signature": False})
    assert claims["username"] == who.username and claims["client_id"] == who.client_id
    assert result["IdToken"] and result["RefreshToken"]
    # the authenticator's counter is remembered: the next sign-in must count higher
    session, options = webauthn_challenge(idp, who)
    assert "AuthenticationResult" in answer(idp, who, session, device.get(options, ORIGIN))


def test_select_challenge_offers_web_authn_only_to_users_with_a_passkey(
        idp: Any, ada: tuple[Member, SoftAuthenticator, str]) -> None:
    who, device, _ = ada
    started = idp.initiate_auth(ClientId=who.client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": who.username})
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    assert set(started["AvailableChallenges"]) == {"PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"}
    chosen = idp.respond_to_auth_challenge(ClientId=who.client_id, ChallengeName="SELECT_CHALLENGE",
                                           Session=started["Session"],
                                           ChallengeResponses={"USERNAME": who.username, "ANSWER": "WEB_AUTHN"})
    assert chosen["ChallengeName"] == "WEB_AUTHN"
    options = json.loads(chosen["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    assert "AuthenticationResult" in answer(idp, who, chosen["Session"], device.get(options, ORIGIN))
    newcomer = member(idp, who.pool_id, who.client_id)
    plain = idp.initiate_auth(ClientId=who.client_id, AuthFlow="USER_AUTH",
                              AuthParameters={"USERNAME": newcomer.username})
    assert set(plain["AvailableChallenges"]) == {"PASSWORD", "PASSWORD_SRP"}


def test_a_challenge_session_answers_once(idp: Any, ada: tuple[Member, SoftAuthenticator, str]) -> None:
    who, device, _ = ada
    session, options = webauthn_challenge(idp, who)
    assertion = device.get(options, ORIGIN)
    assert "AuthenticationResult" in answer(idp, who, session, assertion)
    replayed = error_of(answer, idp, who, session, assertion)
    assert (replayed.code, replayed.status) == ("NotAuthorizedException", 400)


def test_an_assertion_for_another_challenge_is_refused(idp: Any, ada: tuple[Member, SoftAuthenticator, str]) -> None:
    who, device, _ = ada
    _, old_options = webauthn_challenge(idp, who)
    session, _ = webauthn_challenge(idp, who)
    refused = error_of(answer, idp, who, session, device.get(old_options, ORIGIN))
    assert (refused.code, refused.status) == ("NotAuthorizedException", 400)


def test_an_assertion_from_a_foreign_origin_is_refused(idp: Any, ada: tuple[Member, SoftAuthenticator, str]) -> None:
    who, device, _ = ada
    session, options = webauthn_challenge(idp, who)
    refused = error_of(answer, idp, who, session, device.get(options, "http://evil.example"))
    assert refused.code == "NotAuthorizedException"


def test_a_sign_count_that_does_not_move_on_is_refused(idp: Any, ada: tuple[Member, SoftAuthenticator, str]) -> None:
    who, device, _ = ada
    session, options = webauthn_challenge(idp, who)
    assert "AuthenticationResult" in answer(idp, who, session, device.get(options, ORIGIN, count=5))
    session, options = webauthn_challenge(idp, who)  # a clone of the authenticator, still at 5
    refused = error_of(answer, idp, who, session, device.get(options, ORIGIN, count=5))
    assert refused.code == "NotAuthorizedException"


def test_a_deleted_passkey_no_longer_signs_in(idp: Any, ada: tuple[Member, SoftAuthenticator, str]) -> None:
    who, device, credential_id = ada
    session, options = webauthn_challenge(idp, who)
    idp.delete_web_authn_credential(AccessToken=who.access_token, CredentialId=credential_id)
    refused = error_of(answer, idp, who, session, device.get(options, ORIGIN))
    assert refused.code == "NotAuthorizedException"
    again = idp.initiate_auth(ClientId=who.client_id, AuthFlow="USER_AUTH",
                              AuthParameters={"USERNAME": who.username, "PREFERRED_CHALLENGE": "WEB_AUTHN"})
    assert again["ChallengeName"] == "SELECT_CHALLENGE" and "WEB_AUTHN" not in again["AvailableChallenges"]


def test_another_users_passkey_does_not_sign_this_user_in(idp: Any, ada: tuple[Member, SoftAuthenticator, str]
                                                          ) -> None:
    who, device, credential_id = ada
    bob = member(idp, who.pool_id, who.client_id)
    register(idp, bob, SoftAuthenticator())
    session, options = webauthn_challenge(idp, bob)
    refused = error_of(answer, idp, bob, session, device.get(options, ORIGIN, credential_id=unb64url(credential_id)))
    assert refused.code == "NotAuthorizedException"


def test_a_forged_signature_is_refused(idp: Any, ada: tuple[Member, SoftAuthenticator, str]) -> None:
    who, device, _ = ada
    session, options = webauthn_challenge(idp, who)
    assertion = device.get(options, ORIGIN)
    signature = bytearray(unb64url(assertion["response"]["signature"]))
    signature[-1] ^= 1
    from .authenticator import b64url

    assertion["response"]["signature"] = b64url(bytes(signature))
    assert error_of(answer, idp, who, session, assertion).code == "NotAuthorizedException"


@pytest.mark.parametrize("credential", ["", "not json", json.dumps({"id": "x"}), json.dumps([1, 2])])
def test_a_malformed_credential_is_refused_cleanly(idp: Any, ada: tuple[Member, SoftAuthenticator, str],
                                                   credential: str) -> None:
    who, _, _ = ada
    session, _ = webauthn_challenge(idp, who)
    refused = error_of(idp.respond_to_auth_challenge, ClientId=who.client_id, ChallengeName="WEB_AUTHN",
                       Session=session, ChallengeResponses={"USERNAME": who.username, "CREDENTIAL": credential})
    assert refused.status == 400
    assert refused.code == ("InvalidParameterException" if credential == "" else "NotAuthorizedException")
