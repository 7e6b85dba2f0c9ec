"""Customer managed policies through boto3's iam client: made, read, listed, attached to roles and users,
refused deletes while attached, IAM's error words (sources in iamapi/policies.py and iamapi/common.py)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from tests.support import Server

from .conftest import ACCOUNT, allow, error, iam_client, signed_get

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
    "Action": "sts:AssumeRoleWithWebIdentity"}]})


def test_policy_lifecycle(server: Server) -> None:
    iam = iam_client(server.url)
    made = iam.create_policy(PolicyName="Readers", Path="/app/", PolicyDocument=allow("allowed"),
                             Description="may read")["Policy"]
    arn = f"arn:aws:iam::{ACCOUNT}:policy/app/Readers"
    assert made["Arn"] == arn and made["PolicyId"].startswith("ANPA")
    assert (made["DefaultVersionId"], made["AttachmentCount"], made["IsAttachable"]) == ("v1", 0, True)
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy(PolicyName="readers", PolicyDocument=allow("allowed"))
    assert error(excinfo) == ("EntityAlreadyExists", "A policy called readers already exists. Duplicate names are "
                                                     "not allowed.", 409)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Description"] == "may read"
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert version["Document"] == json.loads(allow("allowed")) and version["IsDefaultVersion"] is True
    with pytest.raises(ClientError) as excinfo:
        iam.get_policy_version(PolicyArn=arn, VersionId="v2")
    assert error(excinfo)[0] == "NoSuchEntity"
    assert arn in [p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"]]
    assert iam.list_policies(Scope="AWS")["Policies"] == []
    assert [p["Arn"] for p in iam.list_policies(PathPrefix="/app/")["Policies"]] == [arn]
    assert arn not in [p["Arn"] for p in iam.list_policies(OnlyAttached=True)["Policies"]]

    iam.create_role(RoleName="Attached", AssumeRolePolicyDocument=TRUST)
    iam.create_user(UserName="AttachedUser")
    iam.attach_role_policy(RoleName="Attached", PolicyArn=arn)
    iam.attach_role_policy(RoleName="Attached", PolicyArn=arn)  # again: no change
    iam.attach_user_policy(UserName="AttachedUser", PolicyArn=arn)
    assert iam.list_attached_role_policies(RoleName="Attached")["AttachedPolicies"] == [
        {"PolicyName": "Readers", "PolicyArn": arn}]
    assert iam.list_attached_user_policies(UserName="AttachedUser")["AttachedPolicies"] == [
        {"PolicyName": "Readers", "PolicyArn": arn}]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 2
    assert arn in [p["Arn"] for p in iam.list_policies(OnlyAttached=True)["Policies"]]

    with pytest.raises(ClientError) as excinfo:
        iam.delete_policy(PolicyArn=arn)
    assert error(excinfo) == ("DeleteConflict", "Cannot delete a policy attached to entities.", 409)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_role(RoleName="Attached")
    assert error(excinfo) == ("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName="AttachedUser")
    assert error(excinfo) == ("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)

    iam.detach_role_policy(RoleName="Attached", PolicyArn=arn)
    with pytest.raises(ClientError) as excinfo:
        iam.detach_role_policy(RoleName="Attached", PolicyArn=arn)
    assert error(excinfo) == ("NoSuchEntity", f"Policy {arn} was not found.", 404)
    iam.detach_user_policy(UserName="AttachedUser", PolicyArn=arn)
    iam.delete_role(RoleName="Attached")
    iam.delete_user(UserName="AttachedUser")
    iam.delete_policy(PolicyArn=arn)
    with pytest.raises(ClientError) as excinfo:
        iam.get_policy(PolicyArn=arn)
    assert error(excinfo) == ("NoSuchEntity", f"Policy {arn} was not found.", 404)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_policy(PolicyArn=arn)
    assert error(excinfo) == ("NoSuchEntity", f"Policy {arn} was not found.", 404)


def test_attach_refusals(server: Server) -> None:
    """LocalStack's AWS-recorded test_role_attach_policy: a malformed ARN, a policy that does not exist."""
    iam = iam_client(server.url)
    iam.create_role(RoleName="Refusing", AssumeRolePolicyDocument=TRUST)
    with pytest.raises(ClientError) as excinfo:
        iam.attach_role_policy(RoleName="Refusing", PolicyArn="not-an-arn-at-all-really")
    assert error(excinfo) == ("ValidationError", "Invalid ARN:  Could not be parsed!", 400)
    missing = f"arn:aws:iam::{ACCOUNT}:policy/Nothing"
    with pytest.raises(ClientError) as excinfo:
        iam.attach_role_policy(RoleName="Refusing", PolicyArn=missing)
    assert error(excinfo) == ("NoSuchEntity", f"Policy {missing} does not exist or is not attachable.", 404)
    aws_managed = "arn:aws:iam::aws:policy/AdministratorAccess"
    with pytest.raises(ClientError) as excinfo:
        iam.attach_role_policy(RoleName="Refusing", PolicyArn=aws_managed)
    assert error(excinfo) == ("NoSuchEntity", f"Policy {aws_managed} does not exist or is not attachable.", 404)
    iam.create_policy(PolicyName="Exists", PolicyDocument=allow("allowed"))
    with pytest.raises(ClientError) as excinfo:
        iam.attach_role_policy(RoleName="Nobody", PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/Exists")
    assert error(excinfo) == ("NoSuchEntity", "The role with name Nobody cannot be found.", 404)
    with pytest.raises(ClientError) as excinfo:
        iam.attach_user_policy(UserName="Nobody", PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/Exists")
    assert error(excinfo) == ("NoSuchEntity", "The user with name Nobody cannot be found.", 404)
    with pytest.raises(ClientError) as excinfo:  # another path than the policy's
        iam.attach_role_policy(RoleName="Refusing", PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/other/Exists")
    assert error(excinfo)[0] == "NoSuchEntity"
    with pytest.raises(ClientError) as excinfo:  # a trust policy is no permission policy
        iam.create_policy(PolicyName="Malformed", PolicyDocument=TRUST)
    assert error(excinfo)[0] == "MalformedPolicyDocument"


def test_ten_managed_policies_per_role(server: Server) -> None:
    iam = iam_client(server.url)
    iam.create_role(RoleName="Crowded", AssumeRolePolicyDocument=TRUST)
    arns = [iam.create_policy(PolicyName=f"crowd{i}", PolicyDocument=allow("allowed"))["Policy"]["Arn"]
            for i in range(11)]
    for arn in arns[:10]:
        iam.attach_role_policy(RoleName="Crowded", PolicyArn=arn)
    with pytest.raises(ClientError) as excinfo:
        iam.attach_role_policy(RoleName="Crowded", PolicyArn=arns[10])
    assert error(excinfo) == ("LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 10", 409)


def test_delete_policy_racing_attach_leaves_no_dangling_attachment(server: Server) -> None:
    """DeletePolicy and AttachRolePolicy at the same moment: either the policy is gone and nothing is attached, or
    it stays attached (the attachment's foreign key decides)."""
    iam = iam_client(server.url)
    for i in range(6):
        iam.create_role(RoleName=f"Racer{i}", AssumeRolePolicyDocument=TRUST)
        arn = iam.create_policy(PolicyName=f"Raced{i}", PolicyDocument=allow("allowed"))["Policy"]["Arn"]

        def run(what: str, arn: str = arn, i: int = i) -> str:
            client = iam_client(server.url)
            try:
                if what == "delete":
                    client.delete_policy(PolicyArn=arn)
                else:
                    client.attach_role_policy(RoleName=f"Racer{i}", PolicyArn=arn)
                return "ok"
            except ClientError as err:
                return str(err.response["Error"]["Code"])

        with ThreadPoolExecutor(2) as pool:
            deleted, attached = pool.map(run, ["delete", "attach"])
        listed = iam.list_attached_role_policies(RoleName=f"Racer{i}")["AttachedPolicies"]
        assert (deleted, attached) in (("ok", "NoSuchEntity"), ("DeleteConflict", "ok"))
        assert (listed == []) == (deleted == "ok")


def test_policy_versions_decide_by_the_default(server: Server) -> None:
    """A new default version is what a key's calls are decided by; five versions at most; the default version
    cannot be deleted, and a policy with other versions cannot be deleted either."""
    iam = iam_client(server.url)
    arn = iam.create_policy(PolicyName="Versioned", PolicyDocument=allow("allowed"))["Policy"]["Arn"]
    iam.create_user(UserName="versioned")
    iam.attach_user_policy(UserName="versioned", PolicyArn=arn)
    key = iam.create_access_key(UserName="versioned")["AccessKey"]
    assert signed_get(server.url, key["AccessKeyId"], key["SecretAccessKey"], "other").status_code == 403

    made = iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("other"))["PolicyVersion"]
    assert (made["VersionId"], made["IsDefaultVersion"]) == ("v2", False)
    assert signed_get(server.url, key["AccessKeyId"], key["SecretAccessKey"], "other").status_code == 403
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("other"), SetAsDefault=True)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    assert signed_get(server.url, key["AccessKeyId"], key["SecretAccessKey"], "other").status_code == 200
    assert signed_get(server.url, key["AccessKeyId"], key["SecretAccessKey"], "allowed").status_code == 403
    assert [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]] == ["v3", "v2", "v1"]

    iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("allowed"))
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("allowed"))
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=allow("allowed"))
    assert error(excinfo)[0] == "LimitExceeded"
    with pytest.raises(ClientError) as excinfo:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v3")
    assert error(excinfo) == ("DeleteConflict", "Cannot delete the default version of a policy.", 409)
    iam.detach_user_policy(UserName="versioned", PolicyArn=arn)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_policy(PolicyArn=arn)
    assert error(excinfo)[0] == "DeleteConflict"
    for version in ("v1", "v2", "v4", "v5"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=version)
    iam.delete_policy(PolicyArn=arn)


def test_concurrent_policy_versions_lose_none(server: Server) -> None:
    """Two CreatePolicyVersion calls at once: each gets its own version or ConcurrentModification, never one
    overwriting the other's."""
    iam = iam_client(server.url)
    arn = iam.create_policy(PolicyName="RacedVersions", PolicyDocument=allow("allowed"))["Policy"]["Arn"]

    def create(_: int) -> str:
        try:
            return str(iam_client(server.url).create_policy_version(
                PolicyArn=arn, PolicyDocument=allow("other"))["PolicyVersion"]["VersionId"])
        except ClientError as err:
            return str(err.response["Error"]["Code"])

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(create, range(4)))
    made = [o for o in outcomes if o.startswith("v")]
    assert len(made) == len(set(made)) and set(outcomes) - set(made) <= {"ConcurrentModification"}
    listed = {v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]}
    assert listed == {"v1", *made}
