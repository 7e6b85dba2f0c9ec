"""``functions:`` / ``apis:`` in poolgate.yaml: refused at load with the file, the path and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from poolgate.config import ConfigError
from poolgate.server import read_config  # every section, as `poolgate serve` reads the file

URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
       "arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}/invocations")
API = {"id": "cfgapi0001", "name": "cfg", "stages": {"prod": {}},
       "resources": {"/x": {"GET": {"integration": {"type": "AWS_PROXY", "function": "fn"}}}}}


def _load(tmp_path: Path, config: dict[str, object]) -> None:
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return {}\n")
    path = tmp_path / "poolgate.yaml"
    path.write_text(yaml.safe_dump(config))
    read_config(path)


def test_valid_sections_load(tmp_path: Path) -> None:
    _load(tmp_path, {"functions": {"fn": {"handler": "app.handler", "code": "."}}, "apis": [API]})


@pytest.mark.parametrize(("config", "where", "problem"), [
    ({"functions": {"fn": {"handler": "nodot", "code": "."}}}, "$.functions.fn.handler", "module.function"),
    ({"functions": {"fn": {"handler": "missing.handler", "code": "."}}}, "$.functions.fn.handler", "no file"),
    ({"functions": {"fn": {"handler": "app.handler", "code": "./nope"}}}, "$.functions.fn.code", "not a directory"),
    ({"functions": {"fn": {"handler": "app.handler", "timeout": 901}}}, "$.functions.fn.timeout", "at most 900"),
    ({"functions": {"fn": {"handler": "app.handler", "extra": 1}}}, "$.functions.fn", "extra"),
    ({"functions": {"fn": {"handler": "app.handler", "inline": "yes"}}}, "$.functions.fn.inline", "true or false"),
    ({"apis": [API]}, "$.apis[0]", "function 'fn', which is not declared under functions"),
    ({"functions": {"fn": {"handler": "app.handler"}},
      "apis": [{**API, "stages": {"prod": {"variables": {"pool": "not-a-pool"}}},
                "authorizers": {"P": {"type": "COGNITO_USER_POOLS", "providerARNs": ["${stageVariables.pool}"]}},
                "resources": {"/x": {"GET": {"authorizer": "P",
                                             "integration": {"type": "AWS_PROXY", "function": "fn"}}}}}]},
     "$.apis[0]", "not a user pool ARN"),
    ({"functions": {"fn": {"handler": "app.handler"}},
      "apis": [{**API, "resources": {"/x": {"GET": {"integration": {
          "type": "AWS_PROXY", "uri": URI}}}}}]}, "$.apis[0]", "stage variable 'fn'"),
], ids=["handler shape", "handler file", "code dir", "timeout", "unknown key", "inline", "undeclared function",
        "provider", "stage variable"])
def test_problems_name_file_path_and_problem(tmp_path: Path, config: dict[str, object], where: str,
                                             problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, config)
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "poolgate.yaml")) and where in message and problem in message, message
