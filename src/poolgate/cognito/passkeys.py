"""Passkeys (WebAuthn) of a user pool: the relying party, the options handed to the browser, the check of what the
browser answers (py_webauthn does the cryptography) and the stored credentials (``store/sql/tables_passkeys.py``).

Relying party: the pool's ``WebAuthnConfiguration.RelyingPartyId`` (SetUserPoolMfaConfig), else the host poolgate's
hosted UI is served on: the host name of ``--public-url``, or ``localhost`` when poolgate is served on a loopback
address without one (WebAuthn refuses IP addresses as RP IDs). Cognito's default is the pool's domain, and without
either it answers WebAuthnConfigurationMissingException; poolgate always has a host, so never does.

Origins: ``https://`` the RP ID or a subdomain of it, any port; for RP ID ``localhost`` also ``http://localhost``
(and its subdomains), which browsers treat as a secure context. Anything else is WebAuthnOriginNotAllowedException.

Sources: botocore's cognito-idp model (StartWebAuthnRegistration, CompleteWebAuthnRegistration with its errors,
ListWebAuthnCredentials with MaxResults 0..20, DeleteWebAuthnCredential, WebAuthnConfigurationType with
UserVerification ``required`` | ``preferred``, WebAuthnCredentialDescription); W3C WebAuthn Level 3 (RP ID and origin
rules, ``PublicKeyCredentialCreationOptionsJSON``); aws-amplify v6 (client/utils/passkey/serde and types/shared,
which read exactly those JSON options). UNCONFIRMED: every message text below (no AWS capture found), the
options' timeout, rp.name (the pool's name here), user.id (the user's ``sub``), and the FriendlyCredentialName.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from dataclasses import dataclass
from hashlib import sha256
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    bytes_to_base64url,
    parse_attestation_object,
    parse_authentication_credential_json,
    parse_client_data_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import InvalidJSONStructure, UnsupportedPublicKeyType, WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ..errors import ServiceError, invalid_parameter
from ..services import Services
from ..settings import Settings
from ..store.sql.tables_passkeys import webauthn_credentials, webauthn_registrations
from .domain import Pool, User

WEB_AUTHN = "WEB_AUTHN"
TIMEOUT_MS = 180_000
"""How long the browser may take (the options' ``timeout``) and how long a challenge lives (UNCONFIRMED)."""
MAX_PER_USER = 20
"""ListWebAuthnCredentials' MaxResults is 0..20 (the model's WebAuthnCredentialsQueryLimitType); that a user may
hold no more than 20 passkeys (LimitExceededException) is UNCONFIRMED."""

_HOST_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")
NOT_ENABLED = "WebAuthn is not enabled for this user pool."  # UNCONFIRMED
CHALLENGE_NOT_FOUND = "The WebAuthn challenge was not found or has expired."  # UNCONFIRMED


class AssertionRefused(Exception):
    """A sign-in assertion that does not verify (the sign-in answers NotAuthorized; the reason is for logs)."""


@dataclass(frozen=True, slots=True)
class Registration:
    """A registration challenge taken (once) by CompleteWebAuthnRegistration."""

    client_id: str
    rp_id: str
    user_verification: str


def enabled(pool: Pool) -> bool:
    """Whether the pool lets users sign in with passkeys (WEB_AUTHN among its AllowedFirstAuthFactors)."""
    policy = (pool.config.get("Policies") or {}).get("SignInPolicy") or {}
    return WEB_AUTHN in (policy.get("AllowedFirstAuthFactors") or [])


def check_enabled(pool: Pool) -> None:
    if not enabled(pool):
        raise ServiceError("WebAuthnNotEnabledException", NOT_ENABLED)


def default_rp_id(settings: Settings) -> str:
    """The host the hosted UI is served on: ``--public-url``'s host name, else ``localhost``."""
    host = urlsplit(settings.public_url).hostname if settings.public_url else None
    if not host:
        return "localhost"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host.lower()
    return "localhost"


def configuration(services: Services, pool: Pool) -> dict[str, str]:
    """GetUserPoolMfaConfig's WebAuthnConfiguration: what the pool set, the defaults filled in."""
    saved = pool.config.get("WebAuthnConfiguration") or {}
    return {"RelyingPartyId": str(saved.get("RelyingPartyId") or default_rp_id(services.settings)),
            "UserVerification": str(saved.get("UserVerification") or "preferred")}


def checked_configuration(given: dict[str, Any]) -> dict[str, str]:
    """SetUserPoolMfaConfig's WebAuthnConfiguration as stored: RelyingPartyId a host name (no scheme, port or path;
    lower case); the enum of UserVerification is botocore's to check. The message is UNCONFIRMED."""
    out = {k: str(given[k]) for k in ("RelyingPartyId", "UserVerification", "FactorConfiguration") if given.get(k)}
    rp_id = out.get("RelyingPartyId")
    if rp_id is not None:
        if not _HOST_NAME.fullmatch(rp_id.lower()):
            raise invalid_parameter(f"Invalid RelyingPartyId {rp_id}: it must be a domain name.")
        out["RelyingPartyId"] = rp_id.lower()
    return out


def origin_allowed(origin: str, rp_id: str) -> bool:
    """Whether a page of ``origin`` may use passkeys of ``rp_id`` (see the module's docstring)."""
    try:
        parts = urlsplit(origin)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        return False
    if origin != f"{parts.scheme}://{parts.netloc}" or not host:
        return False
    if not (host == rp_id or host.endswith("." + rp_id)):
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and rp_id == "localhost")


def _b64(raw: bytes) -> str:
    return bytes_to_base64url(raw)


def _challenge_key(challenge: bytes) -> str:
    """The stored key of a registration challenge: the hash of it (a challenge in the table is no credential)."""
    return base64.urlsafe_b64encode(sha256(challenge).digest()).decode().rstrip("=")


def _user_verification(value: str) -> UserVerificationRequirement:
    return UserVerificationRequirement.REQUIRED if value == "required" else UserVerificationRequirement.PREFERRED


async def _credential_ids(services: Services, pool: Pool, user: User) -> list[str]:
    async with services.db.read() as conn:
        rows = await conn.execute(select(webauthn_credentials.c.credential_id).where(
            webauthn_credentials.c.pool_id == pool.id, webauthn_credentials.c.username == user.username))
        return [str(r.credential_id) for r in rows]


def _descriptors(ids: list[str]) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=base64.urlsafe_b64decode(i + "=" * (-len(i) % 4))) for i in ids]


async def start_registration(services: Services, pool: Pool, client_id: str, user: User) -> dict[str, Any]:
    """StartWebAuthnRegistration's CredentialCreationOptions; the challenge is stored for one Complete."""
    config = configuration(services, pool)
    rp_id, verification = config["RelyingPartyId"], config["UserVerification"]
    options = generate_registration_options(
        rp_id=rp_id, rp_name=pool.name, user_name=user.username, user_id=user.sub.encode(),
        user_display_name=user.attributes.get("email") or user.username, timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(resident_key=ResidentKeyRequirement.REQUIRED,
                                                               require_resident_key=True,
                                                               user_verification=_user_verification(verification)),
        exclude_credentials=_descriptors(await _credential_ids(services, pool, user)))
    now = services.clock.now()
    async with services.db.begin() as conn:
        await conn.execute(delete(webauthn_registrations).where(webauthn_registrations.c.expires < now))
        await conn.execute(webauthn_registrations.insert().values(
            challenge=_challenge_key(options.challenge), pool_id=pool.id, username=user.username,
            client_id=client_id, rp_id=rp_id, user_verification=verification, expires=now + TIMEOUT_MS / 1000))
    out: dict[str, Any] = json.loads(options_to_json(options))
    out["extensions"] = {"credProps": True}
    return out


async def _take_registration(services: Services, pool: Pool, user: User, challenge: bytes) -> Registration:
    """The registration ``challenge`` opened for ``user``, consumed (atomically, once)."""
    where = (webauthn_registrations.c.challenge == _challenge_key(challenge),
             webauthn_registrations.c.pool_id == pool.id, webauthn_registrations.c.username == user.username)
    async with services.db.begin() as conn:
        row = (await conn.execute(select(webauthn_registrations).where(*where))).mappings().first()
        taken = await conn.execute(delete(webauthn_registrations).where(*where))
    if row is None or taken.rowcount != 1 or float(row["expires"]) < services.clock.now():
        raise ServiceError("WebAuthnChallengeNotFoundException", CHALLENGE_NOT_FOUND)
    return Registration(str(row["client_id"]), str(row["rp_id"]), str(row["user_verification"]))


def _rp_id_hash_of(attestation_object: bytes) -> bytes:
    try:
        return parse_attestation_object(attestation_object).auth_data.rp_id_hash
    except WebAuthnException:
        raise invalid_parameter("The credential's attestation object is malformed.") from None  # UNCONFIRMED


async def complete_registration(services: Services, pool: Pool, client_id: str, user: User, credential: Any
                                ) -> None:
    """CompleteWebAuthnRegistration: check ``credential`` (a RegistrationResponseJSON) against the challenge it
    signs, and store it as the user's passkey."""
    try:
        parsed = parse_registration_credential_json(credential if isinstance(credential, str)
                                                    else json.dumps(credential))
        client_data = parse_client_data_json(parsed.response.client_data_json)
    except (WebAuthnException, TypeError, ValueError):
        raise invalid_parameter("The credential is not a valid RegistrationResponseJSON.") from None  # UNCONFIRMED
    registration = await _take_registration(services, pool, user, client_data.challenge)
    if registration.client_id != client_id:
        raise ServiceError("WebAuthnClientMismatchException",
                           "The access token is for a different client than the one that started the registration.")
    if not origin_allowed(client_data.origin, registration.rp_id):
        raise ServiceError("WebAuthnOriginNotAllowedException",
                           f"The origin {client_data.origin} is not allowed for relying party {registration.rp_id}.")
    if _rp_id_hash_of(parsed.response.attestation_object) != sha256(registration.rp_id.encode()).digest():
        raise ServiceError("WebAuthnRelyingPartyMismatchException",
                           "The credential is for a different relying party than the user pool's.")
    try:
        verified = verify_registration_response(
            credential=parsed, expected_challenge=client_data.challenge, expected_rp_id=registration.rp_id,
            expected_origin=client_data.origin,
            require_user_verification=registration.user_verification == "required")
    except (UnsupportedPublicKeyType, WebAuthnException) as exc:
        raise ServiceError("WebAuthnCredentialNotSupportedException",
                           f"The passkey credential is not supported: {exc}") from None
    aaguid = verified.aaguid
    attachment = parsed.authenticator_attachment.value if parsed.authenticator_attachment else None
    transports = [t.value for t in parsed.response.transports or []]
    credential_id = _b64(verified.credential_id)
    async with services.db.begin() as conn:
        held = (await conn.execute(select(func.count()).select_from(webauthn_credentials).where(
            webauthn_credentials.c.pool_id == pool.id, webauthn_credentials.c.username == user.username))).scalar()
        if int(held or 0) >= MAX_PER_USER:
            raise ServiceError("LimitExceededException", "The user has reached the maximum number of passkeys.")
    try:
        async with services.db.begin() as conn:
            await conn.execute(webauthn_credentials.insert().values(
                pool_id=pool.id, credential_id=credential_id, username=user.username,
                public_key=verified.credential_public_key, sign_count=verified.sign_count, rp_id=registration.rp_id,
                name=_friendly_name(aaguid, attachment), attachment=attachment, transports=transports,
                created=services.clock.now()))
    except IntegrityError:
        # the credential id is the primary key within a pool: the same authenticator registered twice, by this
        # user or another
        raise invalid_parameter("This passkey credential is already registered.") from None  # UNCONFIRMED


def _friendly_name(aaguid: str, attachment: str | None) -> str:
    """An automatically-generated friendly name (Cognito's choice of words is UNCONFIRMED)."""
    kind = {"platform": "Platform passkey", "cross-platform": "Security key"}.get(attachment or "", "Passkey")
    return kind if aaguid.strip("0-") == "" else f"{kind} {aaguid}"


async def list_credentials(services: Services, pool: Pool, user: User) -> list[dict[str, Any]]:
    """The user's passkeys as WebAuthnCredentialDescriptions, oldest first."""
    c = webauthn_credentials.c
    async with services.db.read() as conn:
        rows = (await conn.execute(select(webauthn_credentials).where(c.pool_id == pool.id,
                                                                      c.username == user.username)
                                   .order_by(c.created, c.credential_id))).mappings().all()
    out = []
    for row in rows:
        item: dict[str, Any] = {"CredentialId": row["credential_id"], "FriendlyCredentialName": row["name"],
                                "RelyingPartyId": row["rp_id"], "AuthenticatorTransports": list(row["transports"]),
                                "CreatedAt": row["created"]}
        if row["attachment"]:
            item["AuthenticatorAttachment"] = row["attachment"]
        out.append(item)
    return out


async def delete_credential(services: Services, pool: Pool, user: User, credential_id: str) -> bool:
    """Delete one of the user's passkeys; False when the user has no such passkey."""
    c = webauthn_credentials.c
    async with services.db.begin() as conn:
        gone = await conn.execute(delete(webauthn_credentials).where(
            c.pool_id == pool.id, c.username == user.username, c.credential_id == credential_id))
    return gone.rowcount == 1


async def has_credentials(services: Services, pool: Pool, user: User) -> bool:
    return bool(await _credential_ids(services, pool, user))


async def request_options(services: Services, pool: Pool, user: User) -> tuple[str, str]:
    """A sign-in's challenge (base64url) and its CREDENTIAL_REQUEST_OPTIONS (JSON) for ``user``'s passkeys."""
    config = configuration(services, pool)
    options = generate_authentication_options(
        rp_id=config["RelyingPartyId"], timeout=TIMEOUT_MS,
        allow_credentials=_descriptors(await _credential_ids(services, pool, user)),
        user_verification=_user_verification(config["UserVerification"]))
    return _b64(options.challenge), options_to_json(options)


async def verify_assertion(services: Services, pool: Pool, user: User, challenge: str, answer: str) -> None:
    """Check a sign-in's CREDENTIAL (an AuthenticationResponseJSON) against its ``challenge`` and one of ``user``'s
    passkeys, and record the authenticator's new sign count; AssertionRefused when anything is off."""
    try:
        parsed = parse_authentication_credential_json(answer)
        client_data = parse_client_data_json(parsed.response.client_data_json)
    except (InvalidJSONStructure, WebAuthnException, TypeError, ValueError):
        raise AssertionRefused("not an AuthenticationResponseJSON") from None
    c = webauthn_credentials.c
    credential_id = _b64(parsed.raw_id)
    async with services.db.read() as conn:
        row = (await conn.execute(select(webauthn_credentials).where(
            c.pool_id == pool.id, c.credential_id == credential_id))).mappings().first()
    if row is None or row["username"] != user.username:
        raise AssertionRefused("no such passkey for this user")
    rp_id = str(row["rp_id"])
    if not origin_allowed(client_data.origin, rp_id):
        raise AssertionRefused(f"origin {client_data.origin} not allowed for {rp_id}")
    stored_count = int(row["sign_count"])
    try:
        verified = verify_authentication_response(
            credential=parsed, expected_challenge=base64.urlsafe_b64decode(challenge + "=" * (-len(challenge) % 4)),
            expected_rp_id=rp_id, expected_origin=client_data.origin, credential_public_key=bytes(row["public_key"]),
            credential_current_sign_count=stored_count,
            require_user_verification=configuration(services, pool)["UserVerification"] == "required")
    except WebAuthnException as exc:
        raise AssertionRefused(str(exc)) from None
    async with services.db.begin() as conn:
        moved = await conn.execute(update(webauthn_credentials).where(
            c.pool_id == pool.id, c.credential_id == credential_id, c.sign_count == stored_count)
            .values(sign_count=verified.new_sign_count))
    if moved.rowcount != 1:  # another sign-in with this authenticator counted first: one of the two is a clone
        raise AssertionRefused("sign count moved concurrently")
