"""A user's page: User information, User attributes (edit: AdminUpdateUserAttributes; remove:
AdminDeleteUserAttributes), group memberships, and the codes the pool sent the user (its outbox, as
``poolgate codes`` prints them) — cognito-idp AdminGetUser, AdminListGroupsForUser.

The outbox is not an AWS operation's answer (AWS sends the codes by e-mail or SMS): it is read from the database
(``outbox.outbox_rows``) only after AdminGetUser answered for the session's key, so a key sees only the codes of
users it may read."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from ..outbox import outbox_rows
from .client import OperationError
from .web import ROUTER, Ctx, Page, error_text, redirect

CRUMB = ("User pools", "/user-pools")
SHOWN_CODES = 20
STANDARD = ["address", "birthdate", "email", "email_verified", "family_name", "gender", "given_name", "locale",
            "middle_name", "name", "nickname", "phone_number", "phone_number_verified", "picture",
            "preferred_username", "profile", "updated_at", "website", "zoneinfo"]
DONE = {"saved": "User attributes saved.", "removed": "User attribute removed."}


def user_path(pool_id: str, username: str) -> str:
    return f"/user-pools/{quote(pool_id, safe='')}/user?username={quote(username, safe='')}"


async def _codes(ctx: Ctx, pool_id: str, username: str) -> list[dict[str, Any]]:
    async with ctx.client.app.services.db.read() as conn:
        rows = await outbox_rows(conn, pool_id, username, newest=SHOWN_CODES)
    return [{**row, "time": datetime.fromtimestamp(row["created"], UTC).strftime("%Y-%m-%d %H:%M:%S")}
            for row in reversed(rows)]


@ROUTER.route("GET", "/user-pools/{pool_id}/user")
async def user_details(ctx: Ctx, pool_id: str, username: str | None = None, error: str | None = None,
                       status: int = 200) -> Page:
    query = ctx.query()
    username = username if username is not None else query.get("username", "")
    pool, user, groups = await asyncio.gather(
        ctx.call("cognito-idp", "DescribeUserPool", {"UserPoolId": pool_id}),
        ctx.call("cognito-idp", "AdminGetUser", {"UserPoolId": pool_id, "Username": username}),
        ctx.call("cognito-idp", "AdminListGroupsForUser", {"UserPoolId": pool_id, "Username": username,
                                                           "Limit": 60}))
    name = user["Username"]
    attributes = sorted((a["Name"], a.get("Value", "")) for a in user.get("UserAttributes", []))
    form = ctx.form() if ctx.request.method == "POST" else {}
    return ctx.render("user.html", status, title=name, section="pools", pool=pool["UserPool"], user=user,
                      crumbs=[CRUMB, (pool["UserPool"]["Name"], f"/user-pools/{pool_id}"), (name, None)],
                      attributes=attributes, groups=groups.get("Groups", []), codes=await _codes(ctx, pool_id, name),
                      standard=STANDARD, error=error, form=form, done=DONE.get(query.get("done", "")))


@ROUTER.route("POST", "/user-pools/{pool_id}/user/attributes")
async def attributes_save(ctx: Ctx, pool_id: str) -> Page:
    """Edit user attributes: set one (AdminUpdateUserAttributes), or remove one (AdminDeleteUserAttributes)."""
    form = ctx.form()
    username, name = form.get("username", ""), form.get("name", "").strip()
    if not name:
        return await user_details(ctx, pool_id, username, "Enter an Attribute name.", 400)
    try:
        if form.get("remove"):
            await ctx.call("cognito-idp", "AdminDeleteUserAttributes", {
                "UserPoolId": pool_id, "Username": username, "UserAttributeNames": [name]})
        else:
            await ctx.call("cognito-idp", "AdminUpdateUserAttributes", {
                "UserPoolId": pool_id, "Username": username,
                "UserAttributes": [{"Name": name, "Value": form.get("value", "")}]})
    except OperationError as err:
        return await user_details(ctx, pool_id, username, error_text(err), 400)
    return redirect(user_path(pool_id, username) + f"&done={'removed' if form.get('remove') else 'saved'}")
