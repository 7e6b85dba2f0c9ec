"""Why a sign-in is refused: ``SignInError(reason, code, message)``.

A ``SignInError`` is a ``ServiceError``: the JSON API renders it as any other (AWS's ``__type`` and message). The
hosted UI renders it by ``reason`` and never reads its code or message text.
"""

from __future__ import annotations

from enum import StrEnum

from ...errors import ServiceError
from ..access import WRONG_CREDENTIALS

WRONG = WRONG_CREDENTIALS
EXPIRED = "Invalid session for the user, session is expired."
SPENT = "Invalid session for the user, session can only be used once."
"""AWS's answer to a reused challenge Session (captures: reapit/foundations#9684, aws-amplify/amplify-js#14330)."""
CODE_MISMATCH = "Invalid code or auth state for the user."
"""A wrong SMS, e-mail or TOTP code in RespondToAuthChallenge (captures: aws-amplify/amplify-js#3066 and #11069
for SMS_MFA, #12887 for SOFTWARE_TOKEN_MFA)."""
TOTP_REUSED = "Your software token has already been used once."
LOCKED = "Password attempts exceeded"
NOT_CONFIRMED = "User is not confirmed."


class Reason(StrEnum):
    WRONG_CREDENTIALS = "wrong_credentials"
    LOCKED = "locked"
    USER_NOT_FOUND = "user_not_found"
    DISABLED = "disabled"
    NOT_CONFIRMED = "not_confirmed"
    RESET_REQUIRED = "reset_required"
    TEMPORARY_PASSWORD_EXPIRED = "temporary_password_expired"
    SESSION_EXPIRED = "session_expired"
    SESSION_SPENT = "session_spent"
    CODE_MISMATCH = "code_mismatch"
    CODE_REUSED = "code_reused"
    NO_MFA_METHOD = "no_mfa_method"
    NO_SOFTWARE_TOKEN = "no_software_token"
    SETUP_CODE_MISMATCH = "setup_code_mismatch"


class SignInError(ServiceError):
    """A refused sign-in step: ``reason`` for the hosted UI, ``code`` and ``message`` as AWS answers."""

    def __init__(self, reason: Reason, code: str, message: str) -> None:
        super().__init__(code, message)
        self.reason = reason


def wrong_credentials() -> SignInError:
    return SignInError(Reason.WRONG_CREDENTIALS, "NotAuthorizedException", WRONG)


def locked() -> SignInError:
    return SignInError(Reason.LOCKED, "NotAuthorizedException", LOCKED)


def not_confirmed() -> SignInError:
    return SignInError(Reason.NOT_CONFIRMED, "UserNotConfirmedException", NOT_CONFIRMED)


def reset_required() -> SignInError:
    return SignInError(Reason.RESET_REQUIRED, "PasswordResetRequiredException", "Password reset required for the user")


def temporary_password_expired() -> SignInError:
    return SignInError(Reason.TEMPORARY_PASSWORD_EXPIRED, "NotAuthorizedException",
                       "Temporary password has expired and must be reset by an administrator.")


def session_expired() -> SignInError:
    return SignInError(Reason.SESSION_EXPIRED, "NotAuthorizedException", EXPIRED)


def session_spent() -> SignInError:
    return SignInError(Reason.SESSION_SPENT, "NotAuthorizedException", SPENT)


def code_mismatch() -> SignInError:
    return SignInError(Reason.CODE_MISMATCH, "CodeMismatchException", CODE_MISMATCH)


def code_reused() -> SignInError:
    return SignInError(Reason.CODE_REUSED, "ExpiredCodeException", TOTP_REUSED)


def no_mfa_method() -> SignInError:
    return SignInError(Reason.NO_MFA_METHOD, "MFAMethodNotFoundException", "No MFA mechanism registered in the "
                                                                           "account.")


def no_software_token() -> SignInError:
    return SignInError(Reason.NO_SOFTWARE_TOKEN, "SoftwareTokenMFANotFoundException",
                       "Software Token MFA does not exist for the user.")


def migration_found_nobody(client_id: str) -> SignInError:
    return SignInError(Reason.USER_NOT_FOUND, "UserNotFoundException",
                       f"Exception migrating user in app client {client_id}")


def setup_code_mismatch() -> SignInError:
    # capture: aws-amplify-auth-starters#15
    return SignInError(Reason.SETUP_CODE_MISMATCH, "EnableSoftwareTokenMFAException",
                       "Code mismatch and fail enable Software Token MFA")


def user_not_found() -> SignInError:
    return SignInError(Reason.USER_NOT_FOUND, "UserNotFoundException", "User does not exist.")


def disabled() -> SignInError:
    return SignInError(Reason.DISABLED, "NotAuthorizedException", "User is disabled.")
