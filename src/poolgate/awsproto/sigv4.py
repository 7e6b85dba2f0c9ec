"""SigV4 verification of incoming requests, re-using botocore's canonicalisation.

botocore computes the canonical request, string-to-sign and signature exactly as the client did;
we only feed it the request as received, restricted to the headers the client says it signed.
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from botocore.auth import UNSIGNED_PAYLOAD, SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

from ..compare import same_secret
from ..http import Request

SKEW_SECONDS = 300
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
"""AWS region names: us-east-1, eu-central-2, us-gov-west-1, ap-southeast-3 …"""


@dataclass(frozen=True, slots=True)
class CredentialScope:
    access_key: str
    date: str
    region: str
    service: str


@dataclass(frozen=True, slots=True)
class SignedRequest:
    scope: CredentialScope
    signed_headers: list[str]
    signature: str
    amz_date: str
    in_query: bool


class SignatureError(Exception):
    """A SigV4 failure: ``code`` is AWS's error type (IncompleteSignatureException …)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def authorization_fields(auth: str) -> dict[str, str]:
    """The ``key=value`` pairs of an ``Authorization`` header, read as AWS reads it: the first word is the
    scheme, the rest comma-separated pairs. A pair without ``=`` (``Bearer abc``) raises AWS's
    IncompleteSignatureException, whose current text shows a hash of the header instead of the header itself
    (captures: aws-behavior §6.2; awslabs/time-addressable-media-store#8). Which bytes AWS hashes is not
    public; poolgate hashes the whole header value (UNCONFIRMED)."""
    _, _, rest = auth.partition(" ")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            digest = base64.b64encode(hashlib.sha256(auth.encode("utf-8", "surrogateescape")).digest()).decode()
            raise SignatureError(
                "IncompleteSignatureException",
                "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and "
                f"encoded with Base64): '{digest}'.",
            )
        fields[key] = value
    return fields


def parse_authorization(request: Request) -> SignedRequest | None:
    """The SigV4 parts of ``request`` (header or query form); None when it carries no signature."""
    auth = request.header("authorization")
    if auth is None:
        query = dict(parse_qsl(request.query_string, keep_blank_values=True))
        if "X-Amz-Signature" not in query:
            return None
        return _parts(
            query.get("X-Amz-Credential"), query.get("X-Amz-SignedHeaders"),
            query.get("X-Amz-Signature"), query.get("X-Amz-Date"), in_query=True,
        )
    fields = authorization_fields(auth)
    amz_date = request.header("x-amz-date") or request.header("date")
    missing = []
    for name in ("Credential", "Signature", "SignedHeaders"):
        if name not in fields:
            missing.append(f"Authorization header requires '{name}' parameter.")
    if amz_date is None:
        missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if missing:
        raise SignatureError("IncompleteSignatureException", " ".join(missing))
    return _parts(fields["Credential"], fields["SignedHeaders"], fields["Signature"], amz_date, in_query=False)


def _parts(credential: str | None, signed: str | None, signature: str | None, amz_date: str | None,
           *, in_query: bool) -> SignedRequest:
    if not credential or not signed or not signature or not amz_date:
        raise SignatureError("IncompleteSignatureException", "Incomplete SigV4 signature.")
    pieces = credential.split("/")
    if len(pieces) != 5 or pieces[4] != "aws4_request":
        raise SignatureError(
            "IncompleteSignatureException",
            f"Credential should be scoped to a valid region. Credential: {credential}",
        )
    if not _REGION.match(pieces[2]):
        # The region decides where pools live (their ids start with it): a made-up one is refused.
        raise SignatureError("InvalidSignatureException",
                             f"Credential should be scoped to a valid region, not '{pieces[2]}'. ")
    scope = CredentialScope(pieces[0], pieces[1], pieces[2], pieces[3])
    return SignedRequest(scope, signed.lower().split(";"), signature, amz_date, in_query)


class _ServerSideSigV4(SigV4Auth):
    def __init__(self, credentials: Credentials, service: str, region: str, signed: list[str]) -> None:
        super().__init__(credentials, service, region)
        self._signed = signed

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        header_map = HTTPHeaders()
        for name in self._signed:
            value = request.headers.get(name)
            if value is not None:
                header_map[name] = value
        return header_map


def _amz_epoch(amz_date: str) -> float | None:
    """``20150830T123600Z`` → epoch seconds (by hand: ``time.strptime`` costs ~20 µs per request)."""
    if len(amz_date) != 16 or amz_date[8] != "T" or amz_date[15] != "Z" or not (
            amz_date[:8].isdigit() and amz_date[9:15].isdigit()):
        return None
    fields = (int(amz_date[:4]), int(amz_date[4:6]), int(amz_date[6:8]), int(amz_date[9:11]), int(amz_date[11:13]),
              int(amz_date[13:15]))
    year, month, day, hour, minute, second = fields
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1] and hour < 24 and minute < 60
            and second < 61):
        return None
    return calendar.timegm((*fields, 0, 0, 0))


def verify(
    request: Request,
    signed: SignedRequest,
    secret_for: Callable[[str], str | None],
    now: float,
    url: str,
) -> None:
    """Check ``signed`` against the request; raises ``SignatureError`` with AWS's wording."""
    secret = secret_for(signed.scope.access_key)
    if secret is None:
        raise SignatureError("UnrecognizedClientException", "The security token included in the request is invalid.")
    when = _amz_epoch(signed.amz_date)
    if when is None:
        raise SignatureError("IncompleteSignatureException",
                             f"Date must be in ISO-8601 'basic format'. Got '{signed.amz_date}'.")
    if abs(now - when) > SKEW_SECONDS:
        fmt = "%Y%m%dT%H%M%SZ"
        earliest = time.strftime(fmt, time.gmtime(now - SKEW_SECONDS))
        current = time.strftime(fmt, time.gmtime(now))
        latest = time.strftime(fmt, time.gmtime(now + SKEW_SECONDS))
        if when < now:
            message = f"Signature expired: {signed.amz_date} is now earlier than {earliest} ({current} - 5 min.)"
        else:
            message = f"Signature not yet current: {signed.amz_date} is still later than {latest} ({current} + 5 min.)"
        raise SignatureError("InvalidSignatureException", message)
    query = [(k, v) for k, v in parse_qsl(request.query_string, keep_blank_values=True)
             if not (signed.in_query and k == "X-Amz-Signature")]
    full_url = url + (("?" + urlencode(query)) if query else "")
    headers: dict[str, str] = {}
    for name, value in request.headers:  # repeated headers are signed as one comma-joined value
        key = name.lower()
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    aws_request = AWSRequest(method=request.method, url=full_url, headers=headers, data=request.body)
    aws_request.context["timestamp"] = signed.amz_date
    signer = _ServerSideSigV4(Credentials(signed.scope.access_key, secret), signed.scope.service,
                              signed.scope.region, signed.signed_headers)
    canonical = signer.canonical_request(aws_request)
    string_to_sign = signer.string_to_sign(aws_request, canonical)
    expected = signer.signature(string_to_sign, aws_request)
    if (signed.in_query and not same_secret(signed.signature, expected)
            and "X-Amz-Content-SHA256" not in aws_request.headers):
        # Presigned URLs: botocore's SigV4QueryAuth hashes the (empty) body like the header form, S3-style
        # signers (S3SigV4QueryAuth) put UNSIGNED-PAYLOAD; accept either.
        lines = canonical.split("\n")
        lines[-1] = UNSIGNED_PAYLOAD
        unsigned = "\n".join(lines)
        unsigned_string = signer.string_to_sign(aws_request, unsigned)
        if same_secret(signed.signature, signer.signature(unsigned_string, aws_request)):
            return
    if not same_secret(signed.signature, expected):
        raise SignatureError(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. Check your AWS "
            "Secret Access Key and signing method. Consult the service documentation for details.\n\n"
            f"The Canonical String for this request should have been\n'{canonical}'\n\n"
            f"The String-to-Sign should have been\n'{string_to_sign}'\n",
        )
