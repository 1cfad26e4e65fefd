"""Words and numbers of Vietnamese reports: normal forms for matching, and the printed numbers.

Matching is on syllables after NFC, case folding, the new tone placement (hoà -> hòa) and the expansion of
the abbreviations the reports use (CCHC, TTHC, KTXH, ...). Numbers are read with a decimal point or comma
("85.97", "85,97"), a sign ("+0,19", "−7", "- 0.03"), as ranks ("56/63") and as scores over a maximum
("9.41/9.5").
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from ingest.curation.extract.registry import OLD_TONE_PLACEMENT

ABBREVIATIONS = {
    "cchc": "cải cách hành chính", "tthc": "thủ tục hành chính", "ktxh": "kinh tế xã hội",
    "kt-xh": "kinh tế xã hội", "vbqppl": "văn bản quy phạm pháp luật", "qppl": "quy phạm pháp luật",
    "ubnd": "ủy ban nhân dân", "hđnd": "hội đồng nhân dân", "bnv": "bộ nội vụ", "cbccvc": "cán bộ công chức viên chức",
    "ccvc": "công chức viên chức", "cbcc": "cán bộ công chức", "sncl": "sự nghiệp công lập", "antt": "an ninh trật tự",
    "pakn": "phản ánh kiến nghị", "qsdđ": "quyền sử dụng đất", "csdl": "cơ sở dữ liệu", "cqđt": "chính quyền điện tử",
    "dvc": "dịch vụ công", "tp": "thành phố",
}
# Words that say what kind of thing follows (or nothing at all); they never tell two components apart.
FILLER_PHRASES = (
    "chỉ số thành phần", "tiêu chí thành phần", "chỉ số", "tiêu chí", "lĩnh vực", "trục nội dung", "nội dung",
    "kết quả đánh giá", "kết quả", "điểm đạt được", "điểm số", "tỉnh thành phố", "thành phố", "cụ thể", "trong đó",
    "theo đó", "nói chung", "năm", "tỉnh", "đạt", "được", "của", "về", "và", "các", "những", "là", "thì", "đã",
    "cũng", "có", "với", "trong", "này", "đó", "đối với", "đến", "tại", "cả nước", "toàn quốc", "điểm",
    "nhưng", "tuy nhiên", "mặc dù", "song", "như vậy", "ngoài ra", "bên cạnh đó", "cao nhất", "thấp nhất",
    "nhiều nhất", "ít nhất", "tiếp theo là", "tiếp theo", "đơn vị", "là", "theo kết quả công bố", "kết quả công bố",
)
STOP = {"của", "và", "các", "về", "đến", "với", "tại", "trong", "cho", "do", "đối", "những", "là", "được", "có"}


def fold(text: str) -> str:
    """NFC, lower case, new tone placement, single spaces."""
    text = unicodedata.normalize("NFC", text).casefold()
    for old, new in OLD_TONE_PLACEMENT.items():
        text = text.replace(old, new)
    return " ".join(text.split())


def expand(folded: str) -> str:
    return re.sub(r"[\w-]+", lambda m: ABBREVIATIONS.get(m.group(0), m.group(0)), folded)


def words(text: str) -> list[str]:
    """Syllables of a text for matching: folded, abbreviations expanded, punctuation dropped."""
    return re.findall(r"[^\W_]+", expand(fold(text)))


FILLER_PATTERN = re.compile(r"(?<!\w)(" + "|".join(re.escape(p) for p in sorted(FILLER_PHRASES, key=len,
                                                                                      reverse=True)) + r")(?!\w)")


def content_words(text: str) -> list[str]:
    """The syllables that can tell components apart (filler phrases, years and numbers dropped)."""
    folded = " ".join(words(text))
    folded = FILLER_PATTERN.sub(" ", folded)
    return [w for w in folded.split() if not w.isdigit() and w not in STOP]


MINUS = "-−–"
NUMBER = r"\d+(?:[.,]\d+)*"
SIGNED = rf"(?:[+{MINUS}]\s?)?{NUMBER}"


def parse_number(text: str) -> Decimal | None:
    """A printed number: one separator is a decimal mark ('.' or ','); several dots are thousands (1.234.567)."""
    raw = text.strip().replace(" ", "")
    sign = -1 if raw[:1] in MINUS else 1
    raw = raw.lstrip("+" + MINUS)
    separators = re.findall(r"[.,]", raw)
    if len(separators) > 1:
        groups = re.split(r"[.,]", raw)
        if len(set(separators)) == 1 and all(len(g) == 3 for g in groups[1:]):
            raw = "".join(groups)
        else:
            return None
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return None
    return sign * value


def plain_number(text: str) -> Decimal | None:
    """The number a whole cell holds ('9,41', '+ 15', '−0,03', '85,97%'), else None."""
    text = text.strip().rstrip("%").strip()
    if not re.fullmatch(rf"[+{MINUS}]?\s?{NUMBER}", text):
        return None
    return parse_number(text)


def is_year(text: str) -> bool:
    return bool(re.fullmatch(r"(19|20)\d\d", text.strip()))


