"""`legalkg query`: every shipped question on the seeds' graph with its expected answer, the result
formats, parameters, and errors.

The expected answers are what the seed documents say (e.g. seed 001, Kế hoạch 119/KH-UBND of Bình Định,
"Triển khai thực hiện Nghị quyết số 47/NQ-CP ... thực hiện Kết luận số 57-KL/TW"; its "Căn cứ" lines;
seed 004, Công văn 10023/UBND-KGVX of Đắk Lắk, "Thực hiện QĐ số 1486/QĐ-TTg ngày 06/11/2018").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pyoxigraph as ox
import pytest
from graph_support import run_cli, seeds_build, seeds_store, tempdir

from kg import query as Q
from kg.build import build
from kg.identity import lookup_form


@pytest.fixture(scope="module")
def store():
    return seeds_store()


def run(store, name, **params):
    return Q.run(store, name, {k: str(v) for k, v in params.items()})


def test_every_research_question_is_shipped_with_a_header():
    qs = Q.shipped()
    expected = {"implementers", "provinces-not-implementing", "days-to-implement", "lead-bodies", "based-on-chain",
                "cites-superseded", "most-cited", "evidence", "review-queue", "missing-cited", "body-tasks", "citers",
                "trace"}
    assert expected <= set(qs)
    for q in qs.values():
        assert q.title and q.description, q.name
        Q.check_syntax(q.text)
        for p in q.params:
            assert p.kind in Q.PARAM_KINDS and p.description


def test_implementers_directly_or_through_a_chain(store):
    r = run(store, "implementers", key="57-KL/TW")
    numbers = set(r.column("number"))
    # 47/NQ-CP and 87-KH/TU implement 57-KL/TW (seed 001 lines 8 and 23); 119/KH-UBND implements 47/NQ-CP
    assert {"47/NQ-CP", "87-KH/TU", "119/KH-UBND"} <= numbers
    assert "57-KL/TW" not in numbers
    via = dict(zip(r.column("number"), r.column("via"), strict=True))
    assert via["47/NQ-CP"] == "57-KL/TW" and "47/NQ-CP" in via["119/KH-UBND"]
    # accent-insensitive key
    assert set(run(store, "implementers", key="57-kl/tw").column("number")) == numbers


def test_a_list_binds_a_variable_to_any_of_its_terms(store):
    # how `legalkg trace` runs the shipped trace question from several roots at once
    def edges(*keys):
        text = Q.bind_params(Q.shipped()["trace"].text, {"key": [ox.Literal(lookup_form(k)) for k in keys]})
        return {(r["child"].value, r["parent"].value) for r in store.store.query(
            text, use_default_graph_as_union=True, prefixes=Q.PREFIXES)}

    one, other = edges("57-KL/TW"), edges("1486/QĐ-TTg")
    assert one and other and not one & other
    assert edges("57-KL/TW", "1486/QĐ-TTg") == one | other


def test_citers(store):
    r = run(store, "citers", key="1486/QD-TTg")
    rows = {(x["number"], x["relation"]) for x in r.records()}
    assert ("10023/UBND-KGVX", "implements") in rows
    files = {x["file"] for x in r.records()}
    assert any("000_" in f for f in files) and any("004_" in f for f in files)


def test_trace_edges(store):
    edges = {(x["child"], x["relation"], x["parent"]) for x in run(store, "trace", key="57-KL/TW").records()}
    labels = {n: lab for n, lab in ((r["n"], r["l"]) for r in store.select(
        "SELECT ?n (SAMPLE(?l0) AS ?l) WHERE { ?n rdfs:label ?l0 } GROUP BY ?n".replace(
            "SELECT", "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT")))}
    named = {(labels.get(c), rel, labels.get(p)) for c, rel, p in edges}
    assert ("47/NQ-CP", "implements", "57-KL/TW") in named
    assert ("119/KH-UBND", "implements", "47/NQ-CP") in named


def test_provinces_not_implementing(store):
    r = run(store, "provinces-not-implementing", key="57-KL/TW")
    provinces = set(r.column("province"))
    # Bình Định implements it (119/KH-UBND, 87-KH/TU); Đắk Lắk (seed 004) and Kiên Giang (seed 002) do not
    assert "binh-dinh" not in provinces
    assert {"dak-lak", "kien-giang"} <= provinces
    names = dict(zip(r.column("province"), r.column("name"), strict=True))
    assert names["dak-lak"] == "Đắk Lắk"
    # for 1486/QĐ-TTg it is the other way round for Đắk Lắk (10023/UBND-KGVX implements it)
    assert "dak-lak" not in set(run(store, "provinces-not-implementing", key="1486/QĐ-TTg").column("province"))


def test_days_to_implement(store):
    r = run(store, "days-to-implement")
    assert r.rows
    for x in r.records():
        d1, d2 = dt.date.fromisoformat(x["directiveDate"]), dt.date.fromisoformat(x["implementerDate"])
        assert int(x["days"]) == (d2 - d1).days
    one = run(store, "days-to-implement", key="1486/QĐ-TTg").records()
    # 1486/QĐ-TTg of 06/11/2018, implemented by Đắk Lắk's 10023/UBND-KGVX of 15/11/2018
    assert {(x["implementer"], int(x["days"])) for x in one} >= {("10023/UBND-KGVX", 9)}
    assert {x["directive"] for x in one} == {"1486/QĐ-TTg"}


def test_lead_bodies(store):
    r = run(store, "lead-bodies")
    rows = r.records()
    assert rows and [int(x["tasks"]) for x in rows] == sorted((int(x["tasks"]) for x in rows), reverse=True)
    # the Sở Thông tin và Truyền thông of Bình Định leads the most tasks of 119/KH-UBND
    top = rows[0]
    assert "Sở Thông tin và Truyền thông" in top["lead"] and int(top["tasks"]) >= 5
    # counts agree with the tasks themselves
    n = store.select(f"""PREFIX vn: <https://legalkg.org/ns#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {{ ?t vn:lead ?b .
        ?b skos:prefLabel {ox.Literal(top['lead'], language='vi')} }}""")
    assert int(n[0]["n"]) == int(top["tasks"])
    assert len(run(store, "lead-bodies", min=3).rows) < len(rows)


def test_based_on_chain(store):
    r = run(store, "based-on-chain", key="119/KH-UBND")
    # seed 001 lines 13-32: Căn cứ 57-KL/TW, 47/NQ-CP, 87-KH/TU, 1578/BTTTT-TTĐN; Trên cơ sở đề xuất ... Tờ trình 37
    assert {"57-KL/TW", "47/NQ-CP", "87-KH/TU", "1578/BTTTT-TTĐN", "37/TTr-STTTT"} <= set(r.column("number"))
    assert set(r.column("basis_of")) == {"119/KH-UBND"}
    # 1486/QĐ-TTg (seed 004) is based on Nghị định 72/2015/NĐ-CP
    assert "72/2015/NĐ-CP" in run(store, "based-on-chain", key="1486/QĐ-TTg").column("number")


def test_cites_superseded():
    # two short decrees: 10/2020/NĐ-CP replaces 86/2014/NĐ-CP; a 2021 circular is still based on 86/2014
    d = tempdir()
    (d / "docs").mkdir()
    (d / "docs" / "new.txt").write_text(
        "CHÍNH PHỦ\n\nSố: 10/2020/NĐ-CP\nHà Nội, ngày 15 tháng 01 năm 2020\n\nNGHỊ ĐỊNH\n"
        "Quy định về kinh doanh và điều kiện kinh doanh vận tải bằng xe ô tô\n\n"
        "Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015;\n"
        "Chính phủ ban hành Nghị định quy định về kinh doanh vận tải bằng xe ô tô.\n\n"
        "Điều 1. Hiệu lực thi hành\nNghị định này thay thế Nghị định số 86/2014/NĐ-CP ngày 10 tháng 9 năm 2014 "
        "của Chính phủ về kinh doanh và điều kiện kinh doanh vận tải bằng xe ô tô.\n", "utf-8")
    (d / "docs" / "old.txt").write_text(
        "BỘ GIAO THÔNG VẬN TẢI\n\nSố: 12/2021/TT-BGTVT\nHà Nội, ngày 15 tháng 5 năm 2021\n\nTHÔNG TƯ\n"
        "Hướng dẫn về kinh doanh vận tải bằng xe ô tô\n\n"
        "Căn cứ Nghị định số 86/2014/NĐ-CP ngày 10 tháng 9 năm 2014 của Chính phủ về kinh doanh và điều kiện "
        "kinh doanh vận tải bằng xe ô tô;\nBộ trưởng Bộ Giao thông vận tải ban hành Thông tư hướng dẫn.\n", "utf-8")
    report = build([d / "docs"], store=d / "store", progress=False, jobs=1)
    assert not report.failed
    from kg.store import open_store

    r = Q.run(open_store(d / "store"), "cites-superseded", {})
    rows = {(x["citing"], x["cited"], x["supersededBy"], x["supersededOn"]) for x in r.records()}
    assert rows == {("12/2021/TT-BGTVT", "86/2014/NĐ-CP", "10/2020/NĐ-CP", "2020-01-15")}


def test_cites_superseded_on_the_seeds_is_consistent(store):
    for x in run(store, "cites-superseded").records():
        assert x["citingDate"] > x["supersededOn"]


def test_most_cited(store):
    r = run(store, "most-cited")
    recs = r.records()
    assert recs
    # 57-KL/TW is implemented by two 2024 documents (47/NQ-CP and 87-KH/TU, both cited in seed 001)
    top = [x for x in recs if x["cited"] == "57-KL/TW" and x["relation"] == "implements" and x["year"] == "2024"]
    assert top and int(top[0]["citing"]) == 2
    for x in run(store, "most-cited", min=2).records():
        assert int(x["citing"]) >= 2


def test_evidence_of_one_document(store):
    one = run(store, "evidence", key="119/KH-UBND").records()
    assert len(one) >= 10 and all("119/KH-UBND" in (x["from"], x["to"]) for x in one)
    assert all(x["file"] and x["method"] and x["line"] for x in one)
    # seed 001 line 13: "Căn cứ Kết luận số 57-KL/TW ..."
    kl = [x for x in one if x["relation"] == "based_on" and x["to"] == "57-KL/TW"]
    assert kl and "001_" in kl[0]["file"] and "57-KL/TW" in kl[0]["surface"] and "57-KL/TW" in kl[0]["evidence"]
    conf = [float(x["confidence"]) for x in one]
    assert conf == sorted(conf)  # weakest first


def test_review_queue(store):
    recs = run(store, "review-queue").records()
    assert recs
    guessing = {"repaired", "completed", "short-form", "anaphora", "guess"}
    for x in recs:
        assert x["file"] and x["method"]
        assert float(x["confidence"]) < 1 or x["why"] or x["method"] in guessing, x
    conf = [float(x["confidence"]) for x in recs]
    assert conf == sorted(conf)
    # references by name only (seed 001 cites "Luật Ngân sách nhà nước") are in the queue
    assert any(x["why"] == "name only" for x in recs)


def test_missing_cited(store):
    recs = run(store, "missing-cited").records()
    by = {x["number"]: x for x in recs}
    # 57-KL/TW is cited many times but its text is not among the seeds; 1486/QĐ-TTg's text is (seed 004)
    assert by["57-KL/TW"]["status"] == "cited only" and int(by["57-KL/TW"]["citations"]) >= 5
    assert "1486/QĐ-TTg" not in by and "119/KH-UBND" not in by
    assert by["16/QĐ-TTg"]["status"] == "unresolved"
    counts = [int(x["citations"]) for x in recs]
    assert counts == sorted(counts, reverse=True)


def test_body_tasks(store):
    recs = run(store, "body-tasks", body="so thong tin va truyen thong").records()
    assert recs
    assert all("Sở Thông tin và Truyền thông" in x["bodyName"] for x in recs)
    assert {x["role"] for x in recs} == {"lead", "partner"}
    plan = [x for x in recs if x["document"] == "119/KH-UBND"]
    assert plan and all("47/NQ-CP" in (x["directive"] or "") for x in plan)
    assert any(x["timeframe"] for x in plan)


# --------------------------------------------------------------------------------------------------
# formats, parameters, errors (through the command line, as a user runs them)


def test_json_is_w3c_sparql_results(store):
    r = run_cli("query", "implementers", "--param", "key=57-KL/TW", "--format", "json", "--store", seeds_build()[0])
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["head"]["vars"][:2] == ["doc", "number"]
    b = data["results"]["bindings"]
    assert b and b[0]["doc"]["type"] == "uri"
    # a standard parser reads it back with the same terms
    parsed = ox.parse_query_results(r.stdout.encode(), format=ox.QueryResultsFormat.JSON)
    rows = list(parsed)
    assert len(rows) == len(b)
    langs = [row["type"].language for row in rows if row["type"] is not None]
    assert langs and set(langs) == {"vi"}


def test_csv_and_table(store):
    out = run_cli("query", "citers", "-p", "key=1486/QĐ-TTg", "-f", "csv", "--store", seeds_build()[0]).stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["doc", "number", "relation", "issuer", "date", "file", "line"]
    assert any(r[1] == "10023/UBND-KGVX" for r in rows[1:])
    table = run_cli("query", "citers", "-p", "key=1486/QĐ-TTg", "--store", seeds_build()[0]).stdout
    assert "10023/UBND-KGVX" in table and "rows)" in table


def test_query_from_text_file_and_stdin(tmp_path):
    q = "SELECT ?k WHERE { ?d vn:hasText ?s ; vn:key ?k } ORDER BY ?k"
    f = tmp_path / "q.rq"
    f.write_text(q, "utf-8")
    s = seeds_build()[0]
    a = run_cli("query", q, "-f", "csv", "--store", s).stdout
    b = run_cli("query", str(f), "-f", "csv", "--store", s).stdout
    c = run_cli("query", "-", "-f", "csv", "--store", s, input=q).stdout
    assert a == b == c and "1486/QĐ-TTg" in a and "119/KH-UBND" in a


def test_malformed_sparql_gives_message_and_position():
    r = run_cli("query", "SELECT ?x WHERE {\n  ?x vn:key \n}", "--store", seeds_build()[0])
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    first = r.stderr.splitlines()[0]
    assert first.startswith("legalkg: error: malformed SPARQL at line 3, column") or \
        first.startswith("legalkg: error: malformed SPARQL at line 2, column"), first
    assert "^" in r.stderr


def test_parameters_are_values_not_syntax(store):
    # an attempt to inject SPARQL through a parameter is just a key that matches nothing
    evil = '57-KL/TW" } ?s ?p ?o { "'
    assert run(store, "implementers", key=evil).rows == []
    text, _ = Q.prepare("implementers", {"key": evil})
    assert str(ox.Literal(lookup_form(evil))) in text
    with pytest.raises(Q.QueryError, match="not an integer"):
        run(store, "lead-bodies", min="3 } ")


def test_parameter_errors_and_list():
    s = seeds_build()[0]
    r = run_cli("query", "implementers", "--store", s)
    assert r.returncode == 1 and "missing parameter 'key'" in r.stderr
    r = run_cli("query", "implementers", "-p", "kee=1", "--store", s)
    assert r.returncode == 1 and "unknown parameter 'kee'" in r.stderr
    r = run_cli("query", "implementor", "--store", s)
    assert r.returncode == 1 and "implementers" in r.stderr
    listing = run_cli("query", "--list").stdout
    for name in Q.shipped():
        assert name in listing
