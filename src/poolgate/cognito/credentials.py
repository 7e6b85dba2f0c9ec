"""What is stored for a password: every place that sets one goes through ``prepare_password``.

A password is kept twice, in two forms that never reveal it directly (docs/passwords.md):
an argon2id hash (checked by USER_PASSWORD_AUTH, ChangePassword …) and an SRP salt + verifier
v = g^x (checked by USER_SRP_AUTH, where the password never crosses the wire).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from . import srp
from .passwords import PasswordHasher


@dataclass(frozen=True, slots=True)
class NewPassword:
    """A password being set. The argon2id hash is computed up front (slow, off the event loop); the SRP
    verifier needs the stored username, so ``columns`` derives it when the user row is written."""

    argon2_hash: str
    _plaintext: str = field(repr=False)

    def columns(self, pool_id: str, username: str) -> dict[str, Any]:
        """The ``users`` column values that store this password for ``username`` of ``pool_id``."""
        salt = secrets.token_hex(16)
        return {"password_hash": self.argon2_hash, "srp_salt": salt,
                "srp_verifier": srp.verifier(pool_id, username, self._plaintext, salt)}


async def prepare_password(hasher: PasswordHasher, password: str) -> NewPassword:
    """Hash ``password`` for storage; pass the result to ``insert_user`` or use ``columns`` in an update."""
    return NewPassword(await hasher.hash(password), password)


def srp_columns(pool_id: str, username: str, password: str) -> dict[str, Any]:
    """Just the SRP part, for users whose verifier is missing (created before SRP support)."""
    return {k: v for k, v in NewPassword("", password).columns(pool_id, username).items() if k != "password_hash"}
