"""Running extraction over many inputs, and showing the results to people.

``extract_all`` turns every input of a batch into either a result or one error line, so a single bad
file (or a bug the extractor hits on one odd text) never stops the others. ``render_table`` works on
the JSON contract (``Extraction.to_dict()``), not on the model classes, so it shows what
``--json`` would have printed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import kg
from kg.reading import DEFAULT_MAX_BYTES, InputError, Source, iter_sources


class ExtractionFailed(InputError):
    """The extractor itself failed on one input (a bug, not bad input); reported and skipped."""

    def __str__(self) -> str:
        return " ".join(f"internal error while extracting {self.name}: {self.problem}".split("\n"))


@dataclass
class Result:
    """The extraction of one input, as the JSON contract's dict (with ``path`` and ``encoding``)."""

    source: Source
    data: dict[str, Any]


def extract_all(
    paths: Iterable[str | os.PathLike[str]], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Result | InputError]:
    """Extract every document under ``paths``; yield a :class:`Result` or an :class:`InputError` for each."""
    for item in iter_sources(paths, max_bytes=max_bytes):
        if isinstance(item, InputError):
            yield item
            continue
        try:
            data = kg.extract(item.text, path=item.name).to_dict()
        except Exception as e:  # noqa: BLE001 - any bug on one text must not end a batch run
            yield ExtractionFailed(item.name, f"{type(e).__name__}: {e}")
            continue
        # "path" first, as in Extraction.to_dict(); the extractor may not have set it.
        out = {"path": item.name, **{k: v for k, v in data.items() if k != "path"}}
        out["encoding"] = item.encoding
        yield Result(item, out)


def to_json(data: dict[str, Any], *, lines: bool) -> str:
    """One result as JSON: indented for a single file, one compact line for JSON Lines."""
    if lines:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(data, ensure_ascii=False, indent=2)


# --------------------------------------------------------------------------------------------------
# --table


def _cell(value: Any, width: int) -> str:
    if value is None or value == "" or value == []:
        text = "-"
    elif isinstance(value, list):
        text = ", ".join(map(str, value))
    else:
        text = str(value)
    text = " ".join(text.split())  # surfaces may span lines
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(headers: list[str], rows: list[list[Any]], widths: list[int], indent: str = "  ") -> list[str]:
    cells = [[_cell(v, w) for v, w in zip(row, widths, strict=True)] for row in rows]
    cols = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    fmt = indent + "  ".join(f"{{:{'>' if h == 'line' else '<'}{w}}}" for h, w in zip(headers, cols, strict=True))
    out = [fmt.format(*headers).rstrip(), indent + "  ".join("-" * w for w in cols)]
    out += [fmt.format(*r).rstrip() for r in cells]
    return out


def render_table(data: dict[str, Any]) -> str:
    """A readable summary of one extraction (a ``to_dict()`` result): documents, mentions, relations,
    the number of tasks, and bodies."""
    out: list[str] = []
    head = f"== {data.get('path') or '<text>'}"
    if data.get("encoding") and data["encoding"] not in ("utf-8", "utf-8-sig"):
        head += f"  (read as {data['encoding']})"
    out.append(head)

    docs = data.get("documents") or []
    out.append(f"Documents: {len(docs)}")
    if docs:
        rows = [[d.get("first_line"), d.get("key"), d.get("type"), d.get("issuer"), d.get("date"),
                 d.get("signer"), d.get("title")] for d in docs]
        out += _table(["line", "key", "type", "issuer", "date", "signer", "title"], rows,
                      [6, 24, 14, 32, 10, 24, 60])

    mentions = data.get("mentions") or []
    out.append(f"Mentions: {len(mentions)}")
    if mentions:
        rows = [[m.get("line"), m.get("key") or m.get("name"), m.get("type"), m.get("issuer"), m.get("date"),
                 m.get("surface")] for m in mentions]
        out += _table(["line", "key / name", "type", "issuer", "date", "as written"], rows,
                      [6, 40, 14, 32, 10, 40])

    relations = data.get("relations") or []
    out.append(f"Relations: {len(relations)}")
    if relations:
        rows = [[r.get("evidence_line"), r.get("from"), r.get("type"), r.get("to")] for r in relations]
        out += _table(["line", "from", "type", "to"], rows, [6, 30, 10, 50])

    out.append(f"Tasks: {len(data.get('tasks') or [])}")

    bodies = data.get("bodies") or []
    out.append(f"Bodies: {len(bodies)}")
    if bodies:
        rows = [[b.get("name"), b.get("roles"), b.get("aliases")] for b in bodies]
        out += _table(["name", "roles", "aliases"], rows, [50, 30, 50])
    return "\n".join(out) + "\n"
