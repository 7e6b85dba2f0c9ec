"""Concurrent writers to one API on SQLite (one process, many clients at once): the API's row lock and the
unique constraints decide, nothing is stored twice, no request fails otherwise."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..support import start_server, stop_server
from .test_tutorial import apigateway


def test_concurrent_writers_on_sqlite() -> None:
    server = start_server("--no-demo")
    try:
        api = apigateway(server.url).create_rest_api(name="Race")
        clients = [apigateway(server.url) for _ in range(16)]

        def create(client: Any) -> str:
            try:
                client.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="pets")
                return "created"
            except client.exceptions.ConflictException:
                return "conflict"

        def put_method(pair: tuple[int, Any]) -> str:
            index, client = pair
            verb = ("GET", "POST", "PUT", "DELETE")[index % 4]
            try:
                client.put_method(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod=verb,
                                  authorizationType="NONE")
                return "created"
            except client.exceptions.ConflictException:
                return "conflict"

        with ThreadPoolExecutor(len(clients)) as pool:
            outcomes = list(pool.map(create, clients))
            methods = list(pool.map(put_method, enumerate(clients)))
        assert sorted(outcomes) == ["conflict"] * 15 + ["created"]
        assert sorted(methods) == ["conflict"] * 12 + ["created"] * 4
        items = apigateway(server.url).get_resources(restApiId=api["id"])["items"]
        assert [item["path"] for item in items] == ["/", "/pets"]
        assert set(items[0]["resourceMethods"]) == {"GET", "POST", "PUT", "DELETE"}
    finally:
        stop_server(server)
