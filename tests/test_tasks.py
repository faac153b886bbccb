"""Tasks: rows of appendix tables (clean, OCR'd, degraded) and "Tổ chức thực hiện" assignments."""

from __future__ import annotations

import gzip
import json
import unicodedata
from pathlib import Path

import pytest

from kg.model import Document
from kg.normalize import Text
from kg.tasks import find_tasks, find_time

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
CORPUS = Path("/work/shared/corpus/docs.jsonl.gz")
if not CORPUS.exists():
    CORPUS = ROOT.parent / "shared" / "corpus" / "docs.jsonl.gz"


def sample(prefix: str) -> str:
    return next(SAMPLES.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def line_start(raw: str, line: int) -> int:
    return sum(len(x) + 1 for x in raw.split("\n")[:line - 1])


def doc(raw: str, key: str, issuer: str, first_line: int = 1, last_line: int | None = None,
        province: str | None = None, title: str = "") -> Document:
    end = len(raw) if last_line is None else line_start(raw, last_line + 1)
    return Document(key, None, issuer, None, title or key, first_line, start=line_start(raw, first_line), end=end,
                    province=province)


def by_id(tasks):
    return {t.id: t for t in tasks}


def strip_accents(s: str) -> str:
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return s.replace("đ", "d").replace("Đ", "D")


# --- seed 004: a clean tab-separated table and a Quyết định's "Tổ chức thực hiện" -----------------------

@pytest.fixture(scope="module")
def seed004():
    raw = sample("004")
    docs = [doc(raw, "10023/UBND-KGVX", "Ủy ban nhân dân tỉnh Đắk Lắk", 1, 39, province="tỉnh Đắk Lắk"),
            doc(raw, "1486/QĐ-TTg", "Thủ tướng Chính phủ", 40)]
    return find_tasks(Text(raw), docs)


def test_tab_table_rows_are_tasks_and_groups_are_not(seed004) -> None:
    table = [t for t in seed004 if t.in_document == "1486/QĐ-TTg" and t.id and "." in t.id and t.id[0].isdigit()]
    assert [t.id for t in table] == ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4", "2.5", "3.1", "3.2",
                                     "4.1"]
    ids = {t.id for t in seed004}
    assert not ids & {"1", "2", "3", "4"}  # "1 Công tác thông tin đối ngoại với Lào ..." is a group heading


def test_tab_table_columns(seed004) -> None:
    t = by_id(seed004)
    assert t["1.2"].lead == ["Bộ Thông tin và Truyền thông"]
    assert t["1.2"].partners[:4] == ["Bộ Ngoại giao", "Bộ Nội vụ", "Bộ Tài nguyên và Môi trường",
                                     "Bộ Văn hóa, Thể thao và Du lịch"]
    assert t["1.2"].time == "2018 - 2019"
    assert t["2.4"].lead == ["Bộ Văn hóa, Thể thao và Du lịch"]
    assert "Tổng Công ty Hàng không Việt Nam" in t["2.4"].partners
    assert t["1.1"].lead == ["Các Bộ, cơ quan ngang Bộ, cơ quan thuộc Chính phủ",
                             "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"]
    assert t["1.1"].partners == []  # an empty cell stays empty
    assert t["4.1"].partners[0] == "Ban Chỉ đạo Công tác thông tin đối ngoại Trung ương"
    # a row continued after the repeated header of the next page keeps its text
    assert t["1.4"].text.endswith("để triển khai các đề án của Chính phủ")


def test_quyet_dinh_assignments(seed004) -> None:
    t = by_id(seed004)
    assert t["IV.1"].lead == ["Bộ Thông tin và Truyền thông"]
    assert t["IV.2"].lead == ["Bộ Tài chính"]
    assert t["IV.2"].partners[0] == "Bộ Thông tin và Truyền thông"
    assert t["IV.3"].lead == ["Các Bộ, cơ quan ngang Bộ, cơ quan thuộc Chính phủ",
                              "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"]
    assert all(t[k].in_document == "1486/QĐ-TTg" for k in ("IV.1", "IV.2", "IV.3"))


def test_unnumbered_assignment_of_a_letter(seed004) -> None:
    [task] = [t for t in seed004 if t.in_document == "10023/UBND-KGVX"]
    assert task.id is None
    assert task.lead == ["Sở Thông tin và Truyền thông"]
    assert task.partners == ["Các sở, ngành liên quan"]
    assert task.line == 19


# --- seed 001: an OCR'd table whose columns interleave -------------------------------------------------

@pytest.fixture(scope="module")
def seed001():
    raw = sample("001")
    return by_id(find_tasks(Text(raw), [doc(raw, "119/KH-UBND", "Ủy ban nhân dân tỉnh Bình Định",
                                            province="tỉnh Bình Định")]))


def test_ocr_table_row_numbers_read_as_a_sequence(seed001) -> None:
    expected = ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4"] + [f"3.{i}" for i in range(1, 16)] + [
        "4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "5.4", "5.5"]
    table = [k for k in seed001 if k and k[0].isdigit()]
    assert table == expected  # "L1" is 1.1, "39" is 3.9, "315" is 3.15; groups 1-5 are headings
    assert seed001["1.1"].line == 371 and seed001["3.9"].line == 475 and seed001["3.15"].line == 512


@pytest.mark.parametrize(
    ("row", "lead"),
    [
        ("1.1", ["Ban Tuyên giáo Tỉnh ủy"]),  # "|Ban Tuyén gido Tinh uy |UBND cac huyén" on one line
        ("1.3", ["Sở Thông tin và Truyền thông"]),
        ("2.2", ["Sở Lao động - Thương binh và Xã hội"]),  # "So6 Lao dong - Thuong" … "binh va X3 hoi thong,"
        ("3.1", ["Văn phòng Ủy ban nhân dân tỉnh"]),
        ("3.3", ["Sở Công Thương"]),
        ("3.6", ["Sở Ngoại vụ"]),
        ("3.9", ["Sở Nông nghiệp và Phát triển nông thôn"]),  # "S& Nong nghi€p va" … "Phat trién nong thon"
        ("3.15", ["Sở Tài chính"]),
        ("4.2", ["Công an tỉnh"]),
        ("4.4", ["Ban Dân tộc tỉnh"]),
        ("5.4", ["Sở Nội vụ"]),
    ],
)
def test_ocr_table_leads(seed001, row: str, lead: list[str]) -> None:
    assert seed001[row].lead == lead


def test_ocr_table_partners_and_times(seed001) -> None:
    assert seed001["1.1"].partners == ["Các sở, ban, ngành", "Ủy ban nhân dân các huyện, thị xã, thành phố"]
    assert "Ban Tuyên giáo Tỉnh ủy" in seed001["1.2"].partners  # second column on the line
    assert seed001["4.2"].partners[0] == "Sở Thông tin và Truyền thông"  # its "thong," after "Cong an tinh"
    assert seed001["1.1"].time == "Năm 2024"
    assert seed001["1.3"].time == "Hằng năm"
    assert seed001["2.4"].time == "2024 - 2030"
    # bodies in the task's own words (issuers of cited acts) are neither lead nor partner
    for t in seed001.values():
        assert "Chính phủ" not in t.lead + t.partners
        assert "Bộ Chính trị" not in t.lead + t.partners


def test_ocr_plan_assignments(seed001) -> None:
    assert seed001["IV.1"].lead == ["Sở Thông tin và Truyền thông"]
    assert seed001["IV.1"].time == "Hằng năm"
    assert seed001["IV.2"].lead == ["Ban Tuyên giáo Tỉnh ủy", "Ban Chỉ đạo Công tác thông tin đối ngoại tỉnh"]
    assert seed001["IV.2"].partners[0] == "Các sở, ban, ngành"
    assert seed001["IV.3"].lead == ["Các cơ quan, đơn vị, địa phương có liên quan"]


def test_no_tasks_from_numbered_focus_items_unless_asked() -> None:
    raw = sample("000")
    d = doc(raw, None, "Bộ Thông tin và Truyền thông", title="Hướng dẫn xây dựng Kế hoạch")
    assert find_tasks(Text(raw), [d]) == []
    focus = find_tasks(Text(raw), [d], focus_items=True)
    assert [t.id for t in focus] == [str(i) for i in range(1, 9)]
    assert all(t.lead == ["Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"] for t in focus)
    assert all(t.in_document == "Hướng dẫn xây dựng Kế hoạch" for t in focus)


# --- synthetic tables ------------------------------------------------------------------------------------

CLEAN_ROWS = [
    ("1", "Tuyên truyền", "", "", ""),
    ("1.1", "Xây dựng chuyên mục thông tin đối ngoại", "Sở Thông tin và Truyền thông",
     "Các sở, ban, ngành; UBND các huyện, thị xã, thành phố", "Hằng năm"),
    ("1.2", "Tổ chức hội nghị xúc tiến đầu tư", "Sở Kế hoạch và Đầu tư", "Sở Ngoại vụ, Sở Công Thương",
     "2025 - 2030"),
    ("2", "Đào tạo", "", "", ""),
    ("2.1", "Bồi dưỡng nghiệp vụ cho cán bộ", "Sở Nội vụ", "Sở Tư pháp", "Năm 2025"),
]
HEADER = ("TT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian thực hiện")


def _check_synthetic(tasks) -> None:
    t = by_id(tasks)
    assert sorted(t) == ["1.1", "1.2", "2.1"]
    assert t["1.1"].lead == ["Sở Thông tin và Truyền thông"]
    assert t["1.1"].partners == ["Các sở, ban, ngành", "Ủy ban nhân dân các huyện, thị xã, thành phố"]
    assert t["1.1"].time == "Hằng năm"
    assert t["1.2"].lead == ["Sở Kế hoạch và Đầu tư"]
    assert t["1.2"].partners == ["Sở Ngoại vụ", "Sở Công Thương"]
    assert t["1.2"].time == "2025 - 2030"
    assert t["2.1"].lead == ["Sở Nội vụ"] and t["2.1"].partners == ["Sở Tư pháp"]
    assert t["2.1"].time == "Năm 2025"


def test_synthetic_tab_table() -> None:
    raw = "KẾ HOẠCH\nPhụ lục\n" + "\n".join("\t".join(r) for r in [HEADER, *CLEAN_ROWS]) + "\n"
    _check_synthetic(find_tasks(Text(raw), [Document("1/KH-UBND", None, None, None, None, 1, end=len(raw))]))


def test_synthetic_markdown_table() -> None:
    rows = [HEADER, ("---",) * 5, *CLEAN_ROWS]
    raw = "KẾ HOẠCH\n\n" + "\n".join("| " + " | ".join(r) + " |" for r in rows) + "\n"
    _check_synthetic(find_tasks(Text(raw), [Document("1/KH-UBND", None, None, None, None, 1, end=len(raw))]))


def test_ocr_degraded_table() -> None:
    """No accents, upper-case header over two lines, cells merged on one line with stray rules and spaces,
    OCR look-alikes ("S&", "S¢") and a damaged row number ("L2" for 1.2)."""
    lines = ["DON VI THOI GIAN", "TT NOI DUNG NHIEM VU DON VI CHU TRI PHOI HOP THUC HIEN"]
    for tt, text, lead, partner, time in CLEAN_ROWS:
        tt = "L2" if tt == "1.2" else tt
        lead = lead.replace("Sở", "S&", 1) if tt == "L2" else lead.replace("Sở", "S¢", 1)
        if not lead:
            lines.append(f"{tt} | {text}")
        else:
            lines.append(f"{tt} |{text} |{lead} |{partner} | {time}")
    raw = strip_accents("KE HOACH\n" + "\n".join(lines) + "\n")
    assert "Truyen thong" in raw
    _check_synthetic(find_tasks(Text(raw), [Document("1/KH-UBND", None, None, None, None, 1, end=len(raw))]))


def test_ocr_cut_names_follow_onto_the_next_line() -> None:
    raw = strip_accents(
        "TT NOI DUNG DON VI CHU TRI DON VI PHOI HOP THOI GIAN\n"
        "1 | Nhom nhiem vu\n"
        "1.1 Trien khai chuong trinh viec lam |So Lao dong - Thuong |Cac so, ban, nganh; | Hang nam\n"
        "cho nguoi lao dong binh va Xa hoi UBND cac huyen, thi\n"
        "xa, thanh pho\n"
        "1.2 Quang ba du lich |So Van hoa, The thao va |So Ngoai vu, Cong an tinh | 2025\n"
        "Du lich\n")
    t = by_id(find_tasks(Text(raw), [Document("1/KH-UBND", None, None, None, None, 1, end=len(raw))]))
    assert t["1.1"].lead == ["Sở Lao động - Thương binh và Xã hội"]
    assert t["1.1"].partners == ["Các sở, ban, ngành", "Ủy ban nhân dân các huyện, thị xã, thành phố"]
    assert t["1.2"].lead == ["Sở Văn hóa, Thể thao và Du lịch"]
    assert t["1.2"].partners == ["Sở Ngoại vụ", "Công an tỉnh"]


def test_a_sentence_about_the_lead_body_is_not_a_table() -> None:
    raw = ("2. Cơ quan chủ trì thẩm tra có trách nhiệm mời đại diện cơ quan phối hợp.\n"
           "1. Bộ Tư pháp thẩm định dự thảo.\n2. Bộ Tài chính bảo đảm kinh phí.\n")
    assert find_tasks(Text(raw), [Document("x", None, None, None, None, 1, end=len(raw))]) == []


def test_a_row_line_opening_with_the_border_alone() -> None:
    # found by fuzzing: a continuation line that opens with the table's bar and has no other one
    raw = "CƠ QUAN CHỦ TRÌ \nCƠ QUAN PHỐI HỢP \n1. Bộ Tư pháp chủ trì đề án \n|ngành và địa phương, đơn "
    tasks = find_tasks(Text(raw), [Document("x", None, None, None, None, 1, end=len(raw))])
    assert [(t.id, t.lead) for t in tasks] == [("1", ["Bộ Tư pháp"])]
    assert "|" not in tasks[0].text


# --- a corpus document ----------------------------------------------------------------------------------

@pytest.mark.skipif(not CORPUS.exists(), reason="dev corpus not available")
def test_corpus_decision_assignments() -> None:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        rec = next(r for r in map(json.loads, fh) if r["id"] == "cb8cd-quyet-dinh-so-893-qd-ttg-469593")
    raw = rec["text"]
    t = by_id(find_tasks(Text(raw), [Document(rec["number"], rec["type"], rec["issuer"], rec["date"], rec["title"],
                                              1, end=len(raw))]))
    # "VI. TỔ CHỨC THỰC HIỆN / 1. Bộ Khoa học và Công nghệ / a) Chủ trì, phối hợp ..."
    assert t["VI.1"].lead == ["Bộ Khoa học và Công nghệ"]
    assert t["VI.2"].lead == ["Bộ Giáo dục và Đào tạo"]
    assert "Bộ Khoa học và Công nghệ" in t["VI.2"].partners  # "phối hợp với Bộ Khoa học và Công nghệ"
    assert t["VI.3"].lead == ["Bộ Công Thương"]
    assert t["VI.7"].lead == ["Bộ Công an"]
    assert all(k.startswith("VI.") for k in t)


@pytest.mark.parametrize(
    ("s", "expected"),
    [("Hang nam", "Hằng năm"), ("Héng nam", "Hằng năm"), ("Hàng năm", "Hằng năm"), ("2024 - 2030", "2024 - 2030"),
     ("Nam 2024", "Năm 2024"), ("Đến năm 2030", "Đến năm 2030"), ("Quý IV/2026", "Quý IV/2026"),
     ("Tháng 12/2026", "Tháng 12/2026"), ("2025", "2025")],
)
def test_find_time(s: str, expected: str) -> None:
    from kg.normalize import fold

    got = find_time(fold(s))
    assert got is not None and got[0] == expected


def test_cue_scans_equal_the_regex_scans() -> None:
    # _giao_cues and _org_heads stand for finditer of patterns anchored at line starts: same matches
    import random

    from kg.tasks import _GIAO, _ORG_HEAD, _giao_cues, _org_heads

    rng = random.Random(5)
    pieces = ["giao", "giao ", " ", "\n", ".", ";", ":", "\t", "x", "  ", "hien", "1. to chuc thuc hien",
              "iii. to chuc thuc hien:", "\n\n", "o", "c hien"]
    for _ in range(5000):
        f = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 14)))
        fs = rng.randrange(len(f) + 1)
        fe = rng.randrange(fs, len(f) + 1)
        assert [(m.span(), m.start("cue")) for m in _giao_cues(f, fs, fe)] == \
            [(m.span(), m.start("cue")) for m in _GIAO.finditer(f, fs, fe)]
        ls = f.rfind("\n", 0, fs) + 1
        assert [m.span() for m in _org_heads(f, ls, fe)] == [m.span() for m in _ORG_HEAD.finditer(f, ls, fe)]
