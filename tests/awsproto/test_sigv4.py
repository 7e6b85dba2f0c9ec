"""SigV4 verification (awsproto/sigv4.py) against AWS's published SigV4 test suite, real client signers
(botocore, requests-aws4auth) and the strictness rules: ``host`` and every ``x-amz-*`` header signed, the
credential scope naming the service and the request's date, the body hashed as received.

The suite's facts (requests, canonical requests, signatures) are in ``data/sigv4_suite.json``; its ``source``
field names where they come from."""

from __future__ import annotations

import calendar
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode_sequence
from requests_aws4auth import AWS4Auth

from poolgate.awsproto import sigv4
from poolgate.http import Request

SUITE = json.loads((Path(__file__).parent / "data" / "sigv4_suite.json").read_text())
CASES = {case["name"]: case for case in SUITE["cases"]}
KEY = Credentials("AKIDEXAMPLE0000000001", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")


def _epoch(iso: str) -> float:
    return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))


def _parse(raw: str) -> Request:
    """A request as the suite writes it (request line, ``Name:value`` lines, obs-fold continuations, blank line,
    body), turned into what the ASGI layer gives poolgate: raw bytes as latin-1 text."""
    head, _, body = raw.partition("\n\n")
    lines = head.split("\n")
    method, _, rest = lines[0].partition(" ")
    target = rest.rsplit(" ", 1)[0]
    raw_path, _, query = target.partition("?")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:  # obs-fold: the value goes on
            name, value = headers[-1]
            headers[-1] = (name, f"{value}\n{line}")
            continue
        name, _, value = line.partition(":")
        headers.append((name.lower(), value))

    def wire(text: str) -> str:
        return text.encode("utf-8").decode("latin-1")

    return Request(method, wire(raw_path), wire(raw_path), wire(query), [(k, wire(v)) for k, v in headers],
                   body.encode("utf-8"), "127.0.0.1")


def _check(request: Request, service: str = "service", region: str | None = "us-east-1",
           secret: str = KEY.secret_key, now: float | None = None) -> None:
    signed = sigv4.parse_authorization(request)
    assert signed is not None
    when = now if now is not None else time.time()
    sigv4.verify(request, signed, lambda key: secret, when, service=service, region=region)


@pytest.mark.parametrize("form", ["header", "query"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_aws_sigv4_test_suite(name: str, form: str) -> None:
    """Each case of AWS's suite: the canonical request poolgate builds from the signed request is the suite's,
    and the suite's signature verifies (the one case whose session token is left unsigned is refused)."""
    case = CASES[name]
    vector = case[form]
    request = _parse(vector["signed_request"])
    signed = sigv4.parse_authorization(request)
    assert signed is not None and signed.signature == vector["signature"]
    now = _epoch(case["timestamp"])
    secret = case["credentials"]["secret_access_key"]
    if case.get("omit_session_token"):
        # The token is added after signing: AWS requires x-amz-* headers signed, and the query form's
        # canonical query then holds the token the signer left out.
        with pytest.raises(sigv4.SignatureError) as caught:
            sigv4.verify(request, signed, lambda key: secret, now, service=case["service"], region=case["region"])
        assert caught.value.code == "InvalidSignatureException"
        if form == "header":
            assert caught.value.message == ("'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS "
                                            "Authorization.")
        return
    assert sigv4.canonical_request(request, signed) == vector["canonical_request"]
    sigv4.verify(request, signed, lambda key: secret, now, service=case["service"], region=case["region"])


def test_the_suite_is_all_there() -> None:
    assert len(CASES) == 31 and "get-space-normalized" in CASES and "get-vanilla-query-order-encoded" in CASES
    assert "aws-c-auth" in SUITE["source"]


def _received(prepared: requests.PreparedRequest) -> Request:
    """What the server sees of a request a client library prepared."""
    url = prepared.url or ""
    rest = url.split("://", 1)[1]
    target = rest[rest.index("/"):] if "/" in rest else "/"
    raw_path, _, query = target.partition("?")
    headers = [(k.lower(), v if isinstance(v, str) else v.decode("latin-1")) for k, v in prepared.headers.items()]
    if not any(k == "host" for k, _ in headers):
        headers.append(("host", rest.split("/", 1)[0]))
    body = prepared.body or b""
    return Request(prepared.method or "GET", raw_path, raw_path, query, headers,
                   body.encode() if isinstance(body, str) else body, "127.0.0.1")


QUERIES = [{"q": "a b"}, {"q": "a+b c", "name": "ünï cödé"}, {"filter": "name = 'x y'", "sort": "-date"},
           {"a": "1", "b": "", "c": "~-._"}, {"path": "/x/y?z=1&w=2"}]


@pytest.mark.parametrize("params", QUERIES, ids=["space", "plus-and-utf8", "quotes", "empty-and-unreserved",
                                                  "reserved"])
def test_botocore_signed_queries_verify(params: dict[str, str]) -> None:
    """botocore encodes a space as %20 in the URL and in its canonical query; poolgate used '+' (issue 11 #21)."""
    url = f"http://127.0.0.1:8788/restapis/a/prod/_user_request_/items?{percent_encode_sequence(params)}"
    request = AWSRequest(method="GET", url=url)
    SigV4Auth(KEY, "execute-api", "us-east-1").add_auth(request)
    _check(_received(requests.Request("GET", url, headers=dict(request.headers.items())).prepare()),
           service="execute-api")


@pytest.mark.parametrize("params", QUERIES, ids=["space", "plus-and-utf8", "quotes", "empty-and-unreserved",
                                                  "reserved"])
def test_requests_aws4auth_signed_queries_verify(params: dict[str, str]) -> None:
    """requests encodes a space as '+' and requests-aws4auth reads it back as a space (%20 in the canonical
    query), as API Gateway does."""
    auth = AWS4Auth(KEY.access_key, KEY.secret_key, "us-east-1", "execute-api")
    prepared = requests.Request("GET", "http://127.0.0.1:8788/restapis/a/prod/_user_request_/items",
                                params=params, auth=auth).prepare()
    _check(_received(prepared), service="execute-api")


def test_canonical_query_encodes_as_aws_does() -> None:
    assert sigv4.canonical_query("b=2&a=x+y&a=x%20z&c") == "a=x%20y&a=x%20z&b=2&c="
    assert sigv4.canonical_query("k=%7e%2b%2F&%C3%BC=1") == "%C3%BC=1&k=~%2B%2F"  # sorted by encoded name
    assert sigv4.canonical_query("X-Amz-Signature=abc&a=1", drop_signature=True) == "a=1"
    assert sigv4.canonical_query("k=%zz&\xff=1") == "%FF=1&k=%25zz"  # never raises on junk


def _signed_by(headers_to_sign: Any, method: str = "POST", url: str = "http://127.0.0.1:8788/",
               headers: dict[str, str] | None = None, body: bytes = b"{}", service: str = "cognito-idp",
               region: str = "us-east-1") -> AWSRequest:
    """A request signed by botocore with a chosen set of signed headers (as a hand-rolled client might)."""

    class Signer(SigV4Auth):
        def headers_to_sign(self, request: AWSRequest) -> Any:
            full = super().headers_to_sign(request)
            for name in list(full.keys()):
                if not headers_to_sign(name.lower()):
                    del full[name]
            return full

    request = AWSRequest(method=method, url=url, data=body, headers=headers or {})
    Signer(KEY, service, region).add_auth(request)
    return request


def _as_received(request: AWSRequest, *, swap: dict[str, str] | None = None, body: bytes | None = None) -> Request:
    headers = [(k.lower(), v) for k, v in request.headers.items()]
    if not any(k == "host" for k, _ in headers):
        headers.append(("host", "127.0.0.1:8788"))
    if swap:
        headers = [(k, swap.get(k, v)) for k, v in headers]
    data = request.body if body is None else body
    return Request(request.method, "/", "/", "", headers, data if isinstance(data, bytes) else b"", "127.0.0.1")


def _error(request: Request, **kwargs: Any) -> sigv4.SignatureError:
    with pytest.raises(sigv4.SignatureError) as caught:
        _check(request, service=kwargs.pop("service", "cognito-idp"), **kwargs)
    return caught.value


TARGET = {"X-Amz-Target": "AWSCognitoIdentityProviderService.DescribeUserPool",
          "Content-Type": "application/x-amz-json-1.1"}


def test_host_must_be_signed() -> None:
    request = _signed_by(lambda name: name != "host", headers=TARGET)
    err = _error(_as_received(request))
    assert (err.code, err.message) == ("InvalidSignatureException",
                                       "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")


def test_x_amz_target_must_be_signed_so_a_captured_call_cannot_be_replayed_as_another() -> None:
    request = _signed_by(lambda name: name != "x-amz-target", headers=TARGET)
    replay = _as_received(request, swap={"x-amz-target": "AWSCognitoIdentityProviderService.DeleteUserPool"})
    err = _error(replay)
    assert (err.code, err.message) == ("InvalidSignatureException",
                                       "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.")


def test_any_unsigned_x_amz_header_is_refused_but_x_amzn_headers_are_not() -> None:
    request = _signed_by(lambda name: True, headers=TARGET)
    received = _as_received(request)
    received.headers.append(("x-amzn-trace-id", "Root=1-abc"))  # botocore leaves it unsigned; not x-amz-*
    _check(received, service="cognito-idp")
    received.headers.append(("x-amz-security-token", "token"))
    assert _error(received).message == ("'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS "
                                        "Authorization.")


@pytest.mark.parametrize(("service", "region", "message"), [
    ("s3", None, "Credential should be scoped to correct service: 'cognito-idp'. "),
    ("s3", "eu-west-1", "Credential should be scoped to a valid region, not 'eu-west-1'. Credential should be "
                        "scoped to correct service: 'cognito-idp'. "),
], ids=["service", "region-and-service"])
def test_the_scope_must_name_the_service(service: str, region: str | None, message: str) -> None:
    request = _signed_by(lambda name: True, headers=TARGET, service=service, region=region or "us-east-1")
    err = _error(_as_received(request), region="us-east-1" if region else None)
    assert (err.code, err.message) == ("InvalidSignatureException", message)


def test_the_scope_date_must_be_the_requests() -> None:
    request = _as_received(_signed_by(lambda name: True, headers=TARGET))
    auth = dict(request.headers)["authorization"]
    day = dict(request.headers)["x-amz-date"][:8]
    request.headers[:] = [(k, auth.replace(f"/{day}/", "/20150830/") if k == "authorization" else v)
                          for k, v in request.headers]
    err = _error(request)
    assert err.code == "InvalidSignatureException"
    assert err.message.startswith("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                                  f"from HTTP: '20150830' != '{day}', from '{day}T")


def test_the_body_is_hashed_as_received_not_as_claimed() -> None:
    """A client's X-Amz-Content-SHA256 is a claim: botocore's server-side use of it let a captured request carry
    another body."""
    body = b'{"UserPoolId":"us-east-1_aaaaaaaaa"}'
    claim = {**TARGET, "X-Amz-Content-SHA256": hashlib.sha256(body).hexdigest()}
    request = _signed_by(lambda name: True, headers=claim, body=body)
    _check(_as_received(request), service="cognito-idp")
    err = _error(_as_received(request, body=b'{"UserPoolId":"us-east-1_bbbbbbbbb"}'))
    assert err.message.startswith("The request signature we calculated does not match")


def test_order_scope_before_key() -> None:
    """AWS checks the scope before it looks the key up (mhart/dynalite's notes on DynamoDB's order)."""
    request = _as_received(_signed_by(lambda name: True, headers=TARGET, service="s3"))
    signed = sigv4.parse_authorization(request)
    assert signed is not None
    with pytest.raises(sigv4.SignatureError) as caught:
        sigv4.verify(request, signed, lambda key: None, time.time(), service="cognito-idp")
    assert caught.value.code == "InvalidSignatureException"
    with pytest.raises(sigv4.SignatureError) as caught:
        sigv4.verify(_as_received(_signed_by(lambda name: True, headers=TARGET)), signed, lambda key: None,
                     time.time(), service="s3")
    assert caught.value.code == "UnrecognizedClientException"


def test_x_amz_content_sha256_may_go_unsigned_and_is_never_trusted() -> None:
    """As on S3 it may be left out of the signed headers: poolgate hashes the body itself."""
    request = _signed_by(lambda name: True, headers=TARGET)
    received = _as_received(request)
    received.headers.append(("x-amz-content-sha256", "0" * 64))
    _check(received, service="cognito-idp")
