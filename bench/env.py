"""Where the benchmark databases live, and the environment every benchmark process runs with."""

from __future__ import annotations

import os
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = PROJECT_DIR / "var" / "bench"
PYTHON = Path(sys.executable)  # the venv's python (make bench runs .venv/bin/python)
GUNICORN = PYTHON.parent / "gunicorn"
STATIC_ROOT = BENCH_DIR / "static"  # empty: static files come from the finders (no collectstatic needed)


def database_path(scale: str) -> Path:
    return BENCH_DIR / f"{scale}.sqlite3"


def bench_env(scale: str) -> dict[str, str]:
    """Production-like settings (DEBUG off, hashed static names off so no collectstatic is needed) on the
    scale's own SQLite file. CIVICPLAN_VAR_DIR is inherited unchanged."""
    env = dict(os.environ)
    env.update(
        {
            "SQLITE_PATH": str(database_path(scale)),
            "SECRET_KEY": "bench-only-secret-key-not-used-anywhere-else-0123456789",
            "DEBUG": "false",
            "STATIC_MANIFEST": "false",
            "STATIC_ROOT": str(STATIC_ROOT),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SETTINGS_MODULE": "civicplan.settings",
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(PROJECT_DIR / "src"), os.environ.get("PYTHONPATH")])
            ),
        }
    )
    env.pop("DATABASE_URL", None)  # the benchmarks measure the SQLite set-up, whatever the shell has
    return env


def prepare() -> None:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns at start-up when it is missing


def remove_database(scale: str) -> None:
    """A fresh start: the SQLite file and its WAL companions."""
    path = database_path(scale)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
