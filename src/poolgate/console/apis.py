"""APIs: list, Create API, the resource tree with the selected resource's methods, Create resource, Deploy API
(to a new or an existing stage) and the stages with their Invoke URL — apigateway operations (GetRestApis,
CreateRestApi, GetRestApi, GetResources, CreateResource, GetStages, CreateDeployment)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .client import OperationError
from .web import ROUTER, Ctx, Page, error_text, redirect

CRUMB = ("APIs", "/apis")
NEW_STAGE = "*new*"


def invoke_urls(ctx: Ctx, api_id: str, stage: str) -> tuple[str, str]:
    """The stage's invoke URL by path (works with any HTTP client) and by host name (``*.localhost``)."""
    settings = ctx.settings
    return (f"{settings.base_url}/restapis/{api_id}/{stage}/_user_request_/",
            f"http://{api_id}.execute-api.localhost:{settings.port}/{stage}/")


async def api_crumbs(ctx: Ctx, api_id: str, *more: tuple[str, str | None]) -> tuple[dict[str, Any], list[Any]]:
    api = await ctx.call("apigateway", "GetRestApi", {"restApiId": api_id})
    return api, [CRUMB, (api["name"], f"/apis/{api_id}"), *more]


async def resources_of(ctx: Ctx, api_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"restApiId": api_id, "limit": 500, "embed": ["methods"]}
    while True:
        answer = await ctx.call("apigateway", "GetResources", params)
        items += answer.get("items", [])
        if not answer.get("position"):
            break
        params["position"] = answer["position"]
    items.sort(key=lambda r: r["path"])
    for item in items:
        item["depth"] = 0 if item["path"] == "/" else item["path"].count("/")
        item["name"] = "/" if item["path"] == "/" else "/" + item.get("pathPart", "")
    return items


@ROUTER.route("GET", "/apis")
async def api_list(ctx: Ctx) -> Page:
    apis: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 500}
    while True:
        answer = await ctx.call("apigateway", "GetRestApis", params)
        apis += answer.get("items", [])
        if not answer.get("position"):
            break
        params["position"] = answer["position"]
    return ctx.render("apis.html", title="APIs", section="apis", apis=apis)


@ROUTER.route("GET", "/apis/create")
async def api_form(ctx: Ctx, error: str | None = None, status: int = 200) -> Page:
    return ctx.render("api_create.html", status, title="Create API", section="apis", error=error,
                      crumbs=[CRUMB, ("Create API", None)],
                      form=ctx.form() if ctx.request.method == "POST" else {})


@ROUTER.route("POST", "/apis/create")
async def api_create(ctx: Ctx) -> Page:
    form = ctx.form()
    params: dict[str, Any] = {"name": form.get("name", "").strip(),
                              "endpointConfiguration": {"types": [form.get("endpoint", "REGIONAL")]}}
    if form.get("description", "").strip():
        params["description"] = form["description"].strip()
    try:
        if form.get("kind") == "import":
            if not form.get("definition", "").strip():
                return await api_form(ctx, "Paste an OpenAPI definition to import.", 400)
            api = await ctx.call("apigateway", "ImportRestApi", {"body": form["definition"].encode(),
                                                                 "failOnWarnings": False})
        else:
            api = await ctx.call("apigateway", "CreateRestApi", params)
    except OperationError as err:
        return await api_form(ctx, error_text(err), 400)
    return redirect(f"/apis/{api['id']}")


@ROUTER.route("GET", "/apis/{api_id}")
async def api_resources(ctx: Ctx, api_id: str) -> Page:
    api, crumbs = await api_crumbs(ctx, api_id, ("Resources", None))
    resources = await resources_of(ctx, api_id)
    wanted = ctx.query().get("resource")
    selected = next((r for r in resources if r["id"] == wanted), None) or next(
        (r for r in resources if r["path"] == "/"), resources[0] if resources else None)
    return ctx.render("api.html", title=api["name"], section="apis", api=api, crumbs=crumbs,
                      resources=resources, selected=selected, tab="resources")


@ROUTER.route("GET", "/apis/{api_id}/resources/create")
async def resource_form(ctx: Ctx, api_id: str, error: str | None = None, status: int = 200) -> Page:
    api, crumbs = await api_crumbs(ctx, api_id, ("Create resource", None))
    resources = await resources_of(ctx, api_id)
    form = ctx.form() if ctx.request.method == "POST" else {}
    parent = form.get("parent") or ctx.query().get("parent")
    return ctx.render("resource_create.html", status, title="Create resource", section="apis", api=api,
                      crumbs=crumbs, error=error, resources=resources, parent=parent, form=form)


@ROUTER.route("POST", "/apis/{api_id}/resources/create")
async def resource_create(ctx: Ctx, api_id: str) -> Page:
    form = ctx.form()
    part = form.get("name", "").strip()
    if form.get("proxy") == "yes" and part and not part.endswith("+}"):
        part = "{" + part.strip("{}+") + "+}"
    try:
        resource = await ctx.call("apigateway", "CreateResource", {
            "restApiId": api_id, "parentId": form.get("parent", ""), "pathPart": part})
        if form.get("cors") == "yes":
            await enable_cors(ctx, api_id, resource["id"])
    except OperationError as err:
        return await resource_form(ctx, api_id, error_text(err), 400)
    return redirect(f"/apis/{api_id}?resource={resource['id']}")


async def enable_cors(ctx: Ctx, api_id: str, resource_id: str) -> None:
    """What the console's "CORS (Cross Origin Resource Sharing)" box makes: an OPTIONS method with a MOCK
    integration answering 200 with the Access-Control-Allow-* headers (the header values are the AWS console's
    defaults as remembered: UNCONFIRMED)."""
    base = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": "OPTIONS"}
    names = ["Headers", "Methods", "Origin"]
    await ctx.call("apigateway", "PutMethod", {**base, "authorizationType": "NONE"})
    await ctx.call("apigateway", "PutIntegration", {**base, "type": "MOCK",
                                                    "requestTemplates": {"application/json": '{"statusCode": 200}'}})
    await ctx.call("apigateway", "PutMethodResponse", {
        **base, "statusCode": "200",
        "responseParameters": {f"method.response.header.Access-Control-Allow-{n}": False for n in names}})
    await ctx.call("apigateway", "PutIntegrationResponse", {
        **base, "statusCode": "200", "responseParameters": {
            "method.response.header.Access-Control-Allow-Headers":
                "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'",
            "method.response.header.Access-Control-Allow-Methods": "'OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD'",
            "method.response.header.Access-Control-Allow-Origin": "'*'"}})


async def _stages(ctx: Ctx, api_id: str) -> list[dict[str, Any]]:
    stages = (await ctx.call("apigateway", "GetStages", {"restApiId": api_id})).get("item", [])
    stages.sort(key=lambda s: s["stageName"])
    for stage in stages:
        stage["invokeUrl"], stage["hostUrl"] = invoke_urls(ctx, api_id, stage["stageName"])
    return stages


@ROUTER.route("GET", "/apis/{api_id}/deploy")
async def deploy_form(ctx: Ctx, api_id: str, error: str | None = None, status: int = 200) -> Page:
    api, crumbs = await api_crumbs(ctx, api_id, ("Deploy API", None))
    form = ctx.form() if ctx.request.method == "POST" else {}
    return ctx.render("deploy.html", status, title="Deploy API", section="apis", api=api, crumbs=crumbs,
                      error=error, stages=await _stages(ctx, api_id), form=form, new=NEW_STAGE)


@ROUTER.route("POST", "/apis/{api_id}/deploy")
async def deploy(ctx: Ctx, api_id: str) -> Page:
    form = ctx.form()
    stage = form.get("stage", "")
    if stage == NEW_STAGE:
        stage = form.get("stage_name", "").strip()
        if not stage:
            return await deploy_form(ctx, api_id, "Enter a Stage name for the new stage.", 400)
    if not stage:
        return await deploy_form(ctx, api_id, "Choose a Stage.", 400)
    params: dict[str, Any] = {"restApiId": api_id, "stageName": stage}
    if form.get("description", "").strip():
        params["description"] = form["description"].strip()
    try:
        await ctx.call("apigateway", "CreateDeployment", params)
    except OperationError as err:
        return await deploy_form(ctx, api_id, error_text(err), 400)
    return redirect(f"/apis/{api_id}/stages?stage={quote(stage)}&deployed=1")


@ROUTER.route("GET", "/apis/{api_id}/stages")
async def stage_list(ctx: Ctx, api_id: str, stage: str | None = None, error: str | None = None,
                     status: int = 200) -> Page:
    api, crumbs = await api_crumbs(ctx, api_id, ("Stages", None))
    stages = await _stages(ctx, api_id)
    query = ctx.query()
    wanted = stage or query.get("stage")
    selected = next((s for s in stages if s["stageName"] == wanted), stages[0] if stages else None)
    return ctx.render("stages.html", status, title="Stages", section="apis", api=api, crumbs=crumbs, stages=stages,
                      selected=selected, deployed=query.get("deployed") == "1", saved=query.get("saved") == "1",
                      error=error, tab="stages")


@ROUTER.route("POST", "/apis/{api_id}/stages/{stage}/variables")
async def stage_variable(ctx: Ctx, api_id: str, stage: str) -> Page:
    """Add or change a stage variable (``replace /variables/{name}``), or remove one (``remove``)."""
    form = ctx.form()
    name = form.get("name", "").strip()
    operation = ({"op": "remove", "path": f"/variables/{name}"} if form.get("remove") else
                 {"op": "replace", "path": f"/variables/{name}", "value": form.get("value", "")})
    try:
        await ctx.call("apigateway", "UpdateStage", {"restApiId": api_id, "stageName": stage,
                                                     "patchOperations": [operation]})
    except OperationError as err:
        return await stage_list(ctx, api_id, stage, error_text(err), 400)
    return redirect(f"/apis/{api_id}/stages?stage={quote(stage)}&saved=1")
