"""poolgate.yaml's ``userPools[].identityProviders`` (issue 16): checked by CreateIdentityProvider's model through
the control plane's entry point, applied through the same functions as the API (before the clients that name
them), and refused at start with the file's path and AWS's words, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from poolgate.config import ConfigError
from poolgate.server import read_config

from ..conftest import cognito_client
from ..support import free_port, start_server, stop_server

FILE = """userPools:
  - id: us-east-1_Declared1
    name: declared
    identityProviders:
      - name: {name}
        type: {kind}
        details: {{client_id: cid, client_secret: sec, authorize_scopes: "openid email",
                   attributes_request_method: GET, oidc_issuer: "http://127.0.0.1:9/us-east-1_Up"}}
        attributeMapping: {{email: email}}
        idpIdentifiers: [corp.example]
    clients:
      - name: web
        settings: {{SupportedIdentityProviders: [COGNITO, {client_provider}]}}
"""


def _text(name: str = "Corp", kind: str = "OIDC", client_provider: str = "Corp") -> str:
    return FILE.format(name=name, kind=kind, client_provider=client_provider)


def _refusal(tmp_path: Path, text: str) -> str:
    path = tmp_path / "poolgate.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        read_config(path)
    return str(caught.value).removeprefix(f"{path}: ")


def test_entries_are_checked_against_the_model(tmp_path: Path) -> None:
    assert _refusal(tmp_path, _text(kind="Okta")).startswith(
        "$.userPools[0].identityProviders[0].type: Value 'Okta' at 'providerType' failed to satisfy constraint")
    assert _refusal(tmp_path, _text().replace("idpIdentifiers", "identifiers")) .startswith(
        "$.userPools[0].identityProviders[0].identifiers: unknown key")
    no_details = "\n".join(line for line in _text().splitlines() if "client_id" not in line
                           and "attributes_request_method" not in line)
    assert "$.userPools[0].identityProviders[0]" in _refusal(tmp_path, no_details)


def _serve(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "poolgate.yaml"
    path.write_text(text)
    return subprocess.run([sys.executable, "-m", "poolgate.cli", "serve", "--config", str(path), "--ephemeral",
                           "--port", str(free_port())], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("text", "where", "message"), [
    (_text(name="MyGoogle", kind="Google"), "identityProviders[0]", "InvalidParameterException: ProviderName must be "
                                                                     "Google"),
    (_text(client_provider="Other"), "clients[0]", "InvalidParameterException: The provider Other does not exist "
                                                   "for User Pool us-east-1_Declared1"),
], ids=["social-name", "client-names-unknown-provider"])
def test_business_rules_fail_at_start_naming_the_entry(tmp_path: Path, text: str, where: str, message: str) -> None:
    done = _serve(tmp_path, text)
    assert done.returncode != 0
    assert f"{tmp_path / 'poolgate.yaml'}: $.userPools[0].{where}: {message}" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_the_file_is_applied_and_its_changes_win_at_restart(tmp_path: Path) -> None:
    path = tmp_path / "poolgate.yaml"
    path.write_text(_text())
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    srv = start_server("--config", str(path), data_dir=data_dir)
    try:
        idp = cognito_client(srv.url)
        provider = idp.describe_identity_provider(UserPoolId="us-east-1_Declared1",
                                                  ProviderName="Corp")["IdentityProvider"]
        assert provider["IdpIdentifiers"] == ["corp.example"]
        assert provider["AttributeMapping"] == {"email": "email", "username": "sub"}
    finally:
        stop_server(srv)
    path.write_text(_text().replace('"openid email"', '"openid profile"').replace("[corp.example]", "[corp.test]"))
    srv = start_server("--config", str(path), data_dir=data_dir)
    try:
        idp = cognito_client(srv.url)
        provider = idp.describe_identity_provider(UserPoolId="us-east-1_Declared1",
                                                  ProviderName="Corp")["IdentityProvider"]
        assert provider["ProviderDetails"]["authorize_scopes"] == "openid profile"
        assert provider["IdpIdentifiers"] == ["corp.test"]
        assert len(idp.list_identity_providers(UserPoolId="us-east-1_Declared1")["Providers"]) == 1
    finally:
        stop_server(srv)
