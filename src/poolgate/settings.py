"""Typed settings: CLI flags and ``POOLGATE_*`` environment variables."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_ACCOUNT = "000000000000"
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True, slots=True)
class IamCredential:
    """An access key that may sign control-plane calls (and, later, gateway calls)."""

    access_key: str
    secret_key: str = field(repr=False)
    account: str = DEFAULT_ACCOUNT


_ACCESS_KEY = re.compile(r"^\w{16,128}$")
"""IAM's rule for access key ids: 16-128 letters, digits or underscores (botocore iam model, accessKeyIdType)."""
MIN_SECRET_LENGTH = 16
"""poolgate's floor for a secret key (AWS's are 40 characters): a short secret can be guessed offline from one
signed request."""
_ACCOUNT = re.compile(r"^\d{12}$")


class CredentialError(ValueError):
    """A ``--credentials`` / ``POOLGATE_CREDENTIALS`` entry poolgate refuses to start with (never shows the secret)."""


def parse_credentials(values: Iterable[str], source: str) -> list[IamCredential]:
    """``ACCESS_KEY:SECRET_KEY[:ACCOUNT]`` entries → credentials; an empty or short key, a malformed access key
    id or account raises ``CredentialError`` naming ``source`` and the entry's position."""
    out = []
    for number, value in enumerate(values, 1):
        where = f"{source} entry {number}"
        parts = value.split(":")
        if len(parts) not in (2, 3):
            raise CredentialError(f"{where} must be ACCESS_KEY:SECRET_KEY[:ACCOUNT] ({len(parts) - 1} colons found)")
        access_key, secret_key = parts[0], parts[1]
        if not _ACCESS_KEY.match(access_key):
            raise CredentialError(f"{where}: the access key id must be 16-128 letters, digits or underscores (as "
                                  f"AWS's, e.g. AKIAIOSFODNN7EXAMPLE); got {len(access_key)} characters")
        if len(secret_key) < MIN_SECRET_LENGTH or secret_key.strip() != secret_key:
            raise CredentialError(f"{where}: the secret key of {access_key} must be at least {MIN_SECRET_LENGTH} "
                                  f"characters without surrounding spaces (got {len(secret_key)}); an empty or short "
                                  "secret lets anyone who sees one signed request find it")
        account = parts[2] if len(parts) == 3 else DEFAULT_ACCOUNT
        if not _ACCOUNT.match(account):
            raise CredentialError(f"{where}: the account of {access_key} must be 12 digits, got {account!r}")
        out.append(IamCredential(access_key, secret_key, account))
    return out


@dataclass(slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8788
    data_dir: Path = Path(".poolgate")
    database_url: str | None = None
    public_url: str | None = None
    config_file: Path | None = None
    allow_reset: bool = False
    ephemeral: bool = False
    redis_url: str | None = None
    redis_prefix: str = "poolgate:"
    """Prefix of every Redis key (nodes sharing counters must use the same one)."""
    region: str = DEFAULT_REGION
    account: str = DEFAULT_ACCOUNT
    aws_issuer: bool = False
    """Server-wide default: tokens carry ``https://cognito-idp.{region}.amazonaws.com/{poolId}`` as iss."""
    credentials: list[IamCredential] = field(default_factory=list)
    password_hash_time_cost: int = 5
    password_hash_memory_kib: int = 7168
    hash_workers: int | None = None
    log_codes: bool | None = None
    """Whether the outbox also logs each code; by default only in local mode (codes are credentials)."""

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self.port}"

    @property
    def is_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    def credential(self, access_key: str) -> IamCredential | None:
        """The configured credential with this access key id, if any."""
        for cred in self.credentials:
            if cred.access_key == access_key:
                return cred
        return None

    @property
    def local_mode(self) -> bool:
        """Any SigV4 credentials accepted: only when no credentials are configured."""
        return not self.credentials

    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'poolgate.db').resolve()}"
