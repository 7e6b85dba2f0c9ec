"""What a challenge session remembers between two steps: one frozen dataclass per challenge, stored as JSON in
``auth_sessions.data`` by ``dump`` and read back by ``load`` (the only two places that know the stored keys).

The stored keys are the ones poolgate has always written, so sessions opened before an upgrade still load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import mfa

SOURCE = "TokenGeneration_Authentication"
UNKNOWN = "unknown_user"
"""Stored key of a challenge for nobody: holds the USERNAME the client asked for."""


@dataclass(frozen=True, slots=True)
class NewPassword:
    """NEW_PASSWORD_REQUIRED: nothing to remember but the user (the session's)."""


@dataclass(frozen=True, slots=True)
class SelectMfa:
    """SELECT_MFA_TYPE; ``source`` is the PreTokenGeneration triggerSource the sign-in ends with."""

    source: str = SOURCE


@dataclass(frozen=True, slots=True)
class MfaSetup:
    """MFA_SETUP; ``verified`` once VerifySoftwareToken accepted a code with this session."""

    source: str = SOURCE
    verified: bool = False


@dataclass(frozen=True, slots=True)
class MfaCode:
    """SMS_MFA, EMAIL_OTP or SOFTWARE_TOKEN_MFA; ``code_hash`` is the hash of the code sent (None for TOTP)."""

    source: str = SOURCE
    code_hash: str | None = None


@dataclass(frozen=True, slots=True)
class Custom:
    """CUSTOM_CHALLENGE: the challenges answered so far (DefineAuthChallenge's ``session``), the private parameters
    CreateAuthChallenge chose, and for a name that matches nobody (``unknown``) the name asked for."""

    history: tuple[dict[str, Any], ...] = ()
    private: dict[str, Any] = field(default_factory=dict)
    challenge_metadata: Any = None
    unknown: str | None = None


@dataclass(frozen=True, slots=True)
class PasswordVerifier:
    """USER_SRP_AUTH's PASSWORD_VERIFIER: the server's secret ``b``, the client's ``A`` and the verifier (``fake``
    when there is none to check against), ``custom`` the CUSTOM_AUTH history when SRP began a custom sign-in, and
    for a name that matches nobody (``unknown``) the name asked for."""

    b: int
    a: str
    verifier: str
    fake: bool
    custom: tuple[dict[str, Any], ...] | None = None
    unknown: str | None = None


@dataclass(frozen=True, slots=True)
class SelectChallenge:
    """USER_AUTH's SELECT_CHALLENGE: the first factors offered (``AvailableChallenges``), and for a name that matches
    nobody (``unknown``) the name asked for."""

    available: tuple[str, ...]
    unknown: str | None = None


@dataclass(frozen=True, slots=True)
class WebAuthn:
    """USER_AUTH's WEB_AUTHN: the challenge (base64url) the passkey's assertion must sign."""

    challenge: str


@dataclass(frozen=True, slots=True)
class DeviceSrp:
    """DEVICE_SRP_AUTH: the user's confirmed device (``device_key``) to prove before MFA (``signin/device_srp.py``)."""

    device_key: str
    source: str = SOURCE


@dataclass(frozen=True, slots=True)
class DeviceVerifier:
    """DEVICE_PASSWORD_VERIFIER: the server's secret ``b`` and the client's ``A`` for the device ``device_key``."""

    b: int
    a: str
    device_key: str
    source: str = SOURCE


State = NewPassword | SelectMfa | MfaSetup | MfaCode | Custom | PasswordVerifier | SelectChallenge | WebAuthn \
    | DeviceSrp | DeviceVerifier

NEW_PASSWORD = "NEW_PASSWORD_REQUIRED"
SELECT_MFA = "SELECT_MFA_TYPE"
MFA_SETUP = "MFA_SETUP"
CUSTOM = "CUSTOM_CHALLENGE"
PASSWORD_VERIFIER = "PASSWORD_VERIFIER"
MFA_CODES = (mfa.TOTP, mfa.SMS, mfa.EMAIL)
SELECT_CHALLENGE = "SELECT_CHALLENGE"
DEVICE_SRP = "DEVICE_SRP_AUTH"
DEVICE_VERIFIER = "DEVICE_PASSWORD_VERIFIER"
SMS_OTP = "SMS_OTP"
WEB_AUTHN = "WEB_AUTHN"
"""USER_AUTH's SMS first factor (its code is answered as SMS_OTP_CODE); its e-mail one is EMAIL_OTP, as the MFA's."""
CODES = (*MFA_CODES, SMS_OTP)
"""Challenges answered by a code: their state is ``MfaCode``."""


def dump(state: State) -> dict[str, Any]:
    """The JSON stored for ``state``."""
    match state:
        case NewPassword():
            return {}
        case SelectMfa(source):
            return {"source": source}
        case MfaSetup(source, verified):
            return {"source": source, **({"verified": True} if verified else {})}
        case MfaCode(source, code_hash):
            return {"source": source, **({"code": code_hash} if code_hash is not None else {})}
        case Custom(history, private, metadata, unknown):
            out: dict[str, Any] = {"history": list(history), "private": private, "challengeMetadata": metadata}
            return {**out, UNKNOWN: unknown} if unknown is not None else out
        case PasswordVerifier(b, a, verifier, fake, custom, unknown):
            out = {"b": f"{b:x}", "A": a, "verifier": verifier, "fake": fake,
                   "custom": list(custom) if custom is not None else None}
            return {**out, UNKNOWN: unknown} if unknown is not None else out
        case SelectChallenge(available, unknown):
            chosen: dict[str, Any] = {"available": list(available)}
            return {**chosen, UNKNOWN: unknown} if unknown is not None else chosen
        case WebAuthn(challenge):
            return {"challenge": challenge}
        case DeviceSrp(device_key, source):
            return {"device": device_key, "source": source}
        case DeviceVerifier(b, a, device_key, source):
            return {"b": f"{b:x}", "A": a, "device": device_key, "source": source}
    raise TypeError(f"not a challenge state: {state!r}")


def load(challenge: str, data: dict[str, Any] | None) -> State:
    """The state of a session for ``challenge`` stored as ``data``; KeyError/ValueError for a challenge poolgate
    never opens."""
    raw = data or {}
    source = str(raw.get("source") or SOURCE)
    if challenge == NEW_PASSWORD:
        return NewPassword()
    if challenge == SELECT_MFA:
        return SelectMfa(source)
    if challenge == MFA_SETUP:
        return MfaSetup(source, bool(raw.get("verified")))
    if challenge == DEVICE_SRP:
        return DeviceSrp(str(raw["device"]), source)
    if challenge == DEVICE_VERIFIER:
        return DeviceVerifier(int(raw["b"], 16), str(raw["A"]), str(raw["device"]), source)
    if challenge in CODES:
        code = raw.get("code")
        return MfaCode(source, str(code) if code is not None else None)
    unknown = raw.get(UNKNOWN)
    unknown = str(unknown) if unknown is not None else None
    if challenge == CUSTOM:
        return Custom(tuple(raw.get("history") or ()), dict(raw.get("private") or {}), raw.get("challengeMetadata"),
                      unknown)
    if challenge == PASSWORD_VERIFIER:
        custom = raw.get("custom")
        return PasswordVerifier(int(raw["b"], 16), str(raw["A"]), str(raw["verifier"]), bool(raw.get("fake")),
                                tuple(custom) if custom is not None else None, unknown)
    if challenge == SELECT_CHALLENGE:
        return SelectChallenge(tuple(str(f) for f in raw["available"]), unknown)
    if challenge == WEB_AUTHN:
        return WebAuthn(str(raw["challenge"]))
    raise ValueError(f"no state for challenge {challenge}")
