"""API keys, usage plans and usage plan keys made through the apigateway API (boto3 over real HTTP), enforced by
the data plane exactly as poolgate.yaml's: 403 without a key or with a key in no plan of the stage, 200 with one,
429 "Limit Exceeded" past the quota and "Too Many Requests" past the throttle; GetUsage reports the counted
calls; a restart keeps keys, plans and plan keys. On SQLite and PostgreSQL.

Error texts: the NotFoundException messages are those moto answers (UNCONFIRMED against an AWS recording, see
``apigw_control/apikeys.py``); 403 ``Forbidden`` and 429 ``Limit Exceeded`` / ``Too Many Requests`` are the
gateway responses of reference §7 (dataplane/metering.py)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import requests
import yaml

from ..cognito.helpers import error_of
from ..support import Server, start_server, stop_server
from .test_tutorial import apigateway, database, function_uri, invoke, write_config

__all__ = ["database"]

KEY_VALUE = "a-partner-key-of-more-than-20-chars"


def build_api(apigw: Any) -> str:
    """An API whose GET /hello requires an API key (Lambda proxy to the local ``hello``), deployed to prod."""
    api_id: str = apigw.create_rest_api(name="metered")["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    hello = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="hello")["id"]
    apigw.put_method(restApiId=api_id, resourceId=hello, httpMethod="GET", authorizationType="NONE",
                     apiKeyRequired=True)
    apigw.put_integration(restApiId=api_id, resourceId=hello, httpMethod="GET", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=function_uri("hello"))
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    return api_id


def call(server: Server, api_id: str, key: str | None = None) -> requests.Response:
    return invoke(server, api_id, "prod", "/hello", headers={"x-api-key": key} if key else {})


def today() -> str:
    return datetime.datetime.now(datetime.UTC).date().isoformat()


def test_keys_and_plans_made_through_the_api_are_enforced_and_kept(database: str, tmp_path: Path) -> None:
    config = write_config(tmp_path)
    server = start_server("--no-demo", "--config", str(config), database_url=database)
    try:
        apigw = apigateway(server.url)
        api_id = build_api(apigw)
        missing = call(server, api_id)
        assert (missing.status_code, missing.json()) == (403, {"message": "Forbidden"})

        key = apigw.create_api_key(name="partner", value=KEY_VALUE, enabled=True)
        assert key["value"] == KEY_VALUE and key["enabled"] is True and len(key["id"]) == 10
        assert call(server, api_id, KEY_VALUE).status_code == 403  # a key in no plan of this stage

        plan = apigw.create_usage_plan(name="Basic", apiStages=[{"apiId": api_id, "stage": "prod"}],
                                       throttle={"rateLimit": 100.0, "burstLimit": 100},
                                       quota={"limit": 3, "offset": 0, "period": "DAY"})
        assert plan["apiStages"] == [{"apiId": api_id, "stage": "prod"}]
        assert plan["quota"] == {"limit": 3, "offset": 0, "period": "DAY"}
        plan_key = apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
        assert plan_key == {"id": key["id"], "type": "API_KEY", "value": KEY_VALUE, "name": "partner",
                            "ResponseMetadata": plan_key["ResponseMetadata"]}

        assert [call(server, api_id, KEY_VALUE).status_code for _ in range(3)] == [200, 200, 200]
        over = call(server, api_id, KEY_VALUE)
        assert (over.status_code, over.json()) == (429, {"message": "Limit Exceeded"})
        assert call(server, api_id, "x" * 30).status_code == 403
        assert call(server, api_id).status_code == 403

        usage = apigw.get_usage(usagePlanId=plan["id"], startDate=today(), endDate=today())
        assert usage["items"] == {key["id"]: [[3, 0]]}

        # Duplicate plan key: the database's primary key decides.
        code = error_of(lambda: apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"],
                                                            keyType="API_KEY")).code
        assert code == "ConflictException"

        # Limits changed through UpdateUsagePlan apply at once: no quota, a throttle of one request.
        apigw.update_usage_plan(usagePlanId=plan["id"], patchOperations=[
            {"op": "remove", "path": "/quota"},
            {"op": "replace", "path": "/throttle/burstLimit", "value": "1"},
            {"op": "replace", "path": "/throttle/rateLimit", "value": "0.001"}])
        assert call(server, api_id, KEY_VALUE).status_code == 200
        throttled = call(server, api_id, KEY_VALUE)
        assert (throttled.status_code, throttled.json()) == (429, {"message": "Too Many Requests"})

        # A disabled key is refused; enabling it again is served by the next request.
        apigw.update_api_key(apiKey=key["id"], patchOperations=[{"op": "replace", "path": "/enabled",
                                                                 "value": "false"}])
        assert call(server, api_id, KEY_VALUE).status_code == 403
        apigw.update_api_key(apiKey=key["id"], patchOperations=[{"op": "replace", "path": "/enabled",
                                                                 "value": "true"}])
    finally:
        stop_server(server)

    server = start_server("--no-demo", "--config", str(config), database_url=database, port=server.port)
    try:
        apigw = apigateway(server.url)
        listed = apigw.get_api_keys(includeValues=True, nameQuery="part")["items"]
        assert [(item["id"], item["value"], item["enabled"]) for item in listed] == [(key["id"], KEY_VALUE, True)]
        assert apigw.get_usage_plan(usagePlanId=plan["id"])["throttle"] == {"rateLimit": 0.001, "burstLimit": 1}
        assert [item["id"] for item in apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]] == [key["id"]]
        assert [item["id"] for item in apigw.get_usage_plans(keyId=key["id"])["items"]] == [plan["id"]]
        assert call(server, api_id, KEY_VALUE).status_code == 200  # buckets are in memory: full again
        assert call(server, api_id).status_code == 403

        apigw.delete_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
        assert call(server, api_id, KEY_VALUE).status_code == 403
        apigw.delete_api_key(apiKey=key["id"])
        assert apigw.get_api_keys()["items"] == []
    finally:
        stop_server(server)


def test_errors(tmp_path: Path) -> None:
    server = start_server("--no-demo", "--config", str(write_config(tmp_path)))
    try:
        apigw = apigateway(server.url)
        api_id = build_api(apigw)
        key = apigw.create_api_key(name="k", enabled=True)
        assert len(key["value"]) == 40
        plan = apigw.create_usage_plan(name="p", apiStages=[{"apiId": api_id, "stage": "prod"}])
        for thunk, expected in [
            (lambda: apigw.get_api_key(apiKey="nokey00000"),
             ("NotFoundException", "Invalid API Key identifier specified")),
            (lambda: apigw.get_usage_plan(usagePlanId="noplan"),
             ("NotFoundException", "Invalid Usage Plan ID specified")),
            (lambda: apigw.delete_usage_plan(usagePlanId="noplan"),
             ("NotFoundException", "Invalid Usage Plan ID specified")),
            (lambda: apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId="nokey00000", keyType="API_KEY"),
             ("NotFoundException", "Invalid API Key identifier specified")),
            (lambda: apigw.get_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"]),
             ("NotFoundException", "Invalid Usage Plan Key identifier specified")),
            (lambda: apigw.create_api_key(name="short", value="too-short"),
             ("BadRequestException", "API Key value should be at least 20 characters")),
            (lambda: apigw.create_api_key(name="again", value=key["value"]),
             ("ConflictException", "API Key already exists")),
        ]:
            assert (error_of(thunk).code, error_of(thunk).message) == expected
        code = error_of(lambda: apigw.create_usage_plan(name="q", apiStages=[{"apiId": api_id,
                                                                             "stage": "nostage"}])).code
        assert code == "NotFoundException"  # as UpdateUsagePlan's recorded refusal (UNCONFIRMED for Create)
        code = error_of(lambda: apigw.update_api_key(apiKey=key["id"], patchOperations=[
            {"op": "replace", "path": "/value", "value": "x" * 30}])).code
        assert code == "BadRequestException"
        # Another region of the same account sees neither.
        other = apigateway(server.url, region="eu-west-1")
        assert other.get_api_keys()["items"] == [] and other.get_usage_plans()["items"] == []
        assert error_of(lambda: other.get_api_key(apiKey=key["id"])).code == "NotFoundException"
    finally:
        stop_server(server)


def test_declared_keys_and_plans_appear_in_the_api(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    document = yaml.safe_load(config.read_text())
    document["apis"] = [{"id": "declared01", "name": "declared", "stages": {"prod": {}}, "resources": {
        "/hello": {"GET": {"apiKeyRequired": True, "integration": {"type": "AWS_PROXY", "function": "hello"}}}}}]
    document["apiKeys"] = [{"name": "filekey", "value": "a-file-declared-key-value-0001"}]
    document["usagePlans"] = [{"name": "FilePlan", "apiStages": [{"api": "declared01", "stage": "prod"}],
                               "quota": {"limit": 2, "period": "DAY"}, "keys": ["filekey"]}]
    config.write_text(yaml.safe_dump(document))
    server = start_server("--no-demo", "--config", str(config))
    try:
        apigw = apigateway(server.url)
        keys = apigw.get_api_keys(includeValues=True)["items"]
        assert [(item["name"], item["value"]) for item in keys] == [("filekey", "a-file-declared-key-value-0001")]
        plans = apigw.get_usage_plans()["items"]
        assert [(item["name"], item["quota"]["limit"]) for item in plans] == [("FilePlan", 2)]
        assert [item["name"] for item in apigw.get_usage_plan_keys(usagePlanId=plans[0]["id"])["items"]] == \
            ["filekey"]
        assert [call(server, "declared01", "a-file-declared-key-value-0001").status_code for _ in range(3)] == \
            [200, 200, 429]
        usage = apigw.get_usage(usagePlanId=plans[0]["id"], startDate=today(), endDate=today())
        assert usage["items"] == {keys[0]["id"]: [[2, 0]]}
        assert error_of(lambda: apigw.delete_api_key(apiKey=keys[0]["id"])).code == "BadRequestException"
    finally:
        stop_server(server)


SNAPSHOTS = "localstack tests/aws/services/apigateway/"
"""Golden answers below are AWS's, recorded in LocalStack's snapshot files: test_apigateway_extended.snapshot.json
(``TestApigatewayApiKeysCrud``) and test_apigateway_common.snapshot.json (``TestUsagePlans``)."""


def _without_metadata(answer: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in answer.items() if key != "ResponseMetadata"}


def test_golden_answers_recorded_from_aws(tmp_path: Path) -> None:
    server = start_server("--no-demo", "--config", str(write_config(tmp_path)))
    try:
        apigw = apigateway(server.url)
        # test_create_api_key_with_invalid_name: too long refused; empty or absent name → no name member.
        assert (error_of(lambda: apigw.create_api_key(name="a" * 1025)).message ==
                "Invalid API Key name, can be at most 1024 characters.")
        unnamed = _without_metadata(apigw.create_api_key(name=""))
        assert set(unnamed) == {"createdDate", "enabled", "id", "lastUpdatedDate", "stageKeys", "value"}
        assert unnamed["enabled"] is False and unnamed["stageKeys"] == []
        # test_create_api_key_with_invalid_value: short / long refused, empty → a generated value.
        assert (error_of(lambda: apigw.create_api_key(value="short")).message ==
                "API Key value should be at least 20 characters")
        assert (error_of(lambda: apigw.create_api_key(value="a" * 129)).message ==
                "API Key value exceeds maximum size of 128 characters")
        assert len(apigw.create_api_key(value="")["value"]) >= 20
        # test_update_api_key_invalid_description_length
        failure = error_of(lambda: apigw.create_api_key(description="a" * 125001))
        assert (failure.code, failure.message, failure.status) == (
            "BadRequestException", "Invalid API Key description specified.", 400)
        assert (error_of(lambda: apigw.update_api_key(apiKey=unnamed["id"], patchOperations=[
            {"op": "replace", "path": "/description", "value": "a" * 125001}])).message ==
            "Invalid API Key description specified.")
        # test_update_api_key_immutable_field
        assert error_of(lambda: apigw.update_api_key(apiKey=unnamed["id"], patchOperations=[
            {"op": "replace", "path": "/id", "value": "x"}])).message == (
            "Invalid patch path  '/id' specified for op 'replace'. Must be one of: "
            "[/description, /enabled, /name, /customerId]")
        # test_update_api_key_invalid_enabled_type: not "true" → disabled, and tags {} in the answer.
        updated = _without_metadata(apigw.update_api_key(apiKey=unnamed["id"], patchOperations=[
            {"op": "replace", "path": "/enabled", "value": "not-a-boolean"}]))
        assert updated["enabled"] is False and updated["tags"] == {} and "name" not in updated
        # test_get_api_keys: nameQuery is a case-sensitive prefix.
        named = apigw.create_api_key(name="PrefixKeyName")
        assert [k["id"] for k in apigw.get_api_keys(nameQuery="Prefix")["items"]] == [named["id"]]
        for query in ("prefix", "KeyName", "Key", "nothing"):
            assert apigw.get_api_keys(nameQuery=query)["items"] == []

        # test_usage_plan_crud
        api_id = build_api(apigw)
        created = _without_metadata(apigw.create_usage_plan(name="crud", description="d",
                                                            apiStages=[{"apiId": api_id, "stage": "prod"}]))
        plan_id = created["id"]
        assert created == {"apiStages": [{"apiId": api_id, "stage": "prod"}], "description": "d", "id": plan_id,
                           "name": "crud"}
        assert _without_metadata(apigw.get_usage_plan(usagePlanId=plan_id)) == {**created, "tags": {}}
        assert apigw.get_usage_plans()["items"] == [created]
        after = _without_metadata(apigw.update_usage_plan(usagePlanId=plan_id, patchOperations=[
            {"op": "replace", "path": "/throttle/burstLimit", "value": "100"},
            {"op": "replace", "path": "/throttle/rateLimit", "value": "200"},
            {"op": "replace", "path": "/quota/period", "value": "MONTH"},
            {"op": "replace", "path": "/quota/limit", "value": "5000"}]))
        assert after == {**created, "tags": {}, "quota": {"limit": 5000, "offset": 0, "period": "MONTH"},
                         "throttle": {"burstLimit": 100, "rateLimit": 200.0}}
        wrong = error_of(lambda: apigw.update_usage_plan(usagePlanId="wrongid", patchOperations=[
            {"op": "replace", "path": "/throttle/burstLimit", "value": "100"}]))
        assert (wrong.code, wrong.message, wrong.status) == ("NotFoundException", "Invalid Usage Plan ID specified",
                                                             404)
        for value, expected in [
            (None, ("BadRequestException", "Invalid API Stage specified", 400)),
            ("fakevalue", ("BadRequestException", "Invalid API Stage specified", 400)),
            (f"{api_id}b:prod", ("NotFoundException",
                                 f"Invalid API Stage {{api: {api_id}b, stage: prod}} specified for usageplan {plan_id}",
                                 404)),
            (f"{api_id}:fakestagename", ("NotFoundException", f"Invalid API Stage {{api: {api_id}, stage: "
                                                              f"fakestagename}} specified for usageplan {plan_id}",
                                         404)),
        ]:
            patch: dict[str, str] = {"op": "remove", "path": "/apiStages"}
            if value is not None:
                patch["value"] = value
            failure = error_of(apigw.update_usage_plan, usagePlanId=plan_id, patchOperations=[patch])
            assert (failure.code, failure.message, failure.status) == expected
        assert _without_metadata(apigw.get_usage_plan(usagePlanId=plan_id)) == after  # refusals changed nothing
        # test_create_usage_plan_with_throttle
        throttled = apigw.create_usage_plan(name="t", throttle={"burstLimit": 20, "rateLimit": 10})
        assert throttled["throttle"] == {"burstLimit": 20, "rateLimit": 10.0} and throttled["apiStages"] == []
        # test_get_usage_plan_api_keys: a plan key answers id, name, type, value.
        key = apigw.create_api_key(name="member")
        plan_key = _without_metadata(apigw.create_usage_plan_key(usagePlanId=throttled["id"], keyId=key["id"],
                                                                  keyType="API_KEY"))
        assert plan_key == {"id": key["id"], "name": "member", "type": "API_KEY", "value": key["value"]}
        assert apigw.get_usage_plan_keys(usagePlanId=throttled["id"], nameQuery="MEM")["items"] == []
    finally:
        stop_server(server)


def test_two_processes_on_postgres_share_keys_and_plans(tmp_path: Path) -> None:
    """A plan key made through one process is enforced by the other within a second (it polls
    ``apigw_changes``); 24 concurrent CreateUsagePlanKey calls of one pair through both processes make one plan
    key, the others ConflictException (the primary key decides); 24 concurrent CreateApiKey calls with one value
    make one key."""
    from concurrent.futures import ThreadPoolExecutor

    from ..conftest import _require_postgres
    from ..support import temporary_postgres_database
    from .test_two_processes import _within

    _require_postgres()
    config = write_config(tmp_path)
    with temporary_postgres_database() as url:
        one = start_server("--no-demo", "--config", str(config), database_url=url)
        try:
            two = start_server("--no-demo", "--config", str(config), database_url=url)
            try:
                first, second = apigateway(one.url), apigateway(two.url)
                api_id = build_api(first)
                key = first.create_api_key(name="shared", value=KEY_VALUE, enabled=True)
                plan = first.create_usage_plan(name="Shared", apiStages=[{"apiId": api_id, "stage": "prod"}])
                _within(1.0, lambda: call(two, api_id, KEY_VALUE).status_code == 403)

                def attach(index: int) -> str:
                    client = (first, second)[index % 2]
                    try:
                        client.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
                        return "created"
                    except Exception as exc:  # botocore's ClientError
                        return str(getattr(exc, "response", {}).get("Error", {}).get("Code"))

                with ThreadPoolExecutor(24) as pool:
                    outcomes = list(pool.map(attach, range(24)))
                assert sorted(set(outcomes)) == ["ConflictException", "created"] and outcomes.count("created") == 1
                waited = _within(1.0, lambda: call(two, api_id, KEY_VALUE).status_code == 200)
                print(f"plan key enforced by the other process after {waited * 1000:.0f} ms")
                assert call(two, api_id).status_code == 403

                value = "a-value-raced-by-two-processes-000"

                def create(index: int) -> str:
                    client = (first, second)[index % 2]
                    try:
                        client.create_api_key(name=f"race{index}", value=value)
                        return "created"
                    except Exception as exc:  # botocore's ClientError
                        return str(getattr(exc, "response", {}).get("Error", {}).get("Code"))

                with ThreadPoolExecutor(24) as pool:
                    created = list(pool.map(create, range(24)))
                assert created.count("created") == 1 and set(created) == {"created", "ConflictException"}
                keys = first.get_api_keys(includeValues=True, limit=500)["items"]
                assert [k["value"] for k in keys].count(value) == 1
            finally:
                stop_server(two)
        finally:
            stop_server(one)
