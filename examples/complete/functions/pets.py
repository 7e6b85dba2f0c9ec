"""The SecurePets demo's Lambda function: a small in-memory pet store behind a Cognito authorizer.

Serves the Lambda proxy (payload 1.0) events of ``GET /pets``, ``GET /pets/{petId}`` and ``POST /purchase``;
every response has a JSON body and ``Access-Control-Allow-Origin: *`` (proxy integrations add their own
CORS headers).
"""

from __future__ import annotations

import base64
import json
from typing import Any

PETS: list[dict[str, Any]] = [
    {"id": "1", "name": "Rex", "type": "dog", "price": 249.99},
    {"id": "2", "name": "Tom", "type": "cat", "price": 124.99},
    {"id": "3", "name": "Nemo", "type": "fish", "price": 0.99},
    {"id": "4", "name": "Polly", "type": "bird", "price": 59.99},
]

HEADERS = {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Route a REST API proxy event by its resource and method."""
    method = event.get("httpMethod")
    resource = event.get("resource")
    if resource == "/pets" and method == "GET":
        return list_pets(event)
    if resource == "/pets/{petId}" and method == "GET":
        return get_pet((event.get("pathParameters") or {}).get("petId", ""))
    if resource == "/purchase" and method == "POST":
        return purchase(event)
    return respond(404, {"message": f"No route for {method} {event.get('path')}"})


def list_pets(event: dict[str, Any]) -> dict[str, Any]:
    wanted = (event.get("queryStringParameters") or {}).get("type")
    return respond(200, [pet for pet in PETS if wanted is None or pet["type"] == wanted])


def get_pet(pet_id: str) -> dict[str, Any]:
    pet = _find(pet_id)
    if pet is None:
        return respond(404, {"message": f"Pet {pet_id} not found"})
    return respond(200, pet)


def purchase(event: dict[str, Any]) -> dict[str, Any]:
    body = event.get("body") or ""
    try:
        if event.get("isBase64Encoded"):
            body = base64.b64decode(body).decode("utf-8")
        order = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return respond(400, {"message": "The body must be JSON like {\"petId\": \"1\"}"})
    if not isinstance(order, dict) or not isinstance(order.get("petId"), str | int):
        return respond(400, {"message": "The body must be JSON like {\"petId\": \"1\"}"})
    pet = _find(str(order["petId"]))
    if pet is None:
        return respond(404, {"message": f"Pet {order['petId']} not found"})
    claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims") or {}
    buyer = claims.get("cognito:username")
    return respond(200, {"message": f"{buyer} bought {pet['name']}", "pet": pet, "buyer": buyer})


def respond(status: int, body: Any) -> dict[str, Any]:
    return {"statusCode": status, "headers": dict(HEADERS), "body": json.dumps(body)}


def _find(pet_id: str) -> dict[str, Any] | None:
    return next((pet for pet in PETS if pet["id"] == pet_id), None)
