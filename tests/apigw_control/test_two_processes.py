"""Two poolgate processes on one PostgreSQL database: a deployment (or stage change) made through one is served
by the other within a second, without a database read per request; concurrent writers to one API from both
processes end in a consistent state, the database deciding who wins."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from ..cognito.helpers import error_of
from ..conftest import _require_postgres
from ..support import Server, temporary_postgres_database, two_servers
from .test_tutorial import apigateway, function_uri, write_config


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    _require_postgres()
    config = write_config(tmp_path_factory.mktemp("two"))
    with (temporary_postgres_database() as url,
          two_servers("--no-demo", "--config", str(config), database_url=url) as both):
        yield both


def _within(seconds: float, check: Callable[[], bool]) -> float:
    """How long ``check`` took to hold (polled every 20 ms); fails after ``seconds``."""
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < seconds, "not served in time"
        time.sleep(0.02)
    return time.monotonic() - start


def test_a_deployment_made_on_one_is_served_by_the_other(servers: tuple[Server, Server]) -> None:
    one, two = servers
    apigw = apigateway(one.url)
    api = apigw.create_rest_api(name="Shared")
    api_id, root = api["id"], api["rootResourceId"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=function_uri("hello"))
    url = f"{two.url}/restapis/{api_id}/prod/_user_request_/"
    assert requests.get(url, timeout=15).status_code == 403
    apigw.create_deployment(restApiId=api_id, stageName="prod", variables={"v": "1"})
    waited = _within(1.0, lambda: requests.get(url, timeout=15).status_code == 200)
    print(f"deployment served by the other process after {waited * 1000:.0f} ms")
    apigw.update_stage(restApiId=api_id, stageName="prod",
                       patchOperations=[{"op": "replace", "path": "/variables/v", "value": "2"}])
    _within(1.0, lambda: requests.get(url, timeout=15).json()["stageVariables"] == {"v": "2"})
    apigateway(two.url).delete_stage(restApiId=api_id, stageName="prod")
    _within(1.0, lambda: requests.get(f"{one.url}/restapis/{api_id}/prod/_user_request_/",
                                      timeout=15).status_code == 403)


def test_concurrent_creators_of_one_path_one_wins(servers: tuple[Server, Server]) -> None:
    """16 clients, half on each process, create the same resource at once: one 201, the rest ConflictException;
    the tree holds it once."""
    one, two = servers
    api = apigateway(one.url).create_rest_api(name="Race")
    clients = [apigateway(server.url) for server in (one, two) for _ in range(8)]

    def create(client: Any) -> str:
        try:
            client.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="pets")
            return "created"
        except client.exceptions.ConflictException:
            return "conflict"

    with ThreadPoolExecutor(len(clients)) as pool:
        outcomes = list(pool.map(create, clients))
    assert sorted(outcomes) == ["conflict"] * 15 + ["created"]
    paths = [item["path"] for item in apigateway(two.url).get_resources(restApiId=api["id"])["items"]]
    assert paths == ["/", "/pets"]


def test_concurrent_variable_siblings_one_wins(servers: tuple[Server, Server]) -> None:
    """Different variable names under one parent at once: API Gateway allows one."""
    one, two = servers
    api = apigateway(one.url).create_rest_api(name="Variables")
    clients = [apigateway(server.url) for server in (one, two) for _ in range(4)]

    def create(pair: tuple[int, Any]) -> str:
        index, client = pair
        try:
            client.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart=f"{{v{index}}}")
            return "created"
        except client.exceptions.BadRequestException:
            return "refused"

    with ThreadPoolExecutor(len(clients)) as pool:
        outcomes = list(pool.map(create, enumerate(clients)))
    assert sorted(outcomes) == ["created"] + ["refused"] * 7
    assert len(apigateway(two.url).get_resources(restApiId=api["id"])["items"]) == 2


def test_unknown_ids_from_either_process(servers: tuple[Server, Server], tmp_path: Path) -> None:
    one, two = servers
    api = apigateway(one.url).create_rest_api(name="Gone")
    apigateway(two.url).delete_rest_api(restApiId=api["id"])
    err = error_of(apigateway(one.url).get_rest_api, restApiId=api["id"])
    assert err.status == 404


def test_reset_empties_the_apis_on_every_process(servers: tuple[Server, Server]) -> None:
    one, two = servers
    apigw = apigateway(one.url)
    api = apigw.create_rest_api(name="Reset")
    apigw.put_method(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET",
                     authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET", type="MOCK")
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    url = f"{two.url}/restapis/{api['id']}/prod/_user_request_/"
    _within(1.0, lambda: requests.get(url, timeout=15).status_code == 200)
    assert requests.post(f"{one.url}/_poolgate/reset", json={}, timeout=15).status_code == 200
    _within(1.0, lambda: requests.get(url, timeout=15).status_code == 403)
    assert apigateway(two.url).get_rest_apis()["items"] == []
