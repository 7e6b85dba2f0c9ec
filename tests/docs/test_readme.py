"""The README's complete poolgate.yaml example loads as written, and its error example is real."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import poolgate.server  # noqa: F401  (registers the gateway's sections of the file, as `poolgate serve` does)
from poolgate.config import ConfigError, load_config

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
    config = load_config(ROOT / "examples" / "complete" / "poolgate.yaml")
    assert [pool["id"] for pool in config.user_pools] == ["us-east-1_SecurePet"]
    assert {"functions", "apis", "iam", "apiKeys", "usagePlans"} <= set(config.raw)


def test_the_error_example_is_what_poolgate_says(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text()
    quoted = re.search(r"`(poolgate\.yaml: \$\.apis\[\d\][^`]*)`", text).group(1)  # type: ignore[union-attr]
    path = _workspace(tmp_path) / "poolgate.yaml"
    path.write_text(_example().replace("integration: {type: AWS_PROXY, function: pets}}\n      /pets/{petId}",
                                       "integration: {type: LAMBDA, function: pets}}\n      /pets/{petId}", 1))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.endswith(quoted.split(": ", 1)[1]), message


def test_the_settings_error_example_is_what_poolgate_says(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text()
    quoted = re.search(r"`(poolgate\.yaml: \$\.userPools\[0\]\.settings[^`]*)`", text).group(1)  # type: ignore[union-attr]
    path = tmp_path / "poolgate.yaml"
    path.write_text("userPools:\n  - name: p\n    settings: {MfaConfiguration: SOMETIMES}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{tmp_path}/{quoted}"
