"""Helpers for comparing RestApi models across the API loaders (ids are generated, so they are normalised)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from poolgate.apigw.domain import RestApi

DATA = Path(__file__).parent / "data"
REGION = "us-east-1"
ACCOUNT = "000000000000"


def normalized(api: RestApi) -> RestApi:
    """A copy with resource ids replaced by their paths, authorizer ids by their names, and no source."""
    result = copy.deepcopy(api)
    names = {authorizer.id: authorizer.name for authorizer in result.authorizers.values()}
    result.authorizers = {}
    for authorizer in api.authorizers.values():
        renamed = copy.deepcopy(authorizer)
        renamed.id = f"authorizer:{authorizer.name}"
        result.authorizers[renamed.id] = renamed
    for resource in result.resources.values():
        resource.id = f"resource:{resource.path}"
        for method in resource.methods.values():
            if method.authorizer_id is not None:
                method.authorizer_id = f"authorizer:{names[method.authorizer_id]}"
    result.source = ""
    return result


def inline_spec(name: str = "petstore-inline.yaml") -> dict[str, Any]:
    return yaml.safe_load((DATA / name).read_text())["apis"][0]  # type: ignore[no-any-return]
