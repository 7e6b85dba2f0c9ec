"""SRP-6a exactly as Cognito runs it for USER_SRP_AUTH (the server side, pure functions).

The group is RFC 5054's 3072-bit prime with g = 2 and SHA-256; values travel as hex strings hashed
as bytes after ``pad_hex``. Mirrors amazon-cognito-identity-js ``AuthenticationHelper.js`` and
pycognito ``aws_srp.py``; see docs/passwords.md for what the stored verifier means.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
_INFO = b"Caldera Derived Key\x01"
_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_TIMESTAMP = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([1-9]|[12][0-9]|3[01]) "
                        r"([0-9]{2}):([0-9]{2}):([0-9]{2}) UTC ([0-9]{4})$")


def pad_hex(value: int | str) -> str:
    """Hex of ``value`` as Cognito hashes it: even length, and a leading 00 where the top bit is set."""
    text = value if isinstance(value, str) else f"{value:x}"
    if len(text) % 2 == 1:
        return "0" + text
    if text and text[0] in "89abcdefABCDEF":
        return "00" + text
    return text


def hash_hex(hex_text: str) -> str:
    """SHA-256 of the bytes a hex string spells, as 64 hex characters."""
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest()


K = int(hash_hex("00" + N_HEX + "02"), 16)


def pool_name(pool_id: str) -> str:
    """The part of a pool id after ``_``: what SRP mixes into x and the signed message."""
    return pool_id.split("_", 1)[1]


def private_x(pool_id: str, user_id: str, password: str, salt_hex: str) -> int:
    """x = H(salt ‖ H(poolName ‖ userId ‖ ":" ‖ password))."""
    inner = hashlib.sha256(f"{pool_name(pool_id)}{user_id}:{password}".encode()).hexdigest()
    return int(hash_hex(pad_hex(salt_hex) + inner), 16)


def verifier(pool_id: str, user_id: str, password: str, salt_hex: str) -> str:
    """The stored verifier v = g^x mod N, as hex."""
    return f"{pow(G, private_x(pool_id, user_id, password, salt_hex), N):x}"


def server_public(verifier_hex: str, b: int) -> int:
    """B = (k·v + g^b) mod N."""
    return (K * int(verifier_hex, 16) + pow(G, b, N)) % N


def valid_client_public(a_hex: str) -> int | None:
    """A as an integer, or None when it is not hex or A mod N is 0 (which would let anyone in)."""
    try:
        a = int(a_hex, 16)
    except ValueError:
        return None
    if a % N == 0:
        return None
    return a


def scrambler(a: int, b_pub: int) -> int:
    """u = H(pad(A) ‖ pad(B))."""
    return int(hash_hex(pad_hex(a) + pad_hex(b_pub)), 16)


def session_key(a: int, b_pub: int, b: int, verifier_hex: str) -> bytes:
    """The 16-byte key both sides derive: HKDF over S = (A·v^u)^b mod N, salted with u."""
    u = scrambler(a, b_pub)
    s = pow(a * pow(int(verifier_hex, 16), u, N), b, N)
    prk = hmac.new(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(s)), hashlib.sha256).digest()
    return hmac.new(prk, _INFO, hashlib.sha256).digest()[:16]


def claim_signature(key: bytes, pool_id: str, user_id: str, secret_block_b64: str, timestamp: str,
                    realm: str | None = None) -> str:
    """PASSWORD_CLAIM_SIGNATURE = Base64(HMAC(K, poolName ‖ userId ‖ secretBlock ‖ timestamp)); device SRP signs
    with the device group key as ``realm`` instead of the pool name (and the device key as the user id)."""
    name = pool_name(pool_id) if realm is None else realm
    message = name.encode() + user_id.encode() + base64.b64decode(secret_block_b64) + timestamp.encode()
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def format_timestamp(moment: datetime) -> str:
    """Cognito's TIMESTAMP: ``Wed Apr 5 22:42:34 UTC 2017`` (day not padded)."""
    moment = moment.astimezone(UTC)
    return (f"{_DAYS[moment.weekday()]} {_MONTHS[moment.month - 1]} {moment.day} "
            f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d} UTC {moment.year}")


def parse_timestamp(text: str) -> float | None:
    """Epoch seconds of a well-formed TIMESTAMP, None otherwise (a zero-padded day is malformed)."""
    match = _TIMESTAMP.match(text)
    if not match or match.group(2) not in _MONTHS:
        return None
    _, month, day, hour, minute, second, year = match.groups()
    try:
        moment = datetime(int(year), _MONTHS.index(month) + 1, int(day), int(hour), int(minute), int(second),
                          tzinfo=UTC)
    except ValueError:
        return None
    if format_timestamp(moment) != text:  # the weekday must agree with the date
        return None
    return moment.timestamp()


@dataclass(frozen=True, slots=True)
class Claim:
    """The client's PASSWORD_VERIFIER answer."""

    secret_block: str
    signature: str
    timestamp: str


def check_claim(pool_id: str, user_id: str, verifier_hex: str, a_hex: str, b: int, claim: Claim,
                realm: str | None = None) -> bool:
    """Whether the client proved knowledge of the password behind ``verifier_hex`` (constant-time compare);
    ``realm``: see ``claim_signature``."""
    a = valid_client_public(a_hex)
    if a is None:
        return False
    b_pub = server_public(verifier_hex, b)
    if scrambler(a, b_pub) == 0:
        return False
    key = session_key(a, b_pub, b, verifier_hex)
    try:
        expected = claim_signature(key, pool_id, user_id, claim.secret_block, claim.timestamp, realm)
    except ValueError:
        return False
    return hmac.compare_digest(expected.encode(), claim.signature.encode())
