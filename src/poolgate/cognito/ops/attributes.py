"""DeleteUserAttributes: a signed-in user removes attributes of their own (AdminDeleteUserAttributes' self-service
twin, with the same effect)."""

from __future__ import annotations

from typing import Any

from ...errors import invalid_parameter
from .. import repo
from ..access import user_from_access_token
from ..schema import known_attributes
from ..service import COGNITO, Caller, Services


@COGNITO.operation("DeleteUserAttributes")
async def delete_user_attributes(services: Services, caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    pool, user, _ = await user_from_access_token(services, params["AccessToken"])
    names = list(params["UserAttributeNames"])
    known = known_attributes(pool.config)
    for name in names:
        if name == "sub":
            raise invalid_parameter("Attributes did not conform to the schema: sub: cannot modify an immutable "
                                    "attribute")
        if name not in known:
            # the text AWS gives other calls for an attribute the schema lacks (schema.check_attributes);
            # UNCONFIRMED for this call
            raise invalid_parameter(f"Attributes did not conform to the schema: Type for attribute {{{name}}} could "
                                    "not be determined")
    merged = {k: v for k, v in user.attributes.items() if k not in names}
    async with services.db.begin() as conn:
        await repo.update_user(conn, user, services.clock.now(), attributes=merged)
    return {}
