"""User-pool records as the operations see them (rows of ``store.sql.tables`` made typed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import RowMapping

AWS_ISSUER_TAG = "poolgate:issuer"
"""UserPoolTags key: ``aws`` makes a pool's tokens carry AWS's issuer URL."""

DEFAULT_AUTH_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]
ADMIN_SCOPE = "aws.cognito.signin.user.admin"


@dataclass(slots=True)
class Pool:
    id: str
    region: str
    account: str
    name: str
    config: dict[str, Any]
    created: float
    modified: float

    @classmethod
    def from_row(cls, row: RowMapping) -> Pool:
        return cls(row["id"], row["region"], row["account"], row["name"], dict(row["config"]),
                   row["created"], row["modified"])

    @property
    def arn(self) -> str:
        return f"arn:aws:cognito-idp:{self.region}:{self.account}:userpool/{self.id}"

    @property
    def username_attributes(self) -> list[str]:
        return list(self.config.get("UsernameAttributes") or [])

    @property
    def alias_attributes(self) -> list[str]:
        return list(self.config.get("AliasAttributes") or [])

    @property
    def case_sensitive(self) -> bool:
        return bool((self.config.get("UsernameConfiguration") or {}).get("CaseSensitive", True))

    @property
    def password_policy(self) -> dict[str, Any]:
        return dict((self.config.get("Policies") or {}).get("PasswordPolicy") or {})

    @property
    def auto_verified(self) -> list[str]:
        return list(self.config.get("AutoVerifiedAttributes") or [])

    @property
    def tags(self) -> dict[str, str]:
        return dict(self.config.get("UserPoolTags") or {})

    def issuer(self, base_url: str, aws_default: bool) -> str:
        mode = self.tags.get(AWS_ISSUER_TAG)
        use_aws = mode == "aws" or (aws_default and mode != "poolgate")
        if use_aws:
            return f"https://cognito-idp.{self.region}.amazonaws.com/{self.id}"
        return f"{base_url}/{self.id}"


@dataclass(slots=True)
class Client:
    client_id: str
    pool_id: str
    name: str
    secret: str | None
    config: dict[str, Any]
    created: float
    modified: float

    @classmethod
    def from_row(cls, row: RowMapping) -> Client:
        return cls(row["client_id"], row["pool_id"], row["name"], row["secret"], dict(row["config"]),
                   row["created"], row["modified"])

    @property
    def auth_flows(self) -> list[str]:
        flows = self.config.get("ExplicitAuthFlows")
        return list(flows) if flows else list(DEFAULT_AUTH_FLOWS)

    def allows(self, flow: str) -> bool:
        """Whether sign-in by ``flow`` (an AuthFlow) is enabled for this client.

        ``ALLOW_`` values list every flow the client takes. The legacy values (ADMIN_NO_SRP_AUTH,
        USER_PASSWORD_AUTH, CUSTOM_AUTH_FLOW_ONLY) only add a flow: a client holding only legacy values still takes
        USER_SRP_AUTH and refresh tokens, which such clients never had to list (the ExplicitAuthFlows values "with
        the ALLOW_ prefix" were added in the 2019-11-14 cognito-idp release, which made SRP and refresh switchable;
        the AWS CLI's describe-user-pool-client example shows a client with only ADMIN_NO_SRP_AUTH and
        USER_PASSWORD_AUTH; that such clients keep SRP and refresh is UNCONFIRMED by an AWS page)."""
        flows = self.auth_flows
        if not any(f.startswith("ALLOW_") for f in flows):
            if flow in ("USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
                return True
            legacy = {"USER_PASSWORD_AUTH": "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH": "ADMIN_NO_SRP_AUTH",
                      "ADMIN_NO_SRP_AUTH": "ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH": "CUSTOM_AUTH_FLOW_ONLY"}
            return legacy.get(flow, "") in flows
        allow = {"USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
                 "ADMIN_USER_PASSWORD_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                 "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                 "USER_SRP_AUTH": "ALLOW_USER_SRP_AUTH",
                 "CUSTOM_AUTH": "ALLOW_CUSTOM_AUTH",
                 "REFRESH_TOKEN_AUTH": "ALLOW_REFRESH_TOKEN_AUTH",
                 "REFRESH_TOKEN": "ALLOW_REFRESH_TOKEN_AUTH",
                 "USER_AUTH": "ALLOW_USER_AUTH"}
        return allow.get(flow, "") in flows

    def _validity(self, name: str, unit_key: str, default_seconds: int, default_unit: str) -> int:
        value = self.config.get(name)
        if value is None:
            return default_seconds
        unit = (self.config.get("TokenValidityUnits") or {}).get(unit_key, default_unit)
        return int(value) * {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}[unit]

    @property
    def access_validity(self) -> int:
        return self._validity("AccessTokenValidity", "AccessToken", 3600, "hours")

    @property
    def id_validity(self) -> int:
        return self._validity("IdTokenValidity", "IdToken", 3600, "hours")

    @property
    def refresh_validity(self) -> int:
        seconds = self._validity("RefreshTokenValidity", "RefreshToken", 30 * 86400, "days")
        return seconds or 30 * 86400

    @property
    def prevent_user_existence_errors(self) -> bool:
        return self.config.get("PreventUserExistenceErrors") == "ENABLED"

    @property
    def read_attributes(self) -> list[str] | None:
        attrs = self.config.get("ReadAttributes")
        return list(attrs) if attrs else None


@dataclass(slots=True)
class User:
    pool_id: str
    username: str
    sub: str
    status: str
    enabled: bool
    attributes: dict[str, str]
    password_hash: str | None
    password_set_at: float | None
    failed_attempts: int
    locked_until: float
    tokens_valid_after: float
    created: float
    modified: float
    groups: list[str] = field(default_factory=list)
    has_srp_verifier: bool = True
    """False for users stored before SRP support: their next password sign-in derives the verifier."""

    @classmethod
    def from_row(cls, row: RowMapping) -> User:
        return cls(row["pool_id"], row["username"], row["sub"], row["status"], row["enabled"],
                   dict(row["attributes"]), row["password_hash"], row["password_set_at"],
                   row["failed_attempts"], row["locked_until"], row["tokens_valid_after"],
                   row["created"], row["modified"], has_srp_verifier=bool(row.get("srp_verifier")))

    def attribute_list(self, only: list[str] | None = None) -> list[dict[str, str]]:
        """UserAttributes as AWS lists them; ``only`` is ListUsers' AttributesToGet (``sub`` included only if named)."""
        out = [{"Name": "sub", "Value": self.sub}] if only is None or "sub" in only else []
        for name, value in self.attributes.items():
            if only is None or name in only:
                out.append({"Name": name, "Value": value})
        return out
