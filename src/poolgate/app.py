"""``create_app(settings)``: one plain ASGI app that mounts the three planes. Wiring only."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from .apigw_control import ApiGatewayControl
from .awsproto.dispatch import Caller
from .awsproto.query import QueryPlane
from .clock import Clock, IdGenerator, SystemClock
from .cognito import ops  # noqa: F401  (registers the operations)
from .cognito.cache import RecordCache
from .cognito.keys import KeyStore
from .cognito.passwords import PasswordHasher
from .cognito.sender import OutboxSender
from .cognito.service import COGNITO
from .cognito.tokens import TokenMinter
from .config import ConfigError
from .edge import Refusal, local_host_refusal, reset_refusal
from .http import (
    BodyTooLarge,
    ClientDisconnected,
    Receive,
    Request,
    Scope,
    Send,
    read_request,
    send_json,
    send_response,
)
from .iamapi import IAM
from .identity import wellknown
from .identitypools import IDENTITY, openid
from .lambda_control import LambdaControl
from .oauth.plane import OAuthPlane
from .oauth.plane import match as oauth_match
from .services import Services
from .settings import Settings
from .store.db import Database
from .sts import STS

log = logging.getLogger("poolgate")

_WELL_KNOWN = re.compile(r"^/([\w-]+_[0-9a-zA-Z]+)/\.well-known/(jwks\.json|openid-configuration)$")
JSON_11 = "application/x-amz-json-1.1"

Startup = Callable[[Services], Awaitable[None]]


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    db = Database(settings.effective_database_url())
    clock = clock or SystemClock()
    ids = IdGenerator()
    keys = KeyStore(db)
    return Services(
        settings=settings, db=db, clock=clock, ids=ids, keys=keys,
        hasher=PasswordHasher(settings.password_hash_time_cost, settings.password_hash_memory_kib,
                              settings.hash_workers),
        sender=OutboxSender(settings.local_mode if settings.log_codes is None else settings.log_codes),
        tokens=TokenMinter(keys, ids, settings.base_url, settings.aws_issuer),
        records=RecordCache(db, clock),
    )


class PoolgateApp:
    """Routes by host and path prefix to the control, identity and data planes."""

    def __init__(self, services: Services, on_startup: list[Startup] | None = None) -> None:
        self.services = services
        self.on_startup = on_startup or []
        self.dataplane: Any = None
        self.oauth = OAuthPlane(services)
        self.apigateway = ApiGatewayControl(services)
        self.lambdas = LambdaControl(services)
        self.query = QueryPlane(services, [STS, IAM])
        self.started = False

    async def startup(self) -> None:
        if self.started:
            return
        async with self.services.db.startup_lock():
            await self.services.db.migrate()
            for hook in self.on_startup:
                await hook(self.services)
        self.started = True

    async def shutdown(self) -> None:
        for hook in self.services.extras.get("on_shutdown", []):
            await hook()
        self.services.hasher.close()
        await self.services.db.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except ConfigError as exc:  # poolgate.yaml: the server prints file, path and problem; no traceback
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                except Exception as exc:
                    log.exception("startup failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.services.settings.local_mode:  # DNS rebinding: only loopback names (edge.py)
            refusal = local_host_refusal(self.services.settings, _host_header(scope))
            if refusal is not None:
                await _send_refusal(send, refusal, self.services.ids.uuid())
                return
        if self.dataplane is not None and self.dataplane.claims(scope):
            await self.dataplane(scope, receive, send)
            return
        request_id = self.services.ids.uuid()
        rid = ("x-amzn-requestid", request_id)
        try:
            request = await read_request(scope, receive, self.lambdas.max_body(scope))
        except BodyTooLarge:
            await send_json(send, 413, {"message": "Request Too Long"}, [rid])
            return
        except ClientDisconnected:  # the body stopped short: nothing to run, no one to answer
            return
        try:
            await self._route(request, send, request_id)
        except Exception:
            log.exception("unhandled error in request %s", request_id)
            await send_json(send, 500, {"__type": "InternalErrorException",
                                        "message": f"Internal error (request id {request_id})"}, [rid])

    async def _route(self, request: Request, send: Send, request_id: str) -> None:
        rid = ("x-amzn-requestid", request_id)
        target = request.header("x-amz-target")
        if request.method == "POST" and request.path == "/" and target:
            caller = Caller(region=self.services.settings.region, account=self.services.settings.account,
                            signed=False, access_key=None, source_ip=request.client_ip, request_id=request_id)
            service = IDENTITY if target.startswith(f"{IDENTITY.target_prefix}.") else COGNITO
            status, body = await service.handle(self.services, request, target, caller)
            headers = [rid]
            if status != 200:
                error_type, message = _error_parts(body)
                # AWS sends the type with a trailing colon, and the message in a header of its own.
                headers.append(("x-amzn-errortype", f"{error_type}:"))
                if message:
                    headers.append(("x-amzn-errormessage", _header_text(message)))
            await send_response(send, status, body, headers, JSON_11)
            return
        if request.path == openid.JWKS_PATH and request.method in ("GET", "HEAD"):
            await send_json(send, 200, await openid.jwks(self.services), [rid, wellknown.CACHE])
            return
        match = _WELL_KNOWN.match(request.path)
        if match and request.method in ("GET", "HEAD"):
            pool_id, document = match.groups()
            handler = wellknown.jwks if document == "jwks.json" else wellknown.openid_configuration
            result = await handler(self.services, pool_id)
            if result is None:
                await send_json(send, 404, {"__type": "ResourceNotFoundException",
                                            "message": f"User pool {pool_id} does not exist."}, [rid])
                return
            await send_response(send, result[0], result[1], [rid, wellknown.CACHE])
            return
        domain = oauth_match(request)
        if domain is not None:
            await self.oauth.handle(request, send, domain, request_id)
            return
        if request.path == "/_poolgate/reset" and request.method == "POST" and self.services.settings.allow_reset:
            refusal = reset_refusal(self.services.settings, request, self.services.clock.now())
            if refusal is not None:
                await _send_refusal(send, refusal, request_id)
                return
            await self.reset()
            await send_json(send, 200, {"reset": True}, [rid])
            return
        if request.path == "/_poolgate/health":
            await send_json(send, 200, {"status": "ok"}, [rid])
            return
        if request.path == "/_console" or request.path.startswith("/_console/"):
            from .console.plane import Console  # on first use: the console's imports stay out of start-up

            self.console = getattr(self, "console", None) or Console(self)
            await self.console.handle(request, send, request_id)
            return
        if self.query.claims(request):
            await self.query.handle(request, send, request_id)
            return
        if self.apigateway.claims(request):
            await self.apigateway.handle(request, send, request_id, self.dataplane)
            return
        if self.lambdas.claims(request):
            await self.lambdas.handle(request, send, request_id)
            return
        await send_json(send, 404, {"message": "Not Found"}, [rid])

    async def reset(self) -> None:
        await self.services.db.reset()
        self.services.keys.forget()
        self.services.records.clear()
        for hook in self.services.extras.get("on_reset", []):
            await hook()


def _host_header(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"host":
            return str(value.decode("latin-1"))
    return None


async def _send_refusal(send: Send, refusal: Refusal, request_id: str) -> None:
    await send_json(send, refusal.status, {"__type": refusal.code, "message": refusal.message},
                    [("x-amzn-requestid", request_id), ("x-amzn-errortype", refusal.code)])


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _header_text(message: str) -> str:
    """``message`` as a header value: latin-1, control characters (NUL, CR, LF…) as spaces, at most 1 KiB."""
    return _CONTROL.sub(" ", message.encode("latin-1", "replace").decode("latin-1"))[:1024]


def _error_parts(body: bytes) -> tuple[str, str]:
    try:
        parsed = json.loads(body)
    except ValueError:
        return "", ""
    return str(parsed.get("__type", "")).rsplit("#", 1)[-1], str(parsed.get("message") or "")


def create_app(settings: Settings, clock: Clock | None = None, on_startup: list[Startup] | None = None
               ) -> PoolgateApp:
    return PoolgateApp(build_services(settings, clock), on_startup)
