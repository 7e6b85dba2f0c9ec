"""``apiKeys:`` / ``usagePlans:`` / Lambda authorizers in poolgate.yaml: refused at load with the file, the path
and the problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from poolgate.config import ConfigError
from poolgate.server import read_config  # every section, as `poolgate serve` reads the file

FUNCTIONS = {"fn": {"handler": "app.handler", "code": "."}}
API = {"id": "planapi001", "name": "plans", "stages": {"prod": {}},
       "resources": {"/x": {"GET": {"apiKeyRequired": True, "integration": {"type": "AWS_PROXY", "function": "fn"}}}}}
KEY = {"name": "k1", "value": "k" * 20}
NO_SUCH_METHOD = {"/y/GET": {"rateLimit": 1, "burstLimit": 1}}


def _load(tmp_path: Path, config: dict[str, Any]) -> None:
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return {}\n")
    path = tmp_path / "poolgate.yaml"
    path.write_text(yaml.safe_dump({"functions": FUNCTIONS, "apis": [API], **config}))
    read_config(path)


def _plan(**fields: Any) -> dict[str, Any]:
    return {"name": "p", "apiStages": [{"api": "planapi001", "stage": "prod"}], "keys": ["k1"], **fields}


def test_valid_sections_load(tmp_path: Path) -> None:
    _load(tmp_path, {"apiKeys": [KEY, {"name": "generated", "enabled": False}],
                     "usagePlans": [_plan(throttle={"rateLimit": 1.5, "burstLimit": 3},
                                          quota={"limit": 10, "period": "WEEK", "offset": 2},
                                          apiStages=[{"api": "plans", "stage": "prod",
                                                      "throttle": {"/x/GET": {"rateLimit": 1, "burstLimit": 1}}}])]})


@pytest.mark.parametrize(("config", "where", "problem"), [
    ({"apiKeys": [{"name": "short", "value": "x" * 19}]}, "$.apiKeys[0].value", "at least 20 characters"),
    ({"apiKeys": [{"name": "long", "value": "x" * 129}]}, "$.apiKeys[0].value", "maximum size of 128"),
    ({"apiKeys": [KEY, KEY]}, "$.apiKeys[1].name", "declared twice"),
    ({"apiKeys": [{**KEY, "secret": 1}]}, "$.apiKeys[0].secret", "unknown key"),
    ({"apiKeys": [KEY], "usagePlans": [_plan(keys=["nope"])]}, "$.usagePlans[0].keys[0]", "no API key named"),
    ({"apiKeys": [KEY], "usagePlans": [_plan(apiStages=[{"api": "other", "stage": "prod"}])]},
     "$.usagePlans[0].apiStages[0].api", "no API with id or name"),
    ({"apiKeys": [KEY], "usagePlans": [_plan(apiStages=[{"api": "plans", "stage": "dev"}])]},
     "$.usagePlans[0].apiStages[0].stage", "no stage 'dev'"),
    ({"apiKeys": [KEY], "usagePlans": [_plan(apiStages=[{"api": "plans", "stage": "prod",
                                                          "throttle": NO_SUCH_METHOD}])]},
     "$.usagePlans[0].apiStages[0].throttle./y/GET", "no method GET on resource /y"),
    ({"apiKeys": [KEY], "usagePlans": [_plan(quota={"limit": 5, "period": "YEAR"})]},
     "$.usagePlans[0].quota.period", "not one of DAY, WEEK, MONTH"),
    ({"apiKeys": [KEY], "usagePlans": [_plan(throttle={"rateLimit": -1, "burstLimit": 1})]},
     "$.usagePlans[0].throttle.rateLimit", ">= 0"),
    ({"apiKeys": [KEY], "usagePlans": [_plan(), _plan(name="q")]}, "$.usagePlans[1].keys[0]",
     "already in usage plan 'p'"),
], ids=["short value", "long value", "duplicate", "unknown field", "unknown key", "unknown api", "unknown stage",
        "unknown method", "period", "negative rate", "two plans one stage"])
def test_problems_name_file_path_and_problem(tmp_path: Path, config: dict[str, Any], where: str,
                                             problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, config)
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "poolgate.yaml")) and where in message and problem in message, message


def test_lambda_authorizer_must_name_a_declared_function(tmp_path: Path) -> None:
    api = {**API, "authorizers": {"T": {"type": "TOKEN", "function": "missing"}},
           "resources": {"/x": {"GET": {"authorizer": "T", "integration": {"type": "AWS_PROXY", "function": "fn"}}}}}
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return {}\n")
    path = tmp_path / "poolgate.yaml"
    path.write_text(yaml.safe_dump({"functions": FUNCTIONS, "apis": [api]}))
    with pytest.raises(ConfigError, match="names function 'missing', which is not declared under functions"):
        read_config(path)


def test_malformed_resource_policy_refuses_the_api(tmp_path: Path) -> None:
    api = {**API, "policy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
         "Condition": {"NoSuchOperator": {"aws:SourceIp": "1.2.3.4"}}}]}}
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return {}\n")
    path = tmp_path / "poolgate.yaml"
    path.write_text(yaml.safe_dump({"functions": FUNCTIONS, "apis": [api]}))
    with pytest.raises(ConfigError, match="resource policy"):
        read_config(path)
