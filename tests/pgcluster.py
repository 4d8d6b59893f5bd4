"""A throwaway PostgreSQL cluster for the test session: initdb in a temp dir, a free port.

Why not pytest-postgresql: it runs ``initdb``/``pg_ctl`` as the current user, and both
refuse to run as root, which is how CI runs (its issues #341 and #455 were closed without
an option for it). Here, as root, the server runs as an unprivileged system user instead.

The cluster is tuned for tests, not durability: no fsync, no full-page writes. Admin
statements go through asyncpg on a private event loop in a worker thread, so they can be
called from synchronous fixtures whatever pytest-asyncio's loop is doing.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg

from tests.harness import free_port

SUPERUSER = "postgres"
# As root, the first of these that exists owns the server (Debian's package creates the
# first; every Debian-like system has the second).
UNPRIVILEGED_OWNERS = ("postgres", "nobody")
HOW_TO_ENABLE = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH nor under "
    "/usr/lib/postgresql/*/bin: install them (Debian/Ubuntu: apt-get install postgresql) "
    "to run the suite on PostgreSQL"
)
_STARTUP_SECONDS = 30
# UTF-8 whatever the machine's locale is; the C locale would otherwise mean SQL_ASCII.
_INITDB = ("--encoding=UTF8", "--no-locale", "--no-sync")


def find_bin_dir() -> Path | None:
    """The folder holding initdb and pg_ctl: PATH first, then Debian's versioned folders
    (Debian does not put them on PATH)."""
    on_path = shutil.which("initdb"), shutil.which("pg_ctl")
    if all(on_path):
        return Path(os.path.realpath(on_path[0] or "")).parent
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda path: int(Path(path).parent.parent.name.split(".")[0]),
    )
    return Path(versions[-1]).parent if versions else None


def _owner() -> str | None:
    """The user to run the server as: None for ourselves unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in UNPRIVILEGED_OWNERS:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError(f"running as root and none of the users {UNPRIVILEGED_OWNERS} exists")


class PostgresCluster:
    """One cluster in a temporary directory; ``start``, ``stop`` and ``remove`` it."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.port = free_port()
        self.owner = _owner()
        self.base = Path(tempfile.mkdtemp(prefix="hiring-pg-"))
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        if self.owner is not None:
            shutil.chown(self.base, user=self.owner)
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", *_INITDB)

    def _run(self, program: str, *args: str) -> None:
        # The server's owner may not be able to read the caller's working directory.
        result = subprocess.run(
            [str(self.bin_dir / program), *args],
            cwd=self.base,
            user=self.owner,
            capture_output=True,
            text=True,
            timeout=_STARTUP_SECONDS,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{program} {' '.join(args)} failed:\n{result.stderr}")

    def start(self) -> None:
        options = " ".join(
            (
                f"-p {self.port}",
                "-h 127.0.0.1",
                # No Unix socket: the default folder may not exist or be writable.
                "-k ''",
                "-F",
                "-c full_page_writes=off",
                "-c synchronous_commit=off",
                "-c max_connections=200",
                # test_outage stops the server as a crash would; a checkpoint every 30 s
                # keeps the WAL replayed on restart short, within the start-up wait even
                # when the whole suite's writes came before it on a busy machine.
                "-c checkpoint_timeout=30s",
            )
        )
        self._run(
            "pg_ctl",
            "start",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            str(_STARTUP_SECONDS),
        )

    def stop(self) -> None:
        # Immediate: connections in flight are cut, as in a crash of the database host.
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")

    def remove(self) -> None:
        # Not running (a test stopped it and failed): only the directory is left to delete.
        with contextlib.suppress(RuntimeError):
            self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str, driver: str = "postgresql+asyncpg") -> str:
        return f"{driver}://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def execute(self, *statements: str, database: str = "postgres") -> None:
        """Run statements, each on its own (CREATE/DROP DATABASE cannot be in a transaction)."""

        async def run() -> None:
            connection = await asyncpg.connect(
                host="127.0.0.1", port=self.port, user=SUPERUSER, database=database
            )
            try:
                for statement in statements:
                    await connection.execute(statement)
            finally:
                await connection.close()

        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, run()).result()
