"""The hosted UI's words for a refused sign-in step, by ``SignInError.reason`` (never by AWS's code or message)."""

from __future__ import annotations

from ..cognito.signin.errors import Reason

WRONG = "Incorrect username or password."
LOCKED = "Too many failed attempts. Wait a moment and try again."
LOCKED_AT_CODE = "Too many failed attempts. Wait a moment and sign in again."
CODE_WRONG = "That code is not right. Check it and try again."
CODE_USED = "That code has been used already. Wait for the next one and try again."
TEMPORARY_EXPIRED = "Your temporary password has expired. Ask your administrator to reset it."
DISABLED = "Your account is disabled."
NO_MFA = "Your account needs multi-factor authentication, which cannot be set up here. Ask your administrator."


def password_refusal(reason: Reason) -> str:
    """The login form's error for a refused first factor (an unknown name and a wrong password alike)."""
    return {Reason.LOCKED: LOCKED, Reason.DISABLED: DISABLED}.get(reason, WRONG)
