"""USER_AUTH, choice-based sign-in: the first factor is the user's choice among those the pool allows
(``Policies.SignInPolicy.AllowedFirstAuthFactors``) and the user can use.

InitiateAuth with ``USERNAME`` and ``PREFERRED_CHALLENGE`` goes straight to that factor; without one it answers
``SELECT_CHALLENGE`` with ``AvailableChallenges``, answered by RespondToAuthChallenge with ``ANSWER`` (and, for
PASSWORD and PASSWORD_SRP, that factor's own ``PASSWORD`` or ``SRP_A`` in the same call):

- PASSWORD: the password first factor of USER_PASSWORD_AUTH (UserMigration, PreAuthentication, lock-out), then
  NEW_PASSWORD_REQUIRED / MFA / tokens as after any password;
- PASSWORD_SRP: USER_SRP_AUTH's PASSWORD_VERIFIER;
- EMAIL_OTP / SMS_OTP: a code sent (to the outbox, as every code) and answered as EMAIL_OTP_CODE / SMS_OTP_CODE,
  then the tokens;
- WEB_AUTHN: offered to a user with at least one passkey; the WEB_AUTHN challenge (``passkey.py``) with
  CREDENTIAL_REQUEST_OPTIONS, answered with CREDENTIAL, then the tokens.

Sources: API Reference InitiateAuth (AuthParameters "USER_AUTH: USERNAME (required), PREFERRED_CHALLENGE. If you
don't provide a value for PREFERRED_CHALLENGE, Amazon Cognito responds with the AvailableChallenges parameter"),
RespondToAuthChallenge (ChallengeResponses: SELECT_CHALLENGE with ``ANSWER`` and ``USERNAME``; "Complete
authentication in the SELECT_CHALLENGE response for PASSWORD, PASSWORD_SRP, and WEB_AUTHN"; "For SMS_OTP and
EMAIL_OTP, respond with the username and answer. Your user pool will send a code"; EMAIL_OTP answered with
EMAIL_OTP_CODE, SMS_OTP with SMS_OTP_CODE), both from botocore's cognito-idp model; SignInPolicyType
(AllowedFirstAuthFactors PASSWORD | EMAIL_OTP | SMS_OTP | WEB_AUTHN). aws-amplify v6 (@aws-amplify/auth
client/flows/userAuth/handleUserAuthFlow, handleSelectChallenge*, tests/js) drives exactly these calls.

UNCONFIRMED (no AWS capture found): the order of AvailableChallenges; that a preferred challenge the user cannot use
falls back to SELECT_CHALLENGE (third-party descriptions say so) rather than an error; that EMAIL_OTP / SMS_OTP need
a *verified* e-mail / phone; that a one-time-code sign-in skips MFA (it is itself a possession factor) and
NEW_PASSWORD_REQUIRED; the messages of the InvalidParameterExceptions below; what a name that matches nobody gets on a
client with PreventUserExistenceErrors (here: SELECT_CHALLENGE with the pool's factors, a password that fails, a
one-time code or a passkey refused as wrong credentials); that WEB_AUTHN is offered only to users with a passkey; that
SELECT_CHALLENGE answered WEB_AUTHN with a CREDENTIAL (which no challenge of ours could have asked for yet) leads to
the WEB_AUTHN challenge, as without one.
"""

from __future__ import annotations

from ...errors import invalid_parameter
from ...services import Services
from .. import passkeys, repo
from ..access import check_secret_hash, check_session_user
from ..domain import Client, Pool, User
from ..unknown_users import unknown_user_name
from . import errors
from .factors import code_challenge
from .first_factor import after_first_factor, check_status, password_factor, pre_authentication, signing_in_user
from .lockout import check_not_locked
from .passkey import webauthn_challenge
from .sessions import Claimed, open_session
from .srp_flow import srp_start
from .state import SELECT_CHALLENGE, SMS_OTP, SOURCE, SelectChallenge
from .steps import Challenge, Step

PASSWORD = "PASSWORD"
PASSWORD_SRP = "PASSWORD_SRP"
EMAIL_OTP = "EMAIL_OTP"
WEB_AUTHN = "WEB_AUTHN"
CHOICES = (PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP, WEB_AUTHN)
"""The values of PREFERRED_CHALLENGE and of SELECT_CHALLENGE's ANSWER (RespondToAuthChallenge, ChallengeResponses:
"Available challenges are PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP, and WEB_AUTHN")."""
_OTP_ATTRIBUTES = {EMAIL_OTP: "email", SMS_OTP: "phone_number"}
_NEEDS = {PASSWORD: "PASSWORD", PASSWORD_SRP: "SRP_A"}
"""The AuthParameter a preferred PASSWORD / PASSWORD_SRP is answered with in InitiateAuth itself."""


def allowed_first_factors(pool: Pool) -> list[str]:
    """The pool's AllowedFirstAuthFactors; PASSWORD when it sets none (what DescribeUserPool reports then)."""
    policy = ((pool.config.get("Policies") or {}).get("SignInPolicy") or {})
    return [str(f) for f in policy.get("AllowedFirstAuthFactors") or [PASSWORD]]


async def offered(services: Services, pool: Pool, user: User | None) -> list[str]:
    """AvailableChallenges: the pool's first factors ``user`` can use (for nobody: all the pool's). PASSWORD brings
    PASSWORD_SRP with it; WEB_AUTHN needs a registered passkey."""
    out: list[str] = []
    for factor in allowed_first_factors(pool):
        if factor == PASSWORD and (user is None or user.password_hash):
            out += [PASSWORD, PASSWORD_SRP]
        elif factor == WEB_AUTHN and (user is None or await passkeys.has_credentials(services, pool, user)):
            out.append(WEB_AUTHN)
        elif factor in _OTP_ATTRIBUTES:
            attr = _OTP_ATTRIBUTES[factor]
            if user is None or (user.attributes.get(attr) and user.attributes.get(f"{attr}_verified") == "true"):
                out.append(factor)
    return out


async def user_auth_start(services: Services, pool: Pool, client: Client, auth: dict[str, str],
                          metadata: dict[str, str] | None) -> Step:
    """InitiateAuth / AdminInitiateAuth with USER_AUTH."""
    username = auth.get("USERNAME")
    if not username:
        raise invalid_parameter("Missing required parameter USERNAME")
    preferred = auth.get("PREFERRED_CHALLENGE")
    if preferred and preferred not in CHOICES:
        raise invalid_parameter(f"Invalid PREFERRED_CHALLENGE {preferred}.")  # message UNCONFIRMED
    found = await repo.find_signing_in_user(services.db, pool, username)
    check_secret_hash(client, [username, *([found.username] if found else [])], auth.get("SECRET_HASH"))
    if found is None:
        if not client.prevent_user_existence_errors:
            raise errors.user_not_found()
    elif not found.enabled:
        raise errors.disabled()
    choices = await offered(services, pool, found)
    if preferred in choices:
        if _NEEDS.get(str(preferred), "") in auth or preferred not in _NEEDS:
            return await chosen(services, pool, client, username, found, str(preferred), auth, metadata, None)
        # PASSWORD / PASSWORD_SRP preferred without the password or SRP_A: that challenge, answered on its session
        # ("PASSWORD: Respond with the user's password as PASSWORD", "PASSWORD_SRP: Respond with the initial SRP
        # secret as SRP_A": InitiateAuth, ChallengeName); that AWS answers so here is UNCONFIRMED
        return await _select(services, pool, client, username, found, str(preferred), (str(preferred),))
    if not choices:  # e.g. an e-mail-only pool and a user without a verified e-mail; error UNCONFIRMED
        raise errors.wrong_credentials()
    return await _select(services, pool, client, username, found, SELECT_CHALLENGE, tuple(choices))


async def _select(services: Services, pool: Pool, client: Client, username: str, found: User | None, name: str,
                  choices: tuple[str, ...]) -> Challenge:
    """Challenge ``name`` (SELECT_CHALLENGE, or PASSWORD / PASSWORD_SRP awaiting their parameter) on a session that
    remembers the factors ``choices`` the answer may take."""
    holder = found.username if found else await unknown_user_name(services, pool, username)
    session = await open_session(services, pool, client, holder, SELECT_CHALLENGE,
                                 SelectChallenge(choices, None if found else username))
    return Challenge(name, {}, session, choices if name == SELECT_CHALLENGE else ())


async def answer_choice(services: Services, pool: Pool, client: Client, row: Claimed, saved: SelectChallenge,
                        answer: str, responses: dict[str, str], metadata: dict[str, str] | None) -> Step:
    """RespondToAuthChallenge with SELECT_CHALLENGE (``answer``: its ANSWER, the factor chosen)."""
    if not answer:
        raise invalid_parameter("Missing required parameter ANSWER")
    if answer not in saved.available:
        raise invalid_parameter(f"The challenge {answer} is not available for this user.")  # message UNCONFIRMED
    found = None
    if saved.unknown is None:
        async with services.db.read() as conn:
            found = await repo.find_user(conn, pool, row.username, aliases=False)
        if found is None:
            raise errors.session_expired()
    name = saved.unknown or row.username
    check_secret_hash(client, [responses.get("USERNAME", ""), name, row.username], responses.get("SECRET_HASH"))
    await check_session_user(services, pool, row.username, responses.get("USERNAME"),
                             sub=found.sub if found else None, asked=saved.unknown)
    return await chosen(services, pool, client, name, found, answer, responses, metadata, metadata)


async def chosen(services: Services, pool: Pool, client: Client, username: str, found: User | None, factor: str,
                 given: dict[str, str], metadata: dict[str, str] | None, later: dict[str, str] | None) -> Step:
    """Go on with first factor ``factor`` for ``username`` (``found``: the user, None for nobody); ``given`` holds
    its PASSWORD / SRP_A / SECRET_HASH. ``metadata`` reaches PreAuthentication, ``later`` (a RespondToAuthChallenge's
    ClientMetadata, None for InitiateAuth's) the triggers after the first factor."""
    if factor == PASSWORD:
        password = given.get("PASSWORD")
        if password is None:
            raise invalid_parameter("Missing required parameter PASSWORD")
        user = await password_factor(services, pool, client, username, password, found, metadata)
        return await after_first_factor(services, pool, client, user, later)
    if factor == PASSWORD_SRP:
        return await srp_start(services, pool, client, {"USERNAME": username, "SRP_A": given.get("SRP_A", ""),
                                                        **({"SECRET_HASH": given["SECRET_HASH"]}
                                                           if "SECRET_HASH" in given else {})}, metadata)
    if found is None:  # a one-time code or passkey for nobody: refused as a wrong password would be (UNCONFIRMED)
        raise errors.wrong_credentials()
    user = signing_in_user(client, found)
    await pre_authentication(services, pool, client, user, metadata)
    check_not_locked(services, user)
    check_status(services, pool, user)
    if factor == WEB_AUTHN:
        return await webauthn_challenge(services, pool, client, user)
    return await code_challenge(services, pool, client, user, factor, SOURCE)
