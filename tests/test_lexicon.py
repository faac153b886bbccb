"""Restoring proper Vietnamese to OCR'd names and titles."""

from kg.lexicon import restore
from kg.normalize import fold
from kg.tables import load_table


def test_table_examples():
    for ocr, proper in load_table("lexicon")["examples"].items():
        assert restore(ocr) == proper


def test_ocr_titles_of_the_seeds(samples):
    # the subject line of seed 000 as OCR left it
    assert restore("Huéng dan xay dung Ké hoach cong tac thong tin dbi ngoai ndm 2020") == (
        "Hướng dẫn xây dựng Kế hoạch công tác thông tin đối ngoại năm 2020"
    )
    assert restore("Uy ban nhan déan cac tinh, thanh phd").startswith("Ủy ban nhân dân các tỉnh, thành phố")


def test_clean_text_and_codes_are_left_alone():
    clean = "Quyết định số 1486/QĐ-TTg của Thủ tướng Chính phủ về việc tự chủ tài chính"
    assert restore(clean) == clean
    ocr = "Nghi dinh s6 72/2015/ND-CP cua Chinh phu"
    out = restore(ocr)
    assert "72/2015/ND-CP" in out and fold(out) == fold(ocr).replace("s6", "so")
