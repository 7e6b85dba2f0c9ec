"""AdminResetUserPassword: an administrator disables a user's password; the user must reset it with a code.

Cognito API Reference, AdminResetUserPassword: "Deactivates a user's password, requiring them to change it. If a
user tries to sign in after the API is called, Amazon Cognito responds with a PasswordResetRequiredException error
… if the user pool has phone verification selected and a verified phone number exists for the user, or if email
verification is selected and a verified email exists for the user, calling this API will also result in sending a
message to the end user with the code to change their password."
"""

from __future__ import annotations

from typing import Any

from ...errors import invalid_parameter, not_authorized
from .. import hooks, repo
from ..delivery import send_code
from ..service import COGNITO, Caller, Services
from .pools import owned_pool

_NO_CHANNEL = "Cannot reset password for the user as there is no registered/verified email or phone_number"
"""ForgotPassword's text for a user with nothing verified; moto's AdminResetUserPassword gives it too (UNCONFIRMED
from AWS for this call)."""


@COGNITO.operation("AdminResetUserPassword")
async def admin_reset_user_password(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool = await owned_pool(services, caller, params["UserPoolId"])
    async with services.db.read() as conn:
        user = await repo.get_user(conn, pool, params["Username"])
    if not user.enabled:
        raise not_authorized("User is disabled.")
    if user.status not in ("CONFIRMED", "RESET_REQUIRED"):
        # AWS's answer for a FORCE_CHANGE_PASSWORD user (amazon-archives/amazon-cognito-identity-js#532)
        raise not_authorized("User password cannot be reset in the current state.")
    # the code goes out as ForgotPassword's does, and CustomMessage hears CustomMessage_ForgotPassword (UNCONFIRMED:
    # the trigger source of an admin reset), with no app client
    cause = hooks.MessageCause("CustomMessage_ForgotPassword", None, params.get("ClientMetadata"))
    async with services.db.begin() as conn:
        details = await send_code(conn, services, pool, user, "forgot", verified_only=True, cause=cause)
        if details is None:
            raise invalid_parameter(_NO_CHANNEL)
        # a sign-in now answers PasswordResetRequiredException until ConfirmForgotPassword sets a new password
        await repo.update_user(conn, user, services.clock.now(), status="RESET_REQUIRED")
    return {}
