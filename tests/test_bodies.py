"""Bodies: the names table and its examples, OCR-tolerant finding, recipients and roles."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from kg.bodies import (
    body_at,
    canonical_body,
    collect_bodies,
    find_bodies,
    find_province,
    find_recipients,
    is_clean,
    province_of,
    split_bodies,
)
from kg.model import Document, Mention, Task
from kg.normalize import Text
from kg.tables import load_table

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


def sample(prefix: str) -> Text:
    path = next(SAMPLES.glob(f"{prefix}_*.txt"))
    return Text(path.read_text(encoding="utf-8"))


def _examples():
    for b in load_table("bodies")["bodies"]:
        for ex in b.get("examples", []):
            if isinstance(ex, str):
                yield pytest.param(ex, None, b["name"], id=f"{b['name']}|{ex[:30]}")
            else:
                yield pytest.param(ex["text"], ex.get("province"), ex["name"], id=f"{b['name']}|{ex['text'][:30]}")


@pytest.mark.parametrize(("surface", "province", "expected"), list(_examples()))
def test_every_body_example_resolves(surface: str, province: str | None, expected: str) -> None:
    assert canonical_body(surface, province=province) == expected


def test_every_body_has_examples_and_a_kind() -> None:
    for b in load_table("bodies")["bodies"]:
        assert b.get("examples"), b["name"]
        assert b.get("kind"), b["name"]


def _province_examples():
    for p in load_table("provinces")["provinces"]:
        for ex in p.get("examples", []):
            yield pytest.param(ex, p["name"], id=f"{p['name']}|{ex}")


@pytest.mark.parametrize(("surface", "expected"), list(_province_examples()))
def test_every_province_example_resolves(surface: str, expected: str) -> None:
    assert find_province(surface) == expected


def test_provinces_before_and_after_the_2025_merger() -> None:
    provinces = load_table("provinces")["provinces"]
    before = [p for p in provinces if p["name"] != "Huế"]
    after = [p for p in provinces if not p["until_2025_merger_only"]]
    assert len(before) == 63
    assert len(after) == 34
    cities = {p["name"] for p in before if p["type"] != "tỉnh"}
    assert cities == {"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ"}
    for p in provinces:
        assert p["examples"], p["name"]
        assert all(f.isascii() for f in p["folded"]), p["name"]


def test_seed_list_of_63_committees_gives_every_province() -> None:
    t = sample("000")
    start = t.original.index("Danh s")
    names = {b.name for b in find_recipients(t, start, len(t.original))}
    provinces = [p for p in load_table("provinces")["provinces"] if p["name"] != "Huế"]
    for p in provinces:
        level = "tỉnh" if p["type"] == "tỉnh" else "thành phố"
        assert f"Ủy ban nhân dân {level} {p['name']}" in names


def test_kinh_gui_collective_addressee() -> None:
    t = sample("000")
    names = [b.name for b in find_recipients(t, 0, 400)]
    assert names == ["Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"]


def test_noi_nhan_of_an_ocr_plan_reads_its_leaders_with_the_province() -> None:
    t = sample("001")
    start = t.original.index("Noi nh")
    names = {b.name for b in find_recipients(t, start, start + 600, province="tỉnh Bình Định")}
    assert "Thường trực Tỉnh ủy Bình Định" in names
    assert "Thường trực Hội đồng nhân dân tỉnh Bình Định" in names
    assert "Ủy ban nhân dân tỉnh Bình Định" in names  # "CT, các PCT UBND tỉnh"
    assert "Cục Thông tin đối ngoại" in names  # "Cục TTĐN-Bộ TTTT"
    assert "Bộ Thông tin và Truyền thông" in names
    assert "Báo Bình Định" in names
    assert "Đài Phát thanh và Truyền hình Bình Định" in names  # "Đài PT&TT BĐ": an abbreviation of the province
    assert "Ủy ban nhân dân các huyện, thị xã, thành phố" in names


def test_noi_nhan_distributes_hdnd_ubnd() -> None:
    t = sample("004")
    start = t.original.index("### Nơi nhận")
    names = {b.name for b in find_recipients(t, start, len(t.original))}
    assert "Hội đồng nhân dân các tỉnh, thành phố trực thuộc Trung ương" in names
    assert "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương" in names
    assert "Ban Bí thư Trung ương Đảng" in names
    assert "Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam" in names
    assert "Tòa án nhân dân tối cao" in names


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        ("ctia Bo truong Bo Thong tin va Truyén théng huong dan", "Bộ Thông tin và Truyền thông"),
        ("cta Thu tuéng Chinh pha phê duyệt", "Thủ tướng Chính phủ"),
        ("ciia B§ Chinh tri vé tiép tuc", "Bộ Chính trị"),
        ("cta Tinh uy Binh Dinh Vé", "Tỉnh ủy Bình Định"),
        ("của Chủ tịch Ủy ban nhân dân tỉnh Bình Định về", "Ủy ban nhân dân tỉnh Bình Định"),
    ],
)
def test_body_at_after_cua(before: str, expected: str) -> None:
    t = Text(before)
    pos = before.index(" ") + 1
    bm = body_at(t, pos)
    assert bm is not None and bm.name == expected
    assert t.original[bm.start:bm.end] == bm.surface


def test_generic_names_take_the_document_province() -> None:
    t = Text("UBND tinh ban hanh Ke hoach; giao So Thong tin va Truyen thong")
    got = [(b.name, b.generic) for b in find_bodies(t, province="tỉnh Bình Định")]
    assert got == [("Ủy ban nhân dân tỉnh Bình Định", True), ("Sở Thông tin và Truyền thông", False)]
    assert [b.name for b in find_bodies(t)][0] == "Ủy ban nhân dân tỉnh"


def test_a_code_inside_a_document_number_is_not_a_body() -> None:
    t = Text("Sb: 119 /KH-UBND Binh Dinh, ngay 07 thang 06 ndm 2024; Nghị định 72/2015/NĐ-CP")
    assert find_bodies(t) == []


def test_offsets_point_at_the_original_even_with_decomposed_text() -> None:
    s = unicodedata.normalize("NFD", "Kính gửi: Bộ Thông tin và Truyền thông")
    t = Text(s)
    [bm] = find_bodies(t)
    assert bm.name == "Bộ Thông tin và Truyền thông"
    assert s[bm.start:bm.end] == bm.surface
    assert unicodedata.normalize("NFC", bm.surface) == "Bộ Thông tin và Truyền thông"


def test_clean_and_accentless_text_give_the_same_bodies() -> None:
    clean = ("Bộ Văn hóa, Thể thao và Du lịch chủ trì, phối hợp với Bộ Ngoại giao, Bộ Tài chính và Ủy ban "
             "nhân dân các tỉnh, thành phố trực thuộc Trung ương; báo cáo Thủ tướng Chính phủ.")
    plain = "".join(c for c in unicodedata.normalize("NFD", clean) if not unicodedata.combining(c))
    plain = plain.replace("đ", "d").replace("Đ", "D")
    # long enough to be told apart: clean text is matched letter for letter, OCR'd text tolerantly
    assert is_clean(Text(clean * 8)) and not is_clean(Text(plain * 8))
    a = [b.name for b in find_bodies(Text(clean * 8))]
    b = [b.name for b in find_bodies(Text(plain * 8))]
    assert a == b
    assert a[:5] == ["Bộ Văn hóa, Thể thao và Du lịch", "Bộ Ngoại giao", "Bộ Tài chính",
                      "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương", "Thủ tướng Chính phủ"]


def test_common_words_are_not_read_as_names() -> None:
    t = Text("Báo cáo bằng văn bản; cơ sở dữ liệu; thị trường quốc tế; tỉnh, Ủy ban nhân dân huyện")
    assert "Báo Cao Bằng" not in [b.name for b in find_bodies(t)]
    assert "Tỉnh ủy" not in [b.name for b in find_bodies(t)]
    assert "Thủ tướng Chính phủ" not in [b.name for b in find_bodies(Text("thi truong quoc te"))]


def test_catch_alls_only_in_cells() -> None:
    t = Text("phối hợp với các cơ quan, đơn vị, địa phương có liên quan")
    assert find_bodies(t) == []
    assert [b.name for b in find_bodies(t, catch_all=True)] == ["Các cơ quan, đơn vị, địa phương có liên quan"]


def test_split_bodies_of_a_cell() -> None:
    cell = "Các Bộ, cơ quan ngang Bộ, cơ quan thuộc Chính phủ, các tỉnh, thành phố trực thuộc Trung ương"
    assert split_bodies(cell) == ["Các Bộ, cơ quan ngang Bộ, cơ quan thuộc Chính phủ",
                                  "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"]
    cell = "Ban Tuyên giáo Trung ương, các bộ liên quan, các tỉnh biên giới Việt Nam - Campuchia"
    assert split_bodies(cell) == ["Ban Tuyên giáo Trung ương", "Các bộ liên quan",
                                  "Các tỉnh biên giới Việt Nam - Campuchia"]
    assert split_bodies("HĐND, UBND các tỉnh, thành phố trực thuộc TW") == [
        "Hội đồng nhân dân các tỉnh, thành phố trực thuộc Trung ương",
        "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"]
    assert split_bodies("Bộ Công thương, Hội khoa học lịch sử Việt Nam") == [
        "Bộ Công Thương", "Hội Khoa học Lịch sử Việt Nam"]
    # a piece that is no known name but reads like one is kept as written
    assert split_bodies("Bộ Ngoại giao, Hiệp hội Du lịch Việt Nam") == ["Bộ Ngoại giao", "Hiệp hội Du lịch Việt Nam"]


def test_canonical_body_rejects_other_words() -> None:
    assert canonical_body("") is None
    assert canonical_body("kế hoạch thông tin đối ngoại") is None
    assert canonical_body("Bộ TTTT") == "Bộ Thông tin và Truyền thông"
    assert canonical_body("Sở TTTT") == "Sở Thông tin và Truyền thông"
    assert canonical_body("UBND tỉnh", province="Đắk Lắk") == "Ủy ban nhân dân tỉnh Đắk Lắk"


def test_province_of_names() -> None:
    assert province_of("Ủy ban nhân dân tỉnh Bình Định") == "Bình Định"
    assert province_of("Ủy ban nhân dân thành phố Hồ Chí Minh") == "Hồ Chí Minh"
    assert province_of("Bộ Thông tin và Truyền thông") is None
    assert province_of(None) is None


def test_collect_bodies_roles_and_documents() -> None:
    raw = ("ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK\nSố: 1/UBND-KGVX\nKính gửi: Sở Thông tin và Truyền thông\n\n"
           "Thực hiện Quyết định số 1486/QĐ-TTg của Thủ tướng Chính phủ, giao Sở Thông tin và Truyền thông "
           "chủ trì, phối hợp với Sở Tài chính.\n\nNơi nhận:\n- Như trên;\n- Văn phòng UBND tỉnh;\n- Lưu: VT.\n")
    t = Text(raw)
    doc = Document("1/UBND-KGVX", "Công văn", "Ủy ban nhân dân tỉnh Đắk Lắk", None, "x", 1, start=0, end=len(raw),
                   province="tỉnh Đắk Lắk")
    task = Task("1/UBND-KGVX", None, "x", lead=["Sở Thông tin và Truyền thông"], partners=["Sở Tài chính"])
    mention = Mention(0, 0, 5, "Quyết định số 1486/QĐ-TTg", "1486/QĐ-TTg", "Quyết định", "Thủ tướng Chính phủ",
                      in_document="1/UBND-KGVX")
    bodies = {b.name: b for b in collect_bodies(t, [doc], [task], [mention])}
    assert bodies["Ủy ban nhân dân tỉnh Đắk Lắk"].roles[0] == "issuer"
    assert "ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK" in bodies["Ủy ban nhân dân tỉnh Đắk Lắk"].aliases
    assert set(bodies["Sở Thông tin và Truyền thông"].roles) == {"recipient", "mentioned", "lead"}
    assert "partner" in bodies["Sở Tài chính"].roles
    assert bodies["Thủ tướng Chính phủ"].roles == ["mentioned"]
    assert "recipient" in bodies["Văn phòng Ủy ban nhân dân tỉnh"].roles
    assert all(b.in_documents == ["1/UBND-KGVX"] for b in bodies.values())
    for b in bodies.values():
        for s, e in b.spans:
            assert raw[s:e] in b.aliases or raw[s:e] == b.name


def test_find_bodies_is_a_single_pass_over_long_text() -> None:
    # the names regex must not backtrack badly on long runs of name-like words
    t = Text(("Bộ Bộ Sở Sở Ủy ban Ban Cục " * 2000) + "Bộ Tài chính")
    names = [b.name for b in find_bodies(t)]
    assert names[-1] == "Bộ Tài chính"


def test_fast_name_scan_equals_the_regex_scan(monkeypatch) -> None:
    # the names found through kg.scan must be exactly what finditer of the letter-for-letter regex gives,
    # over any range (texts this short are normally scanned the plain way: the threshold is lowered)
    import random

    from kg import scan
    from kg.bodies import _DANH_SACH, _danh_sach, _matcher

    monkeypatch.setattr(scan, "_SMALL", 0)
    rx = _matcher(True).regex
    rng = random.Random(3)
    words = ["bo", "tai", "chinh", "so", "bao", "ubnd", "tinh", "(", ")", "-", ",", " ", "\n", "x", "cac", "co",
             "quan", "uy", "ban", "nhan", "dan", "&", "thanh", "pho", "ha", "noi", ".", "tp", "danh sach", "/"]
    for _ in range(3000):
        f = "".join(rng.choice(words) + rng.choice(["", " ", " ", "\n", ",", "-"]) for _ in range(rng.randrange(1, 15)))
        fs = rng.randrange(len(f) + 1)
        fe = rng.randrange(fs, len(f) + 1)
        got = [(m.lastgroup, m.start(), m.end()) for m in scan.finditer(rx, f, fs, fe)]
        assert got == [(m.lastgroup, m.start(), m.end()) for m in rx.finditer(f, fs, fe)]
        ls = f.rfind("\n", 0, fs) + 1
        assert [m.span() for m in _danh_sach(f, ls, fe)] == [m.span() for m in _DANH_SACH.finditer(f, ls, fe)]


def test_recipients_are_the_same_when_asked_again() -> None:
    t = sample("001")
    first = [(b.start, b.end, b.name) for b in find_recipients(t)]
    again = find_recipients(t)
    again.clear()  # the caller's list is its own
    assert [(b.start, b.end, b.name) for b in find_recipients(t)] == first
