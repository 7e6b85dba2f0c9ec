"""Helpers of the template tests (``poolgate serve --template``)."""

from __future__ import annotations


def printed_outputs(log: str) -> dict[str, str]:
    """The ``Key``/``Value`` pairs of the Outputs block the server prints, as ``sam deploy`` prints them."""
    found: dict[str, str] = {}
    key = None
    for line in log.splitlines():
        if line.startswith("Key "):
            key = line.split(None, 1)[1].strip()
        elif line.startswith("Value ") and key is not None:
            found[key] = line.split(None, 1)[1].strip()
            key = None
    return found
