"""Every secret compared against request text (MACs, CSRF tokens, SigV4 signatures, TOTP codes, PKCE
verifiers, client secrets) is compared in constant time on bytes: non-ASCII text is refused, never a 500."""

from __future__ import annotations

import asyncio
import time

import pyotp
import pytest

from poolgate.awsproto import sigv4
from poolgate.cognito.mfa import matching_step
from poolgate.compare import same_secret
from poolgate.http import Request
from poolgate.oauth.signing import Signer

HOSTILE = ["é", "été-ü", "١٢٣٤٥٦", "\u0000", "x\ud800y"]


@pytest.mark.parametrize("given", [*HOSTILE, "", None])
def test_same_secret_refuses_without_raising(given: str | None) -> None:
    assert same_secret(given, "secret") is False
    assert same_secret("secret", "secret") is True


@pytest.mark.parametrize("code", HOSTILE)
def test_totp_codes_in_other_scripts_do_not_match(code: str) -> None:
    secret = pyotp.random_base32()
    assert matching_step(secret, code, time.time()) is None


@pytest.mark.parametrize("tampered", HOSTILE)
def test_signed_cookies_and_csrf_tokens_with_foreign_text_are_refused(tampered: str) -> None:
    signer = Signer(None)  # type: ignore[arg-type]
    signer._key = b"k" * 32  # no database needed once the key is known

    async def run() -> None:
        sealed = await signer.seal("session", {"u": "alice"})
        body = sealed.split(".")[0]
        assert await signer.unseal("session", sealed) == {"u": "alice"}
        assert await signer.unseal("session", f"{body}.{tampered}") is None
        assert await signer.check_csrf("cookie", tampered) is False

    asyncio.run(run())


@pytest.mark.parametrize("signature", HOSTILE[:3])
def test_sigv4_signature_with_foreign_text_is_a_signature_mismatch(signature: str) -> None:
    now = time.time()
    amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
    request = Request(method="GET", path="/", raw_path="/", query_string="",
                      headers=[("host", "127.0.0.1"), ("x-amz-date", amz_date)], body=b"", client_ip="127.0.0.1")
    signed = sigv4.SignedRequest(sigv4.CredentialScope("AKID", amz_date[:8], "us-east-1", "execute-api"),
                                 ["host", "x-amz-date"], signature, amz_date, False)
    with pytest.raises(sigv4.SignatureError) as caught:
        sigv4.verify(request, signed, lambda key: "secret", now, service="execute-api")
    assert caught.value.code == "InvalidSignatureException"
