"""Extraction never fails on text damaged in ways real files are: cut anywhere, lines shuffled or dropped,
stray characters and header words inserted, other Unicode normal forms, all upper or lower case."""

from __future__ import annotations

import random
import unicodedata

import pytest

import kg

NOISE = ["\n", " ", "/", "-", "số", "s6", "Số:", "QĐ", "ND-CP", "Căn cứ", "|", "\t", "(", ")", "Nơi nhận:",
         "Kính gửi:", "1", "2020", "TM.", "KT.", "\u0301", "\x00", "\ufeff", "Điều 1.", "STT", "Chủ trì", "Phối hợp",
         "XÁC THỰC VĂN BẢN HỢP NHẤT", "Số: 12/VBHN-BTC", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "😀"]


def _damage(text: str, rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:  # a piece cut out anywhere
        a = rng.randrange(len(text))
        return text[a : a + rng.randrange(1, 5000)]
    if kind == 1:  # stray characters and header words
        chars = list(text[:30000])
        for _ in range(rng.randrange(1, 200)):
            chars.insert(rng.randrange(len(chars) + 1), rng.choice(NOISE))
        return "".join(chars)
    if kind == 2:  # lines shuffled and some dropped
        lines = text[:30000].split("\n")
        rng.shuffle(lines)
        return "\n".join(lines[: rng.randrange(1, len(lines) + 1)])
    if kind == 3:
        return unicodedata.normalize(rng.choice(["NFD", "NFKC", "NFKD"]), text[:20000])
    if kind == 4:
        return text[:20000].upper()
    return text[:20000].lower()


@pytest.mark.parametrize("seed", range(4))
def test_damaged_corpus_text_never_fails(corpus, seed):
    rng = random.Random(seed)
    for _ in range(25):
        text = _damage(rng.choice(corpus)["text"], rng)
        x = kg.extract(text)
        for m in x.mentions:  # offsets still point at the text the mention was read from
            assert 0 <= m.start <= m.end <= len(text)
            assert text[m.start : m.end].strip() != "" or m.start == m.end
