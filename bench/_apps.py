"""Baseline apps for the gateway benchmark, run as ``uvicorn bench._apps:raw`` or ``:starlette_app``."""

from __future__ import annotations

from typing import Any

BODY = b'{"message":"hello"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def raw(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A bare ASGI hello-world: the ceiling any gateway on the same server is measured against."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


def _starlette() -> Any:
    try:
        from starlette.applications import Starlette
        from starlette.responses import Response
        from starlette.routing import Route
    except ImportError:  # pragma: no cover - optional
        return None

    async def hello(request: Any) -> Any:
        return Response(BODY, media_type="application/json")

    return Starlette(routes=[Route("/{path:path}", hello)])


starlette_app = _starlette()


# Floors: the least work each measured row cannot avoid, in a bare ASGI app on the same server. A floor is
# not a gateway (no routing, stages, authorizer checks, gateway responses or access log); it shows how close
# to its baseline any Python gateway can come on this machine, so a goal above a floor cannot be met here.

def hello_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Python handler of row (c) (bench/gateway.py writes the same one for poolgate)."""
    import json

    user = event["requestContext"]["authorizer"]["claims"]["cognito:username"]
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"message": "hello", "user": user})}


_CLAIMS: dict[bytes, dict[str, str]] = {}
_THREADS: Any = None


def _request_id() -> str:
    import os

    raw = os.urandom(16).hex()
    return f"{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-{raw[16:20]}-{raw[20:]}"


def _floor_event(scope: dict[str, Any], claims: dict[str, str], request_id: str) -> dict[str, Any]:
    """A proxy event with the fields a handler reads, headers in one pass; the static parts are literals."""
    import time

    headers: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in scope["headers"]:
        key, text = name.decode("latin-1"), value.decode("latin-1")
        headers[key] = text
        multi[key] = [text]
    return {
        "resource": "/hello", "path": scope["path"], "httpMethod": scope["method"], "headers": headers,
        "multiValueHeaders": multi, "queryStringParameters": None, "multiValueQueryStringParameters": None,
        "pathParameters": None, "stageVariables": None, "body": None, "isBase64Encoded": False,
        "requestContext": {
            "resourceId": "abc123", "resourcePath": "/hello", "httpMethod": scope["method"], "stage": "prod",
            "requestId": request_id, "requestTimeEpoch": int(time.time() * 1000), "path": "/prod/hello",
            "accountId": "000000000000", "apiId": "benchapi01", "protocol": "HTTP/1.1",
            "identity": {"sourceIp": scope["client"][0], "userAgent": headers.get("user-agent")},
            "authorizer": {"claims": claims}},
    }


async def _floor_lambda(scope: dict[str, Any], receive: Any, send: Any, hand_off: bool) -> None:
    global _THREADS
    if scope["type"] != "http":
        return
    token = b""
    for name, value in scope["headers"]:
        if name == b"authorization":
            token = value
    claims = _CLAIMS.get(token)  # a token cache hit: poolgate's row (c) sends one token over and over
    if claims is None:
        claims = _CLAIMS[token] = {"sub": "0", "cognito:username": "bench", "token_use": "id"}
    await receive()
    request_id = _request_id()
    event = _floor_event(scope, claims, request_id)
    if hand_off:  # off the event loop, through poolgate's own batched hand-off (the cheapest we have)
        if _THREADS is None:
            from poolgate.dataplane.workers import HandlerThreads

            _THREADS = HandlerThreads()
        result = await _THREADS.submit(hello_handler, event, None)
    else:
        result = hello_handler(event, None)
    body = result["body"].encode()
    headers = [(b"x-amzn-requestid", request_id.encode())]
    headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in result["headers"].items()]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": result["statusCode"], "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def floor_lambda(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Row (c)'s floor: token cache hit, proxy event, the handler off the loop, the answer."""
    await _floor_lambda(scope, receive, send, hand_off=True)


async def floor_lambda_inline(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The same with the handler called on the event loop (which the issue does not allow poolgate)."""
    await _floor_lambda(scope, receive, send, hand_off=False)


_CLIENT: Any = None


async def floor_proxy(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Row (d)'s floor: forward the request with poolgate's HTTP client (one keep-alive pool, one write per
    request, httptools parsing) to ``$FLOOR_UPSTREAM`` and return its answer, headers untouched."""
    global _CLIENT
    if scope["type"] != "http":
        return
    import os

    from poolgate.dataplane.httpclient import HttpClient

    if _CLIENT is None:
        _CLIENT = HttpClient()
    await receive()
    upstream = os.environ["FLOOR_UPSTREAM"] + "/item"
    response = await _CLIENT.request(scope["method"], upstream, [], b"", 29.0)
    headers = [(k, v) for k, v in response.headers
               if k.lower() not in (b"connection", b"keep-alive", b"transfer-encoding", b"content-length")]
    headers.append((b"content-length", str(len(response.body)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})


_SIGNIN: Any = None


def _signin_parts() -> Any:
    """poolgate's own hasher (same parameters, same thread pool) and two RSA keys, made once."""
    global _SIGNIN
    if _SIGNIN is None:
        from argon2 import PasswordHasher as Argon2Hasher
        from cryptography.hazmat.primitives.asymmetric import rsa

        from poolgate.cognito.passwords import PasswordHasher
        from poolgate.settings import Settings

        defaults = Settings()
        cost, memory = defaults.password_hash_time_cost, defaults.password_hash_memory_kib
        hasher = PasswordHasher(cost, memory)
        stored = Argon2Hasher(time_cost=cost, memory_cost=memory, parallelism=1).hash("Bench-Passw0rd!")
        keys = [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(2)]
        _SIGNIN = (hasher, stored, keys)
    return _SIGNIN


async def floor_signin(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """bench/signin.py's floor: parse the InitiateAuth body, verify argon2id off the loop and sign the two
    RS256 tokens every Cognito sign-in returns. No database, no validation, no refresh token stored."""
    if scope["type"] != "http":
        return
    import json
    import time

    import jwt

    hasher, stored, keys = _signin_parts()
    message = await receive()
    params = json.loads(message["body"])["AuthParameters"]
    if not await hasher.verify(stored, params["PASSWORD"]):
        raise ValueError("wrong password")
    now = int(time.time())
    claims = {"sub": params["USERNAME"], "iss": "http://127.0.0.1/us-east-1_Floor", "client_id": "floor",
              "token_use": "access", "scope": "aws.cognito.signin.user.admin", "auth_time": now, "iat": now,
              "exp": now + 3600, "jti": "0", "username": params["USERNAME"]}
    access = jwt.encode(claims, keys[0], algorithm="RS256", headers={"kid": "a"})
    id_token = jwt.encode({**claims, "token_use": "id", "aud": "floor", "cognito:username": params["USERNAME"]},
                          keys[1], algorithm="RS256", headers={"kid": "i"})
    body = json.dumps({"ChallengeParameters": {}, "AuthenticationResult": {
        "AccessToken": access, "ExpiresIn": 3600, "TokenType": "Bearer", "RefreshToken": "0", "IdToken": id_token}
    }).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", b"application/x-amz-json-1.1"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
