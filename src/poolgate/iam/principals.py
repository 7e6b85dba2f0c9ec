"""IAM principals declared in ``poolgate.yaml`` (``iam:``): accounts, users with access keys, roles, policies.

```yaml
iam:
  accounts: ["111122223333", "444455556666"]
  users:
    - {account: "111122223333", name: alice, path: /, accessKeys: [{id: AKIA..., secret: ...}],
       policies: [{Version: "2012-10-17", Statement: [...]}]}
  roles:
    - {account: "111122223333", name: deployer, policies: [...]}
    - {account: "111122223333", name: CognitoAuthRole, policies: [...],
       trustPolicy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Federated:
       cognito-identity.amazonaws.com}, Action: "sts:AssumeRoleWithWebIdentity", Condition: {...}}]}}
```

``trustPolicy`` is the role's AssumeRolePolicyDocument: an identity pool hands out credentials for a role only
when it allows ``sts:AssumeRoleWithWebIdentity`` to ``cognito-identity.amazonaws.com`` (identitypools/trust.py).

A role may also carry ``accessKeys``: they act as credentials of an assumed-role session named
``sessionName`` (default: the role name), so that roles can call APIs without an STS.
Secret keys never appear in ``repr``/``str`` (and so never in logs or error messages).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .context import Caller
from .policy import Policy, PolicyError, PolicyKind

_ACCOUNT = re.compile(r"^\d{12}$")
_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_PATH = re.compile(r"^/([\x21-\x7e]*/)?$")
_KEY_ID = re.compile(r"^\w{16,128}$")
_USER_KEYS = {"account", "name", "path", "accessKeys", "policies"}
_ROLE_KEYS = {"account", "name", "path", "accessKeys", "policies", "sessionName", "trustPolicy"}
_KEY_KEYS = {"id", "secret", "status"}


class IamConfigError(ValueError):
    """A problem in the ``iam:`` section; ``path`` is relative to it (``.users[0].accessKeys[0].id``).
    ``poolgate.config`` turns it into a ``ConfigError`` naming the file."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass(frozen=True, slots=True)
class AccessKey:
    """An access key pair; the secret is redacted from every textual form."""

    id: str
    secret: str = field(repr=False)
    status: str = "Active"  # Active | Inactive

    def __repr__(self) -> str:
        return f"AccessKey(id={self.id!r}, secret='***', status={self.status!r})"

    __str__ = __repr__

    @property
    def active(self) -> bool:
        return self.status == "Active"


def _unique_id(prefix: str, arn: str) -> str:
    """A stable IAM-style unique id (``AIDA…``/``AROA…``, 21 chars) derived from the ARN."""
    digest = base64.b32encode(hashlib.sha256(arn.encode()).digest()).decode()
    return prefix + digest[:17]


@dataclass(frozen=True, slots=True)
class IamUser:
    account: str
    name: str
    path: str = "/"
    access_keys: tuple[AccessKey, ...] = ()
    policies: tuple[Policy, ...] = ()

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account}:user{self.path}{self.name}"

    @property
    def user_id(self) -> str:
        return _unique_id("AIDA", self.arn)

    def caller(self) -> Caller:
        return Caller(arn=self.arn, account=self.account, type="User", userid=self.user_id, username=self.name)


@dataclass(frozen=True, slots=True)
class IamRole:
    account: str
    name: str
    path: str = "/"
    access_keys: tuple[AccessKey, ...] = ()
    policies: tuple[Policy, ...] = ()
    session_name: str | None = None
    trust: Policy | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account}:role{self.path}{self.name}"

    @property
    def role_id(self) -> str:
        return _unique_id("AROA", self.arn)

    def caller(self, session_name: str | None = None) -> Caller:
        """The assumed-role session: ``arn:aws:sts::{account}:assumed-role/{name}/{session}``."""
        session = session_name or self.session_name or self.name
        return Caller(arn=f"arn:aws:sts::{self.account}:assumed-role/{self.name}/{session}", account=self.account,
                      type="AssumedRole", userid=f"{self.role_id}:{session}", role_arn=self.arn)


IamPrincipal = IamUser | IamRole


@dataclass(frozen=True, slots=True)
class KeyOwner:
    """What an access key id resolves to."""

    principal: IamPrincipal
    key: AccessKey

    def caller(self) -> Caller:
        return self.principal.caller()


@dataclass(frozen=True, slots=True)
class IamDirectory:
    """Every declared account, user and role, with lookups used by SigV4 verification and policy checks."""

    accounts: tuple[str, ...] = ()
    users: tuple[IamUser, ...] = ()
    roles: tuple[IamRole, ...] = ()
    _keys: dict[str, KeyOwner] = field(default_factory=dict, repr=False, compare=False)

    def by_access_key(self, key_id: str) -> KeyOwner | None:
        """The principal and key for an access key id (inactive keys included: callers check ``key.active``)."""
        return self._keys.get(key_id)

    def user(self, account: str, name: str) -> IamUser | None:
        return next((u for u in self.users if u.account == account and u.name == name), None)

    def role(self, account: str, name: str) -> IamRole | None:
        return next((r for r in self.roles if r.account == account and r.name == name), None)

    @classmethod
    def parse(cls, raw: Any) -> IamDirectory:
        """Parse the ``iam:`` section (``None`` → empty); raises ``IamConfigError``."""
        return _parse(raw)


def _expect(cond: bool, path: str, problem: str) -> None:
    if not cond:
        raise IamConfigError(path, problem)


def _account(raw: Any, path: str) -> str:
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw < 10**12:
        raw = f"{raw:012d}"  # YAML reads unquoted account ids as integers
    _expect(isinstance(raw, str) and bool(_ACCOUNT.match(raw)), path, "must be a 12-digit AWS account id")
    return str(raw)


def _policies(raw: Any, path: str, owner: str) -> tuple[Policy, ...]:
    if raw is None:
        return ()
    _expect(isinstance(raw, list), path, "must be a list of policy documents")
    out = []
    for i, document in enumerate(raw):
        try:
            out.append(Policy.parse(document, PolicyKind.IDENTITY, name=f"{owner} policy {i}"))
        except PolicyError as exc:
            suffix = exc.path[1:] if exc.path.startswith("$") else f".{exc.path}"
            raise IamConfigError(f"{path}[{i}]{suffix}", f"invalid policy document: {exc.problem}") from exc
    return tuple(out)


def _trust(raw: Any, path: str, role: str) -> Policy | None:
    if raw is None:
        return None
    try:
        return Policy.parse(raw, PolicyKind.TRUST, name=f"role {role} trust policy")
    except PolicyError as exc:
        suffix = exc.path[1:] if exc.path.startswith("$") else f".{exc.path}"
        raise IamConfigError(f"{path}{suffix}", f"invalid trust policy: {exc.problem}") from exc


def _keys(raw: Any, path: str) -> tuple[AccessKey, ...]:
    if raw is None:
        return ()
    _expect(isinstance(raw, list), path, "must be a list of {id, secret}")
    keys = []
    for i, item in enumerate(raw):
        where = f"{path}[{i}]"
        _expect(isinstance(item, Mapping), where, "must be a mapping with id and secret")
        for key in item:
            _expect(key in _KEY_KEYS, f"{where}.{key}", f"unknown key (expected one of {', '.join(sorted(_KEY_KEYS))})")
        key_id, secret, status = item.get("id"), item.get("secret"), item.get("status", "Active")
        _expect(isinstance(key_id, str) and bool(_KEY_ID.match(key_id)), f"{where}.id",
                "required, 16-128 letters, digits or underscores (e.g. AKIAIOSFODNN7EXAMPLE)")
        # Never echo the secret in the message.
        _expect(isinstance(secret, str) and len(secret) >= 1, f"{where}.secret", "required, a non-empty string")
        _expect(status in ("Active", "Inactive"), f"{where}.status", "must be Active or Inactive")
        keys.append(AccessKey(str(key_id), str(secret), str(status)))
    return tuple(keys)


def _principal_fields(item: Any, where: str, known: set[str], accounts: set[str] | None, kind: str) -> dict[str, Any]:
    _expect(isinstance(item, Mapping), where, f"each {kind} must be a mapping")
    for key in item:
        _expect(key in known, f"{where}.{key}", f"unknown key (expected one of {', '.join(sorted(known))})")
    account = _account(item.get("account"), f"{where}.account")
    if accounts is not None:
        _expect(account in accounts, f"{where}.account", f"{account} is not listed in iam.accounts")
    name = item.get("name")
    _expect(isinstance(name, str) and bool(_NAME.match(name)), f"{where}.name",
            "required, 1-64 characters of letters, digits and +=,.@_-")
    path = item.get("path", "/")
    _expect(isinstance(path, str) and bool(_PATH.match(path)) and len(path) <= 512, f"{where}.path",
            "must start and end with / (e.g. /division/)")
    return {"account": account, "name": name, "path": path,
            "access_keys": _keys(item.get("accessKeys"), f"{where}.accessKeys"),
            "policies": _policies(item.get("policies"), f"{where}.policies", f"{kind} {name}")}


def _parse(raw: Any) -> IamDirectory:
    if raw is None:
        return IamDirectory()
    _expect(isinstance(raw, Mapping), "", "must be a mapping with accounts, users, roles")
    for key in raw:
        _expect(key in ("accounts", "users", "roles"), f".{key}", "unknown key (expected accounts, users, roles)")
    accounts_raw = raw.get("accounts")
    accounts: tuple[str, ...] = ()
    if accounts_raw is not None:
        _expect(isinstance(accounts_raw, list), ".accounts", "must be a list of 12-digit account ids")
        accounts = tuple(_account(a, f".accounts[{i}]") for i, a in enumerate(accounts_raw))
    declared = set(accounts) if accounts_raw is not None else None
    users: list[IamUser] = []
    roles: list[IamRole] = []
    for section, kind in (("users", "user"), ("roles", "role")):
        items = raw.get(section) or []
        _expect(isinstance(items, list), f".{section}", f"must be a list of {section}")
        seen: set[tuple[str, str]] = set()
        for i, item in enumerate(items):
            where = f".{section}[{i}]"
            known = _USER_KEYS if kind == "user" else _ROLE_KEYS
            fields = _principal_fields(item, where, known, declared, kind)
            ident = (fields["account"], fields["name"].lower())  # IAM names are unique case-insensitively
            _expect(ident not in seen, f"{where}.name", f"duplicate {kind} {fields['name']} in {fields['account']}")
            seen.add(ident)
            if kind == "user":
                users.append(IamUser(**fields))
            else:
                session = item.get("sessionName")
                _expect(session is None or (isinstance(session, str) and 2 <= len(session) <= 64),
                        f"{where}.sessionName", "must be a string of 2-64 characters")
                roles.append(IamRole(**fields, session_name=session,
                                     trust=_trust(item.get("trustPolicy"), f"{where}.trustPolicy", fields["name"])))
    index: dict[str, KeyOwner] = {}
    groups: tuple[tuple[list[IamPrincipal], str], ...] = ((list(users), "users"), (list(roles), "roles"))
    for principals, section in groups:
        for i, principal in enumerate(principals):
            for j, key in enumerate(principal.access_keys):
                _expect(key.id not in index, f".{section}[{i}].accessKeys[{j}].id", f"duplicate access key id {key.id}")
                index[key.id] = KeyOwner(principal, key)
    all_accounts = tuple(dict.fromkeys([*accounts, *(u.account for u in users), *(r.account for r in roles)]))
    return IamDirectory(all_accounts, tuple(users), tuple(roles), index)
