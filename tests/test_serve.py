"""`legalkg serve`: the `oxigraph` server, read-only, on loopback, answered through SPARQLWrapper.

The endpoint must give the same answers as the store read directly (kg.query), refuse updates, and
fail with one line when the store is missing or the port is taken.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys

import pytest
from sample_graphs import built_sample_store

from kg import query as q
from kg.identity import sparql_prefixes
from kg.serve import ServeError, endpoint_url, start, stop
from kg.store import open_store

pytestmark = pytest.mark.skipif(shutil.which("oxigraph") is None, reason="the oxigraph server is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def store_dir():
    return built_sample_store()


@pytest.fixture(scope="module")
def server(store_dir):
    port = _free_port()
    proc = start(store_dir, port=port)
    yield endpoint_url("127.0.0.1", port), proc
    stop(proc)


def _ask(url: str, sparql: str) -> list[dict[str, str]]:
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(url)
    client.setQuery(sparql)
    client.setReturnFormat(JSON)
    res = client.queryAndConvert()
    return [{k: v["value"] for k, v in b.items()} for b in res["results"]["bindings"]]


def test_counts_match_the_store(server, store_dir):
    url, _ = server
    sparql = sparql_prefixes() + "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a eli:LegalResource }"
    over_http = int(_ask(url, sparql)[0]["n"])
    direct = int(open_store(store_dir).select(sparql)[0]["n"])
    assert over_http == direct > 5


@pytest.mark.parametrize("name, params", [("implementers", {"key": "57-KL/TW"}), ("most-cited", {})])
def test_shipped_questions_give_the_same_rows(server, store_dir, name, params):
    url, _ = server
    shipped = q.shipped()[name]
    missing = [p.name for p in shipped.params if not p.optional and p.name not in params]
    if missing:
        pytest.skip(f"{name} needs {missing}")
    text, _ = q.prepare(name, params)
    over_http = _ask(url, sparql_prefixes() + text)
    direct = q.run(open_store(store_dir), name, params).records()
    assert over_http == [{k: v for k, v in row.items() if v is not None} for row in direct]
    if name == "implementers":
        # The chain the seeds describe: 57-KL/TW is implemented by the Government's 47/NQ-CP and onwards.
        assert any(row.get("number") == "47/NQ-CP" for row in over_http)


def test_read_only(server, store_dir):
    from SPARQLWrapper import POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    url, _ = server
    before = len(open_store(store_dir))
    client = SPARQLWrapper(url.replace("/query", "/update"))
    client.setMethod(POST)
    client.setQuery("INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }")
    with pytest.raises((SPARQLWrapperException, OSError)):
        client.query()
    assert len(open_store(store_dir)) == before
    assert _ask(url, "SELECT ?p WHERE { <urn:x:a> ?p ?o }") == []


def test_listens_on_loopback_only(server):
    url, proc = server
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    assert f"127.0.0.1:{port}" in proc.args
    try:  # this machine's outward address: a UDP "connect" picks it from the routing table, sending nothing
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.connect(("198.51.100.1", 9))
            other = u.getsockname()[0]
    except OSError:
        other = None
    if not other or other.startswith("127."):
        pytest.skip("this machine has no non-loopback address to try")
    with socket.socket() as s, pytest.raises(OSError):
        s.settimeout(2)
        s.connect((other, port))


def test_missing_store_and_taken_port_are_one_line_errors(tmp_path, store_dir):
    with pytest.raises(ServeError, match="no store"):
        start(tmp_path / "nothing", port=_free_port())
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ServeError, match="already in use"):
            start(store_dir, port=port)
        res = subprocess.run([sys.executable, "-m", "cli", "serve", "--store", str(store_dir), "--port", str(port)],
                             capture_output=True, text=True, timeout=60)
    assert res.returncode == 1
    assert res.stderr.strip().splitlines() == [f"legalkg: error: port {port} on 127.0.0.1 is already in use: "
                                               "choose another with --port"]
    res = subprocess.run([sys.executable, "-m", "cli", "serve", "--store", str(tmp_path / "nothing")],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 1 and len(res.stderr.strip().splitlines()) == 1 and "no store" in res.stderr


def test_cli_serve_runs_the_endpoint(store_dir):
    import time
    import urllib.request

    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--store", str(store_dir), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as r:
                    editor = r.read().decode("utf-8")
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, "legalkg serve did not answer"
                time.sleep(0.1)
        assert "yasgui" in editor.lower()  # the query editor
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        rows = _ask(endpoint_url("127.0.0.1", port), count)
        assert int(rows[0]["n"]) == int(open_store(store_dir).select(count)[0]["n"]) > 1000
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    assert "read-only" in proc.stderr.read()
