"""Device SRP: a confirmed device proves itself (DEVICE_SRP_AUTH, then DEVICE_PASSWORD_VERIFIER) before the MFA
step; a remembered device then stands in for the MFA code when the pool's ChallengeRequiredOnNewDevice is true.

The arithmetic is USER_SRP_AUTH's (``cognito/srp.py``) with the device group key in place of the pool name and the
device key in place of the user id, against the verifier ConfirmDevice stored: x = H(salt ‖ H(groupKey ‖ deviceKey ‖
":" ‖ devicePassword)), the signature HMAC(K, groupKey ‖ deviceKey ‖ secretBlock ‖ timestamp), as
amazon-cognito-identity-js (CognitoUser.getDeviceResponse, AuthenticationHelper.generateHashDevice) and aws-amplify v6
(@aws-amplify/auth handleDeviceSRPAuth, getNewDeviceMetadata) compute them.

DEVICE_PASSWORD_VERIFIER is found by its PASSWORD_CLAIM_SECRET_BLOCK, as PASSWORD_VERIFIER is. A wrong device proof
is NotAuthorizedException "Incorrect username or password." (the text UNCONFIRMED: no capture of a failed device
proof) and does not count toward the user's password lock-out (UNCONFIRMED).
"""

from __future__ import annotations

import base64
import secrets

from ...errors import invalid_parameter
from ...services import Services
from .. import devices, repo, srp
from ..access import check_secret_hash, check_session_user
from ..domain import Client, Pool, User
from . import errors
from .device import present
from .factors import finish, mfa_or_tokens
from .lockout import check_not_locked
from .sessions import claim_open, open_session, take_session
from .srp_flow import TIMESTAMP_SKEW
from .state import DEVICE_SRP, DEVICE_VERIFIER, DeviceSrp, DeviceVerifier, State
from .steps import Challenge, Step


async def answer_device_srp(services: Services, pool: Pool, client: Client, user: User, saved: DeviceSrp,
                            responses: dict[str, str]) -> Challenge:
    """RespondToAuthChallenge with DEVICE_SRP_AUTH (DEVICE_KEY, SRP_A): answer A with DEVICE_PASSWORD_VERIFIER."""
    key = responses.get("DEVICE_KEY")
    if not key:
        raise invalid_parameter("Missing required parameter DEVICE_KEY")
    a_hex = responses.get("SRP_A")
    if not a_hex:
        raise invalid_parameter("Missing required parameter SRP_A")
    if srp.valid_client_public(a_hex) is None:
        raise invalid_parameter("SRP_A is invalid.")  # message UNCONFIRMED
    if key != saved.device_key:  # another device than the one the sign-in presented (answer UNCONFIRMED)
        raise errors.wrong_credentials()
    device = await devices.existing(services, pool, user.username, key)
    if device.verifier is None or device.salt is None:
        raise errors.wrong_credentials()
    b = secrets.randbits(256) | 1
    b_pub = srp.server_public(device.verifier, b)
    secret_block = base64.b64encode(secrets.token_bytes(48) + services.ids.token(24).encode()).decode()
    await open_session(services, pool, client, user.username, DEVICE_VERIFIER,
                       DeviceVerifier(b, a_hex, key, saved.source), key=secret_block)
    return Challenge(DEVICE_VERIFIER, {"SALT": device.salt, "SECRET_BLOCK": secret_block, "SRP_B": f"{b_pub:x}",
                                       "USERNAME": user.username, "USER_ID_FOR_SRP": user.username})


async def answer_device_srp_without_session(services: Services, pool: Pool, client: Client,
                                           responses: dict[str, str]) -> Challenge:
    """DEVICE_SRP_AUTH answered without its Session, as pycognito answers it (AWSSRP.authenticate_user sends only
    USERNAME, DEVICE_KEY and SRP_A): the user's newest live DEVICE_SRP_AUTH for that device on this app client is
    the one answered, so the password step before it is still required (UNCONFIRMED: how AWS finds it)."""
    username, key = responses.get("USERNAME"), responses.get("DEVICE_KEY")
    if not username:
        raise invalid_parameter("Missing required parameter USERNAME")
    user = await repo.find_signing_in_user(services.db, pool, username)
    if user is None or not key:
        raise errors.session_expired()
    check_secret_hash(client, [username, user.username], responses.get("SECRET_HASH"))

    def for_device(saved: State) -> bool:
        return isinstance(saved, DeviceSrp) and saved.device_key == key

    pending = await claim_open(services, pool, client, user.username, DEVICE_SRP, for_device)
    if not isinstance(pending, DeviceSrp):
        raise errors.session_expired()
    return await answer_device_srp(services, pool, client, user, pending, responses)


async def answer_device_verifier(services: Services, pool: Pool, client: Client, responses: dict[str, str],
                                 metadata: dict[str, str] | None) -> Step:
    """RespondToAuthChallenge with DEVICE_PASSWORD_VERIFIER: check the device's proof, then the tokens (a remembered
    device in a pool whose ChallengeRequiredOnNewDevice is true) or the MFA step."""
    for name in ("PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"):
        if not responses.get(name):
            raise invalid_parameter(f"Missing required parameter {name}")
    row = await take_session(services, client, responses["PASSWORD_CLAIM_SECRET_BLOCK"], DEVICE_VERIFIER)
    saved = row.state
    if not isinstance(saved, DeviceVerifier):
        raise errors.session_expired()
    async with services.db.read() as conn:
        user = await repo.find_user(conn, pool, row.username, aliases=False)
    if user is None:
        raise errors.session_expired()
    check_secret_hash(client, [responses.get("USERNAME", ""), user.username], responses.get("SECRET_HASH"))
    await check_session_user(services, pool, user.username, responses.get("USERNAME"), sub=user.sub)
    if responses.get("DEVICE_KEY", saved.device_key) != saved.device_key:
        raise errors.wrong_credentials()
    device = await devices.existing(services, pool, user.username, saved.device_key)
    check_not_locked(services, user)
    claim = srp.Claim(responses["PASSWORD_CLAIM_SECRET_BLOCK"], responses["PASSWORD_CLAIM_SIGNATURE"],
                      responses["TIMESTAMP"])
    stamp = srp.parse_timestamp(claim.timestamp)
    fresh = stamp is not None and abs(stamp - services.clock.now()) <= TIMESTAMP_SKEW
    if not fresh or device.verifier is None or not srp.check_claim(
            pool.id, device.key, device.verifier, saved.a, saved.b, claim, realm=device.group_key):
        raise errors.wrong_credentials()
    await devices.authenticated(services, device)
    present(device.key)  # the tokens name the device proven, whatever the answer repeats
    if devices.skips_mfa(pool, device):
        return await finish(services, pool, client, user, saved.source, metadata)
    return await mfa_or_tokens(services, pool, client, user, saved.source, metadata)
