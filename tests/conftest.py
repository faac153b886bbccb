"""Shared fixtures: the bundled seeds and the 242-document dev corpus (read once per session)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
CORPUS = ROOT.parent / "shared" / "corpus" / "docs.jsonl.gz"


@pytest.fixture(scope="session")
def samples() -> dict[str, str]:
    return {p.stem[:3]: p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))}


@pytest.fixture(scope="session")
def corpus() -> list[dict]:
    if not CORPUS.exists():
        pytest.skip("the dev corpus ../shared/corpus/docs.jsonl.gz is not beside this checkout")
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]
