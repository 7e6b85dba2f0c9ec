"""Reading a template: JSON or YAML with CloudFormation's short-form tags (``!Ref``, ``!Sub``, ``!GetAtt``…),
``--parameter`` values against its Parameters, and SAM's transform through ``aws-sam-translator``, the library
SAM CLI itself uses. The translator wants S3 code locations, so, as SAM CLI does, a local ``CodeUri`` is handed
to it as a placeholder S3 location and the local folder is kept (``Stack.code``)."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import TemplateError

PLACEHOLDER_BUCKET = "poolgate-local-code"
"""The S3 bucket a local ``CodeUri`` is handed to the translator as (its key is the folder's index)."""
_SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
_STACK_NAME = re.compile(r"[^A-Za-z0-9-]+")


@dataclass(slots=True)
class Stack:
    """One template as read: CloudFormation after SAM's transform, with its local code folders."""

    name: str
    path: Path
    template: dict[str, Any]
    parameters: dict[str, str]
    code: dict[str, Path] = field(default_factory=dict)
    """Placeholder S3 key → the local folder or file it stands for."""


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader plus the short-form intrinsics (on this subclass only: poolgate.yaml stays strict);
    dates stay text (``AWSTemplateFormatVersion: 2010-09-09``)."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    from samtranslator.yaml_helper import intrinsics_multi_constructor

    return intrinsics_multi_constructor(loader, suffix, node)


_Loader.add_multi_constructor("!", _intrinsic)


def _text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    assert isinstance(node, yaml.ScalarNode)
    return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _text)


def parse_text(text: str, file: Path) -> dict[str, Any]:
    try:
        document = json.loads(text) if text.lstrip().startswith("{") else yaml.load(text, Loader=_Loader)
    except (ValueError, yaml.YAMLError) as exc:
        raise TemplateError(file, None, None, f"not valid JSON or YAML: {exc}") from None
    if not isinstance(document, dict):
        raise TemplateError(file, None, None, "a template is a mapping with a Resources section")
    resources = document.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise TemplateError(file, None, None, "Resources: a template declares at least one resource")
    for logical, resource in resources.items():
        if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
            raise TemplateError(file, str(logical), "Type", "every resource has a Type")
        if not isinstance(resource.get("Properties", {}), dict):
            raise TemplateError(file, str(logical), "Properties", "Properties is a mapping")
    return document


def stack_name(path: Path) -> str:
    """The stack's name: the template's folder for ``template.yaml`` (SAM's layout), else the file's stem
    (``CdkStack`` for CDK's ``CdkStack.template.json``)."""
    stem = path.stem.removesuffix(".template")  # cdk.out/{Stack}.template.json
    base = path.resolve().parent.name if stem in ("template", "packaged") else stem
    return _STACK_NAME.sub("-", base).strip("-") or "poolgate"


def parameter_values(document: dict[str, Any], given: dict[str, str], file: Path) -> dict[str, str]:
    """Each declared parameter's value: given, else its Default; a parameter with neither is refused, as an
    unknown given one is only where no template of the run declares it (``read_stacks``)."""
    declared = document.get("Parameters") or {}
    values: dict[str, str] = {}
    for name, spec in declared.items():
        if name in given:
            value: Any = given[name]
        elif isinstance(spec, dict) and "Default" in spec:
            value = spec["Default"]
        else:
            raise TemplateError(file, None, f"Parameters.{name}",
                                f"no value: pass --parameter {name}=VALUE (it has no Default)")
        allowed = spec.get("AllowedValues") if isinstance(spec, dict) else None
        if allowed and str(value) not in [str(v) for v in allowed]:
            raise TemplateError(file, None, f"Parameters.{name}",
                                f"{value!r} is not one of the AllowedValues {allowed}")
        if isinstance(value, list):
            value = ",".join(str(v) for v in value)
        values[name] = str(value)
    return values


def read_stack(path: Path, given: dict[str, str], region: str, account: str, cache: Path | None = None) -> Stack:
    """Read, check the shape of, and SAM-transform one template; a transformed template is kept in ``cache``
    (by the template's text, its parameters, region, account and the translator's version), so that a restart
    with the same template neither imports nor runs the translator (about 2 s here)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateError(path, None, None, f"cannot read it: {exc.strerror}") from None
    document = parse_text(text, path)
    name = stack_name(path)
    values = parameter_values(document, given, path)
    stack = Stack(name, path, document, values)
    transforms = document.get("Transform")
    transforms = [transforms] if isinstance(transforms, str) else (transforms or [])
    if _SAM_TRANSFORM in transforms:
        key = _cache_key(text, values, region, account) if cache is not None and "DefinitionUri" not in text else None
        kept = _cached(cache, key, stack) if cache is not None and key is not None else None
        if kept is None:
            stack.template = _sam(stack, region, account)
            if cache is not None and key is not None:
                _keep(cache, key, stack)
    _cdk_assets(stack)
    return stack


def _cache_key(text: str, values: dict[str, str], region: str, account: str) -> str:
    from importlib.metadata import version

    material = json.dumps([text, values, region, account, version("aws-sam-translator")], sort_keys=True)
    return hashlib.sha256(material.encode()).hexdigest()


def _cached(cache: Path, key: str, stack: Stack) -> dict[str, Any] | None:
    try:
        kept = json.loads((cache / f"{key}.json").read_text())
    except (OSError, ValueError):
        return None
    code = {name: Path(folder) for name, folder in kept["code"].items()}
    if not all(folder.exists() for folder in code.values()):
        return None  # a folder went away: the translator's run says which
    stack.template = kept["template"]
    stack.code = code
    return stack.template


def _keep(cache: Path, key: str, stack: Stack) -> None:
    try:
        cache.mkdir(parents=True, exist_ok=True)
        temporary = cache / f"{key}.tmp"
        temporary.write_text(json.dumps({"template": stack.template,
                                         "code": {name: str(folder) for name, folder in stack.code.items()}}))
        temporary.replace(cache / f"{key}.json")
    except OSError:
        pass  # no cache: the next start transforms again


def _local_code(stack: Stack, value: Any) -> Any:
    """A ``CodeUri``/``ContentUri`` naming a local path → a placeholder S3 location the translator accepts."""
    if not isinstance(value, str) or value.startswith("s3://"):
        return value
    folder = (stack.path.parent / value).resolve()
    if not folder.exists():
        raise FileNotFoundError(str(folder))
    key = str(len(stack.code))
    stack.code[key] = folder
    return f"s3://{PLACEHOLDER_BUCKET}/{key}"


def _sam(stack: Stack, region: str, account: str) -> dict[str, Any]:
    import boto3
    from samtranslator.model.exceptions import InvalidDocumentException, InvalidTemplateException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    document = copy.deepcopy(stack.template)
    globals_code = ((document.get("Globals") or {}).get("Function") or {})
    if "CodeUri" in globals_code:
        try:
            globals_code["CodeUri"] = _local_code(stack, globals_code["CodeUri"])
        except FileNotFoundError as exc:
            raise TemplateError(stack.path, "Globals", "Function.CodeUri", f"no such folder: {exc}") from None
    for logical, resource in document["Resources"].items():
        properties = resource.get("Properties") or {}
        for key in ("CodeUri", "ContentUri", "DefinitionUri"):
            if key in properties and resource["Type"].startswith("AWS::Serverless::"):
                if key == "DefinitionUri" and isinstance(properties[key], str):
                    properties["DefinitionBody"] = _definition(stack, logical, properties.pop(key))
                    continue
                try:
                    properties[key] = _local_code(stack, properties[key])
                except FileNotFoundError as exc:
                    raise TemplateError(stack.path, logical, key, f"no such folder or file: {exc}") from None
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=region))
    values: dict[str, Any] = {**stack.parameters, "AWS::Region": region, "AWS::AccountId": account,
                              "AWS::StackName": stack.name}
    try:
        return dict(translator.translate(document, values, get_managed_policy_map=lambda: {}))
    except (InvalidDocumentException, InvalidTemplateException) as exc:
        causes = getattr(exc, "causes", None) or [exc]
        raise TemplateError(stack.path, None, None, "; ".join(str(getattr(c, "message", c)) for c in causes)
                            ) from None


def _definition(stack: Stack, logical: str, value: str) -> Any:
    path = (stack.path.parent / value).resolve()
    try:
        return _load_any(path)
    except OSError as exc:
        raise TemplateError(stack.path, logical, "DefinitionUri", f"cannot read {path}: {exc.strerror}") from None


def _load_any(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    try:
        return json.loads(text) if text.lstrip().startswith("{") else yaml.load(text, Loader=_Loader)
    except (ValueError, yaml.YAMLError) as exc:
        raise TemplateError(path, None, None, f"not valid JSON or YAML: {exc}") from None


def _cdk_assets(stack: Stack) -> None:
    """CDK's ``aws:asset:path`` metadata (a folder in ``cdk.out/``) stands for the resource's S3 code, as SAM CLI
    reads it."""
    for resource in stack.template["Resources"].values():
        metadata = resource.get("Metadata") or {}
        asset = metadata.get("aws:asset:path") if isinstance(metadata, dict) else None
        prop = metadata.get("aws:asset:property") if isinstance(metadata, dict) else None
        if not isinstance(asset, str) or prop != "Code":
            continue
        folder = (stack.path.parent / asset).resolve()
        if folder.exists():
            key = str(len(stack.code))
            stack.code[key] = folder
            resource.setdefault("Properties", {})["Code"] = {"S3Bucket": PLACEHOLDER_BUCKET, "S3Key": key}
