"""Identity rules: which node a number, a name or a body stands for (kg.identity)."""

from __future__ import annotations

import pytest

from kg.identity import Identity, lookup_form, parse_key, place_of, province_of, slug

I = Identity("https://example.org/kg/")  # noqa: E741 - the base is configurable: use a non-default one


@pytest.mark.parametrize(
    "key, system, number, year, type_code, issuers",
    [
        ("72/2015/NĐ-CP", "normative", "72", 2015, "NĐ", ("CP",)),
        ("03/2013/TTLT-BTC-BLĐTBXH", "normative", "3", 2013, "TTLT", ("BTC", "BLĐTBXH")),
        ("51/2024/QH15", "normative", "51", 2024, None, ("QH15",)),
        ("1486/QĐ-TTg", "administrative", "1486", None, "QĐ", ("TTg",)),
        ("1578/BTTTT-TTĐN", "letter", "1578", None, None, ("BTTTT",)),
        ("57-KL/TW", "party", "57", None, "KL", ("TW",)),
        ("116-KH/BCĐTTĐN", "party", "116", None, "KH", ("BCĐTTĐN",)),
    ],
)
def test_parse_key(key, system, number, year, type_code, issuers):
    p = parse_key(key)
    assert (p.system, p.number, p.year, p.type_code, p.issuer_codes) == (system, number, year, type_code, issuers)


def test_lookup_is_accent_case_and_zero_insensitive():
    assert lookup_form("1486/QD-TTg") == lookup_form("1486/QĐ-TTg") == lookup_form("1486 / qđ - ttg")
    assert lookup_form("3/2019/TT-BTTTT") == lookup_form("03/2019/TT-BTTTT")
    assert lookup_form("57-KL/TW") != lookup_form("57-KH/TW")


def test_normative_numbers_are_unique_by_number():
    # the year is in the number: date and stated issuer do not change the node
    a = I.document("72/2015/NĐ-CP")
    b = I.document("72/2015/NĐ-CP", date="2015-09-07", issuer="Chính phủ")
    assert a.resolved and a.iri == b.iri == "https://example.org/kg/eli/vn/cp/2015/nd/72"


def test_administrative_numbers_need_issuer_and_year():
    r2018 = I.document("1486/QĐ-TTg", date="2018-11-06")
    r2019 = I.document("1486/QĐ-TTg", date="2019-01-02")
    assert r2018.resolved and r2019.resolved and r2018.iri != r2019.iri
    undated = I.document("1486/QĐ-TTg")
    assert not undated.resolved and undated.reason == "year unknown"
    assert "/ref/" in undated.iri and "/eli/" not in undated.iri


def test_shared_issuer_codes_are_told_apart_by_province():
    bd = I.document("119/KH-UBND", issuer="Ủy ban nhân dân tỉnh Bình Định", date="2024-06-07")
    dl = I.document("119/KH-UBND", issuer="UBND tỉnh Đắk Lắk", date="2024-06-07")
    assert bd.iri == "https://example.org/kg/eli/vn/ubnd-binh-dinh/2024/kh/119"
    assert dl.resolved and dl.iri != bd.iri
    # no province stated and none from context: explicit unresolved reference, never a guess
    nowhere = I.document("119/KH-UBND", date="2024-06-07")
    assert not nowhere.resolved and nowhere.reason == "issuer's province unknown"
    # a Sở cited without its province inside a Bình Định document is Bình Định's
    ctx = I.document("37/TTr-STTTT", issuer="Sở Thông tin và Truyền thông", date="2024-05-30",
                     context_place="binh-dinh")
    assert ctx.resolved and ctx.method == "context-place" and "stttt-binh-dinh" in ctx.iri


def test_party_documents_by_issuer_and_year():
    kl = I.document("57-KL/TW", issuer="Bộ Chính trị", date="2023-06-15")
    assert kl.iri == "https://example.org/kg/eli/vn/tw/2023/kl/57"
    tu = I.document("87-KH/TU", issuer="Tỉnh ủy Bình Định", date="2024-02-16")
    assert tu.iri == "https://example.org/kg/eli/vn/tu-binh-dinh/2024/kh/87"


def test_normative_and_administrative_decisions_do_not_collide():
    assert I.document("16/2018/QĐ-TTg").iri != I.document("16/QĐ-TTg", date="2018-05-01").iri


def test_names_and_bodies():
    assert I.named("Luật Ngân sách nhà nước").iri == I.named("Luat Ngan sach nha nuoc").iri
    assert not I.named("Luật Ngân sách nhà nước").resolved
    # a local body said without its province is qualified by the citing document's province
    assert I.body("Sở Thông tin và Truyền thông", "binh-dinh") != I.body("Sở Thông tin và Truyền thông", "dak-lak")
    assert I.body("Bộ Tài chính", "binh-dinh") == I.body("Bộ Tài chính", "dak-lak")


@pytest.mark.parametrize(
    "name, place, province",
    [
        ("Ủy ban nhân dân tỉnh Bình Định", "binh-dinh", ("binh-dinh", "Bình Định")),
        ("Tỉnh ủy Kiên Giang", "kien-giang", ("kien-giang", "Kiên Giang")),
        ("UBND thành phố Hà Nội", "ha-noi", ("ha-noi", "Hà Nội")),
        ("Ủy ban nhân dân huyện Tuy Phước, tỉnh Bình Định", "binh-dinh-huyen-tuy-phuoc", ("binh-dinh", "Bình Định")),
        ("UBND tỉnh Bà Rịa - Vũng Tàu", "ba-ria-vung-tau", ("ba-ria-vung-tau", "Bà Rịa - Vũng Tàu")),
        ("Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương", None, None),
        ("Bộ Thông tin và Truyền thông", None, None),
    ],
)
def test_places(name, place, province):
    assert place_of(name) == place
    assert province_of(name) == province


def test_slugs_are_iri_safe_and_stable():
    s = slug("Đề án “Nâng cao hiệu quả công tác tuyên truyền về quyền con người”")
    assert s == "de-an-nang-cao-hieu-qua-cong-tac-tuyen-truyen-ve-quyen-con-nguoi"
    long = slug("x" * 300)
    assert len(long) <= 80 and long == slug("x" * 300)
