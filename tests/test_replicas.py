"""Several bot processes on one PostgreSQL database, as a Deployment with two replicas
runs them: real processes, real signals."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import create_engine
from tests.pgcluster import PostgresCluster
from tests.test_main import _clean_env

pytestmark = pytest.mark.postgresql


async def test_replicas_starting_together_migrate_one_at_a_time(
    postgres_cluster: PostgresCluster, tmp_path: Path
) -> None:
    postgres_cluster.execute("CREATE DATABASE fresh_for_replicas")
    url = postgres_cluster.url("fresh_for_replicas")
    try:
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "migrate",
                cwd=tmp_path,
                env=_clean_env(DATABASE_URL=url),
                stderr=asyncio.subprocess.PIPE,
            )
            for _ in range(3)
        ]
        results = await asyncio.wait_for(
            asyncio.gather(*(process.communicate() for process in processes)), timeout=60
        )
        for process, (_, err) in zip(processes, results, strict=True):
            assert process.returncode == 0, err.decode()
        engine = create_engine(url)
        async with engine.connect() as connection:
            versions = (await connection.execute(text("SELECT * FROM alembic_version"))).all()
        await engine.dispose()
        assert len(versions) == 1
    finally:
        postgres_cluster.execute("DROP DATABASE fresh_for_replicas WITH (FORCE)")
