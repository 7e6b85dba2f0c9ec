"""What a sign-in step leads to: tokens, or the next challenge."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..devices import NewDevice


@dataclass(frozen=True, slots=True)
class Tokens:
    """The tokens of a finished sign-in; ``refresh_token`` is None for a renewal that keeps its refresh token;
    ``new_device`` the device made for a sign-in without one in a pool that tracks devices (NewDeviceMetadata)."""

    access_token: str
    id_token: str
    expires_in: int
    refresh_token: str | None
    new_device: NewDevice | None = None


@dataclass(frozen=True, slots=True)
class Issued:
    tokens: Tokens


@dataclass(frozen=True, slots=True)
class Challenge:
    """The next challenge: its name, its public parameters and the opaque session that answers it (None for
    PASSWORD_VERIFIER, which is answered by its SECRET_BLOCK); ``available``: SELECT_CHALLENGE's first factors to
    choose from (InitiateAuth's ``AvailableChallenges``)."""

    name: str
    parameters: dict[str, str] = field(default_factory=dict)
    session: str | None = None
    available: tuple[str, ...] = ()


Step = Issued | Challenge
