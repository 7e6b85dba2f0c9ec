"""The long-lived objects every plane shares, built once by ``app.create_app``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .clock import Clock, IdGenerator
from .cognito.cache import RecordCache
from .cognito.keys import KeyStore
from .cognito.passwords import PasswordHasher
from .cognito.sender import Sender
from .cognito.tokens import TokenMinter
from .settings import Settings
from .store.db import Database


@dataclass(slots=True)
class Services:
    settings: Settings
    db: Database
    clock: Clock
    ids: IdGenerator
    keys: KeyStore
    hasher: PasswordHasher
    sender: Sender
    tokens: TokenMinter
    records: RecordCache
    on_revoke: Callable[[list[str]], Awaitable[None]] | None = None
    """The data plane's listener for revoked sign-ins (``cognito.revoke.notify_revoked`` calls it after the
    commit): set when a served stage rejects revoked tokens."""
    extras: dict[str, Any] = field(default_factory=dict)
