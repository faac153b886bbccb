"""A synthetic citation graph shaped like legalkg's (same node and edge attributes as `kg.network.to_networkx`).

Used by the render tests and the render benchmark, which need graphs of 500 to 20,000 nodes that the
bundled samples cannot provide. The shape follows what the corpus shows: documents cite older ones,
a few decrees and Party conclusions are cited very often (preferential attachment), about one cited
number in six is known only from citations, and each issued document links to its issuing body.
"""

from __future__ import annotations

import random

import networkx as nx

BASE = "https://legalkg.example/"

# (type, code, system, weight)
TYPES = [
    ("Quyết định", "QĐ", "admin", 30),
    ("Kế hoạch", "KH", "admin", 20),
    ("Công văn", None, "letter", 12),
    ("Nghị định", "NĐ", "normative", 8),
    ("Thông tư", "TT", "normative", 7),
    ("Nghị quyết", "NQ", "admin", 6),
    ("Chỉ thị", "CT", "admin", 4),
    ("Kết luận", "KL", "party", 3),
    ("Hướng dẫn", "HD", "party", 3),
    ("Thông báo", "TB", "admin", 3),
    ("Báo cáo", "BC", "admin", 2),
    ("Luật", None, "law", 2),
]

PROVINCES = [
    "Bình Định", "Hà Nội", "Đà Nẵng", "Hải Phòng", "Cần Thơ", "Quảng Nam", "Nghệ An", "Thanh Hóa",
    "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "Bắc Ninh", "Quảng Ninh", "Thừa Thiên Huế", "Kiên Giang",
]

# (canonical name, issuer code, allowed systems)
CENTRAL = [
    ("Chính phủ", "CP", {"normative", "admin"}),
    ("Thủ tướng Chính phủ", "TTg", {"admin"}),
    ("Bộ Thông tin và Truyền thông", "BTTTT", {"normative", "admin", "letter"}),
    ("Bộ Ngoại giao", "BNG", {"normative", "admin", "letter"}),
    ("Bộ Công an", "BCA", {"normative", "admin", "letter"}),
    ("Bộ Chính trị", "TW", {"party"}),
    ("Ban Tuyên giáo Trung ương", "BTGTW", {"party"}),
    ("Quốc hội", "QH", {"law"}),
]

SUBJECTS = [
    "thông tin đối ngoại", "chuyển đổi số", "quản lý hoạt động báo chí", "phát triển khoa học, công nghệ",
    "đổi mới sáng tạo", "an toàn thông tin mạng", "cải cách hành chính", "phòng, chống tham nhũng",
    "bảo vệ chủ quyền biển, đảo", "hội nhập quốc tế", "xây dựng chính quyền điện tử", "công tác tuyên truyền",
]
VERBS = ["Ban hành Kế hoạch", "Về việc triển khai", "Quy định chi tiết", "Hướng dẫn thực hiện", "Về tăng cường"]

RELATIONS = [
    ("based_on", 35), ("cites", 38), ("implements", 11), ("guides", 7), ("amends", 4), ("replaces", 3), ("repeals", 2),
]
CUES = {
    "based_on": "Căn cứ {t} số {k} ngày {d} của {i};",
    "cites": "theo quy định tại {t} số {k} của {i}",
    "implements": "Thực hiện {t} số {k} ngày {d} của {i},",
    "guides": "hướng dẫn thi hành {t} số {k}",
    "amends": "sửa đổi, bổ sung một số điều của {t} số {k}",
    "replaces": "thay thế {t} số {k} ngày {d}",
    "repeals": "bãi bỏ {t} số {k}",
}


def _slug(text: str) -> str:
    import unicodedata

    s = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return "-".join("".join(c if c.isalnum() else " " for c in s).split())


def _bodies(rng: random.Random, n: int) -> list[tuple[str, str, set[str]]]:
    bodies = list(CENTRAL)
    for p in PROVINCES:
        bodies.append((f"Ủy ban nhân dân tỉnh {p}", "UBND", {"admin", "letter"}))
        bodies.append((f"Sở Thông tin và Truyền thông tỉnh {p}", "STTTT", {"admin", "letter"}))
        bodies.append((f"Tỉnh ủy {p}", "TU", {"party"}))
    extra = 0
    while len(bodies) < n:
        extra += 1
        p = PROVINCES[extra % len(PROVINCES)]
        bodies.append((f"Ủy ban nhân dân huyện số {extra} tỉnh {p}", "UBND", {"admin", "letter"}))
    return bodies[: max(n, 8)]


def _key(num: int, year: int, code: str | None, system: str, issuer_code: str) -> str:
    if system == "normative":
        return f"{num}/{year}/{code}-{issuer_code}"
    if system == "party":
        return f"{num}-{code}/{issuer_code}"
    if system == "letter":
        return f"{num}/{issuer_code}-VP"
    if system == "law":
        return f"{num}/{year}/QH{13 + (year - 2011) // 5}"
    return f"{num}/{code}-{issuer_code}"


def synthetic_graph(n_nodes: int, *, seed: int = 7, hostile_title: bool = True) -> nx.MultiDiGraph:
    """A citation graph of about `n_nodes` nodes (documents, unresolved citations and bodies)."""
    rng = random.Random(seed)
    n_bodies = max(8, min(n_nodes // 40, 400))
    bodies = _bodies(rng, n_bodies)
    g = nx.MultiDiGraph()
    body_ids = []
    for name, _code, _systems in bodies:
        iri = f"{BASE}org/{_slug(name)}"
        body_ids.append(iri)
        g.add_node(iri, kind="body", label=name, key=None, type=None, type_code=None, issuer=None, date=None,
                   year=None, title=name, files=[], excerpt="")
    n_docs = n_nodes - len(body_ids)
    type_weights = [t[3] for t in TYPES]
    rel_names = [r[0] for r in RELATIONS]
    rel_weights = [r[1] for r in RELATIONS]
    docs: list[str] = []
    attach: list[str] = []  # each document appears 1 + (times cited) times: preferential attachment
    used_keys: set[str] = set()
    for i in range(n_docs):
        tname, code, system, _w = rng.choices(TYPES, weights=type_weights)[0]
        candidates = [b for b in range(len(bodies)) if system in bodies[b][2]]
        b = rng.choice(candidates)
        bname, bcode, _s = bodies[b]
        year = 2005 + (20 * i) // max(n_docs, 1)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        num = rng.randint(1, 2500)
        key = _key(num, year, code, system, bcode)
        while key in used_keys:
            num += 2500
            key = _key(num, year, code, system, bcode)
        used_keys.add(key)
        unresolved = rng.random() < 0.17
        subject = rng.choice(SUBJECTS)
        title = f"{rng.choice(VERBS)} {subject} giai đoạn {year}-{year + 5}"
        if hostile_title and i == 3:
            title = 'Về việc <script>alert("x")</script> & <b>"đặc biệt"</b>'
        iri = f"{BASE}eli/vn/{_slug(bname)}/{year}/{_slug(code or tname)}/{num}"
        date = f"{year}-{month:02d}-{day:02d}"
        fname = f"doc_{i:05d}.txt"
        g.add_node(
            iri, kind="unresolved" if unresolved else "document", label=key, key=key, type=tname, type_code=code,
            issuer=bname, date=None if unresolved else date, year=year, title=title,
            files=[] if unresolved else [fname],
            excerpt="" if unresolved else f"{tname.upper()}\n{title}\n\nCăn cứ Luật Tổ chức Chính phủ ngày 19/6/2015;",
        )
        if not unresolved:
            g.add_edge(iri, body_ids[b], relation="issued_by", file=fname, line=1, surface=bname,
                       evidence=f"{bname.upper()}", method="header")
            if rng.random() < 0.3:
                r = rng.randrange(len(body_ids))
                rel = rng.choice(["recipient", "lead", "partner"])
                g.add_edge(iri, body_ids[r], relation=rel, file=fname, line=rng.randint(5, 200),
                           surface=bodies[r][0], evidence=f"- {bodies[r][0]};", method="table")
            if docs:
                for _ in range(min(len(docs), 1 + int(rng.expovariate(0.5)))):
                    tgt = rng.choice(attach)
                    if tgt == iri:
                        continue
                    rel = rng.choices(rel_names, weights=rel_weights)[0]
                    t = g.nodes[tgt]
                    line = rng.randint(3, 400)
                    ev = CUES[rel].format(t=t["type"], k=t["key"], d=t["date"] or "", i=t["issuer"])
                    g.add_edge(iri, tgt, relation=rel, file=fname, line=line, surface=f"{t['type']} số {t['key']}",
                               evidence=ev, method="cue")
                    attach.append(tgt)
        docs.append(iri)
        attach.append(iri)
    # A number is only known from citations because something cites it.
    resolved = [d for d in docs if g.nodes[d]["kind"] == "document"]
    for d in docs:
        if g.degree(d) == 0 and resolved:
            src = rng.choice(resolved)
            t = g.nodes[d]
            g.add_edge(src, d, relation="cites", file=g.nodes[src]["files"][0], line=rng.randint(3, 400),
                       surface=f"{t['type']} số {t['key']}", evidence=CUES["cites"].format(t=t["type"], k=t["key"],
                       d="", i=t["issuer"]), method="cue")
    return g
