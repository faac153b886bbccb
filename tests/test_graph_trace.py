"""`legalkg trace`: the tree of documents that implement, guide or are based on a document, on the seeds."""

from __future__ import annotations

import json

import pytest
from graph_support import run_cli, seeds_build, seeds_store

from kg.trace import UnknownKey, render, trace


@pytest.fixture(scope="module")
def store():
    return seeds_store()


def _find(nodes, label):
    return [n for r in nodes for n in r.walk() if n.label == label]


def test_trace_57_kl_tw(store):
    roots = trace(store, "57-KL/TW")
    assert len(roots) == 1 and roots[0].label == "57-KL/TW"
    assert (roots[0].type, roots[0].issuer, roots[0].date) == ("Kết luận", "Bộ Chính trị", "2023-06-15")
    children = {c.label: c for c in roots[0].children}
    assert {"47/NQ-CP", "87-KH/TU"} <= set(children)
    assert "implements" in children["47/NQ-CP"].relations and "implements" in children["87-KH/TU"].relations
    # under them, Bình Định's plan 119/KH-UBND, expanded once with its tasks and responsible bodies
    under = [n for c in ("47/NQ-CP", "87-KH/TU") for n in children[c].walk()[1:] if n.label == "119/KH-UBND"]
    assert under
    full = [n for n in _find(roots, "119/KH-UBND") if not n.repeated]
    assert len(full) == 1
    plan = full[0]
    assert plan.issuer == "Ủy ban nhân dân tỉnh Bình Định" and plan.type == "Kế hoạch" and plan.date == "2024-06-07"
    assert len(plan.tasks) >= 20
    leads = {b for t in plan.tasks for b in t.lead}
    assert any("Sở Thông tin và Truyền thông" in b for b in leads)
    assert any(t.time for t in plan.tasks)


def test_trace_1486_accent_folded(store):
    roots = trace(store, "1486/QD-TTg")
    assert [r.label for r in roots] == ["1486/QĐ-TTg"]
    kids = {c.label: c for c in roots[0].children}
    assert "10023/UBND-KGVX" in kids
    k = kids["10023/UBND-KGVX"]
    assert k.issuer == "Ủy ban nhân dân tỉnh Đắk Lắk" and k.relations == ["implements"]
    assert k.tasks and any("Sở Thông tin và Truyền thông" in b for t in k.tasks for b in t.lead)


def test_depth_limits_the_tree(store):
    full = trace(store, "57-KL/TW")
    one = trace(store, "57-KL/TW", depth=1)
    assert max(len(_depths(r)) for r in full) > 1
    assert all(not c.children for c in one[0].children)
    assert any(c.truncated for c in one[0].children)


def _depths(node, d=0):
    return {d} | {x for c in node.children for x in _depths(c, d + 1)}


def test_unknown_key_suggests_nearest(store):
    with pytest.raises(UnknownKey) as e:
        trace(store, "1468/QĐ-TTg")
    assert "1486/QĐ-TTg" in e.value.nearest
    r = run_cli("trace", "1468/QD-TTg", "--store", seeds_build()[0])
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "no document numbered" in r.stderr and "1486/QĐ-TTg" in r.stderr


def test_cli_text_and_json():
    s = seeds_build()[0]
    r = run_cli("trace", "57-KL/TW", "--store", s)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.splitlines()[0].startswith("57-KL/TW")
    assert "[implements] 47/NQ-CP" in out and "[implements] 87-KH/TU" in out
    assert "119/KH-UBND" in out and "Ủy ban nhân dân tỉnh Bình Định" in out and "tasks (" in out
    j = run_cli("trace", "1486/qd-ttg", "--json", "--store", s)
    data = json.loads(j.stdout)
    assert data[0]["key"] == "1486/QĐ-TTg"
    assert any(c["key"] == "10023/UBND-KGVX" for c in data[0]["children"])


def test_render_marks_repeated_documents(store):
    text = render(trace(store, "57-KL/TW"), max_tasks=2)
    assert text.count("tasks (") >= 1
    assert "see under" in text  # 119/KH-UBND is reached through several parents but expanded once
