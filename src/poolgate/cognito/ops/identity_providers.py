"""CreateIdentityProvider, DescribeIdentityProvider, UpdateIdentityProvider, DeleteIdentityProvider,
ListIdentityProviders, GetIdentityProviderByIdentifier, AdminLinkProviderForUser, AdminDisableProviderForUser."""

from __future__ import annotations

from typing import Any

from ...errors import invalid_parameter, resource_not_found
from ..federation import links
from ..federation.providers import (
    IdentityProvider,
    create_provider,
    delete_provider,
    get_provider,
    list_providers,
    provider_by_identifier,
    update_provider,
)
from ..service import COGNITO, Caller, Services, listing
from .pools import owned_pool


@COGNITO.operation("CreateIdentityProvider")
async def create_identity_provider(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    return {"IdentityProvider": (await create_provider(services, pool, params)).describe()}


@COGNITO.operation("DescribeIdentityProvider")
async def describe_identity_provider(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    async with services.db.read() as conn:
        provider = await get_provider(conn, pool.id, params["ProviderName"])
    return {"IdentityProvider": provider.describe()}


@COGNITO.operation("UpdateIdentityProvider")
async def update_identity_provider(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    return {"IdentityProvider": (await update_provider(services, pool, params)).describe()}


@COGNITO.operation("DeleteIdentityProvider")
async def delete_identity_provider(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    await delete_provider(services, pool, params["ProviderName"])
    return {}


@COGNITO.operation("ListIdentityProviders")
async def list_identity_providers(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    async with services.db.read() as conn:
        providers = await list_providers(conn, pool.id)
    return listing(providers, "Providers", IdentityProvider.summary, params.get("MaxResults"),
                   params.get("NextToken"), caller.request_id)


@COGNITO.operation("GetIdentityProviderByIdentifier")
async def get_identity_provider_by_identifier(services: Services, caller: Caller, params: dict[str, Any]
                                              ) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    async with services.db.read() as conn:
        provider = await provider_by_identifier(conn, pool.id, params["IdpIdentifier"])
    if provider is None:
        raise resource_not_found(f"Identity provider with identifier {params['IdpIdentifier']} does not exist.")
    return {"IdentityProvider": provider.describe()}  # the text above is UNCONFIRMED


_SUBJECT_NAMES = ("Cognito_Subject",)
"""SourceUser.ProviderAttributeName for "the provider's subject" (AdminLinkProviderForUser API reference:
"For social IdPs, the ProviderName will be Facebook, Google, or LoginWithAmazon … the ProviderAttributeName must
always be Cognito_Subject")."""


async def _source(services: Services, pool_id: str, source: dict[str, Any], what: str) -> tuple[IdentityProvider,
                                                                                                 str]:
    name, attribute, value = (source.get("ProviderName"), source.get("ProviderAttributeName"),
                              source.get("ProviderAttributeValue"))
    if not name or not value:
        raise invalid_parameter(f"{what} must have ProviderName and ProviderAttributeValue.")  # UNCONFIRMED
    async with services.db.read() as conn:
        provider = await get_provider(conn, pool_id, name)
    if attribute is not None and attribute not in (*_SUBJECT_NAMES, provider.subject_claim):
        # poolgate links by subject only (SAML's linking by another attribute is not built)
        raise invalid_parameter(f"{what}.ProviderAttributeName must be Cognito_Subject.")  # UNCONFIRMED
    return provider, value


@COGNITO.operation("AdminLinkProviderForUser")
async def admin_link_provider_for_user(services: Services, caller: Caller, params: dict[str, Any]
                                       ) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    destination = params["DestinationUser"]
    if destination.get("ProviderName") != "Cognito" or not destination.get("ProviderAttributeValue"):
        # API reference: "DestinationUser … the ProviderName should be set to Cognito"; text UNCONFIRMED
        raise invalid_parameter("DestinationUser's ProviderName must be Cognito, with the username as "
                                "ProviderAttributeValue.")
    provider, subject = await _source(services, pool.id, params["SourceUser"], "SourceUser")
    await links.link(services, pool, provider, subject, destination["ProviderAttributeValue"])
    return {}


@COGNITO.operation("AdminDisableProviderForUser")
async def admin_disable_provider_for_user(services: Services, caller: Caller, params: dict[str, Any]
                                          ) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    provider, subject = await _source(services, pool.id, params["User"], "User")
    await links.unlink(services, pool, provider.name, subject)
    return {}
