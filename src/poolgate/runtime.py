"""Where a running ``poolgate serve`` keeps its state, so that ``poolgate codes`` and ``rotate-keys`` find it
from any folder, also for an ``--ephemeral`` server whose data folder is a temporary one.

``serve`` records ``{pid, url, data_dir, database_url}`` in one file per process under
``$XDG_RUNTIME_DIR/poolgate`` (else ``~/.cache/poolgate/servers``), readable by its user only, and removes it
when it stops; records of processes that no longer run are ignored and removed.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from .settings import Settings

log = logging.getLogger("poolgate")

DATABASE_FILE = "poolgate.db"
DEFAULT_DATA_DIR = ".poolgate"


class StorageNotFound(Exception):
    """No database to read: what was looked for, and what to pass instead."""


@dataclass(frozen=True, slots=True)
class RunningServer:
    pid: int
    url: str
    database_url: str
    data_dir: str | None
    """The data folder of a SQLite server (None with --database-url)."""


def servers_dir() -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    return Path(runtime) / "poolgate" if runtime else Path.home() / ".cache" / "poolgate" / "servers"


def register(settings: Settings) -> Path | None:
    """Record this process's storage; returns the record's path (``unregister`` it when the server stops), or
    None when the folder cannot be written (the server runs all the same; ``codes`` then needs --data-dir)."""
    folder = servers_dir()
    path = folder / f"{os.getpid()}.json"
    record = {"pid": os.getpid(), "url": settings.base_url, "database_url": settings.effective_database_url(),
              "data_dir": None if settings.database_url else str(settings.data_dir.resolve())}
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        # The database URL may hold a password: the record is its owner's only, like the SQLite file.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(record, out)
    except OSError as exc:
        log.warning("cannot record this server in %s (%s): `poolgate codes` will need --data-dir or "
                    "--database-url", folder, exc)
        return None
    return path


def unregister(path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_servers() -> list[RunningServer]:
    found = []
    folder = servers_dir()
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            record = json.loads(path.read_text())
            server = RunningServer(int(record["pid"]), str(record["url"]), str(record["database_url"]),
                                   record.get("data_dir"))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if _alive(server.pid):
            found.append(server)
        else:
            path.unlink(missing_ok=True)  # a server that was killed: its record is stale
    return found


def shown(url: str) -> str:
    """``url`` for messages and the banner: the password hidden."""
    from sqlalchemy.engine import make_url  # here: `poolgate serve` records itself before SQLAlchemy is loaded

    return make_url(url).render_as_string(hide_password=True)


def _sqlite_url(data_dir: Path) -> str:
    return Settings(data_dir=data_dir).effective_database_url()


def locate_database(database_url: str | None, data_dir: str | None) -> str:
    """The database a command reads, found as ``serve`` finds it: ``--database-url`` /
    ``POOLGATE_DATABASE_URL``, else ``--data-dir`` / ``POOLGATE_DATA_DIR``, else the running server whose data
    folder is ``./.poolgate``, else ``./.poolgate`` if it holds a database, else the one running server. A
    SQLite file that does not exist is never created: ``StorageNotFound`` says what to pass."""
    database_url = database_url or os.environ.get("POOLGATE_DATABASE_URL")
    if database_url:
        return database_url
    data_dir = data_dir or os.environ.get("POOLGATE_DATA_DIR")
    if data_dir:
        folder = Path(data_dir).resolve()
        if not (folder / DATABASE_FILE).is_file():
            raise StorageNotFound(f"no poolgate database in {folder} ({DATABASE_FILE} does not exist): pass the "
                                  "--data-dir or --database-url that `poolgate serve` prints at start")
        return _sqlite_url(folder)
    here = Path(DEFAULT_DATA_DIR).resolve()
    servers = running_servers()
    for server in servers:
        if server.data_dir == str(here):
            return server.database_url
    if (here / DATABASE_FILE).is_file():
        return _sqlite_url(here)
    if len(servers) == 1:
        return servers[0].database_url
    if servers:
        listed = "; ".join(f"{s.url}: " + (f"--data-dir {s.data_dir}" if s.data_dir
                                           else f"--database-url {shown(s.database_url)}") for s in servers)
        raise StorageNotFound(f"{len(servers)} poolgate servers are running; say which with --data-dir or "
                              f"--database-url ({listed})")
    raise StorageNotFound(f"no poolgate database found: no `poolgate serve` is running for this user and "
                          f"{here / DATABASE_FILE} does not exist; pass the --data-dir or --database-url that "
                          "`poolgate serve` prints at start")
