"""The passkey rules in-process (no server): which origins a relying party accepts, the default relying party,
SetUserPoolMfaConfig's RelyingPartyId check, and the WEB_AUTHN challenge state's dump/load.

Sources: W3C WebAuthn Level 3 §5.1.4.1 / §13.4.9 (an RP ID is the origin's effective domain or a registrable suffix
of it; secure contexts: https, and http on localhost); botocore's WebAuthnConfigurationType (RelyingPartyId 1..127).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from poolgate.cognito import passkeys
from poolgate.cognito.signin import state
from poolgate.errors import ServiceError
from poolgate.settings import Settings

ORIGINS = [
    ("http://localhost:8443", "localhost", True),
    ("http://localhost", "localhost", True),
    ("http://app.localhost:3000", "localhost", True),
    ("https://localhost", "localhost", True),
    ("http://127.0.0.1:8443", "localhost", False),
    ("http://localhost.evil.example", "localhost", False),
    ("http://evillocalhost", "localhost", False),
    ("http://localhost:8443/", "localhost", False),
    ("http://localhost:x", "localhost", False),
    ("https://auth.example.com", "auth.example.com", True),
    ("https://app.auth.example.com:444", "auth.example.com", True),
    ("http://auth.example.com", "auth.example.com", False),
    ("https://example.com", "auth.example.com", False),
    ("https://notauth.example.com", "auth.example.com", False),
    ("null", "localhost", False),
    ("", "localhost", False),
]


@pytest.mark.parametrize(("origin", "rp_id", "allowed"), ORIGINS)
def test_origins_a_relying_party_accepts(origin: str, rp_id: str, allowed: bool) -> None:
    assert passkeys.origin_allowed(origin, rp_id) is allowed


@pytest.mark.parametrize(("public_url", "rp_id"), [
    (None, "localhost"), ("http://127.0.0.1:8788", "localhost"), ("http://[::1]:8788", "localhost"),
    ("https://Auth.Example.com", "auth.example.com"), ("https://auth.example.com:8443/base/", "auth.example.com"),
])
def test_the_default_relying_party_is_the_hosted_uis_host(public_url: str | None, rp_id: str) -> None:
    assert passkeys.default_rp_id(Settings(data_dir=Path("."), public_url=public_url)) == rp_id


def test_a_configured_relying_party_must_be_a_host_name() -> None:
    assert passkeys.checked_configuration({"RelyingPartyId": "Auth.Example.com", "UserVerification": "required"}) \
        == {"RelyingPartyId": "auth.example.com", "UserVerification": "required"}
    for bad in ("https://auth.example.com", "auth.example.com:443", "auth.example.com/path", ".", "a b"):
        with pytest.raises(ServiceError) as refused:
            passkeys.checked_configuration({"RelyingPartyId": bad})
        assert refused.value.code == "InvalidParameterException", bad


def test_the_web_authn_state_survives_dump_and_load() -> None:
    saved = state.WebAuthn("q83vEjRWeJA")
    assert state.load(state.WEB_AUTHN, state.dump(saved)) == saved
