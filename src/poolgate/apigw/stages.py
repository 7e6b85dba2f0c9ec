"""Stages declared next to an API in poolgate.yaml, for both API forms (inline and ``openapi:``).

Two spellings are accepted::

    stages: {prod: {variables: {version: v1}}, dev: null}
    stages: [prod, {name: dev, variables: {version: v2}, methodSettings: {"*/*": {throttlingRateLimit: 10}}}]

``methodSettings`` keys are ``*/*`` or ``{resourcePath}/{METHOD}`` (``/pets/GET``, or AWS's escaped
``~1pets/GET``); they are stored in AWS's form (``~1pets/GET``) as GetStage returns them
(https://docs.aws.amazon.com/apigateway/latest/api/API_Stage.html).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .checks import Checker
from .domain import ANY, HTTP_METHODS, RestApi, Stage

_STAGE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_VARIABLE_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")
_VARIABLE_VALUE = re.compile(r"^[A-Za-z0-9\-._~:/?#&=,]{1,512}$")
_BOOL_SETTINGS = ("cachingEnabled", "dataTraceEnabled", "metricsEnabled", "requireAuthorizationForCacheControl")
_ENUM_SETTINGS = {
    "loggingLevel": ("OFF", "ERROR", "INFO"),
    "unauthorizedCacheControlHeaderStrategy": ("FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER",
                                               "SUCCEED_WITHOUT_RESPONSE_HEADER"),
}
_SETTINGS = ("throttlingRateLimit", "throttlingBurstLimit", "cacheTtlInSeconds", *_BOOL_SETTINGS, *_ENUM_SETTINGS)


def apply_stages(api: RestApi, stages: Any, file: Path | str, path: str) -> None:
    """Validate ``stages`` (either spelling) and set ``api.stages``; ``path`` is the stages key's path."""
    ch = Checker(file)
    if stages is None:
        return
    entries: list[tuple[str, Any, str]] = []
    if isinstance(stages, dict):
        entries = [(name, spec, f"{path}.{name}") for name, spec in stages.items()]
    elif isinstance(stages, list):
        for index, item in enumerate(stages):
            here = f"{path}[{index}]"
            if isinstance(item, str):
                entries.append((item, None, here))
            else:
                item = dict(ch.mapping(item, here))
                entries.append((ch.string(item.pop("name", None), f"{here}.name"), item, here))
    else:
        ch.fail(path, "must be a mapping of stage names to stages, or a list of stages")
    result: dict[str, Stage] = {}
    for name, spec, here in entries:
        ch.expect(isinstance(name, str) and _STAGE_NAME.match(name) is not None, here,
                  "a stage name only allows a-zA-Z0-9_- (1 to 128 characters)")
        ch.expect(name not in result, here, f"stage {name!r} is declared twice")
        spec = ch.mapping(spec, here)
        ch.only_keys(spec, here, ("variables", "methodSettings"))
        result[name] = Stage(name=name, variables=_variables(ch, spec.get("variables"), f"{here}.variables"),
                             method_settings=_method_settings(ch, api, spec.get("methodSettings"),
                                                              f"{here}.methodSettings"))
    api.stages = result


def _variables(ch: Checker, value: Any, where: str) -> dict[str, str]:
    variables = ch.string_map(value, where)
    ch.expect(len(variables) <= 100, where, "at most 100 stage variables")
    for key, text in variables.items():
        ch.expect(_VARIABLE_NAME.match(key) is not None, f"{where}.{key}",
                  "a stage variable name only allows a-zA-Z0-9_ (1 to 64 characters)")
        ch.expect(_VARIABLE_VALUE.match(text) is not None, f"{where}.{key}",
                  "a stage variable value only allows a-zA-Z0-9-._~:/?#&=, (1 to 512 characters)")
    return variables


def _method_settings(ch: Checker, api: RestApi, value: Any, where: str) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for key, spec in ch.mapping(value, where).items():
        here = f"{where}.{key}"
        resource_path, _, method = key.replace("~1", "/").rpartition("/")
        if resource_path != "*":
            resource_path = "/" + resource_path.lstrip("/")
            ch.expect(resource_path in api.resources, here, f"the API has no resource {resource_path}")
            ch.expect(method == "*" or method in api.resources[resource_path].methods, here,
                      f"the resource {resource_path} has no method {method}")
        else:
            ch.expect(method in ("*", *HTTP_METHODS, ANY), here, "must be */* or {resourcePath}/{METHOD}")
        spec = ch.mapping(spec, here)
        ch.only_keys(spec, here, _SETTINGS)
        settings: dict[str, Any] = {}
        for name, setting in spec.items():
            at = f"{here}.{name}"
            if name in _BOOL_SETTINGS:
                settings[name] = ch.boolean(setting, at)
            elif name in _ENUM_SETTINGS:
                settings[name] = ch.one_of(setting, at, _ENUM_SETTINGS[name])
            elif name == "throttlingRateLimit":
                ch.expect(isinstance(setting, int | float) and not isinstance(setting, bool) and setting >= 0, at,
                          "must be a number >= 0")
                settings[name] = float(setting)
            else:
                high = 3600 if name == "cacheTtlInSeconds" else 10**9
                settings[name] = ch.integer(setting, at, 0, high)
        escaped = "*" if resource_path == "*" else resource_path.replace("/", "~1")
        result[f"{escaped}/{method}"] = settings
    return result
