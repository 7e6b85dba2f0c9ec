"""``poolgate serve | codes``: thin wrappers over settings, the app and the store."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .serving import add_connection_flags
from .settings import CredentialError, IamCredential, Settings, parse_credentials

if TYPE_CHECKING:
    from .app import PoolgateApp
    from .boot import DeferredStart

STARTUP_FAILURE = 3
"""uvicorn's exit code for a failed lifespan start-up (``uvicorn.config.STARTUP_FAILURE``), kept for a start
``boot.DeferredStart`` finishes after listening."""

log = logging.getLogger("poolgate")


def _credentials(args: argparse.Namespace) -> list[IamCredential]:
    """--credentials, then POOLGATE_CREDENTIALS (comma-separated; an empty variable is unset); raises
    CredentialError on a bad entry."""
    creds = parse_credentials(args.credentials or [], "--credentials")
    env = os.environ.get("POOLGATE_CREDENTIALS")
    if env:
        creds += parse_credentials(env.split(","), "POOLGATE_CREDENTIALS")
    return creds


def _settings_from(args: argparse.Namespace) -> Settings:
    env = os.environ
    return Settings(
        host=args.host, port=args.port, data_dir=Path(args.data_dir),
        database_url=args.database_url or env.get("POOLGATE_DATABASE_URL"),
        public_url=args.public_url or env.get("POOLGATE_PUBLIC_URL"),
        config_file=Path(args.config) if args.config else None,
        allow_reset=args.allow_reset, ephemeral=args.ephemeral,
        redis_url=args.redis_url or env.get("POOLGATE_REDIS_URL"),
        redis_prefix=args.redis_prefix or env.get("POOLGATE_REDIS_PREFIX") or "poolgate:",
        region=args.region, aws_issuer=args.aws_issuer, credentials=_credentials(args),
    )


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


async def _freeze_heap(services: object) -> None:
    """Once started, move everything loaded so far (botocore models, config, compiled APIs) out of the cyclic
    garbage collector's sight: its full collections then scan only what requests allocate, instead of
    pausing every request in flight for tens of milliseconds under load (bench/RESULTS.md)."""
    gc.collect()
    gc.freeze()


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .serving import connection_limits, http_protocol

    limits = connection_limits(args)

    try:
        settings = _settings_from(args)
    except CredentialError as exc:
        print(f"poolgate: refusing to start: {exc}", file=sys.stderr)
        return 2
    if not settings.is_loopback and settings.local_mode:
        print(f"poolgate: refusing to listen on {settings.host} without credentials: outside loopback, "
              "control-plane calls must be signed by known keys. Pass --credentials AK:SK[:ACCOUNT] "
              "(or POOLGATE_CREDENTIALS), or bind to 127.0.0.1.", file=sys.stderr)
        return 2
    temp_dir = None
    if settings.ephemeral and not settings.database_url:
        temp_dir = tempfile.mkdtemp(prefix="poolgate-")
        settings.data_dir = Path(temp_dir)
    elif not settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    front: DeferredStart | None = None
    if settings.config_file is None and args.no_demo and not args.template:  # nothing declared: listen first,
        # load behind (boot.py)
        from .boot import DeferredStart

        front = DeferredStart(settings, lambda: _build(settings, args), lambda: setattr(server, "should_exit", True),
                              lambda: bool(server.started))
        app: Any = front
    else:
        try:
            app = _build(settings, args)
        except Exception as exc:  # config errors name the file and the path in it
            print(f"poolgate: {exc}", file=sys.stderr)
            return 2
    config = uvicorn.Config(app, host=settings.host, port=settings.port, lifespan="on",
                            log_level=args.log_level, access_log=False, loop="auto", http=http_protocol(limits),
                            timeout_graceful_shutdown=10)
    server = uvicorn.Server(config)
    # uvicorn re-raises SIGTERM after its graceful shutdown; with the default handler that kills the process
    # before `finally` runs and an --ephemeral store would be left behind. Exit normally instead.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    from .runtime import register, unregister

    record = register(settings)  # so that `poolgate codes` finds this server's database from any folder
    try:
        server.run()
    except SystemExit:  # uvicorn's exit on a failed start: a --template refused while applying it exits 2
        if front is None and app.services.extras.get("exit_code"):
            return int(app.services.extras["exit_code"])
        raise
    finally:
        unregister(record)
        if temp_dir:
            shutil.rmtree(temp_dir, ignore_errors=True)
    return STARTUP_FAILURE if front is not None and front.failed else 0


def _build(settings: Settings, args: argparse.Namespace) -> PoolgateApp:
    from .server import build_app, describe_startup

    stacks = None
    if args.template:  # read, SAM-transformed and checked before listening: a malformed one exits 2
        from .templates import parse_parameters, read_stacks

        stacks = read_stacks([Path(path) for path in args.template], parse_parameters(args.parameter or []),
                             settings.region, settings.account, settings.data_dir)
    app = build_app(settings, demo_if_no_config=not args.no_demo, templates=stacks)
    app.on_startup.append(describe_startup)
    app.on_startup.append(_freeze_heap)
    return app


def codes(args: argparse.Namespace) -> int:
    from .outbox import print_codes

    url = _database_url(args)
    return 1 if url is None else asyncio.run(print_codes(url, args.pool, args.user))


def _database_url(args: argparse.Namespace) -> str | None:
    """The server's database, found as ``serve`` finds it (``runtime.py``); None, said on stderr, if none."""
    from .runtime import StorageNotFound, locate_database

    try:
        return locate_database(args.database_url, args.data_dir)
    except StorageNotFound as exc:
        print(f"poolgate: {exc}", file=sys.stderr)
        return None


def rotate_keys(args: argparse.Namespace) -> int:
    """New signing keys for a pool; running servers sign with them within seconds, and the old keys stay in
    the JWKS until every token they signed has expired."""
    from .clock import SystemClock
    from .cognito.keys import RELOAD_SECONDS, KeyStore
    from .cognito.repo import find_pool
    from .store.db import Database

    url = _database_url(args)
    if url is None:
        return 1

    async def run() -> int:
        db = Database(url)
        try:
            async with db.read() as conn:
                if await find_pool(conn, args.pool) is None:
                    print(f"poolgate: user pool {args.pool} does not exist", file=sys.stderr)
                    return 1
            await KeyStore(db).rotate(args.pool, SystemClock().now())
        finally:
            await db.close()
        print(f"rotated the signing keys of {args.pool}: running servers use them within {RELOAD_SECONDS:.0f} s")
        return 0

    return asyncio.run(run())


def _storage_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", metavar="DIR", help="the server's --data-dir (its banner prints it)")
    parser.add_argument("--database-url", metavar="URL", help="the server's --database-url")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="poolgate", description="A self-hosted, AWS-compatible API gateway with Cognito-style user pools: "
        "boto3, the AWS CLI and the Cognito SDKs work against it unchanged.",
        epilog="Run `poolgate COMMAND --help` for a command's options. `poolgate serve` without --config starts "
        "the SecurePets demo.")
    sub = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    s = sub.add_parser("serve", help="run the server (with no --config: the embedded SecurePets demo)",
                       description="Run the server: control plane, hosted UI and gateway on one port. "
                       "POOLGATE_HOST, _PORT, _DATA_DIR, _DATABASE_URL, _PUBLIC_URL, _REDIS_URL, _REDIS_PREFIX, "
                       "_REGION and _CREDENTIALS set the flags of those names.")
    s.add_argument("--config", metavar="FILE", help="poolgate.yaml to apply at start (default: the embedded demo)")
    s.add_argument("--template", action="append", metavar="FILE",
                   help="a SAM or CloudFormation template (YAML or JSON, e.g. template.yaml or cdk.out/*.template"
                   ".json) whose user pools, REST APIs and functions are created at start and updated when it "
                   "changes; prints its Outputs (repeatable)")
    s.add_argument("--parameter", action="append", metavar="KEY=VALUE",
                   help="a value for a template's parameter (repeatable); others take their Default")
    s.add_argument("--host", default=os.environ.get("POOLGATE_HOST", "127.0.0.1"),
                   help="address to listen on (default 127.0.0.1; beyond loopback --credentials are required)")
    s.add_argument("--port", type=int, default=int(os.environ.get("POOLGATE_PORT", "8788")),
                   help="port to listen on (default 8788)")
    s.add_argument("--data-dir", metavar="DIR", default=os.environ.get("POOLGATE_DATA_DIR", ".poolgate"),
                   help="folder of the SQLite database, created on first start (default .poolgate)")
    s.add_argument("--database-url", metavar="URL",
                   help="SQLAlchemy URL of the database instead, e.g. postgresql+asyncpg://host:5432/poolgate")
    s.add_argument("--public-url", metavar="URL",
                   help="the address clients use: base of token issuers and links (default http://HOST:PORT)")
    s.add_argument("--redis-url", metavar="URL", help="share throttling, quotas and authorizer caches through Redis")
    s.add_argument("--redis-prefix", metavar="PREFIX", help="prefix of poolgate's Redis keys (default poolgate:)")
    s.add_argument("--region", default=os.environ.get("POOLGATE_REGION", "us-east-1"),
                   help="region of unsigned calls and of pools created without one (default us-east-1)")
    s.add_argument("--credentials", action="append", metavar="AK:SK[:ACCOUNT]",
                   help="an access key that may sign control-plane calls, and its account (repeatable); "
                   "without any, local mode accepts every key on loopback")
    s.add_argument("--aws-issuer", action="store_true",
                   help="tokens carry https://cognito-idp.{region}.amazonaws.com/{poolId} as issuer")
    s.add_argument("--allow-reset", action="store_true", help="enable POST /_poolgate/reset")
    s.add_argument("--ephemeral", action="store_true", help="keep state in a temporary store")
    s.add_argument("--no-demo", action="store_true", help="without --config, start empty")
    s.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug", "trace"],
                   help="server log level (default info)")
    add_connection_flags(s)
    where = ("By default the database is the running `poolgate serve`'s (from any folder, --ephemeral too), "
             "else ./.poolgate's; a database that does not exist is never created.")
    c = sub.add_parser("codes", help="print the codes a pool sent (sign-up, invitation, reset, MFA)",
                       description="Print the codes in a user pool's outbox, oldest first. " + where)
    c.add_argument("--pool", required=True, metavar="POOL_ID", help="user pool id, e.g. us-east-1_SecurePet")
    c.add_argument("--user", metavar="NAME", help="only this user's: username, e-mail, phone or preferred_username")
    _storage_flags(c)
    r = sub.add_parser("rotate-keys", help="give a user pool new signing keys",
                       description="Give a user pool new signing keys; running servers sign with them within "
                       "seconds and keep the old ones in the JWKS until their tokens expire. " + where)
    r.add_argument("--pool", required=True, metavar="POOL_ID", help="user pool id, e.g. us-east-1_SecurePet")
    _storage_flags(r)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # one line per plugin: noise
    if args.command == "serve":
        return serve(args)
    if args.command == "codes":
        return codes(args)
    if args.command == "rotate-keys":
        return rotate_keys(args)
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
