"""User-pool Lambda triggers run as local Python handlers, with Cognito's event shapes and errors.

A pool's ``LambdaConfig`` names functions by ARN (``arn:aws:lambda:…:function:NAME``). ``NAME`` is
resolved, in order, by ``services.extras["lambda_invoker"]`` (an async ``(name, event) -> response``
the gateway may provide), else by the ``functions:`` section of poolgate.yaml
(``NAME: {handler: file.function, code: ./dir}``), loaded here. A handler is ``handler(event, context)``
(plain or async) and returns the event with ``response`` filled in, as in AWS. An exception in a
handler becomes ``UserLambdaValidationException: <Trigger> failed with error <message>.``.

Event shapes: CogDG:cognito-user-identity-pools-working-with-aws-lambda-triggers.md and the
per-trigger pages (user-pool-lambda-*.md).
"""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ServiceError
from ..services import Services
from .domain import Client, Pool, User

log = logging.getLogger("poolgate.triggers")

TRIGGER_TIMEOUT = 5.0
"""Cognito waits 5 seconds for a trigger (CogDG: lambda triggers, 'Important considerations')."""

_SDK = "aws-sdk-unknown-unknown"


@dataclass(slots=True)
class LambdaContext:
    """The subset of the Lambda context object handlers commonly touch."""

    function_name: str
    aws_request_id: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 128
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = ""

    def get_remaining_time_in_millis(self) -> int:
        return int(TRIGGER_TIMEOUT * 1000)


def function_name(arn: str) -> str:
    """``NAME`` of ``arn:aws:lambda:region:account:function:NAME[:qualifier]`` (or a bare name)."""
    parts = arn.split(":")
    if len(parts) >= 7 and parts[5] == "function":
        return parts[6]
    return arn


_loaded: dict[tuple[str, float], Any] = {}


def _load_handler(code_dir: Path, handler: str) -> Any:
    """Import ``file.function`` from ``code_dir`` (re-imported when the file changes)."""
    module_path, _, attr = handler.rpartition(".")
    source = code_dir / (module_path.replace(".", "/") + ".py")
    key = (str(source.resolve()), source.stat().st_mtime)
    module = _loaded.get(key)
    if module is None:
        name = f"poolgate_fn_{abs(hash(key))}"
        spec = importlib.util.spec_from_file_location(name, source)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {source}")
        module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, str(code_dir))
        try:
            spec.loader.exec_module(module)
        finally:
            sys.path.remove(str(code_dir))
        _loaded[key] = module
    return getattr(module, attr)


def _declared_function(services: Services, name: str) -> Any:
    declared = services.extras.get("functions")
    spec: Any = declared.get(name) if isinstance(declared, dict) else None
    config = services.extras.get("config")
    base = config.base_dir if config is not None else Path.cwd()
    if spec is None and config is not None:
        spec = (config.raw.get("functions") or {}).get(name)
    if spec is None:
        return None
    handler = spec.get("handler") if isinstance(spec, dict) else getattr(spec, "handler", None)
    code = spec.get("code", ".") if isinstance(spec, dict) else getattr(spec, "code", ".")
    code_dir = Path(code)
    if not code_dir.is_absolute():
        code_dir = base / code_dir
    return _load_handler(code_dir, str(handler))


async def run_function(services: Services, arn: str, event: dict[str, Any]) -> Any:
    """Invoke the function behind ``arn`` with ``event``; returns what the handler returned."""
    name = function_name(arn)
    invoker = services.extras.get("lambda_invoker")
    if invoker is not None:
        return await invoker(name, event)
    runtime = services.extras.get("function_runtime")  # the data plane's dataplane.functions.FunctionRuntime
    if runtime is not None and name in getattr(runtime, "functions", {}):
        return await runtime.invoke(name, event, services.ids.uuid(), TRIGGER_TIMEOUT)
    handler = _declared_function(services, name)
    if handler is None:
        raise LookupError(f"function {name} is not declared under functions: in poolgate.yaml")
    context = LambdaContext(name, services.ids.uuid(), arn)
    if inspect.iscoroutinefunction(handler):
        return await asyncio.wait_for(handler(event, context), TRIGGER_TIMEOUT)
    return await asyncio.wait_for(asyncio.to_thread(handler, event, context), TRIGGER_TIMEOUT)


def configured(pool: Pool, trigger: str) -> str | None:
    """The ARN configured for ``trigger`` (``PreSignUp``, ``PreTokenGeneration`` …), if any."""
    config = pool.config.get("LambdaConfig") or {}
    if trigger == "PreTokenGeneration":
        v2 = config.get("PreTokenGenerationConfig") or {}
        return v2.get("LambdaArn") or config.get("PreTokenGeneration")
    arn = config.get(trigger)
    return str(arn) if arn else None


def user_attributes(pool: Pool, user: User) -> dict[str, str]:
    """``request.userAttributes`` as Cognito sends them: sub, the sign-in aliases, status and the attributes."""
    return {"sub": user.sub, **_aliases(pool, user), "cognito:user_status": user.status, **user.attributes}


def _aliases(pool: Pool, user: User) -> dict[str, str]:
    """``cognito:email_alias`` / ``cognito:phone_number_alias``: the e-mail and phone the user signs in with.

    Real events carry them where e-mail or phone is a username attribute or an alias of the pool (captures in
    public trigger code, e.g. PostConfirmation_ConfirmSignUp of pool us-east-1_nyoFFfn5v: an e-mail username with
    ``"email_verified": "false"`` still has ``cognito:email_alias``; Define/CreateAuthChallenge of us-east-1_WSiWKrxdj
    with ``cognito:phone_number_alias``). Which values count follows ``repo.find_user``: a username attribute
    always, an alias attribute once verified (UNCONFIRMED: no capture of an unverified alias attribute found).
    """
    found: dict[str, str] = {}
    for attr in ("email", "phone_number"):
        value = user.attributes.get(attr)
        if not value:
            continue
        verified = user.attributes.get(f"{attr}_verified", "false").lower() == "true"
        if attr in pool.username_attributes or (attr in pool.alias_attributes and verified):
            found[f"cognito:{attr}_alias"] = value
    return found


def user_not_found(client: Client, missing: bool = False) -> dict[str, bool]:
    """``request.userNotFound`` of PreAuthentication and the custom-auth triggers: only for an app client with
    PreventUserExistenceErrors ENABLED ("This boolean is populated when PreventUserExistenceErrors is set to
    ENABLED", Cognito Developer Guide, Pre authentication Lambda trigger; captures from LEGACY clients have no
    such key). ``missing``: the name signing in matches no user ("A value of true means that the user id (user name,
    email address, etc.) did not match any existing users", CogDG:user-pool-lambda-define-auth-challenge.md), which
    only PreAuthentication and the custom-auth triggers are run for (``unknown_users.py``, ``signin/custom.py``)."""
    return {"userNotFound": missing} if client.prevent_user_existence_errors else {}


def event(pool: Pool, client: Client | None, username: str, source: str, request: dict[str, Any],
          response: dict[str, Any] | None = None, version: str = "1") -> dict[str, Any]:
    """The common envelope of every user-pool trigger event."""
    client_id = client.client_id if client else "CLIENT_ID_NOT_APPLICABLE"
    return {"version": version, "triggerSource": source, "region": pool.region, "userPoolId": pool.id,
            "userName": username, "callerContext": {"awsSdkVersion": _SDK, "clientId": client_id},
            "request": request, "response": response if response is not None else {}}


async def invoke(services: Services, pool: Pool, trigger: str, body: dict[str, Any],
                 *, error_code: str = "UserLambdaValidationException") -> dict[str, Any] | None:
    """Run ``trigger`` if the pool configures it; returns the handler's ``response`` (None when unset).

    A failing handler raises ``error_code`` with Cognito's ``<Trigger> failed with error <message>.``.
    """
    arn = configured(pool, trigger)
    if not arn:
        return None
    try:
        result = await run_function(services, arn, body)
    except ServiceError:
        raise
    except TimeoutError as exc:
        raise ServiceError(error_code, f"{trigger} failed with error Task timed out after "
                                       f"{TRIGGER_TIMEOUT:.2f} seconds.") from exc
    except Exception as exc:  # the handler's own failure, reported as Cognito reports it
        log.info("trigger %s of %s failed: %r", trigger, pool.id, exc)
        raise ServiceError(error_code, f"{trigger} failed with error {exc}.") from exc
    if not isinstance(result, dict):
        # what Cognito says when a trigger returns no JSON object (aws/aws-sdk-js#2692, amplify-cli#2735)
        raise ServiceError("InvalidLambdaResponseException", "Invalid lambda function output : Invalid JSON")
    response = result.get("response")
    return response if isinstance(response, dict) else {}
