"""`poolgate serve` with no arguments runs the SecurePets demo, and the walk-through it prints works when
pasted into a shell: sign in, call without a token (401), call with the ID token (200)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from ..support import start_server, stop_server


def _walkthrough(log: str) -> list[str]:
    lines = log.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("SecurePets demo: paste these"))
    commands = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        commands.append(line)
    return commands


def test_the_printed_walkthrough_works_in_a_shell() -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    server = start_server()  # no --config: the embedded demo
    try:
        commands = _walkthrough(server.log())
        assert any(c.startswith("ID_TOKEN=$(curl") for c in commands)
        script = "set -euo pipefail\n" + "\n".join(
            # Mark each curl's output so the assertions below can find it.
            f'echo "== {i}"; {c}; echo' if c.startswith("curl") else c for i, c in enumerate(commands))
        result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        outputs = result.stdout.split("== ")[1:]
        unauthenticated, listing, purchase = outputs
        assert "HTTP/1.1 401" in unauthenticated and '{"message":"Unauthorized"}' in unauthenticated
        assert '"name"' in listing and "Unauthorized" not in listing
        assert "demo" in purchase  # the handler names the buyer from the token's claims
    finally:
        stop_server(server)
