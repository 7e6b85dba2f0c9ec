"""An in-process poolgate (SQLite) whose clock tests can move, with the trigger handlers in ``handlers/``."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import uvicorn

from poolgate.server import build_app
from poolgate.settings import Settings

from ..conftest import cognito_client
from ..support import free_port

HANDLERS = Path(__file__).parent / "handlers"
TRIGGERS = ["PreSignUp", "PostConfirmation", "PreAuthentication", "PostAuthentication", "PreTokenGeneration",
            "CustomMessage", "UserMigration", "DefineAuthChallenge", "CreateAuthChallenge",
            "VerifyAuthChallengeResponse"]
PASSWORD = "Correct-Horse-9!"


class ShiftedClock:
    """Real time plus an offset that tests move forward (token and SRP timestamps stay realistic)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass
class LiveServer:
    url: str
    clock: ShiftedClock
    data_dir: Path
    events_dir: Path

    def outbox(self, username: str | None = None) -> list[dict[str, Any]]:
        with sqlite3.connect(self.data_dir / "poolgate.db") as db:
            db.row_factory = sqlite3.Row
            rows = db.execute("SELECT * FROM outbox ORDER BY id").fetchall()
        return [dict(r) for r in rows if username is None or r["username"] == username]

    def events(self, trigger: str) -> list[dict[str, Any]]:
        path = self.events_dir / f"{trigger}.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("poolgate-auth")
    events_dir = tmp_path_factory.mktemp("trigger-events")
    config = data_dir / "poolgate.yaml"
    functions = {f"{name.lower()}-fn": {"handler": f"triggers.{_snake(name)}", "code": str(HANDLERS)}
                 for name in TRIGGERS}
    config.write_text(json.dumps({"functions": functions}))
    import os

    os.environ["TRIGGER_EVENTS_DIR"] = str(events_dir)
    port = free_port()
    settings = Settings(port=port, data_dir=data_dir, config_file=config, allow_reset=True, log_codes=False,
                        password_hash_time_cost=1, password_hash_memory_kib=1024)
    app = build_app(settings, demo_if_no_config=False)
    clock = ShiftedClock()
    app.services.clock = clock
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_level="warning"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/_poolgate/health", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.05)
    yield LiveServer(url, clock, data_dir, events_dir)
    server.should_exit = True
    thread.join(10)


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def trigger_arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:000000000000:function:{name.lower()}-fn"


@pytest.fixture
def idp(live: LiveServer) -> Any:
    return cognito_client(live.url)


def make_pool(idp: Any, flows: list[str] | None = None, secret: bool = False, triggers: list[str] | None = None,
              **settings: Any) -> tuple[str, str, str | None]:
    """A fresh pool and app client; returns (pool id, client id, client secret)."""
    if triggers:
        lambda_config = dict(settings.pop("LambdaConfig", {}))
        lambda_config.update({t: trigger_arn(t) for t in triggers})
        settings["LambdaConfig"] = lambda_config
    pool = idp.create_user_pool(PoolName=f"auth-{time.monotonic_ns()}", **settings)["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="app", GenerateSecret=secret,
        ExplicitAuthFlows=flows or ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
                                    "ALLOW_CUSTOM_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"])["UserPoolClient"]
    return pool, client["ClientId"], client.get("ClientSecret")


def make_user(idp: Any, pool: str, username: str, password: str = PASSWORD,
              attributes: dict[str, str] | None = None) -> None:
    attrs = [{"Name": k, "Value": v} for k, v in (attributes or {}).items()]
    idp.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS", UserAttributes=attrs)
    idp.admin_set_user_password(UserPoolId=pool, Username=username, Password=password, Permanent=True)


@pytest.fixture(autouse=True)
def _clock_back(live: LiveServer) -> Iterator[None]:
    """Each test starts on real time (PyJWT checks ``iat`` against the wall clock)."""
    live.clock.offset = 0.0
    yield
    live.clock.offset = 0.0
