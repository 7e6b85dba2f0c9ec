"""``AWS::Lambda::Function``, ``Permission``, ``Version``, ``Alias`` through the lambda operations
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-function.html).

A function's code is a local folder (SAM's ``CodeUri``, CDK's asset; zipped here the same way every time, so
an unchanged folder is unchanged code), a local ``.zip``, or inline ``ZipFile`` text, which CloudFormation
writes as ``index.js`` / ``index.py``."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile
from pathlib import Path
from typing import Any

from ..errors import ServiceError
from .kinds import PropertyError, Record, Target, applies, known, require
from .planes import NOT_FOUND, Planes

_FUNCTION = {"FunctionName", "Runtime", "Handler", "Code", "Role", "Timeout", "MemorySize", "Environment",
             "Description", "Architectures", "Tags", "ReservedConcurrentExecutions", "PackageType",
             "LoggingConfig", "TracingConfig", "EphemeralStorage", "Layers", "VpcConfig", "DeadLetterConfig",
             "KmsKeyArn", "RuntimeManagementConfig", "SnapStart", "FileSystemConfigs", "CodeSigningConfigArn",
             "ImageConfig", "RecursiveLoop"}
_CONFIG = ("Runtime", "Handler", "Role", "Timeout", "MemorySize", "Description")
_ZERO_TIME = (1980, 1, 1, 0, 0, 0)


def zip_folder(folder: Path) -> bytes:
    """``folder`` as a zip whose bytes depend only on the files' paths, contents and execute bits."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                path = Path(root) / name
                info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), _ZERO_TIME)
                info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def _inline(runtime: str, text: str) -> bytes:
    name = "index.py" if runtime.startswith("python") else "index.js"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(name, _ZERO_TIME)
        info.external_attr = 0o644 << 16
        archive.writestr(info, text)
    return buffer.getvalue()


def code_bytes(props: dict[str, Any], code: dict[str, Path]) -> bytes:
    """The function's zip from its ``Code``: inline text, or the local path a placeholder S3 key stands for."""
    value = props.get("Code")
    if isinstance(value, str):
        value = {"S3Key": value} if value in code else {"ZipFile": None}
    if not isinstance(value, dict):
        raise PropertyError("Code", "Code is a mapping: ZipFile, or S3Bucket/S3Key of a local folder")
    if "ZipFile" in value:
        if not isinstance(value["ZipFile"], str):
            raise PropertyError("Code.ZipFile", "inline code is text")
        return _inline(str(props.get("Runtime", "")), value["ZipFile"])
    key = value.get("S3Key")
    path = code.get(str(key)) if key is not None else None
    if path is None:
        raise PropertyError("Code", "poolgate runs code from a local folder (SAM's CodeUri, a CDK asset) or inline "
                            "ZipFile; an S3 location it cannot fetch")
    if path.is_dir():
        return zip_folder(path)
    return path.read_bytes()


def _tags(value: Any) -> dict[str, str]:
    if isinstance(value, list):
        return {str(tag.get("Key")): str(tag.get("Value")) for tag in value if isinstance(tag, dict)}
    return dict(value or {})


@applies("AWS::Lambda::Function")
async def function(planes: Planes, target: Target, props: dict[str, Any], old: Record | None) -> Record:
    known(props, _FUNCTION)
    require(props, "Runtime", "Handler", "Code")
    data = code_bytes(props, target.code)
    name = props.get("FunctionName") or (old.id if old is not None else target.default_name(64))
    config: dict[str, Any] = {key: props[key] for key in _CONFIG if key in props}
    config.setdefault("Role", f"arn:aws:iam::{target.account}:role/{target.stack}-{target.logical}Role")
    config["Environment"] = {"Variables": {k: str(v) for k, v in
                                           ((props.get("Environment") or {}).get("Variables") or {}).items()}}
    zipped = base64.b64encode(data).decode()
    current = None
    if old is not None:
        try:
            current = await planes.lambda_("GetFunctionConfiguration", {"FunctionName": name})
        except ServiceError as err:
            if err.code not in NOT_FOUND:
                raise
    if current is None:
        params: dict[str, Any] = {"FunctionName": name, **config, "Code": {"ZipFile": zipped}}
        if props.get("Architectures"):
            params["Architectures"] = props["Architectures"]
        if props.get("Tags"):
            params["Tags"] = _tags(props["Tags"])
        made = await planes.lambda_("CreateFunction", params)
    else:
        digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
        if current.get("CodeSha256") != digest:
            await planes.lambda_("UpdateFunctionCode", {"FunctionName": name, "ZipFile": zipped})
        made = await planes.lambda_("UpdateFunctionConfiguration", {"FunctionName": name, **config})
    if props.get("ReservedConcurrentExecutions") is not None:
        await planes.lambda_("PutFunctionConcurrency", {"FunctionName": name, "ReservedConcurrentExecutions":
                                                        int(props["ReservedConcurrentExecutions"])})
    return Record(target.type, name, {"Arn": made["FunctionArn"]},
                  probe=["lambda_", "GetFunctionConfiguration", {"FunctionName": name}])


@applies("AWS::Lambda::Permission")
async def permission(planes: Planes, target: Target, props: dict[str, Any], old: Record | None) -> Record:
    require(props, "FunctionName", "Action", "Principal")
    known(props, {"FunctionName", "Action", "Principal", "SourceArn", "SourceAccount", "EventSourceToken",
                  "PrincipalOrgID", "FunctionUrlAuthType"})
    sid = target.default_name(100)
    # poolgate's AddPermission keeps one policy per function, not per version or alias: a qualified name (an
    # alias's ARN, as SAM's AutoPublishAlias gives) adds to the function's policy.
    props = {**props, "FunctionName": _unqualified(str(props["FunctionName"]))}
    for name in {props["FunctionName"], *([old.attrs["FunctionName"]] if old else [])}:
        try:
            await planes.lambda_("RemovePermission", {"FunctionName": name, "StatementId": sid})
        except ServiceError as err:
            if err.code not in NOT_FOUND:
                raise
    await planes.lambda_("AddPermission", {**props, "StatementId": sid})
    return Record(target.type, sid, {"FunctionName": props["FunctionName"]}, probe=None)


def _unqualified(name: str) -> str:
    parts = name.split(":")
    if len(parts) == 8 and parts[5] == "function":  # arn:aws:lambda:REGION:ACCOUNT:function:NAME:QUALIFIER
        return ":".join(parts[:7])
    if len(parts) == 2:  # NAME:QUALIFIER
        return parts[0]
    return name


@applies("AWS::Lambda::Version")
async def version(planes: Planes, target: Target, props: dict[str, Any], old: Record | None) -> Record:
    require(props, "FunctionName")
    known(props, {"FunctionName", "Description", "CodeSha256", "ProvisionedConcurrencyConfig",
                  "RuntimePolicy"})
    params: dict[str, Any] = {k: props[k] for k in ("FunctionName", "Description", "CodeSha256") if k in props}
    made = await planes.lambda_("PublishVersion", params)
    qualifier = {"FunctionName": props["FunctionName"], "Qualifier": made["Version"]}
    return Record(target.type, made["FunctionArn"], {"Version": made["Version"], "FunctionArn": made["FunctionArn"]},
                  probe=["lambda_", "GetFunctionConfiguration", qualifier])


@applies("AWS::Lambda::Alias")
async def alias(planes: Planes, target: Target, props: dict[str, Any], old: Record | None) -> Record:
    require(props, "FunctionName", "FunctionVersion", "Name")
    known(props, {"FunctionName", "FunctionVersion", "Name", "Description", "RoutingConfig",
                  "ProvisionedConcurrencyConfig"})
    params: dict[str, Any] = {k: props[k] for k in ("FunctionName", "FunctionVersion", "Name", "Description",
                                                    "RoutingConfig")
              if k in props}
    try:
        made = await planes.lambda_("GetAlias", {"FunctionName": props["FunctionName"], "Name": props["Name"]})
        made = await planes.lambda_("UpdateAlias", params)
    except ServiceError as err:
        if err.code not in NOT_FOUND:
            raise
        made = await planes.lambda_("CreateAlias", params)
    return Record(target.type, made["AliasArn"], {"AliasArn": made["AliasArn"]},
                  probe=["lambda_", "GetAlias", {"FunctionName": props["FunctionName"], "Name": props["Name"]}])
