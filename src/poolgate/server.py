"""Assembling a runnable app from settings: config file or embedded demo, startup hooks, banner."""

from __future__ import annotations

import logging
from pathlib import Path

from .app import PoolgateApp, create_app
from .banner import console_lines, pool_lines, storage_lines
from .clock import IdGenerator
from .config import CORE_SECTIONS, Config, Section, load_config
from .dataplane import build_dataplane, keep_api_keys
from .dataplane.config import sections as gateway_sections
from .declared import apply_user_pools
from .services import Services
from .settings import Settings
from .templates.errors import TemplateError
from .templates.reading import Stack

log = logging.getLogger("poolgate")

DEMO_CONFIG = Path(__file__).parent / "demo" / "poolgate.yaml"


def config_sections(settings: Settings | None = None) -> dict[str, Section]:
    """Every top-level key of poolgate.yaml besides ``userPools``, registered here and nowhere else (no import
    decides what a file may hold): ``iam``, and the gateway's ``functions``, ``apis``, ``apiKeys``,
    ``usagePlans``, whose ``apis`` compiles with the server's region and account."""
    settings = settings or Settings()
    ids = IdGenerator()
    return {**CORE_SECTIONS, **gateway_sections(settings.region, settings.account, lambda: ids.short_id(6))}


def read_config(path: Path | None, settings: Settings | None = None, text: str | None = None) -> Config:
    """poolgate.yaml as ``poolgate serve`` reads it: every section (``config_sections``) validated."""
    return load_config(path, text, config_sections(settings))


def build_app(settings: Settings, demo_if_no_config: bool = True, templates: list[Stack] | None = None
              ) -> PoolgateApp:
    """``templates``: SAM/CloudFormation stacks already read (``poolgate.templates.read_stacks``), applied at
    start after poolgate.yaml, before the data plane loads the stored stages."""
    path = settings.config_file
    if path is None and demo_if_no_config and not templates and DEMO_CONFIG.exists():
        path = DEMO_CONFIG
    config = read_config(path, settings) if path else Config(None, {})

    async def apply(services: Services) -> None:
        await apply_user_pools(services, config)

    app = create_app(settings, on_startup=[apply])
    app.services.extras["config"] = config
    if path == DEMO_CONFIG:
        app.services.extras.setdefault("banner", []).extend(demo_walkthrough(settings))
    app.services.extras.setdefault("on_reset", []).append(lambda: apply(app.services))
    plane = build_dataplane(app.services, config)
    app.dataplane = plane
    app.on_startup.append(lambda services: app.apigateway.start(plane))  # poolgate.yaml's APIs → the database
    app.on_startup.append(lambda services: app.lambdas.start())  # functions made through the lambda API
    if templates:
        app.on_startup.append(lambda services: apply_template_stacks(app, templates))
    app.on_startup.append(lambda services: plane.startup())
    app.on_startup.append(lambda services: keep_api_keys(services, plane))
    app.services.extras.setdefault("banner", []).extend(plane.invoke_urls())
    app.services.extras["on_reset"].append(lambda: app.apigateway.start(plane, reset=True))
    app.services.extras["on_reset"].append(plane.reset)
    app.services.extras["on_reset"].append(lambda: keep_api_keys(app.services, plane))
    if templates:
        app.services.extras["on_reset"].append(lambda: apply_template_stacks(app, templates, reset=True))
    app.services.extras.setdefault("on_shutdown", []).append(plane.shutdown)
    return app


async def apply_template_stacks(app: PoolgateApp, stacks: list[Stack], reset: bool = False) -> None:
    """``--template``'s stacks through the planes' operations; their warnings and Outputs go to the banner (at
    start) or the log (after a reset, which also reloads the data plane)."""
    from .templates import apply_templates

    try:
        lines = await apply_templates(app, stacks)
    except TemplateError:
        app.services.extras["exit_code"] = 2  # a refused template: `poolgate serve` exits 2 (cli.serve)
        raise
    if reset:
        await app.dataplane.reload()
        return
    app.services.extras.setdefault("banner", []).extend(lines)


async def describe_startup(services: Services) -> None:
    settings = services.settings
    mode = ("local mode: any SigV4 credentials accepted (loopback only)" if settings.local_mode
            else f"signed mode: {len(settings.credentials)} configured access key(s)")
    storage = "ephemeral " if settings.ephemeral else ""
    log.info("poolgate listening on %s (%s; %sstorage %s)", settings.base_url, mode, storage,
             settings.effective_database_url().split("://")[0])
    if settings.public_url is None and settings.host in ("0.0.0.0", "::"):
        log.warning("tokens name %s in their issuer, which no client can reach: pass --public-url with the "
                    "address clients use", settings.base_url)
    for line in [*console_lines(settings), *storage_lines(settings), *await pool_lines(services),
                 *services.extras.get("banner", [])]:
        print(line, flush=True)


def demo_walkthrough(settings: Settings) -> list[str]:
    """The copy-paste curl walk-through printed when the embedded demo runs."""
    base = settings.base_url
    api = f"{base}/restapis/securepets/prod/_user_request_"
    auth = (f"curl -s {base}/ -H 'Content-Type: application/x-amz-json-1.1' "
            "-H 'X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth' "
            "-d '{\"AuthFlow\":\"USER_PASSWORD_AUTH\",\"ClientId\":\"securepetsdemo0client0001a\","
            "\"AuthParameters\":{\"USERNAME\":\"demo\",\"PASSWORD\":\"Demo-Passw0rd!\"}}'")
    return [
        "",
        "SecurePets demo: paste these into a shell (needs curl and python3)",
        "# 1. sign in as the demo user and keep the ID token",
        f"ID_TOKEN=$({auth} | python3 -c 'import json,sys; print(json.load(sys.stdin)"
        "[\"AuthenticationResult\"][\"IdToken\"])')",
        "# 2. without a token the API answers 401",
        f"curl -s -i {api}/pets",
        "# 3. with the ID token it answers 200",
        f"curl -s -H \"Authorization: Bearer $ID_TOKEN\" {api}/pets",
        f"curl -s -H \"Authorization: Bearer $ID_TOKEN\" -d '{{\"petId\": \"1\"}}' {api}/purchase",
        "# 4. the hosted UI: open the sign-in URL above, sign in as demo / Demo-Passw0rd!; the browser goes on to",
        "#    http://localhost:3000/callback?code=... (nothing needs to listen there); exchange that code with",
        f"#    curl -s {base}/_domains/securepets/oauth2/token -d grant_type=authorization_code "
        "-d client_id=securepetsdemo0client0001a -d redirect_uri=http://localhost:3000/callback -d code=CODE",
        "",
    ]
