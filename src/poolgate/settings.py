"""Typed settings: CLI flags and ``POOLGATE_*`` environment variables."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_ACCOUNT = "000000000000"
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True, slots=True)
class IamCredential:
    """An access key that may sign control-plane calls (and, later, gateway calls)."""

    access_key: str
    secret_key: str
    account: str = DEFAULT_ACCOUNT


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

    @property
    def local_mode(self) -> bool:
        """Any SigV4 credentials accepted: only when no credentials are configured."""
        return not self.credentials

    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'poolgate.db').resolve()}"
