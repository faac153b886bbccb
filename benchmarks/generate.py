"""Generated Vietnamese legal documents for the benchmarks: realistic in shape, random in content.

A *universe* of documents is drawn first (normative acts of the Government, ministries and the National
Assembly; decisions and directives of the Prime Minister; Party conclusions and resolutions; provincial
plans, decisions and letters of the 63 provinces' People's Committees, Party Committees and departments),
each with its number, date, issuer and title. The first ``n_docs`` of them get a text: a header (issuer,
number, place and date), the type heading and title, "Căn cứ ..." lines citing earlier documents,
"Thực hiện ..." for the plans that carry out a directive, a body, and for plans a task table with lead and
partner bodies. Citations follow a power law (a few laws and directives are cited by thousands, most by a
handful), so the graph has the skew of the real corpus. Everything is seeded: the same arguments give
the same texts.
"""

from __future__ import annotations

import bisect
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass

PROVINCES = [
    "An Giang", "Bà Rịa - Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre", "Bình Định",
    "Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai",
    "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Tĩnh", "Hải Dương", "Hậu Giang", "Hòa Bình", "Hưng Yên",
    "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An", "Nam Định",
    "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi",
    "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa",
    "Thừa Thiên Huế", "Tiền Giang", "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
]
MINISTRIES = [
    ("BTC", "Bộ Tài chính"), ("BTTTT", "Bộ Thông tin và Truyền thông"), ("BNV", "Bộ Nội vụ"),
    ("BYT", "Bộ Y tế"), ("BCT", "Bộ Công Thương"), ("BGDĐT", "Bộ Giáo dục và Đào tạo"), ("BTP", "Bộ Tư pháp"),
    ("BXD", "Bộ Xây dựng"), ("BCA", "Bộ Công an"), ("BLĐTBXH", "Bộ Lao động - Thương binh và Xã hội"),
]
DEPARTMENTS = [
    ("STTTT", "Sở Thông tin và Truyền thông"), ("SNV", "Sở Nội vụ"), ("STC", "Sở Tài chính"),
    ("SYT", "Sở Y tế"), ("SGDĐT", "Sở Giáo dục và Đào tạo"),
]
TOPICS = [
    "công tác thông tin đối ngoại", "chuyển đổi số", "cải cách hành chính", "phòng, chống tham nhũng",
    "bảo hiểm xã hội", "phát triển kinh tế - xã hội", "quản lý ngân sách nhà nước", "y tế cơ sở",
    "giáo dục nghề nghiệp", "an toàn thông tin mạng", "xây dựng nông thôn mới", "phát triển du lịch",
    "bảo vệ môi trường", "thuế thu nhập cá nhân", "hợp đồng lao động", "đầu tư công",
]
TYPE_NAME = {"NĐ": "Nghị định", "TT": "Thông tư", "QĐ": "Quyết định", "CT": "Chỉ thị", "KL": "Kết luận",
             "NQ": "Nghị quyết", "KH": "Kế hoạch", "CTr": "Chương trình", "TTr": "Tờ trình", "L": "Luật",
             "CV": "Công văn"}


@dataclass
class Doc:
    idx: int
    system: str
    type_code: str
    key: str
    issuer: str  # canonical name
    issuer_upper: str
    place: str
    date: tuple[int, int, int]
    title: str
    province: str | None = None

    @property
    def type_name(self) -> str:
        return TYPE_NAME[self.type_code]

    def cite(self) -> str:
        d, m, y = self.date
        return f"{self.type_name} số {self.key} ngày {d:02d}/{m:02d}/{y} của {self.issuer} về {self.title}"


def _universe(size: int, rng: random.Random) -> list[Doc]:
    counters: dict[tuple, int] = {}
    docs: list[Doc] = []
    kinds = [("law", 2), ("nd", 8), ("tt", 12), ("qd_ttg", 8), ("ct_ttg", 2), ("party", 4), ("kh_ubnd", 22),
             ("qd_ubnd", 14), ("cv_ubnd", 12), ("kh_tu", 6), ("ttr_so", 6), ("kh_so", 4)]
    names, weights = zip(*kinds, strict=True)
    for i in range(size):
        year = 2008 + int(18 * (i / max(1, size)))  # documents are drawn in time order: later ones cite earlier
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        kind = rng.choices(names, weights)[0]
        topic = rng.choice(TOPICS)
        prov = rng.choice(PROVINCES)

        def num(key: tuple) -> int:
            counters[key] = counters.get(key, 0) + rng.randint(1, 3)
            return counters[key]

        if kind == "law":
            term = 12 + (year - 2007) // 5
            n = num(("qh", year))
            d = Doc(i, "normative", "L", f"{n}/{year}/QH{term}", "Quốc hội", "QUỐC HỘI", "Hà Nội", (day, month, year),
                    f"{topic}")
        elif kind == "nd":
            n = num(("nd", year))
            d = Doc(i, "normative", "NĐ", f"{n}/{year}/NĐ-CP", "Chính phủ", "CHÍNH PHỦ", "Hà Nội", (day, month, year),
                    f"quy định chi tiết về {topic}")
        elif kind == "tt":
            code, name = rng.choice(MINISTRIES)
            n = num(("tt", code, year))
            d = Doc(i, "normative", "TT", f"{n:02d}/{year}/TT-{code}", name, name.upper(), "Hà Nội", (day, month, year),
                    f"hướng dẫn thực hiện {topic}")
        elif kind == "qd_ttg":
            n = num(("qd", "ttg", year)) * 7
            d = Doc(i, "administrative", "QĐ", f"{n}/QĐ-TTg", "Thủ tướng Chính phủ", "THỦ TƯỚNG CHÍNH PHỦ", "Hà Nội",
                    (day, month, year), f"phê duyệt Đề án {topic}")
        elif kind == "ct_ttg":
            n = num(("ct", "ttg", year))
            d = Doc(i, "administrative", "CT", f"{n:02d}/CT-TTg", "Thủ tướng Chính phủ", "THỦ TƯỚNG CHÍNH PHỦ", "Hà Nội",
                    (day, month, year), f"tăng cường {topic}")
        elif kind == "party":
            code = rng.choice(["KL", "NQ", "CT"])
            n = num(("tw", code, (year - 2006) // 5))
            iss = {"KL": "Bộ Chính trị", "NQ": "Ban Chấp hành Trung ương Đảng", "CT": "Ban Bí thư"}[code]
            d = Doc(i, "party", code, f"{n}-{code}/TW", iss, "BAN CHẤP HÀNH TRUNG ƯƠNG", "Hà Nội", (day, month, year),
                    f"tiếp tục đẩy mạnh {topic} trong tình hình mới")
        elif kind in ("kh_ubnd", "qd_ubnd", "cv_ubnd"):
            n = num(("ubnd", prov, year)) * 3
            code = {"kh_ubnd": "KH", "qd_ubnd": "QĐ", "cv_ubnd": "CV"}[kind]
            key = f"{n}/UBND-VX" if code == "CV" else f"{n}/{code}-UBND"
            title = {"KH": f"triển khai {topic} trên địa bàn tỉnh năm {year}",
                     "QĐ": f"ban hành Quy chế {topic} trên địa bàn tỉnh",
                     "CV": f"thực hiện {topic}"}[code]
            d = Doc(i, "letter" if code == "CV" else "administrative", code, key, f"Ủy ban nhân dân tỉnh {prov}",
                    f"ỦY BAN NHÂN DÂN\nTỈNH {prov.upper()}", prov, (day, month, year), title, prov)
        elif kind == "kh_tu":
            n = num(("tu", prov, (year - 2006) // 5))
            code = rng.choice(["KH", "CTr"])
            d = Doc(i, "party", code, f"{n}-{code}/TU", f"Tỉnh ủy {prov}", f"TỈNH ỦY {prov.upper()}", prov,
                    (day, month, year), f"thực hiện {topic}", prov)
        else:
            code, name = rng.choice(DEPARTMENTS)
            n = num(("so", code, prov, year))
            tc = "TTr" if kind == "ttr_so" else "KH"
            d = Doc(i, "administrative", tc, f"{n}/{tc}-{code}", f"{name} tỉnh {prov}",
                    f"UBND TỈNH {prov.upper()}\n{name.upper()}", prov, (day, month, year), f"về {topic}", prov)
        docs.append(d)
    return docs


class _Zipf:
    """Draws indices < limit with probability ∝ 1 / (rank + 1)^s, rank = a fixed shuffle of the universe."""

    def __init__(self, n: int, s: float, rng: random.Random) -> None:
        self.rank = list(range(n))
        rng.shuffle(self.rank)
        w = [1.0 / (r + 1) ** s for r in range(n)]
        self.cum = []
        t = 0.0
        for x in w:
            t += x
            self.cum.append(t)
        self.by_rank = sorted(range(n), key=lambda i: self.rank[i])

    def draw(self, rng: random.Random) -> int:
        r = bisect.bisect_left(self.cum, rng.random() * self.cum[-1])
        return self.by_rank[min(r, len(self.by_rank) - 1)]


def generate(n_docs: int, universe: int | None = None, *, seed: int = 20261122, cites: float = 5.0,
             zipf: float = 1.05) -> Iterator[dict]:
    """``n_docs`` JSON Lines records ``{"id", "text"}``; citations point into a universe of ``universe``
    documents (default 3 × n_docs), earlier than the citing one, with power-law popularity."""
    rng = random.Random(seed)
    size = max(universe or 3 * n_docs, n_docs + 10)
    docs = _universe(size, rng)
    # the documents with a text are spread over the whole period
    with_text = sorted(rng.sample(range(size), n_docs))
    pop = _Zipf(size, zipf, rng)
    bodies = [n for _, n in DEPARTMENTS]
    for i in with_text:
        d = docs[i]
        lines = [d.issuer_upper, "", f"Số: {d.key}", f"{d.place}, ngày {d.date[0]:02d} tháng {d.date[1]:02d} năm "
                 f"{d.date[2]}", "", d.type_name.upper(), d.title[:1].upper() + d.title[1:], ""]
        k = max(0, int(rng.expovariate(1 / cites)))
        targets: list[int] = []
        for _ in range(k * 3):
            if len(targets) >= k:
                break
            t = pop.draw(rng)
            if t < i and t not in targets and docs[t].key != d.key:
                targets.append(t)
        implemented = None
        if d.type_code in ("KH", "CTr", "CV") and targets:
            implemented = targets[0]
            lines.append(f"Thực hiện {docs[implemented].cite()};")
        for t in targets[1:] if implemented is not None else targets:
            lines.append(f"Căn cứ {docs[t].cite()};")
        if d.province:
            lines.append(f"Theo đề nghị của Giám đốc Sở Nội vụ tỉnh {d.province},")
        lines += ["", f"{d.issuer} ban hành {d.type_name.lower()} với các nội dung sau:", "",
                  "I. MỤC ĐÍCH, YÊU CẦU",
                  f"Nâng cao hiệu quả {rng.choice(TOPICS)}; bảo đảm sự phối hợp chặt chẽ giữa các cơ quan, đơn vị.", ""]
        if d.type_code in ("KH", "CTr"):
            lines += ["II. NHIỆM VỤ CỤ THỂ", "",
                      "| TT | Nhiệm vụ | Đơn vị chủ trì | Đơn vị phối hợp | Thời gian thực hiện |",
                      "|---|---|---|---|---|"]
            for j in range(rng.randint(2, 5)):
                lead, partner = rng.sample(bodies, 2)
                when = rng.choice(["Hằng năm", f"Năm {d.date[2]}", f"{d.date[2]} - {d.date[2] + 5}"])
                lines.append(f"| {j + 1} | Triển khai {rng.choice(TOPICS)} | {lead} | {partner} | {when} |")
            lines.append("")
        lines += ["Nơi nhận:", "- Như trên;", "- Lưu: VT.", ""]
        yield {"id": f"gen-{i:07d}", "text": "\n".join(lines)}


def write_jsonl(path: str, n_docs: int, universe: int | None = None, **kw: object) -> int:
    """Write the generated corpus as JSON Lines; returns its size in bytes."""
    size = 0
    with open(path, "w", encoding="utf-8") as f:
        for rec in generate(n_docs, universe, **kw):  # type: ignore[arg-type]
            line = json.dumps(rec, ensure_ascii=False) + "\n"
            f.write(line)
            size += len(line.encode("utf-8"))
    return size


if __name__ == "__main__":
    import sys

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    for rec in generate(n):
        print(rec["text"])
        print("=" * 60)
