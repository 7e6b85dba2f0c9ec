"""Lambda invocation URIs and execute-api ARNs, shared by the API loaders and the data plane.

A Lambda integration's ``uri`` is
``arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{lambdaArn}/invocations``
(https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html);
the function name inside may be or contain ``${stageVariables.x}``, which stays in place here and is
substituted per request.
"""

from __future__ import annotations

import copy
import re
from typing import Any

_INVOCATION_URI = re.compile(
    r"^arn:aws[a-z-]*:apigateway:(?P<region>[^:/]+):lambda:path/2015-03-31/functions/(?P<arn>.+)/invocations$")
_LAMBDA_ARN = re.compile(
    r"^arn:aws[a-z-]*:lambda:(?P<region>[^:]*):(?P<account>[^:]*):function:(?P<name>[^:]+)(?::(?P<qualifier>[^:]+))?$")
_STAGE_VARIABLE = r"\$\{stageVariables\.[A-Za-z0-9_]+\}"
_FUNCTION_NAME = re.compile(rf"^(?:[A-Za-z0-9_-]|{_STAGE_VARIABLE})+$")
_EXECUTE_API_SHORT = "execute-api:/"


def lambda_function_name(uri: str) -> str | None:
    """The function name in a Lambda invocation URI, a Lambda function ARN or a plain function name.

    The qualifier (``:alias`` / ``:version``) is dropped; ``${stageVariables.x}`` is kept as written.
    Returns ``None`` for anything else (an HTTP URL, another AWS service).
    """
    match = _INVOCATION_URI.match(uri)
    if match:
        uri = match.group("arn")
    match = _LAMBDA_ARN.match(uri)
    if match:
        uri = match.group("name")
    elif uri.startswith("arn:"):
        return None
    return uri if _FUNCTION_NAME.match(uri) and len(uri) <= 140 else None


def is_lambda_invocation_uri(uri: str) -> bool:
    """Whether ``uri`` is an ``arn:aws:apigateway:…:lambda:path/…/invocations`` URI naming a function."""
    return _INVOCATION_URI.match(uri) is not None and lambda_function_name(uri) is not None


def lambda_invocation_uri(function: str, region: str, account: str) -> str:
    """The integration URI API Gateway uses for Lambda function ``function`` in ``region``/``account``."""
    return (f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/"
            f"arn:aws:lambda:{region}:{account}:function:{function}/invocations")


def execute_api_arn(region: str, account: str, api_id: str, rest: str = "*") -> str:
    """``arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}``"""
    return f"arn:aws:execute-api:{region}:{account}:{api_id}/{rest}"


def expand_policy_resources(policy: dict[str, Any], region: str, account: str, api_id: str) -> dict[str, Any]:
    """A copy of a resource policy with the short form ``execute-api:/…`` expanded to the API's full ARN.

    https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-create-attach.html
    """

    def expand(value: Any) -> Any:
        if isinstance(value, str) and value.startswith(_EXECUTE_API_SHORT):
            return execute_api_arn(region, account, api_id, value[len(_EXECUTE_API_SHORT):])
        if isinstance(value, list):
            return [expand(item) for item in value]
        return value

    result = copy.deepcopy(policy)
    statements = result.get("Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        if isinstance(statement, dict):
            for key in ("Resource", "NotResource"):
                if key in statement:
                    statement[key] = expand(statement[key])
    return result
