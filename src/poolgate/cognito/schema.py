"""Pool schema: Cognito's standard attributes, custom ones, and checks of user-supplied attributes."""

from __future__ import annotations

from typing import Any

from ..errors import invalid_parameter

STANDARD_ATTRIBUTES: dict[str, str] = {
    "sub": "String", "name": "String", "given_name": "String", "family_name": "String",
    "middle_name": "String", "nickname": "String", "preferred_username": "String", "profile": "String",
    "picture": "String", "website": "String", "email": "String", "email_verified": "Boolean",
    "gender": "String", "birthdate": "String", "zoneinfo": "String", "locale": "String",
    "phone_number": "String", "phone_number_verified": "Boolean", "address": "String", "updated_at": "Number",
}


_STRING_LIMITS = {"sub": {"MinLength": "1", "MaxLength": "2048"},
                  "birthdate": {"MinLength": "10", "MaxLength": "10"}}
"""Standard attributes whose limits differ from 0..2048 (DescribeUserPool of new pools; birthdate is YYYY-MM-DD)."""


def default_schema() -> list[dict[str, Any]]:
    """SchemaAttributes of a new pool, as DescribeUserPool reports them."""
    out = []
    for name, kind in STANDARD_ATTRIBUTES.items():
        entry: dict[str, Any] = {"Name": name, "AttributeDataType": kind, "DeveloperOnlyAttribute": False,
                                 "Mutable": name != "sub", "Required": name == "sub"}
        if kind == "String":
            entry["StringAttributeConstraints"] = _STRING_LIMITS.get(name, {"MinLength": "0", "MaxLength": "2048"})
        elif kind == "Number":
            entry["NumberAttributeConstraints"] = {"MinValue": "0"}
        out.append(entry)
    return out


def merge_schema(requested: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    schema = {a["Name"]: a for a in default_schema()}
    for attr in requested or []:
        name = attr["Name"]
        if name in STANDARD_ATTRIBUTES:
            schema[name] = {**schema[name], **{k: v for k, v in attr.items() if k != "Name"}}
        else:
            full = name if name.startswith("custom:") else f"custom:{name}"
            schema[full] = {"AttributeDataType": "String", "DeveloperOnlyAttribute": False, "Mutable": True,
                            "Required": False, **attr, "Name": full}
    return list(schema.values())


def known_attributes(pool_config: dict[str, Any]) -> set[str]:
    return {a["Name"] for a in pool_config.get("SchemaAttributes") or []}


def required_attributes(pool_config: dict[str, Any]) -> list[str]:
    return [a["Name"] for a in pool_config.get("SchemaAttributes") or [] if a.get("Required")
            and a["Name"] != "sub"]


def immutable_attributes(pool_config: dict[str, Any]) -> set[str]:
    return {a["Name"] for a in pool_config.get("SchemaAttributes") or [] if not a.get("Mutable", True)}


def attributes_from_list(items: list[dict[str, str]] | None) -> dict[str, str]:
    return {item["Name"]: item.get("Value", "") for item in items or []}


def check_attributes(pool_config: dict[str, Any], attrs: dict[str, str], *, creating: bool) -> None:
    """Reject attributes the schema does not know, and (on creation) missing required ones."""
    known = known_attributes(pool_config)
    for name in attrs:
        if name == "sub":
            raise invalid_parameter("Attributes did not conform to the schema: sub: cannot modify an "
                                    "immutable attribute")
        if name not in known:
            raise invalid_parameter(
                f"Attributes did not conform to the schema: Type for attribute {{{name}}} could not be "
                "determined"
            )
    if creating:
        missing = [n for n in required_attributes(pool_config) if not attrs.get(n)]
        if missing:
            raise invalid_parameter("Attributes did not conform to the schema: " + ", ".join(
                f"{n}: The attribute is required" for n in missing))
