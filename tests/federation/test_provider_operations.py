"""CreateIdentityProvider and friends over boto3 (issue 16): AWS's input rules, the errors and their texts, and
app clients' SupportedIdentityProviders checked against the pool's providers.

Sources of the texts: DuplicateProviderException "<ProviderName> already exists in user pool <userPoolId>"
(CloudTrail, aws-cloudformation/cloudformation-coverage-roadmap#1287); "The provider X does not exist for User Pool
Y" (Terraform/CDK captures); "Merging is not currently supported, provide a SourceUser that has not been signed up
in order to link" (a live pool's answer quoted in a project's migration notes). Other texts are UNCONFIRMED and
not pinned here beyond their error codes.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..cognito.helpers import error_of, new_pool, unique

OIDC_DETAILS = {"client_id": "cid", "client_secret": "sec", "authorize_scopes": "openid email",
                "attributes_request_method": "GET", "oidc_issuer": "http://127.0.0.1:9/us-east-1_Up"}
GOOGLE_DETAILS = {"client_id": "g-id", "client_secret": "g-secret", "authorize_scopes": "openid email profile"}


def _oidc(idp: Any, pool_id: str, name: str = "Upstream", **extra: Any) -> dict[str, Any]:
    return idp.create_identity_provider(UserPoolId=pool_id, ProviderName=name, ProviderType="OIDC",
                                        ProviderDetails=dict(OIDC_DETAILS), **extra)["IdentityProvider"]


def test_create_describe_list_update_delete(idp: Any) -> None:
    pool_id = new_pool(idp)
    created = _oidc(idp, pool_id, AttributeMapping={"email": "email"}, IdpIdentifiers=["corp.example"])
    assert created["ProviderName"] == "Upstream" and created["ProviderType"] == "OIDC"
    assert created["ProviderDetails"]["oidc_issuer"] == OIDC_DETAILS["oidc_issuer"]
    assert created["AttributeMapping"] == {"email": "email", "username": "sub"}
    assert created["IdpIdentifiers"] == ["corp.example"]
    described = idp.describe_identity_provider(UserPoolId=pool_id, ProviderName="Upstream")["IdentityProvider"]
    assert described["ProviderDetails"] == created["ProviderDetails"]
    by_id = idp.get_identity_provider_by_identifier(UserPoolId=pool_id, IdpIdentifier="corp.example")
    assert by_id["IdentityProvider"]["ProviderName"] == "Upstream"

    google = idp.create_identity_provider(UserPoolId=pool_id, ProviderName="Google", ProviderType="Google",
                                          ProviderDetails=GOOGLE_DETAILS)["IdentityProvider"]
    assert google["ProviderDetails"]["authorize_url"].startswith("https://accounts.google.com/")
    assert google["AttributeMapping"] == {"username": "sub"}
    listed = idp.list_identity_providers(UserPoolId=pool_id)["Providers"]
    assert [(p["ProviderName"], p["ProviderType"]) for p in listed] == [("Upstream", "OIDC"), ("Google", "Google")]
    page = idp.list_identity_providers(UserPoolId=pool_id, MaxResults=1)
    assert len(page["Providers"]) == 1 and page["NextToken"]

    updated = idp.update_identity_provider(UserPoolId=pool_id, ProviderName="Upstream",
                                           IdpIdentifiers=["other.example"],
                                           AttributeMapping={"name": "name"})["IdentityProvider"]
    assert updated["IdpIdentifiers"] == ["other.example"]
    assert updated["AttributeMapping"] == {"name": "name", "username": "sub"}
    assert error_of(idp.get_identity_provider_by_identifier, UserPoolId=pool_id,
                    IdpIdentifier="corp.example").code == "ResourceNotFoundException"

    idp.delete_identity_provider(UserPoolId=pool_id, ProviderName="Upstream")
    err = error_of(idp.describe_identity_provider, UserPoolId=pool_id, ProviderName="Upstream")
    assert err.code == "ResourceNotFoundException" and err.status == 400
    assert error_of(idp.delete_identity_provider, UserPoolId=pool_id,
                    ProviderName="Upstream").code == "ResourceNotFoundException"
    # the identifier went with its provider: another may take it
    _oidc(idp, pool_id, "Second", IdpIdentifiers=["other.example"])


def test_a_duplicate_name_is_duplicate_provider_exception(idp: Any) -> None:
    pool_id = new_pool(idp)
    _oidc(idp, pool_id)
    err = error_of(_oidc, idp, pool_id)
    assert (err.code, err.message) == ("DuplicateProviderException", f"Upstream already exists in user pool {pool_id}")


def test_racing_creators_leave_one_provider(idp: Any) -> None:
    pool_id = new_pool(idp)

    def create(_: int) -> str:
        try:
            _oidc(idp, pool_id)
            return "ok"
        except Exception as exc:  # the outcome is what is counted
            return getattr(exc, "response", {}).get("Error", {}).get("Code", repr(exc))

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(create, range(8)))
    assert sorted(outcomes) == ["DuplicateProviderException"] * 7 + ["ok"]
    assert len(idp.list_identity_providers(UserPoolId=pool_id)["Providers"]) == 1


def test_an_identifier_names_one_provider_of_a_pool(idp: Any) -> None:
    pool_id = new_pool(idp)
    _oidc(idp, pool_id, "First", IdpIdentifiers=["shared"])
    assert error_of(_oidc, idp, pool_id, "Second", IdpIdentifiers=["shared"]).code == "InvalidParameterException"
    assert [p["ProviderName"] for p in idp.list_identity_providers(UserPoolId=pool_id)["Providers"]] == ["First"]
    _oidc(idp, pool_id, "Second")
    assert error_of(idp.update_identity_provider, UserPoolId=pool_id, ProviderName="Second",
                    IdpIdentifiers=["shared"]).code == "InvalidParameterException"
    assert idp.describe_identity_provider(UserPoolId=pool_id, ProviderName="Second")["IdentityProvider"][
        "IdpIdentifiers"] == []
    assert error_of(_oidc, idp, pool_id, "Third", IdpIdentifiers=["twice", "twice"]).code == \
        "InvalidParameterException"
    # the same identifier in another pool is fine
    _oidc(idp, new_pool(idp), "Other", IdpIdentifiers=["shared"])


def test_input_rules(idp: Any) -> None:
    pool_id = new_pool(idp)

    def create(name: str, kind: str, details: dict[str, str], **extra: Any) -> Any:
        return error_of(idp.create_identity_provider, UserPoolId=pool_id, ProviderName=name, ProviderType=kind,
                        ProviderDetails=details, **extra)

    # a social provider's name is its type
    assert create("MyGoogle", "Google", GOOGLE_DETAILS).code == "InvalidParameterException"
    for missing in ("client_id", "client_secret", "authorize_scopes"):
        details = {k: v for k, v in GOOGLE_DETAILS.items() if k != missing}
        assert missing in create("Google", "Google", details).message
    for missing in ("client_id", "authorize_scopes", "attributes_request_method"):
        details = {k: v for k, v in OIDC_DETAILS.items() if k != missing}
        assert missing in create("Upstream", "OIDC", details).message
    no_issuer = {k: v for k, v in OIDC_DETAILS.items() if k != "oidc_issuer"}
    assert create("Upstream", "OIDC", no_issuer).code == "InvalidParameterException"
    assert create("Upstream", "OIDC", {**OIDC_DETAILS, "attributes_request_method": "PUT"}).code == \
        "InvalidParameterException"
    assert create("Upstream", "OIDC", OIDC_DETAILS, AttributeMapping={"shoe_size": "shoe"}).code == \
        "InvalidParameterException"
    assert create("Google", "OIDC", OIDC_DETAILS).code == "InvalidParameterException"
    # an OIDC provider with explicit endpoints instead of an issuer
    explicit = {**no_issuer, "authorize_url": "http://127.0.0.1:9/a", "token_url": "http://127.0.0.1:9/t",
                "attributes_url": "http://127.0.0.1:9/u", "jwks_uri": "http://127.0.0.1:9/j"}
    idp.create_identity_provider(UserPoolId=pool_id, ProviderName="Explicit", ProviderType="OIDC",
                                 ProviderDetails=explicit)
    # botocore's model: the name pattern and required members
    assert create("_bad", "OIDC", OIDC_DETAILS).code == "InvalidParameterException"
    assert idp.list_identity_providers(UserPoolId=pool_id)["Providers"][0]["ProviderName"] == "Explicit"
    missing_pool = error_of(idp.list_identity_providers, UserPoolId="us-east-1_Nope0000")
    assert missing_pool.code == "ResourceNotFoundException"


def test_app_clients_name_existing_providers_only(idp: Any) -> None:
    pool_id = new_pool(idp)
    err = error_of(idp.create_user_pool_client, UserPoolId=pool_id, ClientName=unique("c"),
                   SupportedIdentityProviders=["COGNITO", "Upstream"])
    assert (err.code, err.message) == ("InvalidParameterException",
                                       f"The provider Upstream does not exist for User Pool {pool_id}")
    _oidc(idp, pool_id)
    client = idp.create_user_pool_client(UserPoolId=pool_id, ClientName=unique("c"),
                                         SupportedIdentityProviders=["COGNITO", "Upstream"])["UserPoolClient"]
    assert client["SupportedIdentityProviders"] == ["COGNITO", "Upstream"]
    err = error_of(idp.update_user_pool_client, UserPoolId=pool_id, ClientId=client["ClientId"],
                   SupportedIdentityProviders=["Google"])
    assert err.message == f"The provider Google does not exist for User Pool {pool_id}"
