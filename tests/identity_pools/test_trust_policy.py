"""Roles' trust policies (``iam: roles: [{trustPolicy: …}]``) and how they are evaluated for Cognito identities."""

from __future__ import annotations

import pytest

from poolgate.iam import Caller, IamConfigError, IamDirectory, Policy, PolicyError, PolicyKind, Request, evaluate

from .conftest import trust

FEDERATED = Caller(arn="cognito-identity.amazonaws.com", account="", type="WebIdentity")
ROLE = "arn:aws:iam::000000000000:role/R"


def _context(amr: list[str], aud: str = "us-east-1:abc") -> dict[str, str | list[str]]:
    return {"cognito-identity.amazonaws.com:aud": aud, "cognito-identity.amazonaws.com:amr": amr}


def test_a_trust_policy_names_its_principal_and_may_leave_out_the_resource() -> None:
    policy = Policy.parse(trust(), PolicyKind.TRUST)
    allowed = evaluate([policy], Request("sts:AssumeRoleWithWebIdentity", ROLE, FEDERATED, _context(
        ["authenticated", "cognito-idp.us-east-1.amazonaws.com/us-east-1_x"])))
    assert allowed.allowed
    assert not evaluate([policy], Request("sts:AssumeRoleWithWebIdentity", ROLE, FEDERATED,
                                          _context(["unauthenticated"]))).allowed
    assert not evaluate([policy], Request("sts:AssumeRoleWithWebIdentity", ROLE, FEDERATED,
                                          _context(["authenticated"], aud="eu-west-1:abc"))).allowed
    other = Caller(arn="accounts.google.com", account="", type="WebIdentity")
    assert not evaluate([policy], Request("sts:AssumeRoleWithWebIdentity", ROLE, other,
                                          _context(["authenticated"]))).allowed
    with pytest.raises(PolicyError):  # a trust policy must name a principal
        Policy.parse({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]},
                     PolicyKind.TRUST)


def test_roles_trust_policy_in_the_iam_section() -> None:
    directory = IamDirectory.parse({"roles": [{"account": "000000000000", "name": "R", "trustPolicy": trust()}]})
    assert directory.roles[0].trust is not None
    with pytest.raises(IamConfigError) as excinfo:
        IamDirectory.parse({"roles": [{"account": "000000000000", "name": "R",
                                       "trustPolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}}]})
    assert excinfo.value.path.startswith(".roles[0].trustPolicy")
