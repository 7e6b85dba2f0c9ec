"""The ``functions:`` and ``apis:`` sections of poolgate.yaml.

::

    functions:                      # Lambda function name -> local Python handler, as SAM's Handler/CodeUri
      pets: {handler: pets.handler, code: ./functions, timeout: 29, memorySize: 128, environment: {K: v}}
      hello: {runtime: nodejs20.x, handler: index.handler, code: ./hello, reservedConcurrency: 2}
      # runtime: Lambda's ids (python3.x, the default, in process; nodejs18.x-24.x and provided.al2/al2023 as
      # child processes speaking the Lambda Runtime API, lambdas/); reservedConcurrency caps its instances.
      # inline: true runs a sync handler on the event loop: only for handlers that never block (saves the
      # thread hand-off; a blocking one would stall every request). Default: a worker thread.
    apis:
      - id: petsapi01               # optional fixed id (otherwise derived from the file and the entry)
        openapi: ./petstore.yaml    # OpenAPI 3 / Swagger 2 with x-amazon-apigateway-* (apigw/openapi.py)
        stages: {prod: {variables: {version: v1}}}
      - name: Inline                # or the API written directly (apigw/yamlapi.py)
        resources: {...}

Both are validated when the file loads (``sections``, listed by ``server.config_sections``): bad values,
missing handler files, integrations naming undeclared functions and deployments that cannot compile are
``ConfigError``s naming the file, the path and the problem.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..apigw.checks import Checker
from ..apigw.domain import Function, RestApi, Stage
from ..apigw.openapi import load_openapi
from ..apigw.stages import apply_stages
from ..apigw.yamlapi import api_account, load_yaml_api
from ..config import Config, ConfigError, Section
from ..lambdas import runtimes
from ..settings import DEFAULT_ACCOUNT, DEFAULT_REGION
from .deployment import Deployment, compile_deployment
from .functions import handler_file
from .plugins import DeploymentError
from .usage_plans import UsagePlans, parse_usage_plans

_FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_FUNCTION_KEYS = ("handler", "code", "timeout", "memorySize", "environment", "inline", "runtime",
                  "reservedConcurrency")
_OPENAPI_ENTRY_KEYS = ("id", "account", "openapi", "stages")
_API_ID = re.compile(r"^[a-z0-9]{1,64}$")
DEFAULT_STAGE = "prod"


@dataclass(slots=True)
class Gateway:
    """What the two sections declare, parsed and compiled."""

    functions: dict[str, Function] = field(default_factory=dict)
    apis: list[RestApi] = field(default_factory=list)
    deployments: list[Deployment] = field(default_factory=list)
    usage_plans: UsagePlans = field(default_factory=UsagePlans)
    """``apiKeys:`` / ``usagePlans:`` (``usage_plans.py``)."""
    digests: dict[str, str] = field(default_factory=dict)
    """API id → a digest of its declaration (the ``apis:`` entry and the OpenAPI document it names): a
    declaration is written to the database again only when it changed (``apigw_control/declared.py``)."""


def parse_functions(config: Config) -> dict[str, Function]:
    file = config.file or "<config>"
    ch = Checker(file)
    functions: dict[str, Function] = {}
    for name, spec in ch.mapping(config.raw.get("functions"), "$.functions").items():
        where = f"$.functions.{name}"
        ch.expect(isinstance(name, str) and _FUNCTION_NAME.match(name) is not None, where,
                  "a function name only allows a-zA-Z0-9_- (1 to 64 characters)")
        spec = ch.mapping(spec, where)
        ch.only_keys(spec, where, _FUNCTION_KEYS)
        runtime = ch.string(spec.get("runtime", runtimes.DEFAULT), f"{where}.runtime")
        handler = (ch.string(spec.get("handler", "bootstrap"), f"{where}.handler") if runtime in runtimes.PROVIDED
                   else ch.string(spec.get("handler"), f"{where}.handler"))
        code = Path(ch.string(spec.get("code", "."), f"{where}.code"))
        code = (code if code.is_absolute() else config.base_dir / code).resolve()
        ch.expect(code.is_dir(), f"{where}.code", f"{code} is not a directory")
        timeout = spec.get("timeout")
        if timeout is not None:
            ch.expect(isinstance(timeout, int | float) and not isinstance(timeout, bool) and 0 < timeout <= 900,
                      f"{where}.timeout", "must be a number of seconds, at most 900")
        memory = ch.integer(spec.get("memorySize", 128), f"{where}.memorySize", 128, 10240)
        inline = spec.get("inline", False)
        ch.expect(isinstance(inline, bool), f"{where}.inline", "must be true or false")
        reserved = spec.get("reservedConcurrency")
        if reserved is not None:
            reserved = ch.integer(reserved, f"{where}.reservedConcurrency", 0, 1000)
        function = Function(name, handler, str(code), float(timeout) if timeout is not None else None,
                            ch.string_map(spec.get("environment"), f"{where}.environment"), memory, inline,
                            runtime, reserved)
        problem = runtimes.problem(function, handler_file(function))
        ch.expect(problem is None, f"{where}.{problem.field if problem else 'handler'}",
                  problem.message if problem else "")
        functions[name] = function
    return functions


def _stable_id(file: Path | str, index: int) -> str:
    """An API id that stays the same across restarts: 10 lowercase alphanumerics from the file and entry."""
    digest = int.from_bytes(hashlib.sha256(f"{Path(file).resolve()}#{index}".encode()).digest()[:8], "big")
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    out = ""
    for _ in range(10):
        digest, rest = divmod(digest, 36)
        out += alphabet[rest]
    return out


def parse_apis(config: Config, region: str, account: str) -> list[RestApi]:
    file = config.file or "<config>"
    ch = Checker(file)
    entries = config.raw.get("apis")
    if entries is None:
        return []
    ch.expect(isinstance(entries, list), "$.apis", "must be a list of APIs")
    apis: list[RestApi] = []
    for index, entry in enumerate(entries):
        where = f"$.apis[{index}]"
        entry = ch.mapping(entry, where)
        api_id = entry.get("id")
        if api_id is not None:
            ch.expect(isinstance(api_id, str) and _API_ID.match(api_id) is not None, f"{where}.id",
                      "must be lowercase letters and digits (AWS: 10)")
        api_id = api_id or _stable_id(file, index)
        owner = api_account(ch, entry, where, account)
        if "openapi" in entry:
            ch.only_keys(entry, where, _OPENAPI_ENTRY_KEYS)
            document = Path(ch.string(entry["openapi"], f"{where}.openapi"))
            document = document if document.is_absolute() else config.base_dir / document
            ch.expect(document.is_file(), f"{where}.openapi", f"no file {document}")
            api = load_openapi(document, api_id=api_id, region=region, account=owner)
            apply_stages(api, entry.get("stages"), file, f"{where}.stages")
        else:
            api = load_yaml_api({**entry, "id": api_id}, file=str(file), path=where, base_dir=config.base_dir,
                                region=region, account=owner)
        ch.expect(all(api.id != other.id for other in apis), f"{where}.id", f"API id {api.id} is used twice")
        if not api.stages:
            api.stages = {DEFAULT_STAGE: Stage(DEFAULT_STAGE)}
        apis.append(api)
    return apis


def load_gateway(config: Config, region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT,
                 deployment_id: Any = None) -> Gateway:
    """Parse both sections and compile every stage of every API; ``ConfigError`` on the first problem.

    ``deployment_id``: a callable giving each compiled deployment its id (default: a fixed placeholder).
    """
    gateway = Gateway(parse_functions(config), parse_apis(config, region, account))
    for index, api in enumerate(gateway.apis):
        for stage in api.stages.values():
            try:
                gateway.deployments.append(compile_deployment(
                    api, stage, gateway.functions, deployment_id() if deployment_id else "validation"))
            except DeploymentError as exc:
                raise ConfigError(config.file or "<config>", f"$.apis[{index}]", str(exc)) from exc
    gateway.usage_plans = parse_usage_plans(config, gateway.apis)
    for api, entry in zip(gateway.apis, config.raw.get("apis") or [], strict=True):
        gateway.digests[api.id] = _digest(config, entry)
    return gateway


def _digest(config: Config, entry: Any) -> str:
    digest = hashlib.sha256(json.dumps(entry, sort_keys=True, default=str).encode())
    if isinstance(entry, dict) and isinstance(entry.get("openapi"), str):
        document = Path(entry["openapi"])
        document = document if document.is_absolute() else config.base_dir / document
        digest.update(document.read_bytes())
    return digest.hexdigest()


def _validate_functions(config: Config) -> None:
    if "apis" not in config.raw:  # otherwise ``apis`` validates both
        parse_functions(config)


def _validate_usage_plans(config: Config) -> None:
    if "apis" not in config.raw:  # otherwise ``apis`` validates them against the APIs
        parse_usage_plans(config, [])


def sections(region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT, deployment_id: Any = None
             ) -> dict[str, Section]:
    """The top-level keys the gateway reads, for ``load_config`` (``server.config_sections`` lists them with the
    others). ``apis`` compiles every stage with the server's region, account and deployment ids, and the
    ``Gateway`` it returns is what ``build_dataplane`` serves (``Config.parsed["apis"]``)."""

    def apis(config: Config) -> Gateway:
        return load_gateway(config, region, account, deployment_id)

    return {"functions": _validate_functions, "apis": apis, "apiKeys": _validate_usage_plans,
            "usagePlans": _validate_usage_plans}
