"""StartWebAuthnRegistration / CompleteWebAuthnRegistration / ListWebAuthnCredentials / DeleteWebAuthnCredential
through boto3 against a real server (SQLite and PostgreSQL), with a software authenticator.

Sources: botocore's cognito-idp model (operations, shapes, error names; WebAuthnConfigurationType); the error
messages are poolgate's own (UNCONFIRMED, see cognito/passkeys.py), so these tests check codes and statuses.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..cognito.helpers import error_of
from .authenticator import SoftAuthenticator, unb64url
from .helpers import ORIGIN, member, passkey_pool, register


def test_start_hands_out_creation_options_for_the_signed_in_user(idp: Any) -> None:
    pool_id, client_id = passkey_pool(idp)
    who = member(idp, pool_id, client_id)
    options = idp.start_web_authn_registration(AccessToken=who.access_token)["CredentialCreationOptions"]
    assert options["rp"]["id"] == "localhost"
    assert options["user"]["name"] == who.username and unb64url(options["user"]["id"])
    assert len(unb64url(options["challenge"])) >= 16
    assert {"type": "public-key", "alg": -7} in options["pubKeyCredParams"]
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["excludeCredentials"] == []


def test_a_registered_passkey_is_listed_excluded_from_the_next_registration_and_deleted(idp: Any) -> None:
    pool_id, client_id = passkey_pool(idp)
    who = member(idp, pool_id, client_id)
    credential_id = register(idp, who, SoftAuthenticator())
    listed = idp.list_web_authn_credentials(AccessToken=who.access_token)["Credentials"]
    assert [c["CredentialId"] for c in listed] == [credential_id]
    assert listed[0]["RelyingPartyId"] == "localhost" and listed[0]["AuthenticatorTransports"] == ["internal"]
    assert listed[0]["AuthenticatorAttachment"] == "platform" and listed[0]["FriendlyCredentialName"]
    again = idp.start_web_authn_registration(AccessToken=who.access_token)["CredentialCreationOptions"]
    assert [c["id"] for c in again["excludeCredentials"]] == [credential_id]
    idp.delete_web_authn_credential(AccessToken=who.access_token, CredentialId=credential_id)
    assert idp.list_web_authn_credentials(AccessToken=who.access_token)["Credentials"] == []
    gone = error_of(idp.delete_web_authn_credential, AccessToken=who.access_token, CredentialId=credential_id)
    assert (gone.code, gone.status) == ("ResourceNotFoundException", 400)


def test_a_user_cannot_list_or_delete_another_users_passkey(idp: Any) -> None:
    pool_id, client_id = passkey_pool(idp)
    ada, bob = member(idp, pool_id, client_id), member(idp, pool_id, client_id)
    credential_id = register(idp, ada, SoftAuthenticator())
    assert idp.list_web_authn_credentials(AccessToken=bob.access_token)["Credentials"] == []
    assert error_of(idp.delete_web_authn_credential, AccessToken=bob.access_token,
                    CredentialId=credential_id).code == "ResourceNotFoundException"
    assert len(idp.list_web_authn_credentials(AccessToken=ada.access_token)["Credentials"]) == 1


def test_list_pages_with_max_results_and_next_token(idp: Any) -> None:
    pool_id, client_id = passkey_pool(idp)
    who = member(idp, pool_id, client_id)
    device = SoftAuthenticator()
    ids = {register(idp, who, device) for _ in range(3)}
    first = idp.list_web_authn_credentials(AccessToken=who.access_token, MaxResults=2)
    assert len(first["Credentials"]) == 2 and first["NextToken"]
    second = idp.list_web_authn_credentials(AccessToken=who.access_token, MaxResults=2, NextToken=first["NextToken"])
    assert "NextToken" not in second
    assert {c["CredentialId"] for c in first["Credentials"] + second["Credentials"]} == ids
    bad = error_of(idp.list_web_authn_credentials, AccessToken=who.access_token, NextToken="bm90LWEtdG9rZW4")
    assert bad.code == "InvalidParameterException"


def test_a_challenge_completes_one_registration_only(idp: Any) -> None:
    pool_id, client_id = passkey_pool(idp)
    who = member(idp, pool_id, client_id)
    device = SoftAuthenticator()
    options = idp.start_web_authn_registration(AccessToken=who.access_token)["CredentialCreationOptions"]
    idp.complete_web_authn_registration(AccessToken=who.access_token, Credential=device.create(options, ORIGIN))
    replayed = error_of(idp.complete_web_authn_registration, AccessToken=who.access_token,
                        Credential=device.create(options, ORIGIN))
    assert (replayed.code, replayed.status) == ("WebAuthnChallengeNotFoundException", 400)
    assert len(idp.list_web_authn_credentials(AccessToken=who.access_token)["Credentials"]) == 1


def test_concurrent_completions_of_one_challenge_register_one_passkey(idp: Any) -> None:
    pool_id, client_id = passkey_pool(idp)
    who = member(idp, pool_id, client_id)
    device = SoftAuthenticator()
    options = idp.start_web_authn_registration(AccessToken=who.access_token)["CredentialCreationOptions"]
    credentials = [device.create(options, ORIGIN) for _ in range(6)]

    def complete(credential: dict[str, Any]) -> str:
        try:
            idp.complete_web_authn_registration(AccessToken=who.access_token, Credential=credential)
            return "ok"
        except idp.exceptions.WebAuthnChallengeNotFoundException:
            return "not found"

    with ThreadPoolExecutor(6) as pool:
        outcomes = sorted(pool.map(complete, credentials))
    assert outcomes == ["not found"] * 5 + ["ok"]
    assert len(idp.list_web_authn_credentials(AccessToken=who.access_token)["Credentials"]) == 1


def test_a_challenge_of_another_user_is_not_found(idp: Any) -> None:
    pool_id, client_id = passkey_pool(idp)
    ada, bob = member(idp, pool_id, client_id), member(idp, pool_id, client_id)
    options = idp.start_web_authn_registration(AccessToken=ada.access_token)["CredentialCreationOptions"]
    stolen = error_of(idp.complete_web_authn_registration, AccessToken=bob.access_token,
                      Credential=SoftAuthenticator().create(options, ORIGIN))
    assert stolen.code == "WebAuthnChallengeNotFoundException"


def test_an_origin_outside_the_relying_party_is_refused(idp: Any) -> None:
    pool_id, client_id = passkey_pool(idp)
    who = member(idp, pool_id, client_id)
    for origin in ("http://evil.example", "http://127.0.0.1:8443", "https://localhost.evil.example",
                   "http://localhost:8443/path"):
        options = idp.start_web_authn_registration(AccessToken=who.access_token)["CredentialCreationOptions"]
        refused = error_of(idp.complete_web_authn_registration, AccessToken=who.access_token,
                           Credential=SoftAuthenticator().create(options, origin))
        assert (refused.code, refused.status) == ("WebAuthnOriginNotAllowedException", 400), origin
    assert idp.list_web_authn_credentials(AccessToken=who.access_token)["Credentials"] == []


def test_a_configured_relying_party_is_used_and_its_subdomains_are_allowed_origins(idp: Any) -> None:
    pool_id, client_id = passkey_pool(idp, RelyingPartyId="auth.example.com", UserVerification="required")
    config = idp.get_user_pool_mfa_config(UserPoolId=pool_id)["WebAuthnConfiguration"]
    assert config == {"RelyingPartyId": "auth.example.com", "UserVerification": "required"}
    who = member(idp, pool_id, client_id)
    options = idp.start_web_authn_registration(AccessToken=who.access_token)["CredentialCreationOptions"]
    assert options["rp"]["id"] == "auth.example.com"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    idp.complete_web_authn_registration(AccessToken=who.access_token,
                                        Credential=SoftAuthenticator().create(options, "https://app.auth.example.com"))
    plain = idp.start_web_authn_registration(AccessToken=who.access_token)["CredentialCreationOptions"]
    refused = error_of(idp.complete_web_authn_registration, AccessToken=who.access_token,
                       Credential=SoftAuthenticator().create(plain, "http://auth.example.com"))
    assert refused.code == "WebAuthnOriginNotAllowedException"


def test_a_credential_for_another_relying_party_is_refused(idp: Any) -> None:
    pool_id, client_id = passkey_pool(idp)
    who = member(idp, pool_id, client_id)
    options = idp.start_web_authn_registration(AccessToken=who.access_token)["CredentialCreationOptions"]
    refused = error_of(idp.complete_web_authn_registration, AccessToken=who.access_token,
                       Credential=SoftAuthenticator().create(options, ORIGIN, rp_id="example.org"))
    assert (refused.code, refused.status) == ("WebAuthnRelyingPartyMismatchException", 400)


def test_required_user_verification_refuses_an_unverified_authenticator(idp: Any) -> None:
    pool_id, client_id = passkey_pool(idp, UserVerification="required")
    who = member(idp, pool_id, client_id)
    options = idp.start_web_authn_registration(AccessToken=who.access_token)["CredentialCreationOptions"]
    refused = error_of(idp.complete_web_authn_registration, AccessToken=who.access_token,
                       Credential=SoftAuthenticator(user_verified=False).create(options, ORIGIN))
    assert refused.code == "WebAuthnCredentialNotSupportedException"


def test_a_token_of_another_client_does_not_complete_the_registration(idp: Any) -> None:
    pool_id, client_id = passkey_pool(idp)
    who = member(idp, pool_id, client_id)
    from ..cognito.helpers import PASSWORD, new_client, sign_in
    from .helpers import FLOWS

    other = str(new_client(idp, pool_id, FLOWS)["ClientId"])
    options = idp.start_web_authn_registration(AccessToken=who.access_token)["CredentialCreationOptions"]
    token = sign_in(idp, other, who.username, PASSWORD)["AccessToken"]
    refused = error_of(idp.complete_web_authn_registration, AccessToken=token,
                       Credential=SoftAuthenticator().create(options, ORIGIN))
    assert refused.code == "WebAuthnClientMismatchException"


def test_one_credential_id_belongs_to_one_user_of_a_pool(idp: Any) -> None:
    pool_id, client_id = passkey_pool(idp)
    ada, bob = member(idp, pool_id, client_id), member(idp, pool_id, client_id)
    device = SoftAuthenticator()
    credential_id = register(idp, ada, device)
    # the same credential (id and key) answered to bob's challenge: the primary key keeps one owner per id
    options = idp.start_web_authn_registration(AccessToken=bob.access_token)["CredentialCreationOptions"]
    refused = error_of(idp.complete_web_authn_registration, AccessToken=bob.access_token,
                       Credential=device.create(options, ORIGIN, reuse=unb64url(credential_id)))
    assert (refused.code, refused.status) == ("InvalidParameterException", 400)
    assert idp.list_web_authn_credentials(AccessToken=bob.access_token)["Credentials"] == []
    assert len(idp.list_web_authn_credentials(AccessToken=ada.access_token)["Credentials"]) == 1


def test_passkeys_need_web_authn_among_the_pools_first_factors(idp: Any) -> None:
    pool_id, client_id = passkey_pool(idp, factors=("PASSWORD",))
    who = member(idp, pool_id, client_id)
    refused = error_of(idp.start_web_authn_registration, AccessToken=who.access_token)
    assert (refused.code, refused.status) == ("WebAuthnNotEnabledException", 400)


def test_registration_needs_a_valid_access_token(idp: Any) -> None:
    refused = error_of(idp.start_web_authn_registration, AccessToken="not.a.token")
    assert refused.code == "NotAuthorizedException"


def test_the_pools_web_authn_configuration_has_defaults_and_a_checked_relying_party(idp: Any) -> None:
    pool_id, _ = passkey_pool(idp)
    assert idp.get_user_pool_mfa_config(UserPoolId=pool_id)["WebAuthnConfiguration"] == {
        "RelyingPartyId": "localhost", "UserVerification": "preferred"}
    refused = error_of(idp.set_user_pool_mfa_config, UserPoolId=pool_id,
                       WebAuthnConfiguration={"RelyingPartyId": "https://auth.example.com"})
    assert (refused.code, refused.status) == ("InvalidParameterException", 400)
    answered = idp.set_user_pool_mfa_config(UserPoolId=pool_id, WebAuthnConfiguration={"RelyingPartyId": "a.example"})
    assert answered["WebAuthnConfiguration"] == {"RelyingPartyId": "a.example", "UserVerification": "preferred"}


def test_a_deleted_users_passkeys_go_with_it(idp: Any) -> None:
    pool_id, client_id = passkey_pool(idp)
    who = member(idp, pool_id, client_id)
    register(idp, who, SoftAuthenticator())
    idp.admin_delete_user(UserPoolId=pool_id, Username=who.username)
    again = member(idp, pool_id, client_id, who.username)
    assert idp.list_web_authn_credentials(AccessToken=again.access_token)["Credentials"] == []
