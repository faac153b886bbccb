"""Shared helpers for the graph tests: stores built once per test session with the real extractor.

Each store is built in a temporary directory (never the user's default store) and removed at exit.
The seeds store is built from the bundled samples (data/samples); the corpus store from the 242-document
dev corpus (../shared/corpus/docs.jsonl.gz).
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
CORPUS = ROOT.parent / "shared" / "corpus" / "docs.jsonl.gz"
SEED = {p.name[:3]: p for p in sorted(SAMPLES.glob("*.txt"))}


def tempdir(prefix: str = "legalkg-test-") -> Path:
    d = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, d, True)
    return d


@functools.cache
def seeds_build() -> tuple[str, object]:
    """(store dir, BuildReport) of the five bundled seeds."""
    from kg.build import build

    d = tempdir() / "store"
    report = build([str(SAMPLES)], store=d, progress=False, jobs=1)
    return str(d), report


def seeds_store():  # -> kg.store.GraphStore
    from kg.store import open_store

    return open_store(seeds_build()[0])


@functools.cache
def corpus_build() -> tuple[str, object]:
    """(store dir, BuildReport) of the dev corpus, built once per session with all cores."""
    from kg.build import build

    d = tempdir() / "store"
    report = build([str(CORPUS)], store=d, progress=False)
    return str(d), report


def corpus_store():
    from kg.store import open_store

    return open_store(corpus_build()[0])


def run_cli(*args: str, input: str | None = None, env: dict[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `legalkg ARGS` in a subprocess (as a user would), with the store env var cleared."""
    e = dict(os.environ)
    e.pop("LEGALKG_STORE", None)
    e["PYTHONIOENCODING"] = "utf-8"
    if env:
        e.update(env)
    return subprocess.run([sys.executable, "-m", "cli", *args], input=input, capture_output=True, text=True,
                          cwd=ROOT, env=e, timeout=timeout)


def records(result) -> list[dict]:
    return result.records()


def column(result, name: str) -> list:
    return result.column(name)
