"""Small citation graphs in the shape of `kg.network.to_networkx`, for the page tests.

`policy_graph()` follows the chain the seeds describe (Kết luận 57-KL/TW → Nghị quyết 47/NQ-CP → the
provinces' Kế hoạch 119/KH-UBND ...), with one hostile title. It is written out by hand so that the
filter and ego tests can state exactly which nodes must remain.
"""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
from pathlib import Path

import networkx as nx

BASE = "https://legalkg.example/"
ROOT = Path(__file__).resolve().parent.parent
HOSTILE_TITLE = 'Về việc <script>window.__xss=1</script><img src=x onerror="window.__xss=2"> & </script> “đặc biệt”'

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from synthgraph import synthetic_graph  # noqa: E402,F401  (re-exported for the tests)


def _doc(g: nx.MultiDiGraph, iri: str, key: str, type_: str, code: str | None, issuer: str | None, date: str | None,
         title: str | None, kind: str = "document", files: list[str] | None = None) -> str:
    iri = BASE + iri
    g.add_node(iri, kind=kind, label=key, key=key, type=type_, type_code=code, issuer=issuer, date=date,
               year=int(date[:4]) if date else None, title=title, files=files or [],
               excerpt=f"{type_.upper()}\nSố: {key}\n{title or ''}" if kind == "document" else None)
    return iri


def _body(g: nx.MultiDiGraph, slug: str, name: str) -> str:
    iri = f"{BASE}org/{slug}"
    g.add_node(iri, kind="body", label=name, key=None, type=None, type_code=None, issuer=None, date=None, year=None,
               title=None, files=[], excerpt=None)
    return iri


def _link(g: nx.MultiDiGraph, a: str, b: str, rel: str, file: str, line: int, evidence: str) -> None:
    g.add_edge(a, b, relation=rel, file=file, line=line, surface=evidence[:40], evidence=evidence, method="cue")


def policy_graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    bct = _body(g, "bo-chinh-tri", "Bộ Chính trị")
    cp = _body(g, "chinh-phu", "Chính phủ")
    ttg = _body(g, "thu-tuong-chinh-phu", "Thủ tướng Chính phủ")
    bttt = _body(g, "bo-thong-tin-va-truyen-thong", "Bộ Thông tin và Truyền thông")
    ubnd_bd = _body(g, "ubnd-binh-dinh", "Ủy ban nhân dân tỉnh Bình Định")
    ubnd_dn = _body(g, "ubnd-da-nang", "Ủy ban nhân dân thành phố Đà Nẵng")
    sttt = _body(g, "so-tttt-binh-dinh", "Sở Thông tin và Truyền thông tỉnh Bình Định")

    kl57 = _doc(g, "eli/vn/tw/2023/kl/57", "57-KL/TW", "Kết luận", "KL", "Bộ Chính trị", "2023-06-15",
                "về tiếp tục nâng cao chất lượng, hiệu quả công tác thông tin đối ngoại trong tình hình mới",
                files=["kl57.txt"])
    nq47 = _doc(g, "eli/vn/cp/2024/nq/47", "47/NQ-CP", "Nghị quyết", "NQ", "Chính phủ", "2024-04-05",
                "Chương trình hành động thực hiện Kết luận số 57-KL/TW", files=["nq47.txt"])
    kh119_bd = _doc(g, "eli/vn/ubnd-binh-dinh/2024/kh/119", "119/KH-UBND", "Kế hoạch", "KH",
                    "Ủy ban nhân dân tỉnh Bình Định", "2024-07-10",
                    "Triển khai thực hiện Nghị quyết số 47/NQ-CP của Chính phủ", files=["kh119.txt"])
    kh119_dn = _doc(g, "eli/vn/ubnd-da-nang/2024/kh/119", "119/KH-UBND", "Kế hoạch", "KH",
                    "Ủy ban nhân dân thành phố Đà Nẵng", "2024-08-01",
                    "Thực hiện Kết luận số 57-KL/TW trên địa bàn thành phố", files=["kh119dn.txt"])
    nd72 = _doc(g, "eli/vn/cp/2015/nd/72", "72/2015/NĐ-CP", "Nghị định", "NĐ", "Chính phủ", "2015-09-07",
                "về quản lý hoạt động thông tin đối ngoại", kind="unresolved")
    tt22 = _doc(g, "eli/vn/btttt/2016/tt/22", "22/2016/TT-BTTTT", "Thông tư", "TT", "Bộ Thông tin và Truyền thông",
                "2016-10-19", "hướng dẫn quản lý hoạt động thông tin đối ngoại của các tỉnh", kind="unresolved")
    qd1486 = _doc(g, "eli/vn/ttg/2018/qd/1486", "1486/QĐ-TTg", "Quyết định", "QĐ", "Thủ tướng Chính phủ",
                  "2018-11-06", "Ban hành Kế hoạch thông tin đối ngoại của Chính phủ giai đoạn 2018 - 2020",
                  files=["qd1486.txt"])
    cv = _doc(g, "eli/vn/btttt/2019/cv/1578", "1578/BTTTT-TTĐN", "Công văn", None, "Bộ Thông tin và Truyền thông",
              "2019-05-20", HOSTILE_TITLE, files=["cv1578.txt"])

    _link(g, nq47, kl57, "implements", "nq47.txt", 9, "Thực hiện Kết luận số 57-KL/TW ngày 15/6/2023 của Bộ Chính trị")
    _link(g, kh119_bd, nq47, "implements", "kh119.txt", 12, "Triển khai thực hiện Nghị quyết số 47/NQ-CP ngày 5/4/2024")
    _link(g, kh119_bd, nd72, "based_on", "kh119.txt", 5, "Căn cứ Nghị định số 72/2015/NĐ-CP ngày 07/9/2015")
    _link(g, kh119_bd, nd72, "based_on", "kh119.txt", 40, "theo Nghị định số 72/2015/NĐ-CP")  # merged with the above
    _link(g, kh119_dn, kl57, "implements", "kh119dn.txt", 8, "Thực hiện Kết luận số 57-KL/TW")
    _link(g, tt22, nd72, "guides", "kh119.txt", 6, "Thông tư số 22/2016/TT-BTTTT hướng dẫn Nghị định 72/2015/NĐ-CP")
    _link(g, qd1486, nd72, "cites", "qd1486.txt", 30, "theo Nghị định số 72/2015/NĐ-CP")
    _link(g, cv, qd1486, "implements", "cv1578.txt", 3, "Triển khai Quyết định số 1486/QĐ-TTg")

    for doc, body in ((kl57, bct), (nq47, cp), (kh119_bd, ubnd_bd), (kh119_dn, ubnd_dn), (qd1486, ttg), (cv, bttt)):
        _link(g, doc, body, "issued_by", g.nodes[doc]["files"][0], 1, g.nodes[body]["label"].upper())
    _link(g, kh119_bd, sttt, "lead", "kh119.txt", 77, "Sở Thông tin và Truyền thông chủ trì")
    _link(g, kh119_bd, cp, "recipient", "kh119.txt", 120, "- Chính phủ (b/c);")
    return g


def node_by_key(g: nx.MultiDiGraph, key: str, issuer: str | None = None) -> str:
    hits = [n for n, a in g.nodes(data=True) if a.get("key") == key and (issuer is None or a.get("issuer") == issuer)]
    assert len(hits) == 1, hits
    return hits[0]


_STORE: list[Path] = []


def built_sample_store() -> Path:
    """A store built from the bundled samples (data/samples), once per test session."""
    if not _STORE:
        from kg.build import build

        tmp = Path(tempfile.mkdtemp(prefix="legalkg-views-"))
        atexit.register(shutil.rmtree, tmp, True)
        report = build([ROOT / "data" / "samples"], tmp / "store", progress=False, jobs=1)
        assert not report.failed, report.failed
        _STORE.append(tmp / "store")
    return _STORE[0]
