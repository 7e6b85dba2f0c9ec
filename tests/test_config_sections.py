"""The top-level sections of poolgate.yaml are listed in one place (``server.config_sections``), not registered by
importing modules: what a file may hold no longer depends on what was imported first, and the stages the file
declares are compiled once (when the file is read), not again when the data plane is built."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import poolgate.dataplane.config
from poolgate.config import ConfigError
from poolgate.server import build_app, config_sections, read_config
from poolgate.settings import Settings
from tests.support import free_port

API = {"id": "sectionsapi", "name": "sections", "stages": {"prod": {}, "beta": {}},
       "resources": {"/x": {"GET": {"integration": {"type": "MOCK", "statusCode": 200, "body": "{}"}}}}}

PROBE = """
import json, sys
from pathlib import Path
from poolgate.config import ConfigError, load_config

def outcome():
    try:
        load_config(Path(sys.argv[1]))
        return "accepted"
    except ConfigError as exc:
        return str(exc)

first = outcome()
import poolgate.server  # noqa: E402  (what used to add the gateway's sections)
print(json.dumps([first, outcome()]))
"""


def _file(tmp_path: Path, config: dict[str, Any]) -> Path:
    path = tmp_path / "poolgate.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def test_what_a_file_may_hold_does_not_depend_on_what_was_imported_before(tmp_path: Path) -> None:
    path = _file(tmp_path, {"apis": [API]})
    done = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    first, second = json.loads(done.stdout)
    assert first == second  # before: refused ('unknown key'), then accepted once poolgate.server was imported
    assert read_config(path).parsed["apis"] is not None  # the server's reading: every section


def test_the_sections_are_the_servers_list(tmp_path: Path) -> None:
    assert sorted(config_sections()) == ["apiKeys", "apis", "functions", "iam", "usagePlans"]
    with pytest.raises(ConfigError) as refused:
        read_config(_file(tmp_path, {"apiz": []}))
    assert ("$.apiz: unknown key (expected one of apiKeys, apis, functions, iam, usagePlans, userPools)"
            in str(refused.value))


def test_serve_refuses_an_unknown_key_naming_every_section(tmp_path: Path) -> None:
    path = _file(tmp_path, {"apiz": []})
    done = subprocess.run([sys.executable, "-m", "poolgate.cli", "serve", "--config", str(path), "--ephemeral",
                           "--port", str(free_port())], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "$.apiz: unknown key (expected one of apiKeys, apis, functions, iam, usagePlans, userPools)" in done.stderr


def test_each_declared_stage_is_compiled_once_when_the_app_is_built(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str] = []
    original = poolgate.dataplane.config.compile_deployment

    def counting(api: Any, stage: Any, *args: Any, **kwargs: Any) -> Any:
        compiled.append(stage.name)
        return original(api, stage, *args, **kwargs)

    monkeypatch.setattr(poolgate.dataplane.config, "compile_deployment", counting)
    path = _file(tmp_path, {"apis": [API]})
    app = build_app(Settings(data_dir=tmp_path, config_file=path, region="eu-west-1"), demo_if_no_config=False)
    assert sorted(compiled) == ["beta", "prod"]  # before: each twice (validation, then the plane)
    served = app.dataplane.deployments["sectionsapi"]
    assert sorted(served) == ["beta", "prod"]
    assert served["prod"].api.region == "eu-west-1"  # compiled with the server's settings, not the defaults
