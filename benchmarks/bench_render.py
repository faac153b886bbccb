"""The interactive page against pyvis' default page for the same graph, in headless chromium.

    python benchmarks/bench_render.py [--sizes 500 5000 20000] [--timeout 300] [--no-pyvis]

For each size, a synthetic citation graph shaped like legalkg's (benchmarks/synthgraph.py: documents,
unresolved citations and bodies, about 3 links per node) is written twice:

- legalkg: `kg.render.render(graph, path)` (precomputed layout included in the write time);
- pyvis default: `Network(directed=True)`, `from_nx(graph)`, `write_html(path)`, every other setting
  left at its default (physics on, 1,000 stabilisation iterations, smooth edges, CDN resources).

Each page is opened in Debian's chromium (/usr/bin/chromium, headless, fresh profile) with every request
to another host blocked, except that pyvis' CDN copies of vis-network 9.1.2 are answered from the copy
inside the pyvis package and bootstrap with an empty file (so pyvis is not slowed by the network; its
`integrity` attributes are dropped because the packaged copy is not byte-identical to the CDN's).

"Interactive" is measured from navigation start until the layout has stopped moving and the next frame
is drawn: for legalkg the page's own ready mark (physics off above 1,000 nodes; below, after a short
stabilisation that is then frozen); for pyvis vis-network's `stabilized` event followed by a drawn
frame. pyvis' page also reports when its loading bar goes away (`stabilizationIterationsDone`), after
which the graph is shown but keeps moving. Pages that do not get there within --timeout are reported
as "> timeout". Target: legalkg's 5,000-node page interactive at least 3x sooner than pyvis' page.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthgraph import synthetic_graph  # noqa: E402

from kg.render import render  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Installed before any page script: notes when pyvis' global `network` finishes stabilising and draws.
PYVIS_HOOK = """
window.__bench = {};
document.addEventListener('DOMContentLoaded', () => {
  const net = window.network;
  if (!net) { window.__bench.error = 'no network'; return; }
  const mark = (name) => { if (!(name in window.__bench)) window.__bench[name] = performance.now(); };
  const drawn = () => net.once('afterDrawing', () => mark('ready'));
  net.once('stabilizationIterationsDone', () => mark('iterationsDone'));
  if (!net.physics.physicsEnabled || net.physics.stabilized) { drawn(); net.redraw(); }
  else net.once('stabilized', () => { mark('stabilized'); drawn(); net.redraw(); });
});
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def write_pyvis(graph, path: Path) -> float:
    from pyvis.network import Network

    copy = graph.copy()  # from_nx writes size/width into the graph's attribute dicts
    cwd = os.getcwd()
    os.chdir(path.parent)  # pyvis' default ("local" resources) copies a lib/ folder into the working directory
    try:
        t0 = time.perf_counter()
        net = Network(directed=True)
        net.from_nx(copy)
        net.write_html(path.name)
        elapsed = time.perf_counter() - t0
    finally:
        os.chdir(cwd)
    html = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'\s(integrity|crossorigin)="[^"]*"', "", html), encoding="utf-8")
    return elapsed


def open_page(launch, path: Path, *, pyvis: bool, timeout: float) -> dict[str, float | None]:
    """Load one page in a fresh browser and return its marks, in seconds from navigation start."""
    context = launch()
    try:
        page = context.new_page()
        if pyvis:
            page.add_init_script(PYVIS_HOOK)
        t0 = time.perf_counter()
        page.goto(path.as_uri(), wait_until="commit")
        marks: dict[str, float | None] = {}
        while time.perf_counter() - t0 < timeout:
            try:
                # Answers only between two of the page's tasks: a page stuck in one long task is waited for.
                marks = page.evaluate("window.__bench || (window.legalkg && {ready: window.legalkg.readyAt}) || {}")
            except Exception:  # still parsing; try again
                marks = {}
            if marks.get("ready") or marks.get("error"):
                break
            time.sleep(0.25)
        log(f"    {path.name}: {marks or 'no mark'} after {time.perf_counter() - t0:.1f} s")
    finally:
        # Closing the browser ends a page still busy stabilising (navigating away could wait for minutes).
        try:
            context.close()
        except Exception as e:  # noqa: BLE001 - a hung renderer must not lose the results so far
            log(f"    closing the browser: {e}")
    return {k: (v / 1000 if isinstance(v, (int, float)) else v) for k, v in marks.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[500, 5000, 20000])
    ap.add_argument("--timeout", type=float, default=300, help="seconds to wait for a page (default 300)")
    ap.add_argument("--no-pyvis", action="store_true", help="only legalkg's page")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    pyvis_lib = Path(__import__("pyvis").__file__).parent / "templates" / "lib" / "vis-9.1.2"

    def guard(route):
        url = route.request.url
        if url.startswith("file://"):
            return route.continue_()
        if "vis-network" in url and url.endswith(".js"):
            return route.fulfill(path=str(pyvis_lib / "vis-network.min.js"), content_type="text/javascript")
        if "vis-network" in url and url.endswith(".css"):
            return route.fulfill(path=str(pyvis_lib / "vis-network.css"), content_type="text/css")
        if "bootstrap" in url:
            return route.fulfill(body="", content_type="text/css" if url.endswith(".css") else "text/javascript")
        return route.abort()

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        profiles = iter(range(1_000_000))

        def launch():
            context = p.chromium.launch_persistent_context(
                str(Path(tmp) / f"profile{next(profiles)}"), executable_path=CHROMIUM, args=ARGS, headless=True,
                viewport={"width": 1400, "height": 900})
            context.route("**/*", guard)
            return context

        graphs = {n: synthetic_graph(n) for n in args.sizes}
        # legalkg's pages first, while nothing else runs; then pyvis', which take minutes each.
        for n, g in graphs.items():
            ours = Path(tmp) / f"legalkg-{n}.html"
            t0 = time.perf_counter()
            render(g, ours)
            write_ours = time.perf_counter() - t0
            marks = open_page(launch, ours, pyvis=False, timeout=args.timeout)
            rows.append({"nodes": g.number_of_nodes(), "edges": g.number_of_edges(), "write": write_ours,
                         "mb": ours.stat().st_size / 1e6, "ready": marks.get("ready")})
        if not args.no_pyvis:
            for row, (n, g) in zip(rows, graphs.items(), strict=True):
                theirs = Path(tmp) / f"pyvis-{n}.html"
                row["p_write"] = write_pyvis(g, theirs)
                row["p_mb"] = theirs.stat().st_size / 1e6
                marks = open_page(launch, theirs, pyvis=True, timeout=args.timeout)
                row["p_bar"] = marks.get("iterationsDone")
                row["p_ready"] = marks.get("ready")
                log(f"  {n} nodes: {row}")

    def sec(v: float | None) -> str:
        return f"{v:.2f}" if v is not None else f"> {args.timeout:.0f}"

    print(f"\nheadless chromium ({CHROMIUM}), {os.cpu_count()} cores; seconds; interactive = layout still "
          "and frame drawn\n")
    head = f"{'nodes':>6} {'links':>6} | {'legalkg write':>13} {'MB':>5} {'interactive':>11}"
    if not args.no_pyvis:
        head += f" | {'pyvis write':>11} {'MB':>5} {'bar gone':>9} {'interactive':>11} | {'speed-up':>9}"
    print(head)
    print("-" * len(head))
    for r in rows:
        line = f"{r['nodes']:>6} {r['edges']:>6} | {r['write']:>13.2f} {r['mb']:>5.1f} {sec(r['ready']):>11}"
        if not args.no_pyvis:
            if r["p_ready"] and r["ready"]:
                ratio = f"{r['p_ready'] / r['ready']:.0f}x"
            elif r["ready"]:
                ratio = f"> {args.timeout / r['ready']:.0f}x"
            else:
                ratio = "?"
            line += (f" | {r['p_write']:>11.2f} {r['p_mb']:>5.1f} {sec(r['p_bar']):>9} {sec(r['p_ready']):>11}"
                     f" | {ratio:>9}")
        print(line)
    five = [r for r in rows if r["nodes"] == 5000 and not args.no_pyvis]
    if five and five[0]["ready"]:
        r = five[0]
        ratio = (r["p_ready"] or args.timeout) / r["ready"]
        verdict = "met" if ratio >= 3 else "NOT met"
        bound = "" if r["p_ready"] else " (at least; pyvis timed out)"
        print(f"\n5,000 nodes: legalkg interactive {ratio:.0f}x sooner than pyvis' default page{bound}; "
              f"target >= 3x {verdict}")


if __name__ == "__main__":
    main()
