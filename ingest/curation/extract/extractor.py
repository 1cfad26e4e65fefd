"""Walk a document's blocks with their context and collect the printed facts.

The context of a block: the index, year and unit of the title (the first paragraphs), changed by headings
("II. CHỈ SỐ PCI", "1. Kết quả Chỉ số PAR INDEX năm 2024"), and the section's component when a heading
names one ("2.1. Chỉ số thành phần công tác chỉ đạo, điều hành"). A heading about targets or tasks
("Mục tiêu ... năm 2025") does not change the year of the results.
"""
from __future__ import annotations

import re
from pathlib import Path

from ingest.curation.extract import document, flat, prose, tables
from ingest.curation.extract.components import components_for, fold_keep, index_mentions, unit_mentions
from ingest.curation.extract.document import Paragraph, Table
from ingest.curation.extract.facts import Context, Extraction
from ingest.curation.extract.registry import Registry, display_path

TITLE_BLOCKS = 12
PLAN_WORDS = re.compile(r"mục tiêu|nhiệm vụ|giải pháp|kế hoạch|phương hướng|chỉ tiêu")
YEAR = re.compile(r"(?<![\d/])năm\s+((?:19|20)\d\d)(?![\d/])")
DATE_BEFORE = re.compile(r"(tháng\s+\d*|ngày\s+\d*|đến|giai đoạn|từ|như|so với(\s*cùng kỳ)?)\s*$")
ITEM = re.compile(r"^\s*\(\s*\d+\s*\)\.?\s|^\s*\d+[.)]\s")
NOTE_MARK = "\ufffd"     # a text export's mark of a footnote whose reference is lost


def extract(path: Path, reg: Registry) -> Extraction:
    """The printed facts of a .docx or text document (DocumentError when it cannot be read)."""
    doc = document.read(path)
    out = Extraction(display_path(path))
    context = title_context(doc, reg)
    blocks = flat.tables_in(doc.blocks)
    columns = None          # the last table's columns: a table continued without its header reuses them
    for block in blocks:
        if isinstance(block, flat.FlatTable):
            tables.read(block, context, out)
            for where, numbers, label in block.unaligned:
                out.doubt(where, numbers, label, f"{len(numbers.split())} numbers for the table's columns")
        elif isinstance(block, Table):
            columns = tables.read(block, context, out, columns)
        else:
            if block.heading:
                context = heading_context(block.text.value, context)
            prose.read(block.text, context, out, strict=block.text.value.lstrip().startswith(NOTE_MARK))
            named = prose.read.first_named
            if ITEM.match(block.text.value) and named and named.index_code == context.index_code:
                context = context.copy(subject=named.component)   # "(2) Chỉ số thành phần ...": a sub-section
    return out


def title_context(doc: document.Document, reg: Registry) -> Context:
    """Index, year and unit of the document: the first ones its opening paragraphs name."""
    index = year = unit = None
    unit_type = "province"
    for block in [b for b in doc.blocks if isinstance(b, Paragraph)][:TITLE_BLOCKS]:
        text = block.text.value
        if index is None and index_mentions(reg, text):
            index = index_mentions(reg, text)[0].value
        if year is None:
            year = first_year(fold_keep(text))
        if unit is None and unit_mentions(reg, text):
            unit, unit_type = unit_mentions(reg, text)[0].value, unit_mentions(reg, text)[0].unit_type
    components, _ = components_for(reg, index, year) if index else (None, False)
    if components is not None and components.method.unit_types and unit_type not in components.method.unit_types:
        unit, unit_type = None, ""       # an index of departments and districts: each figure names its unit
    return Context(reg, index, year, unit, unit_type)


def level(text: str) -> int:
    """How deep a heading's numbering goes: I. = 0, 2. = 1, 2.1. = 2, a) = 3 (unnumbered: 1)."""
    found = re.match(r"^\s*(?:([IVX]+)\.|(\d+(?:\.\d+)*)\.?\s|([a-zđ])\))", text)
    if not found:
        return 1
    if found.group(1):
        return 0
    if found.group(2):
        return found.group(2).count(".") + 1
    return 3


def heading_context(text: str, context: Context) -> Context:
    """A heading changes the index and year it names, and the section's component (or clears it); a deeper
    heading that names no component ("a) Các sở, ban, ngành") keeps the component of the one above."""
    reg = context.reg
    folded = fold_keep(text)
    mentions = index_mentions(reg, text)
    index = mentions[0].value if mentions else context.index_code
    year = context.year
    if first_year(folded) and not PLAN_WORDS.search(folded):
        year = first_year(folded)
    subject = None
    bare = re.sub(r"(?<=[^\W\d])\d+\b", "", text)          # "điều hành3": a footnote mark
    bare = re.sub(r"^\s*\(?([\dIVX]+[.)]?)+\s*|\([^)]*\)", " ", bare)
    for mention in mentions:
        bare = bare.replace(text[mention.start:mention.end], " ")
    components, _ = components_for(reg, index, year) if index else (None, False)
    if components is not None and not mentions:
        match = components.match(bare)
        subject = match.code if match else None
    depth = level(text)
    if subject is None and context.subject and depth > context.depth:
        subject = context.subject
    return context.copy(index_code=index, year=year, subject=subject, depth=depth if subject != context.subject
                        or subject is None else context.depth)


def first_year(folded: str) -> int | None:
    """The first year named that is not part of a date or a period ("ngày 15 tháng 4 năm 2025", "đến năm")."""
    for found in YEAR.finditer(folded):
        if not DATE_BEFORE.search(folded[max(0, found.start() - 16):found.start()]):
            return int(found.group(1))
    return None
