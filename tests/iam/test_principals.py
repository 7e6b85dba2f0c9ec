"""IAM principals from poolgate.yaml: parsing, lookups, ARNs, secret redaction, config errors."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from poolgate.config import ConfigError, load_config
from poolgate.iam import IamDirectory, Outcome, Request, evaluate

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
YAML = f"""
iam:
  accounts: ["111122223333", 444455556666]
  users:
    - account: "111122223333"
      name: alice
      path: /eng/
      accessKeys: [{{id: AKIAIOSFODNN7EXAMPLE, secret: "{SECRET}"}}, {{id: AKIAOLDKEY0000000001, secret: s2,
                    status: Inactive}}]
      policies:
        - Version: "2012-10-17"
          Statement:
            - {{Effect: Allow, Action: "execute-api:Invoke", Resource: "arn:aws:execute-api:*:*:abc/*"}}
    - {{account: "444455556666", name: bob, accessKeys: [{{id: AKIABOBBOBBOBBOB0001, secret: s3}}]}}
  roles:
    - {{account: "111122223333", name: deployer, sessionName: ci,
       accessKeys: [{{id: ASIAROLEROLEROLE0001, secret: s4}}],
       policies: ['{{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Action": "*", "Resource": "*"}}}}']}}
"""


def directory() -> IamDirectory:
    return IamDirectory.parse(load_config(None, YAML).raw["iam"])


def test_users_roles_and_lookups() -> None:
    d = directory()
    assert d.accounts == ("111122223333", "444455556666")
    owner = d.by_access_key("AKIAIOSFODNN7EXAMPLE")
    assert owner is not None and owner.key.secret == SECRET and owner.key.active
    alice = owner.principal
    assert alice.arn == "arn:aws:iam::111122223333:user/eng/alice"
    caller = owner.caller()
    assert (caller.type, caller.username, caller.account) == ("User", "alice", "111122223333")
    assert caller.userid.startswith("AIDA") and len(caller.userid) == 21
    assert caller.userid == directory().users[0].user_id  # stable across loads
    old = d.by_access_key("AKIAOLDKEY0000000001")
    assert old is not None and not old.key.active
    assert d.by_access_key("AKIAUNKNOWN000000000") is None
    role = d.by_access_key("ASIAROLEROLEROLE0001")
    assert role is not None
    session = role.caller()
    assert session.arn == "arn:aws:sts::111122223333:assumed-role/deployer/ci"
    assert session.principal_arn == "arn:aws:iam::111122223333:role/deployer"
    assert session.username is None and session.userid.endswith(":ci")
    assert d.user("444455556666", "bob") is not None and d.role("111122223333", "deployer") is not None


def test_declared_policies_are_evaluated() -> None:
    d = directory()
    alice = d.users[0]
    allowed = evaluate(alice.policies, Request("execute-api:Invoke", "arn:aws:execute-api:us-east-1:1:abc/p/GET/"))
    assert allowed.outcome is Outcome.ALLOW
    other = evaluate(alice.policies, Request("execute-api:Invoke", "arn:aws:execute-api:us-east-1:1:xyz/p/GET/"))
    assert other.outcome is Outcome.IMPLICIT_DENY
    assert d.roles[0].policies[0].statements[0].actions == ("*",)


def test_secrets_never_appear_in_text(caplog: pytest.LogCaptureFixture) -> None:
    d = directory()
    logging.getLogger("test").warning("directory %s %r", d, d.by_access_key("AKIAIOSFODNN7EXAMPLE"))
    for text in (repr(d), str(d), caplog.text, repr(d.users[0].access_keys), str(d.users[0].access_keys[0])):
        assert SECRET not in text
    assert "AKIAIOSFODNN7EXAMPLE" in repr(d)


BAD = [
    ("not-a-mapping", "iam: [1]", "$.iam", "must be a mapping"),
    ("unknown-key", "iam: {groups: []}", "$.iam.groups", "unknown key"),
    ("bad-account", "iam: {accounts: ['123']}", "$.iam.accounts[0]", "12-digit"),
    ("user-account-not-declared", "iam: {accounts: ['111122223333'], users: [{account: '444455556666', name: a}]}",
     "$.iam.users[0].account", "not listed in iam.accounts"),
    ("user-without-name", "iam: {users: [{account: '111122223333'}]}", "$.iam.users[0].name", "required"),
    ("bad-name", "iam: {users: [{account: '111122223333', name: 'a b'}]}", "$.iam.users[0].name", "1-64"),
    ("bad-path", "iam: {users: [{account: '111122223333', name: a, path: eng}]}", "$.iam.users[0].path",
     "start and end with /"),
    ("unknown-user-key", "iam: {users: [{account: '111122223333', name: a, password: x}]}",
     "$.iam.users[0].password", "unknown key"),
    ("duplicate-user", "iam: {users: [{account: '111122223333', name: a}, {account: '111122223333', name: A}]}",
     "$.iam.users[1].name", "duplicate user"),
    ("key-without-secret",
     "iam: {users: [{account: '111122223333', name: a, accessKeys: [{id: AKIA0000000000000001}]}]}",
     "$.iam.users[0].accessKeys[0].secret", "required"),
    ("short-key-id", "iam: {users: [{account: '111122223333', name: a, accessKeys: [{id: AK, secret: s}]}]}",
     "$.iam.users[0].accessKeys[0].id", "16-128"),
    ("duplicate-key", "iam: {users: [{account: '111122223333', name: a, accessKeys: [{id: AKIA0000000000000001, "
     "secret: s}]}], roles: [{account: '111122223333', name: r, accessKeys: [{id: AKIA0000000000000001, secret: t}]}]}",
     "$.iam.roles[0].accessKeys[0].id", "duplicate access key"),
    ("invalid-policy", "iam: {users: [{account: '111122223333', name: a, policies: [{Version: '2012-10-17', "
     "Statement: [{Effect: Permit, Action: '*', Resource: '*'}]}]}]}", "$.iam.users[0].policies[0].Statement[0].Effect",
     "invalid policy document"),
    ("policy-with-principal", "iam: {roles: [{account: '111122223333', name: r, policies: [{Statement: "
     "{Effect: Allow, Principal: '*', Action: '*', Resource: '*'}}]}]}",
     "$.iam.roles[0].policies[0].Statement.Principal", "must not name a principal"),
    ("policy-not-json", "iam: {roles: [{account: '111122223333', name: r, policies: ['{nope']}]}",
     "$.iam.roles[0].policies[0]", "not valid JSON"),
]


@pytest.mark.parametrize(("text", "path", "problem"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_config_errors_name_file_path_and_problem(tmp_path: Path, text: str, path: str, problem: str) -> None:
    file = tmp_path / "poolgate.yaml"
    file.write_text(text + "\n")
    with pytest.raises(ConfigError) as info:
        load_config(file)
    message = str(info.value)
    assert message.startswith(f"{file}: {path}: "), message
    assert problem in message


def test_secret_is_not_echoed_in_errors(tmp_path: Path) -> None:
    text = f"iam: {{users: [{{account: '111122223333', name: a, accessKeys: [{{id: x, secret: '{SECRET}'}}]}}]}}"
    with pytest.raises(ConfigError) as info:
        load_config(None, text)
    assert SECRET not in str(info.value)
