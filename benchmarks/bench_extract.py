"""Extraction throughput on the dev corpus, next to one bare regex pass over the same text.

    python benchmarks/bench_extract.py [--corpus ../shared/corpus/docs.jsonl.gz] [--repeat 1]

Prints a table: MB of UTF-8 text, seconds and MB/s on one core for (a) one bare `re.finditer` pass of a
citation-shaped pattern over the raw text, (b) accent folding alone, (c) the full `kg.extract`; the ratio
full/bare (target: within 10x) and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kg  # noqa: E402
from kg.normalize import fold  # noqa: E402

BARE = re.compile(r"\d{1,6}(?:/\d{4})?/[A-ZĐ][A-Za-zĐ]{0,6}-[A-ZĐ][A-Za-z0-9Đ]{0,12}|\d{1,4}-[A-Z]{1,4}/[A-ZĐ]{1,12}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus" / "docs.jsonl.gz"))
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    with gzip.open(args.corpus, "rt", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f]
    mb = sum(len(t.encode("utf-8")) for t in texts) * args.repeat / 1e6

    def timed(fn) -> float:
        t0 = time.perf_counter()
        for _ in range(args.repeat):
            for t in texts:
                fn(t)
        return time.perf_counter() - t0

    # compile patterns and load tables outside the timing (the samples reach the table and task readers too)
    for sample in sorted((ROOT / "data" / "samples").glob("*")):
        kg.extract(sample.read_text(encoding="utf-8"))
    rows = [
        ("bare regex pass", timed(lambda t: sum(1 for _ in BARE.finditer(t)))),
        ("accent folding", timed(fold)),
        ("kg.extract (full)", timed(kg.extract)),
    ]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(texts)} documents, {mb:.1f} MB of UTF-8 text, one core\n")
    print(f"{'step':<20} {'seconds':>8} {'MB/s':>8}")
    for name, sec in rows:
        print(f"{name:<20} {sec:>8.2f} {mb / sec:>8.2f}")
    bare, full = rows[0][1], rows[2][1]
    print(f"\nfull extraction / bare regex pass: {full / bare:.1f}x (target <= 10x)")
    print(f"full extraction throughput: {mb / full:.2f} MB/s (target >= 5 MB/s)")
    print(f"peak resident memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
