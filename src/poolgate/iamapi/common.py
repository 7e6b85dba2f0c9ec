"""What the IAM API's operations share: the caller, policy documents, dates, ARNs and AWS's error words.

Sources for the words (``test_*`` names are LocalStack's AWS-recorded snapshots,
localstack tests/aws/services/iam/test_iam.snapshot.json):
- MalformedPolicyDocument "This policy contains invalid Json" (400): test_create_role_with_malformed_assume_role_…
- NoSuchEntity "The user with name {name} cannot be found." (404): test_create_service_specific_credential_invalid_user,
  and the AWS SDK for Go's IAM smoke test (GetUser of fake_user);
- NoSuchEntity "Policy {arn} was not found." (404): test_delete_non_existent_policy_returns_no_such_entity;
- NoSuchEntity "Policy {arn} does not exist or is not attachable." (404) and ValidationError "Invalid ARN:  Could not
  be parsed!" (400, two spaces): test_role_attach_policy.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from ..awsproto.dispatch import Caller, authenticate
from ..errors import ServiceError
from ..http import Request
from ..iam import Policy, PolicyError, PolicyKind
from ..services import Services

INVALID_JSON = "This policy contains invalid Json"
_POLICY_ARN = re.compile(r"^arn:aws:iam::(\d{12}|aws):policy(/(?:[\x21-\x7e]*/)?)([\w+=,.@-]{1,128})$")


IN_PROCESS = Request("POST", "/", "/", "", [], b"", "127.0.0.1")
"""The request a template's resources pass (``templates/planes.py``): the call runs as the server's own account,
unsigned, as the other control planes' in-process calls do. No request read from a socket is this object."""


async def caller_of(services: Services, request: Request) -> Caller:
    """Who calls: the SigV4 credential scope's account and region (``awsproto.dispatch.authenticate``)."""
    if request is IN_PROCESS:
        return Caller(region=services.settings.region, account=services.settings.account, signed=True,
                      access_key=None, source_ip=request.client_ip, request_id="")
    caller = Caller(region=services.settings.region, account=services.settings.account, signed=False,
                    access_key=None, source_ip=request.client_ip, request_id="")
    authenticate(services, request, caller, "iam")
    return caller


def document(raw: str, kind: PolicyKind) -> dict[str, Any]:
    """A policy document as IAM accepts it (parsed by ``iam/policy.py``), or MalformedPolicyDocument."""
    try:
        parsed = json.loads(raw)
    except ValueError:
        raise ServiceError("MalformedPolicyDocument", INVALID_JSON) from None
    try:
        Policy.parse(parsed, kind)
    except PolicyError as exc:
        raise ServiceError("MalformedPolicyDocument", exc.problem) from None
    return dict(parsed)


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def no_user(name: str) -> ServiceError:
    return ServiceError("NoSuchEntity", f"The user with name {name} cannot be found.", 404)


def policy_arn(account: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{account}:policy{path}{name}"


def split_policy_arn(arn: str) -> tuple[str, str, str]:
    """(account, path, name) of a managed policy's ARN; ValidationError as IAM words it when it is none."""
    match = _POLICY_ARN.match(arn)
    if match is None:
        raise ServiceError("ValidationError", "Invalid ARN:  Could not be parsed!", 400)
    return match.group(1), match.group(2), match.group(3)


def not_attachable(arn: str) -> ServiceError:
    return ServiceError("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.", 404)


def policy_not_found(arn: str) -> ServiceError:
    return ServiceError("NoSuchEntity", f"Policy {arn} was not found.", 404)
