"""Removing what left the template, as a CloudFormation stack update deletes what its new template no longer
declares (or no longer creates: a false ``Condition``).

Each resource is deleted through its API's delete operation (``kinds.REMOVERS`` where a type needs more than one
call, else the delete that matches the read recorded as its probe), in the reverse of the order the stack applied
them, so what refers to a resource goes first; already gone is fine. ``DeletionPolicy: Retain`` (and
``RetainExceptOnCreate``) leaves it in place, no longer the stack's, as CloudFormation does
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html).

So a user pool removed from the template is deleted with its users, as CloudFormation deletes it; give it
``DeletionPolicy: Retain`` to keep it and its users. A delete the API refuses (a pool with deletion protection
on, say) is logged and the record kept, so the next start tries again; CloudFormation would fail the update.
"""

from __future__ import annotations

import logging
from typing import Any

from ..errors import ServiceError
from .kinds import APPLIERS, REMOVERS, Record
from .planes import NOT_FOUND, Planes

log = logging.getLogger("poolgate.templates")

_DELETES = {"DescribeUserPool": "DeleteUserPool", "DescribeUserPoolClient": "DeleteUserPoolClient",
            "GetGroup": "DeleteGroup", "DescribeResourceServer": "DeleteResourceServer",
            "GetRestApi": "DeleteRestApi", "GetResource": "DeleteResource", "GetMethod": "DeleteMethod",
            "GetAuthorizer": "DeleteAuthorizer", "GetDeployment": "DeleteDeployment", "GetStage": "DeleteStage",
            "GetApiKey": "DeleteApiKey", "GetUsagePlan": "DeleteUsagePlan", "GetUsagePlanKey": "DeleteUsagePlanKey",
            "GetFunctionConfiguration": "DeleteFunction", "GetAlias": "DeleteAlias"}
"""The read a record keeps as its probe → the delete taking the same parameters."""


def _steps(record: Record) -> list[tuple[str, str, dict[str, Any]]]:
    """(plane, operation, parameters) deleting a record whose type has no remover of its own."""
    if record.probe is not None and record.probe[1] in _DELETES:
        plane, read, params = record.probe
        return [(plane, _DELETES[read], params)]
    if record.type == "AWS::Cognito::UserPoolDomain" and record.attrs.get("UserPoolId"):
        return [("cognito", "DeleteUserPoolDomain", {"Domain": record.id, "UserPoolId": record.attrs["UserPoolId"]})]
    if record.type == "AWS::ApiGateway::GatewayResponse":
        api_id, _, response_type = record.id.partition("/")
        return [("apigateway", "DeleteGatewayResponse", {"restApiId": api_id, "responseType": response_type})]
    if record.type == "AWS::Lambda::Permission":
        return [("lambda_", "RemovePermission", {"FunctionName": record.attrs["FunctionName"],
                                                 "StatementId": record.id})]
    return []


async def remove(planes: Planes, logical: str, record: Record) -> bool:
    """Delete one record's resource; False (logged) when its API refused."""
    try:
        remover = REMOVERS.get(record.type)
        if remover is not None:
            await remover(planes, record)
            return True
        for plane, operation, params in _steps(record):
            try:
                await getattr(planes, plane)(operation, params)
            except ServiceError as err:
                if err.code not in NOT_FOUND:
                    raise
    except ServiceError as err:
        log.warning("%s (%s %s) left the template but could not be deleted: %s: %s; it is kept and tried again "
                    "at the next start", logical, record.type, record.id, err.code, err.message)
        return False
    return True


async def remove_gone(planes: Planes, previous: dict[str, Record], applied: dict[str, Record]) -> dict[str, Record]:
    """Delete (or, with ``DeletionPolicy: Retain``, let go of) what ``previous`` holds and ``applied`` does not;
    the records still to keep in the stack's state (deletes that failed)."""
    kept: dict[str, Record] = {}
    for logical in reversed(list(previous)):
        if logical in applied:
            continue
        record = previous[logical]
        if record.type not in APPLIERS:  # a stand-in for a type poolgate does not make: nothing to delete
            continue
        if record.retain:
            log.info("%s (%s %s) left the template and is retained (DeletionPolicy)", logical, record.type,
                     record.id)
        elif await remove(planes, logical, record):
            log.info("%s (%s %s) left the template and was deleted", logical, record.type, record.id)
        else:
            kept[logical] = record
    return kept
