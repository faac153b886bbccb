"""Knowledge kept as data: the JSON tables in the repository's ``data/`` folder.

Document-type codes, issuer codes, body names and provinces live in ``data/*.json`` so that they can grow
with the corpus without touching code; every entry carries examples that the tests run.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class TableError(ValueError):
    """A data table is missing or is not valid JSON."""


@cache
def load_table(name: str) -> Any:
    """The parsed content of ``data/<name>.json`` (``name`` may carry the ``.json`` suffix), cached.

    Callers must treat the result as read-only: it is shared between them.
    """
    stem = name[:-5] if name.endswith(".json") else name
    path = DATA_DIR / f"{stem}.json"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise TableError(f"data table {stem!r} cannot be read: {path} ({e.strerror})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise TableError(f"data table {stem!r} is not valid JSON: {path}:{e.lineno}:{e.colno}: {e.msg}") from None
