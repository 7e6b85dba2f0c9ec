"""Every example in the README runs: the complete poolgate.yaml (examples/complete/, started in test_examples.py),
its error messages, the boto3 and AWS CLI snippets on a machine with no AWS configuration, `poolgate codes` and
the hosted-UI walk-through on the demo."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from poolgate.config import ConfigError
from poolgate.server import read_config  # every section, as `poolgate serve` reads the file
from tests.support import Server, start_server, stop_server
from tests.test_banner import sign_in_on_hosted_ui

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "src" / "poolgate" / "demo"


def _example() -> str:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## `poolgate.yaml`"):]
    return re.search(r"```yaml\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]


def _workspace(tmp_path: Path) -> Path:
    functions = tmp_path / "functions"
    functions.mkdir()
    shutil.copy(DEMO / "functions" / "pets.py", functions / "pets.py")
    (functions / "triggers.py").write_text("def pre_token(event, context):\n    return event\n")
    (functions / "auth.py").write_text("def handler(event, context):\n    raise Exception('Unauthorized')\n")
    shutil.copy(DEMO / "petstore.yaml", tmp_path / "petstore.yaml")
    return tmp_path


def test_the_readme_shows_the_examples_file() -> None:
    """The README's poolgate.yaml is examples/complete/poolgate.yaml, which tests/docs/test_examples.py starts and
    probes: the README's example cannot rot."""
    assert _example() == (ROOT / "examples" / "complete" / "poolgate.yaml").read_text()


def test_the_complete_example_loads() -> None:
    config = read_config(ROOT / "examples" / "complete" / "poolgate.yaml")
    assert [pool["id"] for pool in config.user_pools] == ["us-east-1_SecurePet"]
    assert {"functions", "apis", "iam", "apiKeys", "usagePlans"} <= set(config.raw)


def test_the_error_example_is_what_poolgate_says(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text()
    quoted = re.search(r"`(poolgate\.yaml: \$\.apis\[\d\][^`]*)`", text).group(1)  # type: ignore[union-attr]
    path = _workspace(tmp_path) / "poolgate.yaml"
    path.write_text(_example().replace("integration: {type: AWS_PROXY, function: pets}}\n      /pets/{petId}",
                                       "integration: {type: LAMBDA, function: pets}}\n      /pets/{petId}", 1))
    with pytest.raises(ConfigError) as caught:
        read_config(path)
    message = str(caught.value)
    assert message.endswith(quoted.split(": ", 1)[1]), message


def test_the_settings_error_example_is_what_poolgate_says(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text()
    quoted = re.search(r"`(poolgate\.yaml: \$\.userPools\[0\]\.settings[^`]*)`", text).group(1)  # type: ignore[union-attr]
    path = tmp_path / "poolgate.yaml"
    path.write_text("userPools:\n  - name: p\n    settings: {MfaConfiguration: SOMETIMES}\n")
    with pytest.raises(ConfigError) as caught:
        read_config(path)
    assert str(caught.value) == f"{tmp_path}/{quoted}"


def _section(title: str) -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start:end]


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A runtime folder of these tests' own (servers other tests start are not seen by `poolgate codes`)."""
    return tmp_path_factory.mktemp("runtime")


@pytest.fixture(scope="module")
def demo(runtime: Path) -> Iterator[Server]:
    server = start_server(env={"XDG_RUNTIME_DIR": str(runtime)})  # the embedded demo, as `poolgate serve` runs it
    try:
        yield server
    finally:
        stop_server(server)


def _bare_environment(home: Path) -> dict[str, str]:
    """A machine with no AWS configuration: an empty HOME and no AWS_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**env, "HOME": str(home), "AWS_CONFIG_FILE": str(home / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "none")}


def test_the_aws_cli_example_runs_on_a_machine_without_aws_configuration(tmp_path: Path, demo: Server) -> None:
    if shutil.which("aws") is None:
        pytest.fail("the AWS CLI is a test dependency (pyproject.toml [test]: awscli)")
    script = re.search(r"```sh\n(.*?)```", _section("Using it from AWS tools"), re.S).group(1)  # type: ignore[union-attr]
    assert "aws --endpoint-url" in script
    home = tmp_path / "home"
    home.mkdir()
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script.replace(":8788", f":{demo.port}")],
                          env=_bare_environment(home), capture_output=True, text=True, timeout=120, cwd=home)
    assert done.returncode == 0, done.stderr
    pools = json.loads(done.stdout)["UserPools"]
    assert [(p["Id"], p["Name"]) for p in pools] == [("us-east-1_SecurePet", "SecurePets")]


def test_the_boto3_example_runs(tmp_path: Path, demo: Server) -> None:
    code = re.search(r"```python\n(.*?)```", _section("Using it from AWS tools"), re.S).group(1)  # type: ignore[union-attr]
    namespace: dict[str, Any] = {}
    exec(compile(code.replace(":8788", f":{demo.port}"), "README.md", "exec"), namespace)
    assert namespace["pool"]["Id"].startswith("us-east-1_")
    assert namespace["pool"]["AutoVerifiedAttributes"] == ["email"]


def test_the_codes_example_prints_the_demo_users_code(tmp_path: Path, demo: Server, runtime: Path) -> None:
    """Run from another folder, as a newcomer would, after the demo user asked for a password reset."""
    command = re.search(r"`(poolgate codes [^`]*)`", _section("Using it from AWS tools")).group(1)  # type: ignore[union-attr]
    idp = boto3.client("cognito-idp", endpoint_url=demo.url, region_name="us-east-1",
                       aws_access_key_id="AKIDTEST", aws_secret_access_key="secret")
    idp.forgot_password(ClientId="securepetsdemo0client0001a", Username="demo")
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "POOLGATE_DATA_DIR": "", "POOLGATE_DATABASE_URL": ""}
    done = subprocess.run([sys.executable, "-m", "poolgate.cli", *shlex.split(command)[1:]], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^\S+\tdemo\tEMAIL \S+\t\d{6}$", done.stdout, re.M), done.stdout


def test_the_hosted_ui_walkthrough_works_on_the_demo(tmp_path: Path, demo: Server) -> None:
    section = _section("Hosted UI and OAuth 2.0")
    url = re.search(r"\(`(http://127\.0\.0\.1:8788/_domains/securepets/login\?[^`]+)`\)", section).group(1)  # type: ignore[union-attr]
    url = url.replace(":8788", f":{demo.port}")
    assert f"    sign in on the hosted UI: {url}" in demo.log().splitlines()  # the URL the banner prints
    location = sign_in_on_hosted_ui(url, "demo", "Demo-Passw0rd!")
    code = parse_qs(urlsplit(location).query)["code"][0]
    script = re.search(r"```sh\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script.replace(":8788", f":{demo.port}")],
                          env={**os.environ, "CODE": code}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert {"id_token", "access_token", "refresh_token"} <= set(json.loads(done.stdout))


def test_the_demo_walkthrough_runs(demo: Server) -> None:
    script = re.search(r"```sh\n(.*?)```", _section("The demo"), re.S).group(1)  # type: ignore[union-attr]
    script = script.replace(":8788", f":{demo.port}")
    marked = "\n".join(f'echo "<<next>>"; {line}' if line.startswith("curl") else line
                       for line in script.replace("\\\n", " ").splitlines())
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", marked], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    unauthenticated, listing = done.stdout.split("<<next>>\n")[1:]
    assert unauthenticated.startswith("HTTP/1.1 401")
    assert {pet["name"] for pet in json.loads(listing)} >= {"Rex", "Tom"}
