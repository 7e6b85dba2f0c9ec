"""The lambda API over the server's port with boto3's lambda client: CreateFunction from a zip (Node.js,
Python, provided.al2023), GetFunction / GetFunctionConfiguration / ListFunctions / DeleteFunction, Invoke
(RequestResponse with LogType Tail, FunctionError Unhandled, Event, DryRun, TooManyRequestsException), errors
as Lambda words them, and functions that outlive a restart."""

from __future__ import annotations

import base64
import io
import json
import shutil
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
import yaml
from botocore.exceptions import ClientError

from tests.lambdas.helpers import lambda_client
from tests.support import IN_CI, Server, start_server, stop_server, zip_files

if shutil.which("node") is None:
    if IN_CI:
        pytest.fail("node is not installed and CI=true")
    pytest.skip("node is not installed", allow_module_level=True)

ROLE = "arn:aws:iam::000000000000:role/lambda-role"

NODE = """export const handler = async (event, context) => {
  console.log('got', JSON.stringify(event));
  if (event.fail) throw new RangeError('out of range: ' + event.fail);
  if (event.sleep) await new Promise((resolve) => setTimeout(resolve, event.sleep));
  return { echo: event, fn: context.functionName, env: process.env.STAGE, mem: context.memoryLimitInMB };
};
"""

PYTHON = """
def handler(event, context):
    print("python got", event)
    if event.get("fail"):
        raise ValueError("bad value " + str(event["fail"]))
    return {"echo": event, "fn": context.function_name}
"""

BOOTSTRAP = """#!/bin/sh
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT=$(curl -sS -LD "$HEADERS" "$API/invocation/next")
  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  rm -f "$HEADERS"
  curl -sS -X POST "$API/invocation/$REQUEST_ID/response" -d "{\\"shell\\": $EVENT}" >/dev/null
done
"""

TUTORIAL = """export const handler = async (event) => {
  const response = {
    statusCode: 200,
    body: JSON.stringify('Hello from Lambda!'),
  };
  return response;
};
"""

SLOW = "export const handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms)); return {ok: true}; };\n"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lambda-data")


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lambda-config")
    (root / "slow").mkdir()
    (root / "slow" / "index.mjs").write_text(SLOW)
    path = root / "poolgate.yaml"
    path.write_text(yaml.safe_dump({"functions": {"declared-slow": {
        "runtime": "nodejs20.x", "handler": "index.handler", "code": "./slow", "reservedConcurrency": 1}}}))
    return path


@pytest.fixture(scope="module")
def server(data_dir: Path, config: Path) -> Iterator[Server]:
    running = start_server("--config", str(config), data_dir=data_dir)
    try:
        yield running
    finally:
        stop_server(running)


def _create(client: Any, name: str, runtime: str, handler: str, files: dict[str, str], **extra: Any) -> Any:
    executable = ("bootstrap",) if "bootstrap" in files else ()
    return client.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler,
                                  Code={"ZipFile": zip_files(files, executable)}, **extra)


def _invoke(client: Any, name: str, event: Any, **extra: Any) -> tuple[dict[str, Any], Any]:
    response = client.invoke(FunctionName=name, Payload=json.dumps(event).encode(), **extra)
    return response, json.loads(response["Payload"].read())


def test_create_get_list_invoke_delete_a_node_function(server: Server) -> None:
    client = lambda_client(server)
    created = _create(client, "node-fn", "nodejs20.x", "index.handler", {"index.mjs": NODE},
                      Environment={"Variables": {"STAGE": "beta"}}, MemorySize=256, Timeout=5)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["FunctionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:node-fn"
    assert created["Runtime"] == "nodejs20.x" and created["State"] == "Active" and created["Version"] == "$LATEST"
    assert created["Environment"] == {"Variables": {"STAGE": "beta"}} and created["MemorySize"] == 256
    assert len(base64.b64decode(created["CodeSha256"])) == 32

    with pytest.raises(ClientError) as again:
        _create(client, "node-fn", "nodejs20.x", "index.handler", {"index.mjs": NODE})
    assert again.value.response["Error"] == {"Code": "ResourceConflictException",
                                             "Message": "Function already exist: node-fn"}
    assert again.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409

    fetched = client.get_function(FunctionName="node-fn")
    assert fetched["Configuration"]["CodeSha256"] == created["CodeSha256"]
    code = requests.get(fetched["Code"]["Location"], timeout=10)
    assert code.status_code == 200 and "index.mjs" in zipfile.ZipFile(io.BytesIO(code.content)).namelist()
    names = [f["FunctionName"] for f in client.list_functions()["Functions"]]
    assert "node-fn" in names and "declared-slow" in names  # poolgate.yaml's functions are listed too

    response, payload = _invoke(client, "node-fn", {"a": 1}, LogType="Tail")
    assert response["StatusCode"] == 200 and "FunctionError" not in response
    assert payload == {"echo": {"a": 1}, "fn": "node-fn", "env": "beta", "mem": "256"}
    assert response["ExecutedVersion"] == "$LATEST"
    tail = base64.b64decode(response["LogResult"]).decode()
    assert tail.startswith("START RequestId: ") and '\tINFO\tgot {"a":1}' in tail
    assert "\nEND RequestId: " in tail and "\nREPORT RequestId: " in tail and "Init Duration" in tail

    response, payload = _invoke(client, "arn:aws:lambda:us-east-1:000000000000:function:node-fn", {"fail": 7})
    assert response["FunctionError"] == "Unhandled" and response["StatusCode"] == 200
    assert payload["errorType"] == "RangeError" and payload["errorMessage"] == "out of range: 7"
    assert payload["trace"][0] == "RangeError: out of range: 7"

    assert client.invoke(FunctionName="node-fn", InvocationType="DryRun")["StatusCode"] == 204
    assert client.invoke(FunctionName="node-fn", InvocationType="Event", Payload=b"{}")["StatusCode"] == 202

    client.delete_function(FunctionName="node-fn")
    with pytest.raises(ClientError) as gone:
        client.get_function(FunctionName="node-fn")
    assert gone.value.response["Error"] == {
        "Code": "ResourceNotFoundException",
        "Message": "Function not found: arn:aws:lambda:us-east-1:000000000000:function:node-fn"}
    with pytest.raises(ClientError) as gone:
        client.invoke(FunctionName="node-fn")
    assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_python_and_provided_functions_from_zips(server: Server) -> None:
    client = lambda_client(server)
    _create(client, "py-fn", "python3.12", "app.handler", {"app.py": PYTHON})
    _create(client, "shell-fn", "provided.al2023", "whatever.handler", {"bootstrap": BOOTSTRAP})
    response, payload = _invoke(client, "py-fn", {"b": 2}, LogType="Tail")
    assert payload == {"echo": {"b": 2}, "fn": "py-fn"}
    tail = base64.b64decode(response["LogResult"]).decode()
    assert "python got {'b': 2}" in tail and "REPORT RequestId: " in tail
    response, payload = _invoke(client, "py-fn", {"fail": 3})
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "ValueError" and payload["errorMessage"] == "bad value 3"
    assert any("app.py" in frame and "in handler" in frame for frame in payload["stackTrace"])
    response, payload = _invoke(client, "shell-fn", {"c": 3})
    assert payload == {"shell": {"c": 3}}
    client.create_function(FunctionName="no-exec-fn", Runtime="provided.al2", Role=ROLE, Handler="x.handler",
                           Code={"ZipFile": zip_files({"bootstrap": BOOTSTRAP})})  # without its execute bit
    response, payload = _invoke(client, "no-exec-fn", {})
    assert response["FunctionError"] == "Unhandled" and payload["errorType"] == "Runtime.InvalidEntrypoint"


def test_a_zip_over_the_servers_10_mb_request_cap(server: Server) -> None:
    """A 12 MB zip (16 MB of base64 in the request): Lambda takes up to 50 MB zipped in CreateFunction."""
    import os

    client = lambda_client(server)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("index.mjs", NODE)
        archive.writestr("blob.bin", os.urandom(12 * 1024 * 1024))
    created = client.create_function(FunctionName="big-fn", Runtime="nodejs20.x", Role=ROLE,
                                     Handler="index.handler", Code={"ZipFile": buffer.getvalue()})
    assert created["CodeSize"] == len(buffer.getvalue())
    assert _invoke(client, "big-fn", {"big": True})[1]["echo"] == {"big": True}
    client.delete_function(FunctionName="big-fn")


def test_bad_input_is_refused_as_lambda_refuses_it(server: Server) -> None:
    client = lambda_client(server)
    with pytest.raises(ClientError) as bad:
        client.create_function(FunctionName="bad-zip", Runtime="nodejs20.x", Role=ROLE, Handler="index.handler",
                               Code={"ZipFile": b"not a zip"})
    assert bad.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert bad.value.response["Error"]["Message"] == ("Could not unzip uploaded file. Please check your file, "
                                                      "then try to upload again.")
    with pytest.raises(ClientError) as escape:
        client.create_function(FunctionName="zip-slip", Runtime="nodejs20.x", Role=ROLE, Handler="index.handler",
                               Code={"ZipFile": zip_files({"../../evil.mjs": "x"})})
    assert escape.value.response["Error"]["Code"] == "InvalidParameterValueException"
    with pytest.raises(ClientError) as invalid_name:
        client.create_function(FunctionName="no spaces", Runtime="nodejs20.x", Role=ROLE, Handler="index.handler",
                               Code={"ZipFile": zip_files({"index.mjs": NODE})})
    assert invalid_name.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as missing:
        client.invoke(FunctionName="nope")
    assert missing.value.response["Error"]["Message"] == (
        "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope")


def test_invoke_is_throttled_beyond_reserved_concurrency(server: Server) -> None:
    client = lambda_client(server)

    def call(_: int) -> str:
        try:
            client.invoke(FunctionName="declared-slow", Payload=b'{"ms": 1500}')
            return "ok"
        except ClientError as err:
            assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 429
            assert err.response["Error"]["Message"] == "Rate Exceeded."
            assert err.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
            return err.response["Error"]["Code"]

    with ThreadPoolExecutor(3) as pool:
        outcomes = sorted(pool.map(call, range(3)))
    assert outcomes == ["TooManyRequestsException", "TooManyRequestsException", "ok"]


def test_functions_outlive_a_restart(tmp_path: Path, config: Path) -> None:
    first = start_server("--config", str(config), data_dir=tmp_path)
    try:
        _create(lambda_client(first), "durable-fn", "nodejs22.x", "index.handler", {"index.mjs": NODE})
    finally:
        stop_server(first)
    again = start_server("--config", str(config), data_dir=tmp_path)
    try:
        started = time.monotonic()
        _, payload = _invoke(lambda_client(again), "durable-fn", {"d": 4})
        assert payload["echo"] == {"d": 4} and time.monotonic() - started < 20
    finally:
        stop_server(again)


@pytest.mark.postgres
def test_two_servers_on_one_postgres_database(tmp_path: Path) -> None:
    """A function created through one process is invoked through another (one database, one data directory);
    racing CreateFunction calls of one name through both leave one function (the database's primary key)."""
    from tests.conftest import _require_postgres
    from tests.support import temporary_postgres_database

    _require_postgres()
    with temporary_postgres_database() as url:
        first = start_server(database_url=url, data_dir=tmp_path)
        try:
            second = start_server(database_url=url, data_dir=tmp_path)
            try:
                clients = [lambda_client(first), lambda_client(second)]
                _create(clients[0], "shared-fn", "nodejs20.x", "index.handler", {"index.mjs": NODE})
                _, payload = _invoke(clients[1], "shared-fn", {"s": 1})
                assert payload["echo"] == {"s": 1}

                # the gateway of the other process serves it too, and follows its updates
                _create(clients[0], "gateway-fn", "nodejs20.x", "index.handler", {"index.mjs": TUTORIAL})
                time.sleep(1.5)  # the other process reads the stored functions every 0.5 s
                api = _rest_api(first, "gateway-fn")
                url = f"{second.url}/restapis/{api}/prod/_user_request_/hello"
                deadline = time.monotonic() + 10
                while requests.get(url, timeout=30).status_code != 200 and time.monotonic() < deadline:
                    time.sleep(0.3)  # the other process compiles the new stage within a second
                assert requests.get(url, timeout=30).text == '"Hello from Lambda!"'
                clients[0].update_function_code(FunctionName="gateway-fn", ZipFile=zip_files({
                    "index.mjs": "export const handler = async () => ({ statusCode: 200, body: 'v2' });"}))
                deadline = time.monotonic() + 10
                while requests.get(url, timeout=30).text != "v2" and time.monotonic() < deadline:
                    time.sleep(0.3)
                assert requests.get(url, timeout=30).text == "v2"

                def create(n: int) -> str:
                    try:
                        _create(clients[n % 2], "raced-fn", "nodejs20.x", "index.handler", {"index.mjs": NODE})
                        return "created"
                    except ClientError as err:
                        return str(err.response["Error"]["Code"])

                with ThreadPoolExecutor(12) as pool:
                    outcomes = list(pool.map(create, range(12)))
                assert outcomes.count("created") == 1
                assert set(outcomes) == {"created", "ResourceConflictException"}
                names = [f["FunctionName"] for f in clients[1].list_functions()["Functions"]]
                assert names.count("raced-fn") == 1
            finally:
                stop_server(second)
        finally:
            stop_server(first)


def test_update_code_configuration_and_reserved_concurrency(server: Server) -> None:
    client = lambda_client(server)
    created = _create(client, "changing-fn", "nodejs20.x", "index.handler", {"index.mjs": NODE})
    _, first = _invoke(client, "changing-fn", {"v": 1})
    assert "env" not in first  # undefined: JSON leaves it out

    updated = client.update_function_code(
        FunctionName="changing-fn",
        ZipFile=zip_files({
            "index.mjs": "export const handler = async (e) => ({ version: 2, stage: process.env.STAGE });"}))
    assert updated["CodeSha256"] != created["CodeSha256"] and updated["RevisionId"] != created["RevisionId"]
    assert _invoke(client, "changing-fn", {})[1] == {"version": 2}  # the warm instance of the old code is gone

    with pytest.raises(ClientError) as stale:
        client.update_function_configuration(FunctionName="changing-fn", RevisionId=created["RevisionId"],
                                             Timeout=9)
    assert stale.value.response["Error"]["Code"] == "PreconditionFailedException"
    assert stale.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    configured = client.update_function_configuration(
        FunctionName="changing-fn", RevisionId=updated["RevisionId"], Timeout=9,
        Environment={"Variables": {"STAGE": "prod"}})
    assert configured["Timeout"] == 9 and configured["Environment"] == {"Variables": {"STAGE": "prod"}}
    assert _invoke(client, "changing-fn", {})[1] == {"version": 2, "stage": "prod"}

    client.update_function_code(FunctionName="changing-fn", ZipFile=zip_files({"index.mjs": SLOW}))
    assert client.put_function_concurrency(FunctionName="changing-fn",
                                           ReservedConcurrentExecutions=1)["ReservedConcurrentExecutions"] == 1
    assert client.get_function_concurrency(FunctionName="changing-fn")["ReservedConcurrentExecutions"] == 1
    assert client.get_function(FunctionName="changing-fn")["Concurrency"] == {"ReservedConcurrentExecutions": 1}

    def call(_: int) -> str:
        try:
            client.invoke(FunctionName="changing-fn", Payload=b'{"ms": 1200}')
            return "ok"
        except ClientError as err:
            return str(err.response["Error"]["Code"])

    with ThreadPoolExecutor(3) as pool:
        assert sorted(pool.map(call, range(3))) == ["TooManyRequestsException", "TooManyRequestsException", "ok"]
    client.delete_function_concurrency(FunctionName="changing-fn")
    assert "ReservedConcurrentExecutions" not in client.get_function_concurrency(FunctionName="changing-fn")
    with ThreadPoolExecutor(3) as pool:
        assert sorted(pool.map(call, range(3))) == ["ok", "ok", "ok"]


def _rest_api(server: Server, function: str) -> str:
    """The apigateway tutorial's steps: GET /hello → AWS_PROXY → ``function``, deployed to prod."""
    apigw = boto3.client("apigateway", endpoint_url=server.url, region_name="us-east-1",
                         aws_access_key_id="AKIDTEST", aws_secret_access_key="secretsecretsecret")
    api: str = apigw.create_rest_api(name=f"calls-{function}")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    resource = apigw.create_resource(restApiId=api, parentId=root, pathPart="hello")["id"]
    apigw.put_method(restApiId=api, resourceId=resource, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api, resourceId=resource, httpMethod="GET", type="AWS_PROXY", integrationHttpMethod="POST",
        uri="arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
            f"arn:aws:lambda:us-east-1:000000000000:function:{function}/invocations")
    apigw.create_deployment(restApiId=api, stageName="prod")
    return api


def test_a_rest_api_made_through_the_api_reaches_a_function_made_through_the_api(tmp_path: Path) -> None:
    """CreateFunction, then the apigateway API's tutorial steps (resource, method, AWS_PROXY integration naming
    the function's ARN, deployment): the stage serves the Node.js function, also after a restart."""
    first = start_server(data_dir=tmp_path)
    try:
        _create(lambda_client(first), "api-fn", "nodejs20.x", "index.handler", {"index.mjs": TUTORIAL})
        api = _rest_api(first, "api-fn")
        url = f"{first.url}/restapis/{api}/prod/_user_request_/hello"
        response = requests.get(url, timeout=30)
        assert response.status_code == 200 and response.text == '"Hello from Lambda!"', response.text
    finally:
        stop_server(first)
    again = start_server(data_dir=tmp_path)
    try:
        response = requests.get(f"{again.url}/restapis/{api}/prod/_user_request_/hello", timeout=30)
        assert response.status_code == 200 and response.text == '"Hello from Lambda!"', response.text
    finally:
        stop_server(again)


def test_permissions_policy_and_tags(server: Server) -> None:
    client = lambda_client(server)
    created = _create(client, "policy-fn", "nodejs20.x", "index.handler",
                      {"index.mjs": "export const handler = async () => ({ pid: process.pid });"},
                      Tags={"team": "pets"})
    warm = _invoke(client, "policy-fn", {})[1]
    with pytest.raises(ClientError) as none_yet:
        client.get_policy(FunctionName="policy-fn")
    assert none_yet.value.response["Error"]["Code"] == "ResourceNotFoundException"
    source = "arn:aws:execute-api:us-east-1:000000000000:abc123/*/GET/pets"
    added = client.add_permission(FunctionName="policy-fn", StatementId="apigw", Action="lambda:InvokeFunction",
                                  Principal="apigateway.amazonaws.com", SourceArn=source)
    assert json.loads(added["Statement"]) == {
        "Sid": "apigw", "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
        "Action": "lambda:InvokeFunction", "Resource": created["FunctionArn"],
        "Condition": {"ArnLike": {"AWS:SourceArn": source}}}
    with pytest.raises(ClientError) as duplicate:
        client.add_permission(FunctionName="policy-fn", StatementId="apigw", Action="lambda:InvokeFunction",
                              Principal="apigateway.amazonaws.com")
    assert duplicate.value.response["Error"]["Code"] == "ResourceConflictException"
    client.add_permission(FunctionName="policy-fn", StatementId="other", Action="lambda:InvokeFunction",
                          Principal="111122223333")
    policy = client.get_policy(FunctionName="policy-fn")
    statements = json.loads(policy["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["apigw", "other"]
    assert statements[1]["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    client.remove_permission(FunctionName="policy-fn", StatementId="apigw")
    assert [s["Sid"] for s in json.loads(client.get_policy(FunctionName="policy-fn")["Policy"])["Statement"]] == [
        "other"]

    arn = created["FunctionArn"]
    assert client.list_tags(Resource=arn)["Tags"] == {"team": "pets"}
    client.tag_resource(Resource=arn, Tags={"stage": "beta", "owner": "alice"})
    client.untag_resource(Resource=arn, TagKeys=["team", "owner"])
    assert client.list_tags(Resource=arn)["Tags"] == {"stage": "beta"}
    assert client.get_function(FunctionName="policy-fn")["Tags"] == {"stage": "beta"}
    assert _invoke(client, "policy-fn", {})[1] == warm  # policy and tags leave the warm instance alone


def _versioned(n: int) -> dict[str, str]:
    return {"index.mjs": f"""export const handler = async (event, context) => {{
  const answer = {{ v: {n}, version: context.functionVersion, arn: context.invokedFunctionArn }};
  return event.httpMethod ? {{ statusCode: 200, body: JSON.stringify(answer) }} : answer;
}};
"""}


def test_versions_and_aliases_through_invoke_and_a_stage_variable(server: Server) -> None:
    client = lambda_client(server)
    _create(client, "ver-fn", "nodejs20.x", "index.handler", _versioned(1))
    first = client.publish_version(FunctionName="ver-fn", Description="first")
    assert first["Version"] == "1" and first["FunctionArn"].endswith(":function:ver-fn:1")
    assert first["Description"] == "first"
    client.update_function_code(FunctionName="ver-fn", ZipFile=zip_files(_versioned(2)))
    assert client.publish_version(FunctionName="ver-fn")["Version"] == "2"
    assert client.publish_version(FunctionName="ver-fn")["Version"] == "2"  # nothing changed: the last one
    client.update_function_code(FunctionName="ver-fn", ZipFile=zip_files(_versioned(3)))  # $LATEST, unpublished
    listed = client.list_versions_by_function(FunctionName="ver-fn")["Versions"]
    assert [v["Version"] for v in listed] == ["$LATEST", "1", "2"]
    assert client.get_function_configuration(FunctionName="ver-fn", Qualifier="1")["CodeSha256"] == \
        first["CodeSha256"]

    live = client.create_alias(FunctionName="ver-fn", Name="live", FunctionVersion="1")
    assert live["AliasArn"].endswith(":function:ver-fn:live") and live["FunctionVersion"] == "1"
    client.create_alias(FunctionName="ver-fn", Name="beta", FunctionVersion="2")
    with pytest.raises(ClientError) as taken:
        client.create_alias(FunctionName="ver-fn", Name="live", FunctionVersion="2")
    assert taken.value.response["Error"] == {
        "Code": "ResourceConflictException",
        "Message": "Alias already exists: arn:aws:lambda:us-east-1:000000000000:function:ver-fn:live"}
    with pytest.raises(ClientError) as missing:
        client.create_alias(FunctionName="ver-fn", Name="gamma", FunctionVersion="9")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert [a["Name"] for a in client.list_aliases(FunctionName="ver-fn")["Aliases"]] == ["beta", "live"]

    response, payload = _invoke(client, "ver-fn", {}, Qualifier="live")
    assert payload == {"v": 1, "version": "1",
                       "arn": "arn:aws:lambda:us-east-1:000000000000:function:ver-fn:live"}
    assert response["ExecutedVersion"] == "1"
    assert _invoke(client, "ver-fn:2", {})[1]["v"] == 2
    assert _invoke(client, "ver-fn", {})[1] == {"v": 3, "version": "$LATEST",
                                               "arn": "arn:aws:lambda:us-east-1:000000000000:function:ver-fn"}
    with pytest.raises(ClientError) as unknown:
        client.invoke(FunctionName="ver-fn", Qualifier="7")
    assert unknown.value.response["Error"]["Message"] == (
        "Function not found: arn:aws:lambda:us-east-1:000000000000:function:ver-fn:7")

    # an API Gateway stage variable picks the alias, as the seeds route stages to versions
    apigw = boto3.client("apigateway", endpoint_url=server.url, region_name="us-east-1",
                         aws_access_key_id="AKIDTEST", aws_secret_access_key="secretsecretsecret")
    api = apigw.create_rest_api(name="versions")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    resource = apigw.create_resource(restApiId=api, parentId=root, pathPart="which")["id"]
    apigw.put_method(restApiId=api, resourceId=resource, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api, resourceId=resource, httpMethod="GET", type="AWS_PROXY", integrationHttpMethod="POST",
        uri="arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
            "arn:aws:lambda:us-east-1:000000000000:function:ver-fn:${stageVariables.alias}/invocations")
    apigw.create_deployment(restApiId=api, stageName="prod", variables={"alias": "live"})
    apigw.create_deployment(restApiId=api, stageName="beta", variables={"alias": "beta"})

    def through(stage: str) -> Any:
        response = requests.get(f"{server.url}/restapis/{api}/{stage}/_user_request_/which", timeout=30)
        assert response.status_code == 200, response.text
        return response.json()["v"]

    assert (through("prod"), through("beta")) == (1, 2)
    client.update_alias(FunctionName="ver-fn", Name="live", FunctionVersion="2")  # promote
    assert through("prod") == 2
