"""USER_AUTH's WEB_AUTHN first factor: a passkey's assertion.

The challenge is ``WEB_AUTHN`` with ChallengeParameters ``CREDENTIAL_REQUEST_OPTIONS`` (the JSON of the
PublicKeyCredentialRequestOptions: challenge, rpId, allowCredentials: the user's passkeys, userVerification), answered
by RespondToAuthChallenge with ``CREDENTIAL``, the JSON of the PublicKeyCredential (AuthenticationResponseJSON), on
the challenge's single-use Session. A good assertion ends the sign-in (PostAuthentication, tokens).

Sources: botocore's cognito-idp model (InitiateAuth ChallengeName "WEB_AUTHN: Respond to the challenge with the
results of a successful authentication with a WebAuthn authenticator, or passkey, as CREDENTIAL"; RespondToAuthChallenge
ChallengeResponses ``"WEB_AUTHN": {"USERNAME", "CREDENTIAL": "[AuthenticationResponseJSON]"}``); aws-amplify v6
(client/flows/userAuth/handleWebAuthnSignInResult reads ``CREDENTIAL_REQUEST_OPTIONS`` and answers ``CREDENTIAL`` as
JSON.stringify of the credential). UNCONFIRMED: that a refused assertion is NotAuthorizedException "Incorrect username
or password." (RespondToAuthChallenge lists no WebAuthn exception), that it counts toward the lock-out, and that a
passkey sign-in skips MFA (as the one-time codes do here).
"""

from __future__ import annotations

from ...errors import invalid_parameter
from ...services import Services
from .. import passkeys
from ..domain import Client, Pool, User
from . import errors
from .factors import challenge, finish
from .lockout import check_not_locked, record_failure
from .state import SOURCE, WEB_AUTHN, WebAuthn
from .steps import Challenge, Step


async def webauthn_challenge(services: Services, pool: Pool, client: Client, user: User) -> Challenge:
    """The WEB_AUTHN challenge for ``user``: request options over the user's passkeys, the challenge remembered on
    the session."""
    nonce, options = await passkeys.request_options(services, pool, user)
    return await challenge(services, pool, client, user, WEB_AUTHN, {"CREDENTIAL_REQUEST_OPTIONS": options},
                           WebAuthn(nonce))


async def answer_webauthn(services: Services, pool: Pool, client: Client, user: User, saved: WebAuthn,
                          responses: dict[str, str], metadata: dict[str, str] | None) -> Step:
    """RespondToAuthChallenge with WEB_AUTHN: check the CREDENTIAL, then the tokens."""
    answer = responses.get("CREDENTIAL")
    if not answer:
        raise invalid_parameter("Missing required parameter CREDENTIAL")  # message UNCONFIRMED
    check_not_locked(services, user)
    try:
        await passkeys.verify_assertion(services, pool, user, saved.challenge, answer)
    except passkeys.AssertionRefused:
        await record_failure(services, user)
        raise errors.wrong_credentials() from None
    return await finish(services, pool, client, user, SOURCE, metadata)
