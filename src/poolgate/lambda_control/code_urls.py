"""GetFunction's ``Code.Location``: a URL to the function's zip that only its signature opens, for ten minutes.

On AWS, ``Code.Location`` is a presigned S3 URL valid for 10 minutes ("a presigned URL that you can use to
download the deployment package … The URL is valid for 10 minutes", GetFunction's FunctionCodeLocation in the
Lambda API reference). poolgate serves the zip itself, so its URL carries ``Expires`` (epoch seconds) and
``Signature``: an HMAC-SHA256, with a per-server secret (``store.secrets``, shared by every process of one
database), over the account, region, name, code SHA-256 and expiry. Anything else is refused as S3 refuses a
request: 403 with an XML ``<Error>`` document.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from xml.sax.saxutils import escape

from ..services import Services
from ..store.secrets import server_secret

SECRET_NAME = "lambda-code-location"
VALID_SECONDS = 600
"""GetFunction's Code.Location is valid for 10 minutes (Lambda API reference, FunctionCodeLocation.Location)."""
PREFIX = "/_poolgate/lambda/"


class CodeDenied(Exception):
    """A code URL refused: S3's error code, message and status."""

    def __init__(self, code: str, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


DENIED = ("AccessDenied", "Access Denied")
"""S3's answer to an unsigned request for a private object (403)."""
EXPIRED = ("AccessDenied", "Request has expired")
"""S3's answer to a presigned URL past its expiry (403; the wording as users report it, e.g.
artofcode.org "AWS S3 AccessDenied: Request Has Expired"; UNCONFIRMED against a capture)."""
MISMATCH = ("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you "
            "provided. Check your key and signing method.")
"""S3's answer to a URL whose signature is not the one it computes (403; UNCONFIRMED against a capture)."""


def signature(key: bytes, account: str, region: str, name: str, code_sha256: str, expires: int) -> str:
    message = "\n".join((account, region, name, code_sha256, str(expires))).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


async def _key(services: Services) -> bytes:
    return await server_secret(services.db, services.clock, SECRET_NAME)


async def location(services: Services, account: str, region: str, name: str, code_sha256: str) -> str:
    """The signed URL of a function's zip, valid ``VALID_SECONDS`` from now."""
    expires = int(services.clock.now()) + VALID_SECONDS
    signed = signature(await _key(services), account, region, name, code_sha256, expires)
    base = services.settings.base_url.rstrip("/")
    return f"{base}{PREFIX}{account}/{region}/{name}/code.zip?Expires={expires}&Signature={signed}"


def path_parts(raw_path: str) -> tuple[str, str, str]:
    """``(account, region, name)`` of a code URL's path; CodeDenied for any other path."""
    parts = raw_path[len(PREFIX):].split("/")
    if len(parts) != 4 or parts[3] != "code.zip" or any(p in ("", ".", "..") for p in parts[:3]):
        raise CodeDenied(*DENIED)
    return parts[0], parts[1], parts[2]


async def check(services: Services, query: Sequence[tuple[str, str]], account: str, region: str, name: str,
                code_sha256: str | None) -> None:
    """Raise CodeDenied unless the query carries this code's signature and has not expired (``code_sha256``
    None: no such function, refused as an unsigned request is, so names cannot be probed)."""
    values = dict(query)
    given, expires_text = values.get("Signature"), values.get("Expires")
    if code_sha256 is None or not given or not expires_text:
        raise CodeDenied(*DENIED)
    try:
        expires = int(expires_text)
    except ValueError:
        raise CodeDenied(*DENIED) from None
    wanted = signature(await _key(services), account, region, name, code_sha256, expires)
    if not hmac.compare_digest(wanted.encode(), given.encode()):
        raise CodeDenied(*MISMATCH)
    if services.clock.now() > expires:
        raise CodeDenied(*EXPIRED)


def error_document(denied: CodeDenied, request_id: str) -> bytes:
    """S3's error body: ``<Error><Code>…</Code><Message>…</Message><RequestId>…</RequestId></Error>``."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{escape(denied.code)}</Code><Message>{escape(denied.message)}</Message>"
            f"<RequestId>{escape(request_id)}</RequestId></Error>").encode()
