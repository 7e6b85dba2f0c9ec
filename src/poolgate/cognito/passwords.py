"""Password policy (Cognito's defaults) and slow salted hashing (argon2id) off the event loop."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from argon2 import PasswordHasher as Argon2Hasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..errors import ServiceError

SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")

DEFAULT_POLICY: dict[str, Any] = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 7,
}


POLICY_PREAMBLE = "Password did not conform with policy"
ADMIN_PREAMBLE = "Password did not conform with password policy"
"""AdminCreateUser's wording for a TemporaryPassword that breaks the policy (boto3 errors quoted in public issues and
code: "An error occurred (InvalidPasswordException) when calling the AdminCreateUser operation: Password did not
conform with password policy: Password not long enough")."""


def check_policy(password: str, policy: dict[str, Any], preamble: str = POLICY_PREAMBLE) -> None:
    """Raise InvalidPasswordException with Cognito's wording for the first rule ``password`` breaks."""
    rules = {**DEFAULT_POLICY, **policy}
    problem = None
    if len(password) < int(rules["MinimumLength"]):
        problem = "Password not long enough"
    elif rules["RequireLowercase"] and not any(c.islower() for c in password):
        problem = "Password must have lowercase characters"
    elif rules["RequireUppercase"] and not any(c.isupper() for c in password):
        problem = "Password must have uppercase characters"
    elif rules["RequireNumbers"] and not any(c.isdigit() for c in password):
        problem = "Password must have numeric characters"
    elif rules["RequireSymbols"] and not any(c in SYMBOLS for c in password):
        problem = "Password must have symbol characters"
    if problem:
        raise ServiceError("InvalidPasswordException", f"{preamble}: {problem}")


class PasswordHasher:
    """argon2id in a thread pool sized to the cores: hashing never blocks the event loop.

    argon2-cffi releases the GIL while hashing, so the pool's threads hash in parallel.
    """

    def __init__(self, time_cost: int, memory_kib: int, workers: int | None = None) -> None:
        self._hasher = Argon2Hasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)
        self._pool = ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 2,
                                        thread_name_prefix="poolgate-hash")

    async def hash(self, password: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._hasher.hash, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        if not stored:
            # Spend the same time as a real check so that timing does not reveal unknown users.
            await self.hash(password)
            return False
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._verify, stored, password)

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def close(self) -> None:
        self._pool.shutdown(wait=False)
