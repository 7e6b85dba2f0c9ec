"""The client side of device tracking, from pycognito (an implementation of its own, not poolgate's): the device
verifier ConfirmDevice is given (``aws_srp.generate_hash_device``, a port of amazon-cognito-identity-js's
AuthenticationHelper.generateHashDevice) and the DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER answers
(``AWSSRP.process_device_challenge``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt
from pycognito import aws_srp


@dataclass
class DeviceSecret:
    """What a client keeps for a device: its key, group key and the random password behind its verifier."""

    key: str
    group_key: str
    password: str

    @classmethod
    def new(cls, metadata: dict[str, str]) -> tuple[DeviceSecret, dict[str, str]]:
        """A device password for NewDeviceMetadata, and the DeviceSecretVerifierConfig to confirm it with."""
        password, config = aws_srp.generate_hash_device(metadata["DeviceGroupKey"], metadata["DeviceKey"])
        return cls(metadata["DeviceKey"], metadata["DeviceGroupKey"], password), config

    def prover(self, pool_id: str, username: str) -> DeviceProver:
        return DeviceProver(self, pool_id, username)


class DeviceProver:
    """One device SRP exchange: SRP_A for DEVICE_SRP_AUTH, then the DEVICE_PASSWORD_VERIFIER answer."""

    def __init__(self, device: DeviceSecret, pool_id: str, username: str) -> None:
        self.device = device
        self.username = username
        # client= anything but None: pycognito would otherwise build a boto3 client it never uses here
        self.srp = aws_srp.AWSSRP(username, "unused", pool_id, "client", client=object(), device_key=device.key,
                                  device_group_key=device.group_key, device_password=device.password)

    def srp_auth(self) -> dict[str, str]:
        return {"USERNAME": self.username, "DEVICE_KEY": self.device.key,
                "SRP_A": aws_srp.long_to_hex(self.srp.large_a_value)}

    def verifier(self, parameters: dict[str, str]) -> dict[str, str]:
        answer: dict[str, str] = self.srp.process_device_challenge(parameters)
        return answer


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded
