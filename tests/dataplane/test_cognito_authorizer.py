"""The COGNITO_USER_POOLS authorizer on its own: token rules as a table, and the validation cache with an
injected clock (a cached token stops working at its ``exp``)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from poolgate.apigw.domain import Authorizer, Method, Resource, RestApi, Stage
from poolgate.clock import FakeClock
from poolgate.dataplane.authorizers import cognito
from poolgate.dataplane.context import InvocationContext
from poolgate.dataplane.plugins import AuthorizerConfig, CompileEnv
from poolgate.dataplane.tokens import TokenVerifier
from poolgate.errors import GatewayError

POOL = "us-east-1_UnitPool1"
ISS = f"http://127.0.0.1:1/{POOL}"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
JWK = {**json.loads(RSAAlgorithm.to_jwk(KEY.public_key())), "kid": "k1", "alg": "RS256", "use": "sig"}


class FakeKeys:
    def __init__(self) -> None:
        self.lookups = 0

    async def public_key(self, pool_id: str, kid: str, now: float) -> dict[str, str] | None:
        self.lookups += 1
        return JWK if (pool_id, kid) == (POOL, "k1") else None

    def forget(self, pool_id: str | None = None) -> None:
        pass


@asynccontextmanager
async def _no_db() -> AsyncIterator[None]:
    yield None


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    async def find_pool(conn: Any, pool_id: str) -> Any:
        return SimpleNamespace(id=pool_id) if pool_id == POOL else None

    monkeypatch.setattr("poolgate.dataplane.tokens.repo.find_pool", find_pool)
    clock = FakeClock(1_700_000_000.0)
    services = SimpleNamespace(clock=clock, keys=FakeKeys(), tokens=SimpleNamespace(issuer=lambda pool: ISS),
                               db=SimpleNamespace(read=_no_db))

    async def no_http(url: str) -> Any:
        raise AssertionError("no remote JWKS in these tests")

    plane = SimpleNamespace(verifier=TokenVerifier(services, no_http), revoked=set(), services=services)  # type: ignore[arg-type]
    return SimpleNamespace(clock=clock, services=services, plane=plane)


def _settings(scopes: list[str] | None = None, expression: str | None = None,
              reject_revoked: bool = False) -> cognito.CognitoAuthorizer:
    arn = f"arn:aws:cognito-idp:us-east-1:000000000000:userpool/{POOL}"
    authorizer = Authorizer("a1", "Pool", "COGNITO_USER_POOLS", [arn], identity_validation_expression=expression,
                            reject_revoked_tokens=reject_revoked)
    api = RestApi("api", "api", "us-east-1", "000000000000", authorizers={"a1": authorizer})
    method = Method("GET", "COGNITO_USER_POOLS", "a1", scopes or [])
    return cognito.validate(AuthorizerConfig(authorizer, method, Resource("r1", "/x"), CompileEnv(api, Stage("prod"))))


def _token(now: float, key: Any = KEY, alg: str = "RS256", kid: str = "k1", **overrides: Any) -> str:
    claims = {"sub": "s-1", "aud": "client1", "iss": ISS, "token_use": "id", "cognito:username": "alice",
              "email_verified": True, "cognito:groups": ["a", "b"], "origin_jti": "o-1", "auth_time": int(now),
              "iat": int(now), "exp": int(now) + 3600, **overrides}
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})


def _authorize(env: SimpleNamespace, token: str | None, settings: cognito.CognitoAuthorizer) -> InvocationContext:
    headers = [("authorization", token)] if token is not None else []
    ctx = InvocationContext(env.plane, {}, None, "rid", env.clock.now(), "GET", "h", "127.0.0.1", headers)  # type: ignore[arg-type]
    asyncio.run(cognito.authorize(ctx, settings))
    return ctx


def _rejects(env: SimpleNamespace, token: str | None, settings: cognito.CognitoAuthorizer) -> str:
    with pytest.raises(GatewayError) as caught:
        _authorize(env, token, settings)
    assert caught.value.status == 401 and caught.value.error_type == "UnauthorizedException"
    return str(caught.value.message)


def test_valid_id_token_gives_string_claims(env: SimpleNamespace) -> None:
    ctx = _authorize(env, "Bearer " + _token(env.clock.now()), _settings())
    claims = ctx.authorizer["claims"]  # type: ignore[index]
    assert claims["cognito:groups"] == "a,b" and claims["email_verified"] == "true"
    assert claims["exp"] == "Tue Nov 14 23:13:20 UTC 2023"


def test_cached_token_expires_at_exp_without_a_second_verification(env: SimpleNamespace) -> None:
    token = _token(env.clock.now())
    settings = _settings()
    _authorize(env, token, settings)
    env.clock.advance(3599)
    _authorize(env, token, settings)
    assert env.services.keys.lookups == 1  # the second request was answered from the cache
    env.clock.advance(1)
    assert _rejects(env, token, settings) == "The incoming token has expired"


def test_expired_token_verified_fresh(env: SimpleNamespace) -> None:
    token = _token(env.clock.now() - 7200)
    assert _rejects(env, token, _settings()) == "The incoming token has expired"


def _hs256_with_public_pem(now: float) -> str:
    pem = KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    import base64
    import hashlib
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    head = b64(b'{"alg":"HS256","kid":"k1"}')
    body = b64(json.dumps({"iss": ISS, "token_use": "id", "exp": int(now) + 60}).encode())
    return f"{head}.{body}.{b64(hmac.new(pem, f'{head}.{body}'.encode(), hashlib.sha256).digest())}"


REJECTED: dict[str, tuple[Callable[[float], str | None], dict[str, Any]]] = {
    "no header": (lambda now: None, {}),
    "not a jwt": (lambda now: "abc", {}),
    "wrong issuer": (lambda now: _token(now, iss="http://127.0.0.1:1/us-east-1_Elsewhere"), {}),
    "issuer of same pool id on another host": (lambda now: _token(now, iss=f"http://evil/{POOL}"), {}),
    "signed by another key": (lambda now: _token(now, key=OTHER_KEY), {}),
    "unknown kid": (lambda now: _token(now, kid="k2"), {}),
    "hs256 with the public key": (_hs256_with_public_pem, {}),
    "exp not a number": (lambda now: _token(now, exp="soon"), {}),
    "access token on id-token method": (lambda now: _token(now, token_use="access"), {}),
    "id token on scoped method": (lambda now: _token(now), {"scopes": ["s/read"]}),
    "access token without the scope": (lambda now: _token(now, token_use="access", scope="s/write"),
                                       {"scopes": ["s/read"]}),
    "aud fails the validation expression": (lambda now: _token(now), {"expression": "^other.*$"}),
    "revoked sign-in": (lambda now: _token(now, origin_jti="revoked-1"), {"reject_revoked": True}),
}


@pytest.mark.parametrize("case", list(REJECTED))
def test_rejected(env: SimpleNamespace, case: str) -> None:
    env.plane.revoked.add("revoked-1")
    make, options = REJECTED[case]
    assert _rejects(env, make(env.clock.now()), _settings(**options)) == "Unauthorized"


def test_access_token_with_any_one_scope_and_matching_expression(env: SimpleNamespace) -> None:
    token = _token(env.clock.now(), token_use="access", scope="s/write s/read")
    assert _authorize(env, token, _settings(scopes=["s/read", "s/admin"])).authorizer is not None
    assert _authorize(env, _token(env.clock.now()), _settings(expression="^client[0-9]$")).authorizer is not None


# --- the 401 path (issue 11 item 8): a stream of bad tokens costs what a stream of good ones does ---


def _count_decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import base64

    calls: list[str] = []
    real = base64.urlsafe_b64decode

    def counting(data: Any) -> bytes:
        calls.append("decode")
        return real(data)

    monkeypatch.setattr(base64, "urlsafe_b64decode", counting)
    return calls


def test_a_refused_token_is_answered_from_memory(env: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    token = _token(env.clock.now(), key=OTHER_KEY)  # the pool's kid, another key: a bad signature
    settings = _settings()
    assert _rejects(env, token, settings) == "Unauthorized"
    decodes = _count_decodes(monkeypatch)
    for _ in range(3):
        assert _rejects(env, token, settings) == "Unauthorized"
    assert decodes == []  # no base64, JSON or RSA work for a token already refused


def test_concurrent_first_requests_share_one_pool_and_key_lookup(env: SimpleNamespace,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    lookups: list[str] = []

    async def slow_find_pool(conn: Any, pool_id: str) -> Any:
        lookups.append(pool_id)
        await asyncio.sleep(0.01)
        return SimpleNamespace(id=pool_id)

    monkeypatch.setattr("poolgate.dataplane.tokens.repo.find_pool", slow_find_pool)
    keys = env.services.keys
    real_public_key = keys.public_key

    async def slow_public_key(pool_id: str, kid: str, now: float) -> Any:
        await asyncio.sleep(0.01)
        return await real_public_key(pool_id, kid, now)

    monkeypatch.setattr(keys, "public_key", slow_public_key)
    settings = _settings()
    tokens = [_token(env.clock.now(), jti=f"j-{i}") for i in range(40)]

    async def all_at_once() -> list[Any]:
        async def one(token: str) -> Any:
            ctx = InvocationContext(env.plane, {}, None, "rid", env.clock.now(), "GET", "h", "127.0.0.1",  # type: ignore[arg-type]
                                    [("authorization", token)])
            await cognito.authorize(ctx, settings)
            return ctx.authorizer

        return await asyncio.gather(*(one(t) for t in tokens))

    assert all(asyncio.run(all_at_once()))
    assert lookups == [POOL]  # 40 cold requests at once: one read of the pool
    assert keys.lookups == 1  # and one key look-up


def test_a_refusal_for_an_issuer_this_authorizer_does_not_accept_does_not_bind_another(env: SimpleNamespace) -> None:
    token = _token(env.clock.now())
    assert _rejects(env, token, dataclasses.replace(_settings(), local_pools=frozenset())) == "Unauthorized"
    assert _authorize(env, token, _settings()).authorizer is not None  # the pool's own authorizer still accepts


def test_unknown_kid_is_retried_after_a_short_while(env: SimpleNamespace) -> None:
    token = _token(env.clock.now(), kid="k2")
    assert _rejects(env, token, _settings()) == "Unauthorized"
    before = env.services.keys.lookups
    assert _rejects(env, token, _settings()) == "Unauthorized"
    assert env.services.keys.lookups == before  # from memory
    env.clock.advance(6)  # keys may have been rotated by another process meanwhile: look again
    assert _rejects(env, token, _settings()) == "Unauthorized"
    assert env.services.keys.lookups == before + 1


REASONS: dict[str, tuple[Callable[[float], str | None], dict[str, Any], str]] = {
    "no header": (lambda now: None, {}, "no token in the authorization header"),
    "not a jwt": (lambda now: "abc", {}, "malformed token"),
    "padded signature": (lambda now: _token(now) + "==", {}, "malformed token"),
    "hs256 with the public key": (_hs256_with_public_pem, {}, "algorithm not allowed"),
    "signed by another key": (lambda now: _token(now, key=OTHER_KEY), {}, "bad signature"),
    "unknown kid": (lambda now: _token(now, kid="k2"), {}, "unknown kid"),
    "other pool": (lambda now: _token(now, iss="http://127.0.0.1:1/us-east-1_Elsewhere"), {},
                   "issuer not accepted by this authorizer"),
    "expired": (lambda now: _token(now - 7200), {}, "expired"),
    "access token on id-token method": (lambda now: _token(now, token_use="access"), {}, "token_use 'access'"),
    "scope missing": (lambda now: _token(now, token_use="access", scope="s/write"), {"scopes": ["s/read"]},
                      "scope missing"),
    "client id not allowed": (lambda now: _token(now), {"expression": "^other.*$"}, "client id not allowed"),
    "revoked": (lambda now: _token(now, origin_jti="revoked-1"), {"reject_revoked": True}, "revoked"),
}


@pytest.mark.parametrize("case", list(REASONS))
def test_each_refusal_says_why_without_the_token(env: SimpleNamespace, case: str) -> None:
    env.plane.revoked.add("revoked-1")
    make, options, reason = REASONS[case]
    token = make(env.clock.now())
    headers = [("authorization", token)] if token is not None else []
    ctx = InvocationContext(env.plane, {}, None, "rid", env.clock.now(), "GET", "h", "127.0.0.1", headers)  # type: ignore[arg-type]
    with pytest.raises(GatewayError):
        asyncio.run(cognito.authorize(ctx, _settings(**options)))
    assert ctx.authorizer_error is not None and ctx.authorizer_error.startswith(f"Pool: {reason}"), ctx.authorizer_error
    assert token is None or token not in ctx.authorizer_error


def test_concurrent_first_requests_are_woken_together(env: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cause of the 401 path's tail: 200 requests that missed at once were released one per event-loop
    iteration (a lock's hand-over, or the database pool's queue), so under load the last waited seconds."""

    async def slow_find_pool(conn: Any, pool_id: str) -> Any:
        await asyncio.sleep(0.01)
        return SimpleNamespace(id=pool_id)

    monkeypatch.setattr("poolgate.dataplane.tokens.repo.find_pool", slow_find_pool)
    settings = _settings()
    token = _token(env.clock.now(), key=OTHER_KEY)  # a bad token: nothing is cached positively

    async def all_at_once() -> list[int]:
        loop = asyncio.get_running_loop()
        ticks = [0]

        def tick() -> None:  # runs once per loop iteration
            ticks[0] += 1
            loop.call_soon(tick)

        loop.call_soon(tick)

        async def one() -> int:
            ctx = InvocationContext(env.plane, {}, None, "rid", env.clock.now(), "GET", "h", "127.0.0.1",  # type: ignore[arg-type]
                                    [("authorization", token)])
            with pytest.raises(GatewayError):
                await cognito.authorize(ctx, settings)
            return ticks[0]

        return await asyncio.gather(*(one() for _ in range(50)))

    finished = asyncio.run(all_at_once())
    assert max(finished) - min(finished) <= 3, finished
