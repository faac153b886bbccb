"""`legalkg build --endpoint`: the same named graphs pushed to a standard SPARQL 1.1 server.

Starts the `oxigraph` server (PyPI package `oxigraph`) on loopback on a free port, pushes the seeds
with the Graph Store Protocol, reads the answers back with SPARQLWrapper, and always stops the server.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request

import pytest
from graph_support import SAMPLES, SEED, run_cli, seeds_store

from kg import query as Q
from kg.identity import sparql_prefixes

SPARQLWrapper = pytest.importorskip("SPARQLWrapper")
OXIGRAPH = shutil.which("oxigraph")
pytestmark = pytest.mark.skipif(OXIGRAPH is None,
                                reason="the `oxigraph` server (pip install oxigraph) is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def server(tmp_path):
    port = _free_port()
    proc = subprocess.Popen([OXIGRAPH, "serve", "--location", str(tmp_path / "oxi"), "--bind", f"127.0.0.1:{port}",
                             "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("oxigraph server did not start: " + proc.stderr.read().decode()[-500:]) from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _ask(base: str, sparql: str) -> list[dict]:
    w = SPARQLWrapper.SPARQLWrapper(f"{base}/query")
    w.setQuery(sparql_prefixes() + sparql)
    w.setReturnFormat(SPARQLWrapper.JSON)
    res = w.query().convert()
    return [{k: v["value"] for k, v in b.items()} for b in res["results"]["bindings"]]


def test_push_to_oxigraph_server_and_read_back(server, tmp_path):
    store = tmp_path / "store"
    r = run_cli("build", str(SAMPLES), "--store", str(store), "--endpoint", f"{server}/store", "--no-progress")
    assert r.returncode == 0, r.stderr
    assert "pushed 7 graphs" in r.stdout  # 5 sources + derived + meta

    # the server holds the same named graphs as the embedded store
    local = seeds_store()
    remote_graphs = {x["g"] for x in _ask(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    local_graphs = {g for g in local.named_graphs() if not g.endswith("/graph/ontology")}
    assert remote_graphs == local_graphs

    # and a shipped question gives the same answer there
    text, _ = Q.prepare("implementers", {"key": "57-KL/TW"})
    remote = {x["number"] for x in _ask(server, text)}
    assert {"47/NQ-CP", "87-KH/TU", "119/KH-UBND"} <= remote
    assert remote == set(Q.run(local, "implementers", {"key": "57-KL/TW"}).column("number"))

    # pushing again sends only the graphs whose content changed (none) plus derived and meta
    again = run_cli("build", str(SAMPLES), "--store", str(store), "--endpoint", f"{server}/store", "--no-progress")
    assert again.returncode == 0 and "pushed 2 graphs" in again.stdout

    # a changed file is replaced on the server too
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(SEED["003"], one / "x.txt")
    run_cli("build", str(one), "--store", str(store), "--endpoint", f"{server}/store", "--no-progress")
    (one / "x.txt").chmod(0o644)
    (one / "x.txt").write_text((one / "x.txt").read_text("utf-8").replace("79/2010/QĐ-TTg", "80/2011/QĐ-TTg"), "utf-8")
    r3 = run_cli("build", str(one), "--store", str(store), "--endpoint", f"{server}/store", "--no-progress")
    assert r3.returncode == 0 and "pushed 3 graphs" in r3.stdout
    q = ('SELECT DISTINCT ?k WHERE { GRAPH ?g { ?m vn:statedKey ?k ; vn:sourceFile/vn:sourceName ?f } '
         'FILTER(STRENDS(?f, "x.txt")) }')
    keys = {x["k"] for x in _ask(server, q)}
    assert "80/2011/QĐ-TTg" in keys and "79/2010/QĐ-TTg" not in keys


def test_unreachable_endpoint_is_a_clear_error(tmp_path):
    port = _free_port()
    r = run_cli("build", str(SEED["003"]), "--store", str(tmp_path / "s"), "--endpoint", f"http://127.0.0.1:{port}/store",
                "--no-progress")
    assert r.returncode == 1 and "cannot connect" in r.stderr and "Traceback" not in r.stderr
    # the local store was still built
    assert (tmp_path / "s" / "legalkg-store.json").exists()
