"""CloudFormation's intrinsic functions and conditions, resolved against the stack's parameters, pseudo
parameters and the physical ids / attributes of the resources applied so far.

https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

NO_VALUE = object()
"""``Ref: AWS::NoValue``: the property (or list item) is removed."""
_SUB = re.compile(r"\$\{([^}!][^}]*)\}")


class IntrinsicError(Exception):
    """A function used wrongly; the applier adds the resource and property."""


class Resolver:
    """Resolves a template value; ``ref(name)`` and ``attr(name, attribute)`` give resources' values."""

    def __init__(self, parameters: dict[str, Any], pseudo: dict[str, str], conditions: dict[str, Any],
                 mappings: dict[str, Any], ref: Callable[[str], Any], attr: Callable[[str, str], Any]) -> None:
        self.parameters = parameters
        self.pseudo = pseudo
        self.condition_specs = conditions
        self.mappings = mappings
        self._ref = ref
        self._attr = attr
        self._conditions: dict[str, bool] = {}

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            if name not in self.condition_specs:
                raise IntrinsicError(f"no condition named {name}")
            self._conditions[name] = self._truth(self.condition_specs[name])
        return self._conditions[name]

    def _truth(self, value: Any) -> bool:
        if isinstance(value, dict) and len(value) == 1:
            (key, arg), = value.items()
            if key == "Fn::Equals":
                left, right = self._args(key, arg, 2)
                return str(self.resolve(left)) == str(self.resolve(right))
            if key == "Fn::And":
                return all(self._truth(item) for item in self._list(key, arg))
            if key == "Fn::Or":
                return any(self._truth(item) for item in self._list(key, arg))
            if key == "Fn::Not":
                (inner,) = self._args(key, arg, 1)
                return not self._truth(inner)
            if key == "Condition":
                return self.condition(str(arg))
        resolved = self.resolve(value)
        if isinstance(resolved, bool):
            return resolved
        if str(resolved).lower() in ("true", "false"):
            return str(resolved).lower() == "true"
        raise IntrinsicError(f"a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition, not {value!r}")

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            function = _FUNCTIONS.get(key)
            if function is not None:
                return function(self, arg)
            if key.startswith("Fn::"):
                raise IntrinsicError(f"poolgate does not resolve {key}")
        out = {}
        for key, item in value.items():
            resolved = self.resolve(item)
            if resolved is not NO_VALUE:
                out[key] = resolved
        return out

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self._ref(name)

    def _args(self, key: str, arg: Any, count: int) -> list[Any]:
        if not isinstance(arg, list) or len(arg) != count:
            raise IntrinsicError(f"{key} takes a list of {count}")
        return arg

    def _list(self, key: str, arg: Any) -> list[Any]:
        if not isinstance(arg, list):
            raise IntrinsicError(f"{key} takes a list")
        return arg

    def sub(self, arg: Any) -> str:
        if isinstance(arg, str):
            text, variables = arg, {}
        else:
            text, variables = self._args("Fn::Sub", arg, 2)
            if not isinstance(text, str) or not isinstance(variables, dict):
                raise IntrinsicError("Fn::Sub takes a string, or a string and a mapping of variables")
        values = {name: self.resolve(item) for name, item in variables.items()}

        def one(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name in values:
                return str(values[name])
            if "." in name and name.split(".", 1)[0] not in self.parameters:
                logical, attribute = name.split(".", 1)
                return str(self._attr(logical, attribute))
            return str(self.ref(name))

        return _SUB.sub(one, text).replace("${!", "${")

    def get_att(self, arg: Any) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        logical, attribute = self._args("Fn::GetAtt", arg, 2)
        return self._attr(str(logical), str(self.resolve(attribute)))

    def join(self, arg: Any) -> str:
        delimiter, items = self._args("Fn::Join", arg, 2)
        resolved = self.resolve(items)
        if not isinstance(resolved, list):
            raise IntrinsicError("Fn::Join's second argument is a list")
        return str(delimiter).join(str(item) for item in resolved)

    def if_(self, arg: Any) -> Any:
        name, yes, no = self._args("Fn::If", arg, 3)
        return self.resolve(yes if self.condition(str(name)) else no)

    def select(self, arg: Any) -> Any:
        index, items = self._args("Fn::Select", arg, 2)
        resolved = self.resolve(items)
        position = int(self.resolve(index))
        if not isinstance(resolved, list) or not 0 <= position < len(resolved):
            raise IntrinsicError(f"Fn::Select: no item {position}")
        return resolved[position]

    def split(self, arg: Any) -> list[str]:
        delimiter, text = self._args("Fn::Split", arg, 2)
        return str(self.resolve(text)).split(str(delimiter))

    def find_in_map(self, arg: Any) -> Any:
        name, first, second = (self.resolve(item) for item in self._args("Fn::FindInMap", arg, 3))
        try:
            return self.mappings[name][first][second]
        except (KeyError, TypeError):
            raise IntrinsicError(f"Fn::FindInMap: no {name}.{first}.{second} in Mappings") from None


def _ref(resolver: Resolver, arg: Any) -> Any:
    return resolver.ref(str(arg))


_FUNCTIONS: dict[str, Callable[[Resolver, Any], Any]] = {
    "Ref": _ref,
    "Fn::Sub": Resolver.sub,
    "Fn::GetAtt": Resolver.get_att,
    "Fn::Join": Resolver.join,
    "Fn::If": Resolver.if_,
    "Fn::Select": Resolver.select,
    "Fn::Split": Resolver.split,
    "Fn::FindInMap": Resolver.find_in_map,
    "Fn::Base64": lambda resolver, arg: base64.b64encode(str(resolver.resolve(arg)).encode()).decode(),
    "Fn::GetAZs": lambda resolver, arg: [f"{resolver.pseudo['AWS::Region']}{zone}" for zone in "abc"],
}


def references(value: Any) -> set[str]:
    """The logical names a value refers to (Ref, Fn::GetAtt, ``${Name}`` / ``${Name.Attr}`` in Fn::Sub)."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= references(item)
    elif isinstance(value, dict):
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref" and isinstance(arg, str):
                return {arg}
            if key == "Fn::GetAtt":
                target = arg.split(".", 1)[0] if isinstance(arg, str) else arg[0] if isinstance(arg, list) else None
                return {str(target)} if target else set()
            if key == "Fn::Sub":
                text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1]) if isinstance(
                    arg, list) and len(arg) == 2 else ("", {})
                names = {m.group(1).strip().split(".", 1)[0] for m in _SUB.finditer(str(text))}
                return (names - set(variables if isinstance(variables, dict) else {})) | references(variables)
        for item in value.values():
            found |= references(item)
    return found
