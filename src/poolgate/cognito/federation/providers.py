"""User-pool identity providers: AWS's input rules, storage and the IdentityProviderType of the API's answers.

Sources: the CreateIdentityProvider API reference (ProviderDetails keys per type; "Amazon Cognito sets the value of
the following keys automatically … attributes_url_add_attributes"), the Developer Guide's pages on social and OIDC
identity providers (a social provider's ProviderName is its type). Error texts are cited where they are used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ...errors import ServiceError, invalid_parameter, resource_not_found
from ...services import Services
from ...store.sql.tables_federation import identity_provider_identifiers, identity_providers
from ..domain import Pool
from ..identifiers import insert_unless_taken
from ..schema import known_attributes

SOCIAL = ("Google", "Facebook", "LoginWithAmazon", "SignInWithApple")
"""Provider types whose ProviderName must be the type itself."""

REQUIRED_DETAILS: dict[str, tuple[str, ...]] = {
    "Google": ("client_id", "client_secret", "authorize_scopes"),
    "Facebook": ("client_id", "client_secret", "authorize_scopes"),
    "LoginWithAmazon": ("client_id", "client_secret", "authorize_scopes"),
    "SignInWithApple": ("client_id", "team_id", "key_id", "private_key", "authorize_scopes"),
    "OIDC": ("client_id", "authorize_scopes", "attributes_request_method"),
    "SAML": (),
}
"""The ProviderDetails keys each type needs (CreateIdentityProvider API reference, ProviderDetails)."""

OIDC_ENDPOINTS = ("authorize_url", "token_url", "attributes_url", "jwks_uri")
"""An OIDC provider's endpoints: discovered at ``oidc_issuer`` unless given. poolgate accepts the same keys from
the social providers too, so that local stand-ins of Google & co. can be used (README, "Federation")."""

SOCIAL_DEFAULTS: dict[str, dict[str, str]] = {
    "Google": {"authorize_url": "https://accounts.google.com/o/oauth2/v2/auth",
               "token_url": "https://www.googleapis.com/oauth2/v4/token",
               "attributes_url": "https://people.googleapis.com/v1/people/me?personFields=",
               "attributes_url_add_attributes": "true", "oidc_issuer": "https://accounts.google.com",
               "token_request_method": "POST"},
    "Facebook": {"authorize_url": "https://www.facebook.com/v17.0/dialog/oauth",
                 "token_url": "https://graph.facebook.com/v17.0/oauth/access_token",
                 "attributes_url": "https://graph.facebook.com/v17.0/me?fields=",
                 "attributes_url_add_attributes": "true", "token_request_method": "GET"},
    "LoginWithAmazon": {"authorize_url": "https://www.amazon.com/ap/oa",
                        "token_url": "https://api.amazon.com/auth/o2/token",
                        "attributes_url": "https://api.amazon.com/user/profile",
                        "attributes_url_add_attributes": "false", "token_request_method": "POST"},
    "SignInWithApple": {"authorize_url": "https://appleid.apple.com/auth/authorize",
                        "token_url": "https://appleid.apple.com/auth/token", "oidc_issuer": "https://appleid.apple.com",
                        "token_request_method": "POST"},
}
"""What DescribeIdentityProvider shows for a social provider's endpoints when nobody set them (values as the AWS
console and CLI show them; UNCONFIRMED in detail, e.g. Facebook's API version). Given keys win."""

DEFAULT_USERNAME_CLAIM = {"Google": "sub", "Facebook": "id", "LoginWithAmazon": "user_id", "SignInWithApple": "sub",
                          "OIDC": "sub",
                          "SAML": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier"}
"""The provider attribute Cognito maps to ``username`` (the subject) unless AttributeMapping says otherwise."""

RESERVED_NAMES = frozenset({"COGNITO", "Cognito"})


@dataclass(slots=True)
class IdentityProvider:
    pool_id: str
    name: str
    type: str
    details: dict[str, str]
    attribute_mapping: dict[str, str]
    identifiers: list[str]
    created: float
    modified: float

    @classmethod
    def from_row(cls, row: Any) -> IdentityProvider:
        return cls(row["pool_id"], row["name"], row["type"], dict(row["details"]), dict(row["attribute_mapping"]),
                   list(row["identifiers"]), row["created"], row["modified"])

    @property
    def subject_claim(self) -> str:
        return self.attribute_mapping.get("username") or DEFAULT_USERNAME_CLAIM[self.type]

    @property
    def scopes(self) -> list[str]:
        """authorize_scopes: space-separated (Google, OIDC …); Facebook's are comma-separated."""
        return self.details.get("authorize_scopes", "").replace(",", " ").split()

    def describe(self) -> dict[str, Any]:
        return {"UserPoolId": self.pool_id, "ProviderName": self.name, "ProviderType": self.type,
                "ProviderDetails": dict(self.details), "AttributeMapping": dict(self.attribute_mapping),
                "IdpIdentifiers": list(self.identifiers), "LastModifiedDate": self.modified,
                "CreationDate": self.created}

    def summary(self) -> dict[str, Any]:
        return {"ProviderName": self.name, "ProviderType": self.type, "LastModifiedDate": self.modified,
                "CreationDate": self.created}


def checked_details(provider_type: str, details: dict[str, str]) -> dict[str, str]:
    """ProviderDetails as stored: the required keys present, OIDC's request method known, an OIDC provider with
    an issuer or all of its endpoints, the social providers' endpoints filled in."""
    for key in REQUIRED_DETAILS[provider_type]:
        if not details.get(key):
            # UNCONFIRMED: AWS's text for a missing key
            raise invalid_parameter(f"ProviderDetails must contain {key} for a {provider_type} provider.")
    out = dict(details)
    if provider_type == "OIDC":
        method = out["attributes_request_method"]
        if method not in ("GET", "POST"):
            raise invalid_parameter("attributes_request_method must be GET or POST.")  # UNCONFIRMED text
        if not out.get("oidc_issuer") and not all(out.get(k) for k in OIDC_ENDPOINTS):
            raise invalid_parameter("ProviderDetails must contain oidc_issuer, or authorize_url, token_url, "
                                    "attributes_url and jwks_uri.")  # UNCONFIRMED text
        out.setdefault("attributes_url_add_attributes", "false")
    elif provider_type == "SAML":
        if not out.get("MetadataURL") and not out.get("MetadataFile"):
            raise invalid_parameter("ProviderDetails must contain MetadataURL or MetadataFile.")  # UNCONFIRMED
    else:
        out = {**SOCIAL_DEFAULTS[provider_type], **out}
    for key in (*OIDC_ENDPOINTS, "oidc_issuer"):
        if out.get(key) and not out[key].startswith(("https://", "http://")):
            raise invalid_parameter(f"{key} must be an http(s) URL.")  # UNCONFIRMED text
    return out


def checked_mapping(pool: Pool, provider_type: str, mapping: dict[str, str] | None) -> dict[str, str]:
    """AttributeMapping (pool attribute → provider attribute) with ``username`` → the subject by default; a pool
    attribute the schema lacks is refused (text UNCONFIRMED)."""
    out = {"username": DEFAULT_USERNAME_CLAIM[provider_type], **(mapping or {})}
    known = known_attributes(pool.config) | {"username"}
    for name in out:
        if name not in known:
            raise invalid_parameter(f"Attribute mapping contains an attribute that is not in the user pool's "
                                    f"schema: {name}")
    return out


def check_name(provider_type: str, name: str) -> None:
    if provider_type in SOCIAL and name != provider_type:
        # the Developer Guide: a social IdP's ProviderName is its type; AWS's text UNCONFIRMED
        raise invalid_parameter(f"ProviderName must be {provider_type} for a provider of type {provider_type}.")
    if provider_type not in SOCIAL and (name in SOCIAL or name in RESERVED_NAMES):
        raise invalid_parameter(f"ProviderName {name} is reserved.")  # UNCONFIRMED text


def not_found(name: str) -> ServiceError:
    return resource_not_found(f"Identity provider {name} does not exist.")  # UNCONFIRMED text


def duplicate(name: str, pool_id: str) -> ServiceError:
    # CloudTrail's record of a failed CreateIdentityProvider: DuplicateProviderException "<ProviderName> already
    # exists in user pool <userPoolId>" (aws-cloudformation/cloudformation-coverage-roadmap#1287)
    return ServiceError("DuplicateProviderException", f"{name} already exists in user pool {pool_id}")


def duplicate_identifier() -> ServiceError:
    return invalid_parameter("Duplicate identifier found for identity provider.")  # UNCONFIRMED text


async def find_provider(conn: AsyncConnection, pool_id: str, name: str) -> IdentityProvider | None:
    row = (await conn.execute(select(identity_providers).where(
        identity_providers.c.pool_id == pool_id, identity_providers.c.name == name))).mappings().first()
    return IdentityProvider.from_row(row) if row is not None else None


async def get_provider(conn: AsyncConnection, pool_id: str, name: str) -> IdentityProvider:
    found = await find_provider(conn, pool_id, name)
    if found is None:
        raise not_found(name)
    return found


async def provider_by_identifier(conn: AsyncConnection, pool_id: str, identifier: str) -> IdentityProvider | None:
    name = (await conn.execute(select(identity_provider_identifiers.c.provider_name).where(
        identity_provider_identifiers.c.pool_id == pool_id,
        identity_provider_identifiers.c.identifier == identifier))).scalar()
    return await find_provider(conn, pool_id, name) if name is not None else None


async def list_providers(conn: AsyncConnection, pool_id: str) -> list[IdentityProvider]:
    rows = (await conn.execute(select(identity_providers).where(identity_providers.c.pool_id == pool_id)
                               .order_by(identity_providers.c.created, identity_providers.c.name))).mappings().all()
    return [IdentityProvider.from_row(r) for r in rows]


async def provider_names(conn: AsyncConnection, pool_id: str) -> set[str]:
    rows = await conn.execute(select(identity_providers.c.name).where(identity_providers.c.pool_id == pool_id))
    return {r[0] for r in rows}


def _identifiers(given: list[str] | None) -> list[str]:
    out = list(given or [])
    if len(set(out)) != len(out):
        raise duplicate_identifier()
    return out


async def _claim_identifiers(conn: AsyncConnection, pool_id: str, name: str, identifiers: list[str]) -> None:
    """Replace the provider's identifiers; one another provider holds fails in the database (primary key)."""
    await conn.execute(delete(identity_provider_identifiers).where(
        identity_provider_identifiers.c.pool_id == pool_id, identity_provider_identifiers.c.provider_name == name))
    for identifier in identifiers:
        row = {"pool_id": pool_id, "identifier": identifier, "provider_name": name}
        if not await insert_unless_taken(conn, identity_provider_identifiers, row):
            raise duplicate_identifier()  # the transaction is rolled back: nothing of the call stays


async def create_provider(services: Services, pool: Pool, params: dict[str, Any]) -> IdentityProvider:
    """CreateIdentityProvider's effect: the name is unique per pool by the primary key, each IdpIdentifier by
    ``identity_provider_identifiers``' primary key, so racing creators leave one provider."""
    name, provider_type = params["ProviderName"], params["ProviderType"]
    check_name(provider_type, name)
    details = checked_details(provider_type, params["ProviderDetails"])
    mapping = checked_mapping(pool, provider_type, params.get("AttributeMapping"))
    identifiers = _identifiers(params.get("IdpIdentifiers"))
    now = services.clock.now()
    row = {"pool_id": pool.id, "name": name, "type": provider_type, "details": details,
           "attribute_mapping": mapping, "identifiers": identifiers, "created": now, "modified": now}
    async with services.db.begin() as conn:
        if not await insert_unless_taken(conn, identity_providers, row):
            raise duplicate(name, pool.id)
        await _claim_identifiers(conn, pool.id, name, identifiers)
        return await get_provider(conn, pool.id, name)


async def update_provider(services: Services, pool: Pool, params: dict[str, Any]) -> IdentityProvider:
    """UpdateIdentityProvider: the given ProviderDetails, AttributeMapping and IdpIdentifiers replace the stored."""
    name = params["ProviderName"]
    async with services.db.begin() as conn:
        current = await get_provider(conn, pool.id, name)
        values: dict[str, Any] = {"modified": services.clock.now()}
        if "ProviderDetails" in params:
            values["details"] = checked_details(current.type, params["ProviderDetails"])
        if "AttributeMapping" in params:
            values["attribute_mapping"] = checked_mapping(pool, current.type, params["AttributeMapping"])
        if "IdpIdentifiers" in params:
            values["identifiers"] = _identifiers(params["IdpIdentifiers"])
            await _claim_identifiers(conn, pool.id, name, values["identifiers"])
        await conn.execute(update(identity_providers).where(
            identity_providers.c.pool_id == pool.id, identity_providers.c.name == name).values(**values))
        return await get_provider(conn, pool.id, name)


async def delete_provider(services: Services, pool: Pool, name: str) -> None:
    async with services.db.begin() as conn:
        await get_provider(conn, pool.id, name)
        await conn.execute(delete(identity_provider_identifiers).where(
            identity_provider_identifiers.c.pool_id == pool.id,
            identity_provider_identifiers.c.provider_name == name))
        await conn.execute(delete(identity_providers).where(
            identity_providers.c.pool_id == pool.id, identity_providers.c.name == name))


async def check_supported(services: Services, pool_id: str, names: list[str] | None) -> None:
    """An app client's SupportedIdentityProviders: COGNITO or providers of its pool. Otherwise
    InvalidParameterException "The provider EntraID does not exist for User Pool ap-northeast-1_dmfNfszQN" (a
    Terraform apply's error, quoted in a public troubleshooting note; the same text in CDK projects' comments)."""
    wanted = [n for n in names or [] if n != "COGNITO"]
    if not wanted:
        return
    async with services.db.read() as conn:
        known = await provider_names(conn, pool_id)
    for name in wanted:
        if name not in known:
            raise invalid_parameter(f"The provider {name} does not exist for User Pool {pool_id}")
