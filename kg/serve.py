"""A standard SPARQL 1.1 endpoint over a built store: the `oxigraph` server, read-only.

We run Oxigraph's own server rather than writing one: it speaks the SPARQL 1.1 Protocol that existing
clients expect (SPARQLWrapper, rdflib's SPARQLStore, YASGUI, Jena tools), ships a query editor at `/`,
and reads the same RocksDB directory the store keeps (DESIGN.md §4). `serve-read-only` can run beside
other readers; `legalkg build` writes a new version next to the served one, so restart the server to
see a rebuild.

The default graph is the union of the named graphs (one per source file), so the shipped questions
(ontology/queries) run unchanged. Unlike `legalkg query`, the endpoint does not predeclare prefixes:
send the PREFIX lines (`kg.identity.sparql_prefixes()`).
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878


class ServeError(Exception):
    """Why the server cannot start, in one line."""


def oxigraph_binary() -> str:
    """Path of the `oxigraph` executable (the `oxigraph` PyPI package installs it beside Python)."""
    found = shutil.which("oxigraph")
    if found:
        return found
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    raise ServeError("the `oxigraph` server is not installed: pip install 'legalkg[server]' (or pip install oxigraph)")


def store_location(store: str | os.PathLike[str] | None = None) -> Path:
    """The RocksDB directory holding the current version of the store (what `oxigraph` opens)."""
    from kg.store import StoreError, open_store

    try:
        view = open_store(store)
    except StoreError as e:
        raise ServeError(str(e)) from None
    location = view.path / view.version if view.version else view.path
    view.close()
    return Path(location)


def check_port(host: str, port: int) -> None:
    """Fail early, in one line, when the address is taken (the server would only log a Rust error)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise ServeError(f"port {port} on {host} is already in use: choose another with --port") from None
            raise ServeError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None


def command(store: str | os.PathLike[str] | None = None, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
            timeout_s: int | None = 60) -> list[str]:
    """The `oxigraph serve-read-only` command line for a store."""
    cmd = [oxigraph_binary(), "serve-read-only", "--location", str(store_location(store)),
           "--bind", f"{_bracket(host)}:{port}", "--union-default-graph"]
    if timeout_s:
        cmd += ["--timeout-s", str(timeout_s)]
    return cmd


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def endpoint_url(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> str:
    """The SPARQL query endpoint URL (the query editor is at the server root)."""
    return f"http://{_bracket(host)}:{port}/query"


def start(store: str | os.PathLike[str] | None = None, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          timeout_s: int | None = 60, wait: float = 20.0) -> subprocess.Popen:
    """Start the server in the background and wait until it answers; the caller stops it (`stop`).

    For notebooks and tests; `legalkg serve` runs it in the foreground instead.
    """
    check_port(host, port)
    cmd = command(store, host=host, port=port, timeout_s=timeout_s)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + wait
    probe = f"http://{_bracket(host)}:{port}/query?query=ASK%7B%7D"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = " ".join((proc.stderr.read() if proc.stderr else "").split())
            raise ServeError(f"oxigraph exited ({proc.returncode}): {err or 'no message'}")
        try:
            with urllib.request.urlopen(probe, timeout=1):
                return proc
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)
    stop(proc)
    raise ServeError(f"oxigraph did not answer on {host}:{port} within {wait:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    """Stop a server started with `start`."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stderr:
        proc.stderr.close()


def serve(store: str | os.PathLike[str] | None = None, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          timeout_s: int | None = 60, announce=print) -> int:
    """Run the server in the foreground until interrupted; returns its exit code."""
    check_port(host, port)
    cmd = command(store, host=host, port=port, timeout_s=timeout_s)
    announce(f"SPARQL endpoint {endpoint_url(host, port)} (query editor: http://{_bracket(host)}:{port}/), "
             f"read-only, store {cmd[3]}; Ctrl-C stops it")
    proc = subprocess.Popen(cmd)

    def on_term(signum, frame):  # a service manager's stop must not orphan the server
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
