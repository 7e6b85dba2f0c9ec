"""User pools: list, Create user pool, details (app clients, users), Create app client, Create user — each a
cognito-idp operation (ListUserPools, CreateUserPool, SetUserPoolMfaConfig, DescribeUserPool,
ListUserPoolClients, CreateUserPoolClient, ListUsers, AdminCreateUser, AdminSetUserPassword)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from ..banner import hosted_ui_url
from .client import OperationError
from .web import ROUTER, Ctx, Page, error_text, redirect

AUTH_FLOWS = [
    ("ALLOW_USER_SRP_AUTH", "Sign in with secure remote password (SRP): ALLOW_USER_SRP_AUTH"),
    ("ALLOW_USER_PASSWORD_AUTH", "Sign in with username and password: ALLOW_USER_PASSWORD_AUTH"),
    ("ALLOW_ADMIN_USER_PASSWORD_AUTH", "Sign in with server-side administrative credentials: "
                                       "ALLOW_ADMIN_USER_PASSWORD_AUTH"),
    ("ALLOW_CUSTOM_AUTH", "Sign in with Lambda triggers: ALLOW_CUSTOM_AUTH"),
    ("ALLOW_REFRESH_TOKEN_AUTH", "Get new user tokens from existing authenticated sessions: "
                                 "ALLOW_REFRESH_TOKEN_AUTH"),
]
OAUTH_FLOWS = [("code", "Authorization code grant"), ("implicit", "Implicit grant"),
               ("client_credentials", "Client credentials")]
SCOPES = ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"]
MFA = [("OFF", "No MFA"), ("OPTIONAL", "Optional MFA"), ("ON", "Require MFA")]
SIGN_IN = [("username", "User name"), ("email", "Email"), ("phone_number", "Phone number")]
CRUMB = ("User pools", "/user-pools")


def _checked(form: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in form if key == name]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


@ROUTER.route("GET", "/user-pools")
async def pool_list(ctx: Ctx) -> Page:
    pools: list[dict[str, Any]] = []
    params: dict[str, Any] = {"MaxResults": 60}
    while True:
        answer = await ctx.call("cognito-idp", "ListUserPools", params)
        pools += answer.get("UserPools", [])
        if not answer.get("NextToken"):
            break
        params["NextToken"] = answer["NextToken"]
    return ctx.render("pools.html", title="User pools", section="pools", pools=pools)


@ROUTER.route("GET", "/user-pools/create")
async def pool_form(ctx: Ctx, error: str | None = None, status: int = 200) -> Page:
    return ctx.render("pool_create.html", status, title="Create user pool", section="pools", error=error,
                      crumbs=[CRUMB, ("Create user pool", None)], sign_in=SIGN_IN, mfa=MFA,
                      form=ctx.form() if ctx.request.method == "POST" else {})


@ROUTER.route("POST", "/user-pools/create")
async def pool_create(ctx: Ctx) -> Page:
    pairs = ctx.pairs()
    form = dict(pairs)
    options = _checked(pairs, "sign_in")
    params: dict[str, Any] = {"PoolName": form.get("name", "").strip()}
    if "username" in options:
        aliases = [o for o in options if o != "username"]
        if aliases:
            params["AliasAttributes"] = aliases
    elif options:
        params["UsernameAttributes"] = options
    policy: dict[str, Any] = {"RequireUppercase": "upper" in _checked(pairs, "password"),
                              "RequireLowercase": "lower" in _checked(pairs, "password"),
                              "RequireNumbers": "numbers" in _checked(pairs, "password"),
                              "RequireSymbols": "symbols" in _checked(pairs, "password")}
    if form.get("min_length", "").strip():
        if not form["min_length"].strip().isdigit():
            return await pool_form(ctx, "Password minimum length must be a number.", 400)
        policy["MinimumLength"] = int(form["min_length"])
    params["Policies"] = {"PasswordPolicy": policy}
    required = [o for o in options if o in ("email", "phone_number")]
    if required:
        params["AutoVerifiedAttributes"] = [o for o in required if o == "email"] or required
    try:
        pool = (await ctx.call("cognito-idp", "CreateUserPool", params))["UserPool"]
        mfa = form.get("mfa", "OFF")
        if mfa in ("OPTIONAL", "ON"):
            await ctx.call("cognito-idp", "SetUserPoolMfaConfig", {
                "UserPoolId": pool["Id"], "MfaConfiguration": mfa,
                "SoftwareTokenMfaConfiguration": {"Enabled": True}})
    except OperationError as err:
        return await pool_form(ctx, error_text(err), 400)
    return redirect(f"/user-pools/{pool['Id']}")


@ROUTER.route("GET", "/user-pools/{pool_id}")
async def pool_details(ctx: Ctx, pool_id: str) -> Page:
    pool = (await ctx.call("cognito-idp", "DescribeUserPool", {"UserPoolId": pool_id}))["UserPool"]
    clients = (await ctx.call("cognito-idp", "ListUserPoolClients",
                              {"UserPoolId": pool_id, "MaxResults": 60})).get("UserPoolClients", [])
    users = (await ctx.call("cognito-idp", "ListUsers", {"UserPoolId": pool_id, "Limit": 60})).get("Users", [])
    for user in users:
        user["Attrs"] = {a["Name"]: a.get("Value", "") for a in user.get("Attributes", [])}
    groups = (await ctx.call("cognito-idp", "ListGroups", {"UserPoolId": pool_id, "Limit": 60})).get("Groups", [])
    base = ctx.settings.base_url
    domain = pool.get("Domain")
    described = await asyncio.gather(*(ctx.call("cognito-idp", "DescribeUserPoolClient", {
        "UserPoolId": pool_id, "ClientId": c["ClientId"]}) for c in clients))
    for client, answer in zip(clients, described, strict=True):
        client["HostedUI"] = (hosted_ui_url(base, domain, client["ClientId"], answer["UserPoolClient"])
                              if domain else None)
    return ctx.render("pool.html", title=pool["Name"], section="pools", pool=pool, clients=clients, users=users,
                      groups=groups,
                      crumbs=[CRUMB, (pool["Name"], None)], domain=domain, error=ctx.query().get("error"),
                      jwks=f"{base}/{pool_id}/.well-known/jwks.json", done=ctx.query().get("done"),
                      domain_url=f"{base}/_domains/{domain}/" if domain else None)


@ROUTER.route("POST", "/user-pools/{pool_id}/domain")
async def domain_create(ctx: Ctx, pool_id: str) -> Page:
    try:
        await ctx.call("cognito-idp", "CreateUserPoolDomain", {"UserPoolId": pool_id,
                                                               "Domain": ctx.form().get("domain", "").strip()})
    except OperationError as err:
        return redirect(f"/user-pools/{pool_id}?error={quote(error_text(err))}")
    return redirect(f"/user-pools/{pool_id}?done=domain")


@ROUTER.route("POST", "/user-pools/{pool_id}/groups")
async def group_create(ctx: Ctx, pool_id: str) -> Page:
    form = ctx.form()
    params = {"UserPoolId": pool_id, "GroupName": form.get("group", "").strip()}
    if form.get("description", "").strip():
        params["Description"] = form["description"].strip()
    try:
        await ctx.call("cognito-idp", "CreateGroup", params)
    except OperationError as err:
        return redirect(f"/user-pools/{pool_id}?error={quote(error_text(err))}")
    return redirect(f"/user-pools/{pool_id}?done=group")


@ROUTER.route("POST", "/user-pools/{pool_id}/groups/members")
async def group_add(ctx: Ctx, pool_id: str) -> Page:
    form = ctx.form()
    try:
        await ctx.call("cognito-idp", "AdminAddUserToGroup", {
            "UserPoolId": pool_id, "Username": form.get("username", ""), "GroupName": form.get("group", "")})
    except OperationError as err:
        return redirect(f"/user-pools/{pool_id}?error={quote(error_text(err))}")
    return redirect(f"/user-pools/{pool_id}?done=member")


USER_ACTIONS = {"confirm": "AdminConfirmSignUp", "reset": "AdminResetUserPassword",
                "disable": "AdminDisableUser", "enable": "AdminEnableUser"}


@ROUTER.route("POST", "/user-pools/{pool_id}/users/action")
async def user_action(ctx: Ctx, pool_id: str) -> Page:
    form = ctx.form()
    operation = USER_ACTIONS.get(form.get("action", ""))
    if operation is None:
        return redirect(f"/user-pools/{pool_id}?error={quote('Unknown action')}")
    try:
        await ctx.call("cognito-idp", operation, {"UserPoolId": pool_id, "Username": form.get("username", "")})
    except OperationError as err:
        return redirect(f"/user-pools/{pool_id}?error={quote(error_text(err))}")
    return redirect(f"/user-pools/{pool_id}?done={form['action']}")


@ROUTER.route("GET", "/user-pools/{pool_id}/app-clients/create")
async def client_form(ctx: Ctx, pool_id: str, error: str | None = None, status: int = 200) -> Page:
    pool = (await ctx.call("cognito-idp", "DescribeUserPool", {"UserPoolId": pool_id}))["UserPool"]
    pairs = ctx.pairs() if ctx.request.method == "POST" else []
    return ctx.render("client_create.html", status, title="Create app client", section="pools", pool=pool,
                      crumbs=[CRUMB, (pool["Name"], f"/user-pools/{pool_id}"), ("Create app client", None)],
                      error=error, auth_flows=AUTH_FLOWS, oauth_flows=OAUTH_FLOWS, scopes=SCOPES,
                      form=dict(pairs), checked={v for _, v in pairs})


@ROUTER.route("POST", "/user-pools/{pool_id}/app-clients/create")
async def client_create(ctx: Ctx, pool_id: str) -> Page:
    pairs = ctx.pairs()
    form = dict(pairs)
    params: dict[str, Any] = {"UserPoolId": pool_id, "ClientName": form.get("name", "").strip(),
                              "GenerateSecret": form.get("secret") == "yes",
                              "ExplicitAuthFlows": _checked(pairs, "auth_flow")}
    callbacks, logouts = _lines(form.get("callbacks", "")), _lines(form.get("logouts", ""))
    flows, scopes = _checked(pairs, "oauth_flow"), _checked(pairs, "scope")
    if callbacks:
        params["CallbackURLs"] = callbacks
    if logouts:
        params["LogoutURLs"] = logouts
    if flows:
        params.update(AllowedOAuthFlows=flows, AllowedOAuthFlowsUserPoolClient=True,
                      AllowedOAuthScopes=scopes, SupportedIdentityProviders=["COGNITO"])
    try:
        await ctx.call("cognito-idp", "CreateUserPoolClient", params)
    except OperationError as err:
        return await client_form(ctx, pool_id, error_text(err), 400)
    return redirect(f"/user-pools/{pool_id}")


@ROUTER.route("GET", "/user-pools/{pool_id}/users/create")
async def user_form(ctx: Ctx, pool_id: str, error: str | None = None, status: int = 200) -> Page:
    pool = (await ctx.call("cognito-idp", "DescribeUserPool", {"UserPoolId": pool_id}))["UserPool"]
    return ctx.render("user_create.html", status, title="Create user", section="pools", pool=pool, error=error,
                      crumbs=[CRUMB, (pool["Name"], f"/user-pools/{pool_id}"), ("Create user", None)],
                      form=ctx.form() if ctx.request.method == "POST" else {})


@ROUTER.route("POST", "/user-pools/{pool_id}/users/create")
async def user_create(ctx: Ctx, pool_id: str) -> Page:
    form = ctx.form()
    attributes = []
    if form.get("email", "").strip():
        attributes.append({"Name": "email", "Value": form["email"].strip()})
        if form.get("email_verified") == "yes":
            attributes.append({"Name": "email_verified", "Value": "true"})
    if form.get("phone", "").strip():
        attributes.append({"Name": "phone_number", "Value": form["phone"].strip()})
    params: dict[str, Any] = {"UserPoolId": pool_id, "Username": form.get("username", "").strip(),
                              "UserAttributes": attributes, "MessageAction": "SUPPRESS"}
    password = form.get("password", "")
    if password:
        params["TemporaryPassword"] = password
    try:
        await ctx.call("cognito-idp", "AdminCreateUser", params)
        if password and form.get("permanent") == "yes":
            await ctx.call("cognito-idp", "AdminSetUserPassword", {
                "UserPoolId": pool_id, "Username": params["Username"], "Password": password, "Permanent": True})
    except OperationError as err:
        return await user_form(ctx, pool_id, error_text(err), 400)
    return redirect(f"/user-pools/{pool_id}")
