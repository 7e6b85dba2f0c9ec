"""SRP math against pycognito's client (the reference Cognito's SDKs share) and fixed vectors."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from unittest import mock

import pytest
from pycognito import aws_srp

from poolgate.cognito import srp

POOL = "us-east-1_AbCdEf123"
USER = "0b8f2c2e-7d1a-4f8e-9a43-1f6f2f0b5c11"
PASSWORD = "Correct-Horse-9!"
SALT = "8e1c0fa96b2d4c3e5f7a9b1c2d3e4f50"
B_PRIVATE = int("3" * 64, 16)
A_PRIVATE = int("5" * 256, 16) % srp.N
SECRET_BLOCK = base64.b64encode(b"opaque server state" * 4).decode()
WHEN = datetime(2017, 4, 5, 22, 42, 34, tzinfo=UTC)
FIXED_SIGNATURE = "Cofa60tdzMz0d64q80pY5DUMJAYuRt2Ly1Ptt2iXjKc="


def _client_answer(password: str, b_pub: int, salt: str = SALT, a: int = A_PRIVATE) -> dict[str, str]:
    """pycognito's PASSWORD_VERIFIER answer for fixed a and time."""
    with mock.patch.object(aws_srp.AWSSRP, "generate_random_small_a", lambda self: a):
        client = aws_srp.AWSSRP(USER, password, POOL, "client", client=mock.Mock())
    # Replace pycognito's reference to the datetime module only (never the global datetime.datetime).
    fake = mock.Mock(datetime=mock.Mock(utcnow=lambda: WHEN.replace(tzinfo=None)))
    with mock.patch.object(aws_srp, "datetime", fake):
        answer = client.process_challenge(
            {"USER_ID_FOR_SRP": USER, "SALT": salt, "SRP_B": f"{b_pub:x}", "SECRET_BLOCK": SECRET_BLOCK,
             "USERNAME": USER}, {"USERNAME": USER})
    answer["A"] = f"{client.large_a_value:x}"
    return answer


def _claim(answer: dict[str, str]) -> srp.Claim:
    return srp.Claim(answer["PASSWORD_CLAIM_SECRET_BLOCK"], answer["PASSWORD_CLAIM_SIGNATURE"], answer["TIMESTAMP"])


def test_constants_match_pycognito() -> None:
    assert aws_srp.hex_to_long(aws_srp.N_HEX) == srp.N
    assert aws_srp.hex_to_long(aws_srp.hex_hash("00" + aws_srp.N_HEX + "02")) == srp.K


@pytest.mark.parametrize(("value", "padded"), [(0xF, "0f"), (0x7F, "7f"), (0x80, "0080"), ("abc", "0abc"),
                                               ("ff00", "00ff00"), (0x1234, "1234")])
def test_pad_hex_matches_pycognito(value: int | str, padded: str) -> None:
    assert srp.pad_hex(value) == padded == aws_srp.pad_hex(value)


def test_pycognito_proof_is_accepted_and_matches_the_fixed_vector() -> None:
    v = srp.verifier(POOL, USER, PASSWORD, SALT)
    b_pub = srp.server_public(v, B_PRIVATE)
    answer = _client_answer(PASSWORD, b_pub)
    assert answer["TIMESTAMP"] == "Wed Apr 5 22:42:34 UTC 2017"
    assert srp.check_claim(POOL, USER, v, answer["A"], B_PRIVATE, _claim(answer))
    # A regression vector: these inputs always give this signature (computed with pycognito 2024.5.1).
    assert answer["PASSWORD_CLAIM_SIGNATURE"] == FIXED_SIGNATURE


def test_session_key_equals_pycognito_key() -> None:
    v = srp.verifier(POOL, USER, PASSWORD, SALT)
    b_pub = srp.server_public(v, B_PRIVATE)
    with mock.patch.object(aws_srp.AWSSRP, "generate_random_small_a", lambda self: A_PRIVATE):
        client = aws_srp.AWSSRP(USER, PASSWORD, POOL, "client", client=mock.Mock())
    theirs = client.get_password_authentication_key(USER, PASSWORD, b_pub, SALT)
    assert srp.session_key(client.large_a_value, b_pub, B_PRIVATE, v) == theirs


@pytest.mark.parametrize("salt", ["00ab", "8f" * 16, "1" * 31])
def test_salts_with_leading_zero_or_high_bit(salt: str) -> None:
    v = srp.verifier(POOL, USER, PASSWORD, salt)
    b_pub = srp.server_public(v, B_PRIVATE)
    answer = _client_answer(PASSWORD, b_pub, salt=salt)
    assert srp.check_claim(POOL, USER, v, answer["A"], B_PRIVATE, _claim(answer))


def test_wrong_password_is_refused() -> None:
    v = srp.verifier(POOL, USER, PASSWORD, SALT)
    b_pub = srp.server_public(v, B_PRIVATE)
    answer = _client_answer("Wrong-Horse-9!", b_pub)
    assert not srp.check_claim(POOL, USER, v, answer["A"], B_PRIVATE, _claim(answer))


def test_tampered_timestamp_or_block_is_refused() -> None:
    v = srp.verifier(POOL, USER, PASSWORD, SALT)
    answer = _client_answer(PASSWORD, srp.server_public(v, B_PRIVATE))
    claim = _claim(answer)
    later = srp.Claim(claim.secret_block, claim.signature, "Wed Apr 5 22:42:35 UTC 2017")
    other = srp.Claim(base64.b64encode(b"x").decode(), claim.signature, claim.timestamp)
    assert not srp.check_claim(POOL, USER, v, answer["A"], B_PRIVATE, later)
    assert not srp.check_claim(POOL, USER, v, answer["A"], B_PRIVATE, other)


@pytest.mark.parametrize("a_hex", ["0", srp.N_HEX, f"{srp.N * 2:x}", "not-hex"])
def test_degenerate_client_public_values_are_refused(a_hex: str) -> None:
    assert srp.valid_client_public(a_hex) is None
    v = srp.verifier(POOL, USER, PASSWORD, SALT)
    assert not srp.check_claim(POOL, USER, v, a_hex, B_PRIVATE, srp.Claim("", "", ""))


def test_timestamps() -> None:
    assert srp.format_timestamp(WHEN) == "Wed Apr 5 22:42:34 UTC 2017"
    assert srp.parse_timestamp("Wed Apr 5 22:42:34 UTC 2017") == WHEN.timestamp()
    assert srp.parse_timestamp("Wed Apr 05 22:42:34 UTC 2017") is None  # a padded day is malformed
    assert srp.parse_timestamp("Thu Apr 5 22:42:34 UTC 2017") is None  # wrong weekday
    assert srp.parse_timestamp("Wed Apr 5 22:42:34 GMT 2017") is None
