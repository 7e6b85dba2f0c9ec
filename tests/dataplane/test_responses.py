"""Gateway response templates: ``$context`` variables in both spellings, the template's own braces kept."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from poolgate.dataplane.responses import _render_template
from poolgate.errors import GatewayError

ERR = GatewayError("UNAUTHORIZED", 401, "Unauthorized", "UnauthorizedException")


@pytest.mark.parametrize("template, expected", [
    ('{"message":$context.error.messageString}', {"message": "Unauthorized"}),  # AWS's default template
    ('{"message":${context.error.messageString}}', {"message": "Unauthorized"}),
    ('{"type":"$context.error.responseType","m":$context.error.messageString}',
     {"type": "UNAUTHORIZED", "m": "Unauthorized"}),
    ('{"raw":"$context.error.message"}', {"raw": "Unauthorized"}),
], ids=["bare-before-brace", "braced", "two-variables", "message"])
def test_templates_render_to_valid_json(template: str, expected: dict[str, Any]) -> None:
    ctx = SimpleNamespace(error=ERR)  # the $context.error.* variables read the error being rendered
    assert json.loads(_render_template(ctx, template)) == expected  # type: ignore[arg-type]
