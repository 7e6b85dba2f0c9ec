"""Applying stacks at start: resources in dependency order, each through its applier (``kinds.APPLIERS``),
with intrinsics resolved against what was applied before it.

What each logical id became is kept in ``{data_dir}/templates/{stack}.json``. At the next start a resource
whose resolved properties (and code) are unchanged and which still exists is left alone; a changed one is
updated; a missing one (after ``/_poolgate/reset``, say) is made again. So users, tokens and everything else
made through the APIs stay. Resources no longer in the template (or whose Condition turned false) are deleted, as
a CloudFormation update deletes them, unless their ``DeletionPolicy`` was ``Retain`` (``removal.py``); an update
that replaces a resource keeps the old one when its ``UpdateReplacePolicy`` is ``Retain``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

from ..errors import ServiceError
from . import apigateway, cognito, functions, iam, usage  # noqa: F401  (each module registers its appliers)
from .errors import TemplateError
from .intrinsics import NO_VALUE, IntrinsicError, Resolver, references
from .kinds import APPLIERS, PropertyError, Record, Target
from .planes import Planes
from .reading import Stack
from .removal import remove_gone

log = logging.getLogger("poolgate.templates")

WITHOUT_EFFECT = frozenset({"AWS::CDK::Metadata", "AWS::ApiGateway::Account"})
"""CDK's bookkeeping (its metadata, the API Gateway account's CloudWatch role), accepted silently."""
_PSEUDO = ("AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::StackId", "AWS::Partition", "AWS::URLSuffix",
           "AWS::NoValue", "AWS::NotificationARNs")


def pseudo_parameters(stack: Stack, region: str, account: str) -> dict[str, str]:
    return {"AWS::Region": region, "AWS::AccountId": account, "AWS::StackName": stack.name,
            "AWS::StackId": f"arn:aws:cloudformation:{region}:{account}:stack/{stack.name}/poolgate",
            "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}


def order(stack: Stack) -> list[str]:
    """The logical ids, each after what it refers to; a reference to nothing, or a cycle, is refused."""
    template = stack.template
    resources: dict[str, Any] = template["Resources"]
    names = set(resources) | set(stack.parameters) | set(_PSEUDO)
    conditions = template.get("Conditions") or {}
    graph: dict[str, set[str]] = {}
    for logical, resource in resources.items():
        depends = resource.get("DependsOn") or []
        depends = [depends] if isinstance(depends, str) else depends
        found = references(resource.get("Properties") or {})
        for name in sorted(found):
            if name not in names:
                raise TemplateError(stack.path, logical, "Properties",
                                    f"refers to {name}, which is no resource, parameter or pseudo parameter")
        for name in depends:
            if name not in resources:
                raise TemplateError(stack.path, logical, "DependsOn", f"{name} is no resource of the template")
        condition = resource.get("Condition")
        if condition is not None and condition not in conditions:
            raise TemplateError(stack.path, logical, "Condition", f"no condition named {condition}")
        graph[logical] = {name for name in found | set(depends) if name in resources}
    for name, output in (template.get("Outputs") or {}).items():
        for ref in sorted(references(output)):
            if ref not in names:
                raise TemplateError(stack.path, None, f"Outputs.{name}", f"refers to {ref}, which is no resource, "
                                    "parameter or pseudo parameter")
    try:
        return list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise TemplateError(stack.path, None, "Resources",
                            f"circular dependency between {', '.join(map(str, exc.args[1]))}") from None


class StackRun:
    """One stack applied through ``planes``."""

    def __init__(self, stack: Stack, planes: Planes) -> None:
        settings = planes.services.settings
        self.stack = stack
        self.planes = planes
        self.region = settings.region
        self.account = settings.account
        self.state_file = Path(settings.data_dir) / "templates" / f"{stack.name}.json"
        self.records: dict[str, Record] = {}
        self.skipped: set[str] = set()
        template = stack.template
        self.resolver = Resolver(stack.parameters, pseudo_parameters(stack, self.region, self.account),
                                 template.get("Conditions") or {}, template.get("Mappings") or {}, self._ref,
                                 self._attr)

    def _previous(self) -> dict[str, Record]:
        try:
            data = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {}
        return {name: Record.load(item) for name, item in (data.get("resources") or {}).items()}

    def _save(self, previous: dict[str, Record]) -> None:
        """The records applied so far, after ``previous`` ones not applied (yet, or deletes that failed)."""
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        kept = {**previous, **self.records}
        temporary = self.state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps({"stack": self.stack.name, "template": str(self.stack.path),
                                         "resources": {k: v.dump() for k, v in kept.items()}}, indent=1))
        temporary.replace(self.state_file)

    def _ref(self, name: str) -> Any:
        if name in self.records:
            return self.records[name].id
        raise IntrinsicError(f"{name} is not applied (its Condition is false?)")

    def _attr(self, name: str, attribute: str) -> Any:
        record = self.records.get(name)
        if record is None:
            raise IntrinsicError(f"{name} is not applied (its Condition is false?)")
        if attribute not in record.attrs:
            raise IntrinsicError(f"{name} ({record.type}) has no attribute {attribute}; poolgate gives it "
                                 f"{', '.join(sorted(record.attrs)) or 'none'}")
        return record.attrs[attribute]

    async def run(self) -> tuple[list[str], list[str]]:
        """Apply every resource; returns (types not applied, Outputs lines)."""
        template = self.stack.template
        previous = self._previous()
        unsupported: dict[str, list[str]] = {}
        for logical in order(self.stack):
            resource = template["Resources"][logical]
            kind = resource["Type"]
            condition = resource.get("Condition")
            if condition is not None and not self._truth(logical, condition):
                continue
            applier = APPLIERS.get(kind)
            if applier is None:
                if kind not in WITHOUT_EFFECT:
                    unsupported.setdefault(kind, []).append(logical)
                self.records[logical] = self._placeholder(logical, kind)
                continue
            target = Target(self.stack.name, logical, kind, self.region, self.account, self.stack.code,
                            retain_replaced=resource.get("UpdateReplacePolicy") == "Retain")
            retain = resource.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate")
            props = self._resolve(logical, resource.get("Properties") or {})
            digest = self._digest(target, props)
            old = previous.get(logical)
            if old is not None and old.type != kind:
                old = None
            if old is not None and old.probe is not None and not await self._exists(logical, old):
                old = None
            if old is not None and old.digest == digest and old.probe is not None:
                old.retain = retain
                self.records[logical] = old
                continue
            record = await self._apply(target, props, old)
            record.digest, record.retain = digest, retain
            self.records[logical] = record
            self._save(previous)
        self._save(previous)
        failed = await remove_gone(self.planes, previous, self.records)
        self._save(failed)
        warnings = [f"{kind} ({', '.join(names)})" for kind, names in sorted(unsupported.items())]
        return warnings, self._stages() + self._outputs()

    def _stages(self) -> list[str]:
        """Where poolgate serves the stack's stages (an Output's execute-api URL names AWS's host)."""
        base = self.planes.services.settings.base_url
        seen = []
        for logical, resource in self.stack.template["Resources"].items():
            record = self.records.get(logical)
            if record is None or record.type not in ("AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment"):
                continue
            api_id = record.attrs.get("RestApiId")
            stage = record.id if record.type == "AWS::ApiGateway::Stage" else \
                self.resolver.resolve((resource.get("Properties") or {}).get("StageName"))
            if api_id and stage and (api_id, stage) not in seen:
                seen.append((api_id, stage))
        return [f"stack {self.stack.name}: api {api} stage {stage}: {base}/restapis/{api}/{stage}/_user_request_/"
                for api, stage in seen]

    def _truth(self, logical: str, condition: str) -> bool:
        try:
            return self.resolver.condition(condition)
        except IntrinsicError as exc:
            raise TemplateError(self.stack.path, logical, "Condition", str(exc)) from None

    def _resolve(self, logical: str, props: dict[str, Any]) -> dict[str, Any]:
        resolved = {}
        for name, value in props.items():
            try:
                item = self.resolver.resolve(value)
            except IntrinsicError as exc:
                raise TemplateError(self.stack.path, logical, f"Properties.{name}", str(exc)) from None
            except (TypeError, ValueError, AttributeError) as exc:
                raise TemplateError(self.stack.path, logical, f"Properties.{name}",
                                    f"an intrinsic function used wrongly ({exc})") from None
            if item is not NO_VALUE:
                resolved[name] = item
        return resolved

    def _digest(self, target: Target, props: dict[str, Any]) -> str:
        text = json.dumps(props, sort_keys=True, default=str)
        if target.type == "AWS::Lambda::Function":
            with contextlib.suppress(PropertyError, OSError):  # else the applier refuses it, naming the property
                text += hashlib.sha256(functions.code_bytes(props, target.code)).hexdigest()
        return hashlib.sha256(text.encode()).hexdigest()

    async def _exists(self, logical: str, old: Record) -> bool:
        assert old.probe is not None
        try:
            return await self.planes.exists(old.probe)
        except ServiceError:
            return False

    async def _apply(self, target: Target, props: dict[str, Any], old: Record | None) -> Record:
        try:
            return await APPLIERS[target.type](self.planes, target, props, old)
        except PropertyError as exc:
            raise TemplateError(self.stack.path, target.logical, f"Properties.{exc.prop}", exc.problem) from None
        except ServiceError as err:
            raise TemplateError(self.stack.path, target.logical, "Properties",
                                f"{err.code}: {err.message}") from None
        except (TypeError, KeyError, ValueError, AttributeError) as exc:
            # a property of the wrong shape (a list where a mapping belongs…) that no model check caught
            raise TemplateError(self.stack.path, target.logical, "Properties",
                                f"a property has the wrong shape for {target.type} ({type(exc).__name__}: {exc})"
                                ) from None

    def _placeholder(self, logical: str, kind: str) -> Record:
        """A resource poolgate does not make: its Ref and Arn are stand-ins, so what refers to it still applies."""
        name = f"{self.stack.name}-{logical}"
        service = kind.split("::")[1].lower() if kind.count("::") == 2 else "unknown"
        arn = (f"arn:aws:iam::{self.account}:role/{name}" if kind == "AWS::IAM::Role"
               else f"arn:aws:{service}:{self.region}:{self.account}:{name}")
        return Record(kind, name, {"Arn": arn})

    def _outputs(self) -> list[str]:
        """The Outputs as ``sam deploy`` ends: "CloudFormation outputs from deployed stack", dashed rules and a
        Key / Description / Value row per output (its column widths and rule length UNCONFIRMED: written from
        SAM CLI's output, not checked against its source)."""
        outputs = self.stack.template.get("Outputs") or {}
        if not outputs:
            return []
        rule = "-" * 100
        lines = ["", f"CloudFormation outputs from deployed stack {self.stack.name}", rule, "Outputs", rule]
        for name, output in outputs.items():
            if not isinstance(output, dict):
                continue
            condition = output.get("Condition")
            if condition is not None and not self._truth(name, condition):
                continue
            try:
                value = self.resolver.resolve(output.get("Value"))
                description = self.resolver.resolve(output.get("Description"))
            except IntrinsicError as exc:
                raise TemplateError(self.stack.path, None, f"Outputs.{name}", str(exc)) from None
            lines.append(f"{'Key':<20}{name}")
            if description:
                lines.append(f"{'Description':<20}{description}")
            lines.append(f"{'Value':<20}{value}")
            lines.append(rule)
        return lines


async def apply_stacks(stacks: list[Stack], planes: Planes) -> list[str]:
    """Apply every stack in turn; the banner lines (warnings first, then each stack's Outputs)."""
    lines: list[str] = []
    for stack in stacks:
        started = time.monotonic()
        run = StackRun(stack, planes)
        warnings, outputs = await run.run()
        log.info("stack %s (%s): %d resources applied or checked in %.2f s", stack.name, stack.path,
                 len(run.records), time.monotonic() - started)
        if warnings:
            message = (f"{stack.path}: poolgate does not apply these resource types, so they have no effect: "
                       f"{'; '.join(warnings)}")
            log.warning("%s", message)
            lines.append(f"warning: {message}")
        lines += outputs
    return lines
