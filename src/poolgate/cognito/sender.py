"""Delivery of confirmation and reset codes. The default sender writes them to the outbox table."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

from ..store.sql.tables import outbox

log = logging.getLogger("poolgate.outbox")


@dataclass(frozen=True, slots=True)
class Delivery:
    pool_id: str
    username: str
    medium: str  # EMAIL | SMS
    destination: str
    purpose: str  # signup | forgot | invite | verify:<attr>
    code: str | None
    message: str


class Sender(Protocol):
    """Where codes go. ``send`` runs inside the operation's transaction: a rolled-back call sends nothing."""

    async def send(self, conn: AsyncConnection, delivery: Delivery, now: float) -> None: ...


class OutboxSender:
    def __init__(self, log_codes: bool = True) -> None:
        self.log_codes = log_codes

    async def send(self, conn: AsyncConnection, delivery: Delivery, now: float) -> None:
        await conn.execute(outbox.insert().values(
            pool_id=delivery.pool_id, username=delivery.username, medium=delivery.medium,
            destination=delivery.destination, purpose=delivery.purpose, code=delivery.code,
            message=delivery.message, created=now,
        ))
        if self.log_codes:
            log.info("outbox %s %s/%s to %s: %s", delivery.purpose, delivery.pool_id, delivery.username,
                     delivery.destination, delivery.code)


def mask(destination: str, medium: str) -> str:
    """Cognito's masked destination: ``a***@e***`` for e-mail, ``+*******1234`` for phones."""
    if medium == "EMAIL" and "@" in destination:
        local, _, domain = destination.partition("@")
        return f"{local[:1]}***@{domain[:1]}***"
    return "+" + "*" * max(len(destination) - 5, 0) + destination[-4:]
