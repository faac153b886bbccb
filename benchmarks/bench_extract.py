"""Extraction throughput on the dev corpus, next to one bare regex pass over the same text.

    python benchmarks/bench_extract.py [--corpus ../shared/corpus/docs.jsonl.gz] [--repeat 1] [--passes 3]
                                       [--ocr-passes 1]

Prints a table: MB of UTF-8 text, seconds and MB/s on one core for (a) one bare `re.finditer` pass of a
citation-shaped pattern over the raw text, (b) accent folding alone, (c) the full `kg.extract`; the ratio
full/bare (target: within 10x) and the peak resident memory of the process. Each step runs ``--passes``
times over the corpus and the median pass is reported (a shared virtual machine varies by up to 1.5x
from one pass to the next); every pass of the full extraction is listed too.

Then (d) the full extraction of the same corpus damaged the way OCR damages the seeds (accents lost,
"số" misread, codes split: the test suite's ``degrade``), ``--ocr-passes`` times (0: skip). That text
takes the OCR-tolerant patterns and the restoration of names and titles, so it is slower; it is not
what the 5 MB/s target is about.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import resource
import statistics
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
    ap.add_argument("--passes", type=int, default=3, help="runs of each step; the median is reported")
    ap.add_argument("--ocr-passes", type=int, default=1, help="runs over the OCR-damaged copy (0: skip it)")
    args = ap.parse_args()
    with gzip.open(args.corpus, "rt", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f]
    mb = sum(len(t.encode("utf-8")) for t in texts) * args.repeat / 1e6

    passes: dict[str, list[float]] = {}

    def timed(fn, name: str, runs: int = max(1, args.passes)) -> float:
        for _ in range(runs):
            t0 = time.perf_counter()
            for _ in range(args.repeat):
                for t in texts:
                    fn(t)
            passes.setdefault(name, []).append(time.perf_counter() - t0)
        return statistics.median(passes[name])

    # compile patterns and load tables outside the timing (the samples reach the table and task readers too)
    for sample in sorted((ROOT / "data" / "samples").glob("*")):
        kg.extract(sample.read_text(encoding="utf-8"))
    rows = [
        ("bare regex pass", timed(lambda t: sum(1 for _ in BARE.finditer(t)), "bare")),
        ("accent folding", timed(fold, "fold")),
        ("kg.extract (full)", timed(kg.extract, "full")),
    ]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ocr_mb = ocr_sec = 0.0
    if args.ocr_passes > 0:
        sys.path.insert(0, str(ROOT / "tests"))
        from test_extract import degrade

        rng = random.Random(7)
        damaged = [degrade(t, rng) for t in texts]
        ocr_mb = sum(len(t.encode("utf-8")) for t in damaged) * args.repeat / 1e6
        texts[:] = damaged
        ocr_sec = timed(kg.extract, "ocr", args.ocr_passes)
    print(f"{len(texts)} documents, {mb:.1f} MB of UTF-8 text, one core, median of {max(1, args.passes)} passes\n")
    print(f"{'step':<20} {'seconds':>8} {'MB/s':>8}")
    for name, sec in rows:
        print(f"{name:<20} {sec:>8.2f} {mb / sec:>8.2f}")
    bare, full = rows[0][1], rows[2][1]
    print(f"\nfull extraction / bare regex pass: {full / bare:.1f}x (target <= 10x)")
    print(f"full extraction throughput: {mb / full:.2f} MB/s (target >= 5 MB/s)")
    print("full extraction, every pass: " + ", ".join(f"{mb / sec:.2f}" for sec in passes["full"]) + " MB/s")
    print(f"peak resident memory: {peak:.0f} MB")
    if ocr_sec:
        print(f"\nOCR-damaged copy ({ocr_mb:.1f} MB), full extraction: {ocr_sec:.2f} s, {ocr_mb / ocr_sec:.2f} MB/s")


if __name__ == "__main__":
    main()
