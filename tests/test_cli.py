"""The command line as a newcomer meets it: ``poolgate --help``, every ``serve`` flag explained, and
``poolgate codes`` finding the server's database as ``serve`` does (from any folder, an --ephemeral server
too), taking an e-mail for --user, saying when there are no codes, and never creating an empty database."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from poolgate.cli import main

from .support import Server, start_server, stop_server

POOL = "us-east-1_CodesCli1"
CLIENT = "codescliclient000000000001"
CONFIG = f"""userPools:
  - id: {POOL}
    name: codes
    settings: {{UsernameAttributes: [email], AutoVerifiedAttributes: [email]}}
    clients: [{{id: {CLIENT}, name: web}}]
"""


def _poolgate(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "poolgate.cli", *args], cwd=cwd, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=60)


def _isolated(tmp_path: Path) -> dict[str, str]:
    """A runtime folder of this test's own: servers other tests start are not seen."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(exist_ok=True)
    return {"XDG_RUNTIME_DIR": str(runtime), "POOLGATE_DATA_DIR": "", "POOLGATE_DATABASE_URL": ""}


def test_help_is_written_for_users(tmp_path: Path) -> None:
    top = _poolgate("--help", cwd=tmp_path, env={})
    assert top.returncode == 0
    assert "thin wrappers" not in top.stdout and "``" not in top.stdout  # was the module's docstring
    assert "AWS-compatible API gateway" in top.stdout
    for command in ("serve", "codes", "rotate-keys"):
        assert re.search(rf"^\s+{command}\s*\n?\s+\w", top.stdout, re.M), top.stdout


class _Parsed(Exception):
    def __init__(self, parser: argparse.ArgumentParser) -> None:
        self.parser = parser


def _parser(monkeypatch: pytest.MonkeyPatch) -> argparse.ArgumentParser:
    """The parser ``poolgate`` builds, caught as it parses."""
    def catch(self: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        raise _Parsed(self)

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", catch)
    with pytest.raises(_Parsed) as caught:
        main([])
    return caught.value.parser


@pytest.mark.parametrize("command", ["serve", "codes", "rotate-keys"])
def test_every_option_has_help(monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    commands = next(a for a in _parser(monkeypatch)._actions if isinstance(a, argparse._SubParsersAction))
    sub = commands.choices[command]
    assert sub.description, f"`poolgate {command} --help` says nothing about the command"
    undocumented = [action.option_strings[-1] for action in sub._actions
                    if action.option_strings and not (action.help and action.help.strip())]
    assert undocumented == [], f"options without help in `poolgate {command} --help`: {undocumented}"


def test_codes_never_creates_a_database(tmp_path: Path) -> None:
    """Run where no server runs and no database is: a clear error, and no .poolgate/poolgate.db left behind
    (it used to create an empty one and crash on `no such table: outbox`)."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = _poolgate("codes", "--pool", POOL, cwd=elsewhere, env=_isolated(tmp_path))
    assert done.returncode == 1
    assert "no poolgate database found" in done.stderr and "--data-dir" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (elsewhere / ".poolgate").exists()
    missing = _poolgate("codes", "--pool", POOL, "--data-dir", str(tmp_path / "nothing"), cwd=elsewhere,
                        env=_isolated(tmp_path))
    assert missing.returncode == 1 and "no poolgate database in" in missing.stderr
    assert not (tmp_path / "nothing").exists()


@pytest.fixture
def ephemeral(tmp_path: Path) -> Iterator[tuple[Server, dict[str, str]]]:
    config = tmp_path / "poolgate.yaml"
    config.write_text(CONFIG)
    env = _isolated(tmp_path)
    server = start_server("--config", str(config), "--ephemeral", env=env)
    try:
        idp = boto3.client("cognito-idp", endpoint_url=server.url, region_name="us-east-1",
                           aws_access_key_id="AKIDTEST", aws_secret_access_key="secret")
        idp.sign_up(ClientId=CLIENT, Username="ana@example.com", Password="Ana-Passw0rd-1")
        yield server, env
    finally:
        stop_server(server)


def test_codes_finds_a_running_ephemeral_server_from_any_folder(tmp_path: Path,
                                                                ephemeral: tuple[Server, dict[str, str]]) -> None:
    """The pool signs users in by e-mail (their username is a generated id): --user takes the e-mail."""
    _server, env = ephemeral
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = _poolgate("codes", "--pool", POOL, "--user", "ana@example.com", cwd=elsewhere, env=env)
    assert done.returncode == 0, done.stderr
    purpose, username, delivery, code = done.stdout.strip().split("\t")
    assert (purpose, delivery) == ("signup", "EMAIL ana@example.com")
    assert re.fullmatch(r"[0-9a-f-]{36}", username) and re.fullmatch(r"\d{6}", code)
    assert not (elsewhere / ".poolgate").exists()


def test_codes_reads_the_data_folder_the_banner_prints(tmp_path: Path,
                                                       ephemeral: tuple[Server, dict[str, str]]) -> None:
    server, env = ephemeral
    line = next(line for line in server.log().splitlines() if "poolgate codes --data-dir" in line)
    folder = re.search(r"--data-dir (\S+)", line).group(1)  # type: ignore[union-attr]
    assert line.startswith(f"temporary data folder {folder}: ")
    runtime = tmp_path / "other-runtime"  # not through the running servers' records: the printed folder alone
    runtime.mkdir()
    done = _poolgate("codes", "--data-dir", folder, "--pool", POOL, "--user", "ana@example.com", cwd=tmp_path,
                     env={**env, "XDG_RUNTIME_DIR": str(runtime)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("signup\t")


def test_codes_says_when_there_are_none(tmp_path: Path, ephemeral: tuple[Server, dict[str, str]]) -> None:
    _server, env = ephemeral
    done = _poolgate("codes", "--pool", POOL, "--user", "bob@example.com", cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(f"poolgate: no codes for bob@example.com in the outbox of user pool {POOL}")
    unknown = _poolgate("codes", "--pool", "us-east-1_Nowhere01", cwd=tmp_path, env=env)
    assert unknown.returncode == 1 and "user pool us-east-1_Nowhere01 does not exist" in unknown.stderr


def test_serve_runs_when_it_cannot_record_itself(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")  # a file where the runtime folder would be
    server = start_server("--no-demo", env={"XDG_RUNTIME_DIR": str(blocked)})
    try:
        assert "cannot record this server in" in server.log()
        # With nothing declared the server listens before it has started (boot.py): the banner follows the start.
        deadline = time.monotonic() + 30
        while "poolgate codes --data-dir" not in server.log() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "poolgate codes --data-dir" in server.log()  # the banner still says how to read its codes
    finally:
        stop_server(server)
