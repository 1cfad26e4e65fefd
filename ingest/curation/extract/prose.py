"""The figures of sentences: a small grammar of the phrasings the reports use, and the subject of each figure.

Figures (on the folded text):
  score    đạt / đạt được / được / với / bằng 85,97 [/100] điểm; "năm 2023: 85,78 điểm"
  pct      đạt / bằng / được 81,51 %;  "(88,38%)" right after a score
  rank     xếp / đứng / xếp hạng / thứ hạng / vị trí (thứ) 56/63 [tỉnh, thành phố]; xếp thứ 3 cả nước
  change   tăng / giảm [nhiều nhất] 0,19 điểm | 1,69 % | 7 hạng | 05 bậc; "... và 3 bậc"; giữ nguyên hạng = 0
  compare  so với [cùng kỳ] [năm] 2023: the year the changes before it compare with; a value right after it
           ("so với năm 2023 (7,39 điểm)", "(27/63)") is that year's
The subject of a figure is the text since the previous figure or clause boundary (from its last cue word,
"tiêu chí", "chỉ số thành phần", ...): a component's name, an index ("Chỉ số SIPAS" -> its total), a unit,
"điểm thẩm định" / "điểm điều tra" (a share of the current component), or nothing (the subject before goes
on). A figure whose subject is something else, or whose index or year is unknown, is "not understood":
listed, never guessed. Targets ("trên 80%", "từ 86% trở lên", "tăng tối thiểu 01 hạng"), ranges ("dao động
từ 3,6 – 5,9 điểm"), counts ("1/8 chỉ số") and points lost ("mất 0,5 điểm") are not figures of this grammar.
"""
from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from ingest.curation.extract.components import components_for, fold_keep, unit_mentions
from ingest.curation.extract.document import Text
from ingest.curation.extract.facts import Context, Extraction, Fact
from ingest.curation.extract.lexicon import parse_number
from ingest.curation.extract.subjects import Subject, Subjects

UN = r"\d+(?:[.,]\d+)*"
SIGNED = rf"[+\-−–]?\s?{UN}"
RANK_TAIL = r"(?:\s*(?:tỉnh,?\s*thành phố|tỉnh thành|tỉnh|địa phương|cả nước|toàn quốc|đơn vị))?"
PATTERNS = [   # in order of priority: a later pattern does not take text an earlier one took
    ("footnote", re.compile(r"\[footnoteref:\d+\]")),
    ("compare", re.compile(r"so với (?:cùng kỳ )?(?:năm )?(?P<year>(?:19|20)\d\d)")),
    ("year", re.compile(r"(?<![/\d])(?:năm\s+|(?:sipas|papi|pci|par index)\s+)(?P<year>(?:19|20)\d\d)(?![\d/])")),
    ("group", re.compile(r"thuộc nhóm\s+[\"“]?(?:trung bình cao|trung bình thấp|trung vị|cao nhất|thấp nhất|cao|thấp|"
                         r"khá|trung bình)[\"”]?")),
    ("range", re.compile(rf"(?:dao động\s+)?từ\s+{UN}\s*(?:điểm|%)?\s*(?:–|-|đến)\s*{UN}(?:\s*/\s*{UN})?\s*(?:điểm|%)?")),
    ("count", re.compile(r"\d+\s*/\s*\d+\s+(?:chỉ số thành phần|chỉ số|tiêu chí|lĩnh vực|đơn vị|sở, ngành|sở|huyện|nội dung)"
                         r"[^,.;:()]*?(?:tăng|giảm|giữ nguyên|không thay đổi)(?:\s+(?:điểm|thứ hạng|hạng|bậc))?")),
    ("rank", re.compile(rf"(?:xếp|đứng|thứ hạng|vị trí|hạng)(?:\s+(?:ở|hạng|vị trí|thứ|đứng))*\s*:?\s*(?P<rank>\d+)"
                        rf"\s*/\s*(?P<of>\d+){RANK_TAIL}")),
    ("rank", re.compile(r"(?:xếp|đứng)(?:\s+(?:hạng|vị trí|thứ))*\s+(?P<rank>\d+)\s+(?:cả nước|toàn quốc)")),
    ("kept", re.compile(r"(?:giữ nguyên|không thay đổi)(?:\s+về)?\s+(?:vị trí\s+)?(?:thứ hạng|hạng|xếp hạng|vị trí)")),
    ("change", re.compile(rf"(?P<verb>tăng|giảm)\s+nhiều nhất\s+là\s+(?P<who>[^,;.%\d]{{3,90}}?)\s+(?P<value>{SIGNED})"
                          rf"\s*(?P<unit>điểm|%|hạng|bậc)")),        # "tăng nhiều nhất là Sở X 26,96%"
    ("change", re.compile(rf"(?P<verb>tăng|giảm)(?:\s+(?:nhiều nhất|thêm|mạnh|được|tương ứng))*\s*(?P<value>{SIGNED})"
                          rf"\s*(?P<unit>điểm|%|hạng|bậc)")),
    ("and", re.compile(rf"(?:,|và)\s*(?P<value>{UN})\s*(?P<unit>hạng|bậc)")),
    ("score", re.compile(rf"(?<!chưa )(?<!không )(?<!phải )(?<!cần )(?<!sẽ )(?<!thì )(?:đạt được|chỉ đạt|đạt|được|(?<!so )với|bằng|(?<=năm \d{{4}})\s*:)\s*:?\s*"
                         rf"(?P<value>{UN})\s*(?:/\s*(?P<max>{UN})(?:/\d+)?)?\s*điểm(?P<part>\s+thẩm định|\s+điều tra)?")),
    ("score", re.compile(rf"(?:đạt được|đạt|được)(?:\s+\w+){{1,2}}\s+(?P<value>{UN})\s*/\s*(?P<max>{UN})\s*điểm")),
    ("pct", re.compile(rf"(?<!chưa )(?<!không )(?<!phải )(?<!cần )(?<!sẽ )(?<!thì )(?:đạt được|đạt|bằng|được)\s*:?\s*(?P<value>{UN})\s*%"
                       r"(?!\s*[a-zà-ỹđ])")),     # "đạt 100% kế hoạch": a share of something else
    ("bare_rank", re.compile(r"\(\s*(?P<rank>\d+)\s*/\s*(?P<of>\d+)\s*\)")),
    ("bare_pct", re.compile(rf"\(\s*(?P<value>{UN})\s*%")),
    ("bare_score", re.compile(rf"\(?\s*(?:đạt\s+)?(?P<value>{UN})\s*(?:điểm|(?=\s*\)))")),
    ("sentence", re.compile(r"\.(?=\s|$)|;|:(?!\s*\d)")),
    ("open", re.compile(r"\(")),
    ("close", re.compile(r"\)")),
]
MARKERS = ("sentence", "open", "close")
# a number with a unit of the report's figures after a verb of its figures ("đạt", "xếp", "tăng", "giảm"), in the
# same clause: if no pattern above took it, it is listed as not understood (survey shares, "Có 58,37% người ...",
# have no such verb and are not facts of this kind)
FIGURE_VERB = re.compile(r"(?<!\w)(?:đạt|xếp|tăng|giảm|đứng)(?!\w)")
PLAN_AFTER = re.compile(r"\s*(?:" + "|".join(fold_keep(w) for w in ("kế hoạch", "chỉ tiêu", "mục tiêu")) + ")")
TARGET_CUE = re.compile(r"mục tiêu|tối thiểu|trở lên|phấn đấu|ít nhất|(?<!\w)(?:từ|trên)\s*$")
# a number with a unit of the report's figures: if no pattern above took it, it is listed as not understood
UNREAD_FIGURE = re.compile(rf"(?<![\w/.,])(?P<value>{UN})\s*(?:%|điểm\b|hạng\b|bậc\b|/\s*{UN}\b(?!\s*/))")
FIGURES = {"rank": "rank", "bare_rank": "rank", "score": "score", "bare_score": "score", "pct": "pct_of_max",
           "bare_pct": "pct_of_max"}
DATE_BEFORE = re.compile(r"(tháng\s+\d+|ngày\s+\d+|đến|giai đoạn|từ|trước|sau|như|so với(\s*cùng kỳ)?)\s*$")
LIST_AFTER = re.compile(r"\s*(?:gồm|là)\s*(?:các\s+)?(?P<prefix>sở|huyện|ban)?\s*:\s*(?P<items>[^.;:()]+)", re.I)
LIST_ITEM = re.compile(r"\((\d+)\)\s*([^;()]+?)\s*(?=;|\(\d+\)|$|\.\s*$)")




def read(text: Text, context: Context, out: Extraction, strict: bool = False) -> Subject:
    """The facts of a paragraph (or a table cell's text) into out; returns the subject it ends with.

    strict: a table's text cell (reasons, notes): a figure counts only with a subject named in the cell."""
    value = text.value
    footnotes = [(m.start(), m.group(1), m.start(2), m.end(2)) for m in re.finditer(r"\[(\d+):\s+(.*?)\]", value, re.S)]
    masked = value
    for start, _, _, end in footnotes:          # footnote bodies are read on their own, in the context of the ref
        masked = masked[:start] + " " * (end + 1 - start) + masked[end + 1:]
    reader = Reader(Text(masked, text.marks), context, out, strict)
    reader.run()
    read.first_named = reader.first_named
    for _, number, start, end in footnotes:
        subject, year = reader.at_refs.get(number, (reader.subject, context.year))
        note = Reader(text.slice(start, end), context.copy(index_code=subject.index_code, subject=subject.component,
                                                           unit_name=subject.unit_name, year=year), out,
                      strict=not subject.named)       # a note goes on with a subject its sentence named
        note.subject = subject
        note.run()
    return reader.subject


class Reader(Subjects):
    """One paragraph or cell: the running subject, the years in scope and the changes awaiting 'so với'."""

    def __init__(self, text: Text, context: Context, out: Extraction, strict: bool):
        self.text, self.context, self.out, self.strict = text, context, out, strict
        self.folded = fold_keep(text.value)
        self.subject = Subject(context.index_code, context.subject or ("TOTAL" if context.index_code else None),
                               context.unit_name, context.unit_type)
        self.anchor: tuple | None = None        # (subject key, year, source_ref) of the last figure
        self.pending: list[dict] = []           # changes until their "so với năm Y" or the clause's end
        self.window: tuple | None = None        # (year, end offset) after "so với năm Y"
        self.years: list[tuple[int, int]] = []  # (parenthesis depth, year) named in the sentence
        self.depth = 0
        self.opened: list[int] = []
        self.phrase_start = self.sentence_start = 0
        self.last_end = -1                      # end of the last figure
        self.last_sign = 0
        self.at_refs: dict[str, tuple[Subject, int | None]] = {}
        self.first_named: Subject | None = None   # the first component the text names (a numbered item's)

    # --- the walk ---------------------------------------------------------------------------------------------

    def run(self) -> None:
        refs = {m.group(1): m.start() for m in re.finditer(r"\[footnoteref:(\d+)\]", self.folded)}
        for event, m in self.events():
            for number, offset in list(refs.items()):
                if offset <= m.start():
                    self.at_refs[number] = (self.subject, self.year_now())
                    del refs[number]
            getattr(self, f"on_{event}", self.on_figure)(event, m)
        for number in refs:
            self.at_refs[number] = (self.subject, self.year_now())
        self.close_changes(None)
        self.ranked_list()
        for m in self.unread:       # never dropped in silence: a figure no phrasing of the grammar reads is listed
            self.out.doubt(self.text.where(m.start()), self.text.value[m.start():m.end()], self.clause(m.start()),
                           "no phrasing the extractor knows reads this figure (a target, a count, a share of "
                           "something else, or a sentence it cannot parse)")

    def events(self) -> list[tuple[str, re.Match]]:
        found, taken = [], bytearray(len(self.folded) + 1)
        for kind, pattern in PATTERNS:
            for m in pattern.finditer(self.folded):
                if kind in MARKERS:
                    if kind in ("sentence", "open", "close") and taken[m.start()]:
                        continue
                elif any(taken[m.start():m.end()]):
                    continue
                else:
                    taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
                found.append((kind, m))
        self.unread = [m for m in UNREAD_FIGURE.finditer(self.folded) if not any(taken[m.start():m.end()])
                       and self.unread_figure(m)]
        return sorted(found, key=lambda e: (e[1].start(), e[0] != "compare"))

    def unread_figure(self, m: re.Match) -> bool:
        """A figure of the report's kind that no pattern read: after one of its verbs, not a target or a plan."""
        clause = re.split(r"[.;:]", self.folded[max(0, m.start() - 60):m.start()])[-1]
        return bool(FIGURE_VERB.search(clause)) and not TARGET_CUE.search(clause) \
            and not PLAN_AFTER.match(self.folded[m.end():])

    def year_now(self) -> int | None:
        return self.years[-1][1] if self.years else self.context.year

    def on_footnote(self, kind: str, m: re.Match) -> None:
        pass

    def on_range(self, kind: str, m: re.Match) -> None:
        self.phrase_start = m.end()

    on_group = on_range
    on_count = on_range

    def on_year(self, kind: str, m: re.Match) -> None:
        if not DATE_BEFORE.search(self.folded[max(0, m.start() - 24):m.start()]):
            self.years.append((self.depth, int(m.group("year"))))

    def on_sentence(self, kind: str, m: re.Match) -> None:
        if self.folded[m.start()] == ".":
            self.topic(m.start())
            self.sentence_start = m.end()
        self.close_changes(None)
        self.phrase_start, self.window = m.end(), None
        if self.folded[m.start()] == ".":
            self.years = [y for y in self.years if y[0] < self.depth]
            self.anchor = None
            if self.subject.component is None and self.context.subject:    # "trung bình ..." ends with its sentence
                self.subject = replace(self.subject, component=self.context.subject,
                                       index_code=self.context.index_code)
            self.subject = replace(self.subject, named=False) if not self.strict else self.subject

    def on_open(self, kind: str, m: re.Match) -> None:
        self.depth += 1
        self.opened.append(m.start())

    def on_close(self, kind: str, m: re.Match) -> None:
        self.years = [y for y in self.years if y[0] < self.depth]
        self.depth = max(0, self.depth - 1)
        opened = self.opened.pop() if self.opened else -1
        if self.last_end > opened:          # a parenthesis of figures: what follows starts a new phrase
            self.phrase_start = m.end()

    def on_compare(self, kind: str, m: re.Match) -> None:
        """'so với năm Y' after changes: their year; otherwise it is part of a subject's description."""
        if not self.pending:
            return
        year = int(m.group("year"))
        self.close_changes(year)
        self.window, self.phrase_start = (year, m.end()), m.end()

    def in_window(self, m: re.Match) -> int | None:
        if self.window and re.fullmatch(r"[\s(:]*(?:đạt|là|được)?[\s(:]*", self.folded[self.window[1]:m.start()]):
            return self.window[0]
        return None

    def right_after_figure(self, m: re.Match) -> bool:
        return self.last_end >= 0 and bool(re.fullmatch(r"[\s,]*", self.folded[self.last_end:m.start()]))

    def on_figure(self, kind: str, m: re.Match) -> None:
        year = self.in_window(m) if kind != "rank" else None
        if kind in ("bare_score", "bare_rank") and year is None:
            return
        if kind == "bare_pct" and not self.right_after_figure(m):
            return
        self.window = None
        measure = FIGURES[kind]
        phrase = self.folded[self.phrase_start:m.start()]
        if measure == "pct_of_max" and "tỷ lệ" in phrase:
            self.phrase_start = self.last_end = m.end()
            self.subject = replace(self.subject, component=None, named=True)   # what follows is about that rate
            return                           # "Tỷ lệ hồ sơ ... đạt 73,96%": the rate of an indicator, not a share
        subject = self.subject if year is not None else self.subject_of(m)
        self.phrase_start = self.last_end = m.end()
        if subject is None:
            return
        groups = m.groupdict()
        known = components_for(self.context.reg, subject.index_code, year or self.year_now())[0]
        known = known.method.component(subject.component) if known and subject.component else None
        if groups.get("part") and not (known and known.level == "part"):   # "đạt 2/2 điểm thẩm định": a share
            components, _ = components_for(self.context.reg, subject.index_code, year or self.year_now())
            part = components.part(subject.component, "appraisal" if "thẩm" in groups["part"] else "survey") \
                if components else None
            if part is None:
                self.doubt(m, "a share of a component the methodology does not split", phrase)
                return
            subject = replace(subject, component=part)
        if measure == "pct_of_max" and self.is_indicator(subject, year):
            return                           # the rate an indicator is scored on, not a share of the maximum
        rank_of = int(groups["of"]) if groups.get("of") else None
        text = groups["rank"] if measure == "rank" else groups["value"]
        if measure == "rank" and rank_of is None and subject.unit_type == "province":
            rank_of = self.context.reg.provinces_ranked(year or self.year_now() or 0) or None   # "xếp thứ 3 cả nước"
        at = m.start("rank" if measure == "rank" else "value")
        for one in self.listed_after(m, subject):       # "... đạt 100% gồm: Sở A, Sở B": each of them
            self.emit(one, measure, text, at, year=year, rank_of=rank_of, printed_max=groups.get("max"))

    def is_indicator(self, subject: Subject, year: int | None) -> bool:
        components, _ = components_for(self.context.reg, subject.index_code, year or self.year_now()) if subject.index_code else (None, 0)
        known = components.method.component(subject.component) if components and subject.component else None
        return bool(known and known.level in ("sub_criterion", "indicator"))

    def on_kept(self, kind: str, m: re.Match) -> None:
        self.change(m, "rank_change", "0", 1, "score")

    def on_and(self, kind: str, m: re.Match) -> None:
        if self.last_sign and self.right_after_figure(m):
            self.change(m, "rank_change", m.group("value"), self.last_sign, "score")

    def on_change(self, kind: str, m: re.Match) -> None:
        unit = m.group("unit")
        measure = "rank_change" if unit in ("hạng", "bậc") else "delta"
        self.change(m, measure, m.group("value"), 1 if m.group("verb") == "tăng" else -1,
                    "pct_of_max" if unit == "%" else "score")

    def change(self, m: re.Match, measure: str, text: str, sign: int, delta_of: str) -> None:
        if m.groupdict().get("who"):
            self.phrase_start = m.start("who")
            subject = self.subject_of(m, m.end("who"))
        else:
            subject = self.subject_of(m)
        self.phrase_start = self.last_end = m.end()
        if subject is None:
            return
        self.last_sign = sign
        if delta_of == "pct_of_max" and subject.index_code in self.context.reg.percent_indices():
            delta_of = "score"          # a percentage index: its % is its score
        at = m.start("value") if "value" in m.groupdict() else m.start()
        self.pending.append({"subject": subject, "measure": measure, "text": text, "offset": at,
                             "sign": sign, "delta_of": delta_of, "year": self.year_now(),
                             "source_ref": self.source_ref(subject, self.year_now(), at)})

    def close_changes(self, year: int | None) -> None:
        for change in self.pending:
            self.emit(change["subject"], change["measure"], change["text"], change["offset"], year=change["year"],
                      compared_with=year, sign=change["sign"], delta_of=change["delta_of"],
                      source_ref=change["source_ref"])
        self.pending = []

    # --- the subject of a figure ------------------------------------------------------------------------------

    # --- facts ------------------------------------------------------------------------------------------------

    def source_ref(self, subject: Subject, year: int | None, offset: int) -> str:
        key = (subject.index_code, subject.component, subject.unit_name, year)
        if self.anchor and self.anchor[0] == key:
            return self.anchor[1]
        self.anchor = (key, self.text.where(offset))
        return self.anchor[1]

    def listed_after(self, m: re.Match, subject: Subject) -> list[Subject]:
        """The units a list after the figure names ("đạt 100% gồm: Sở A, Sở B"; "là huyện: A, huyện B";
        "gồm các Sở: A, B" gives each item the word "Sở"); else the figure's own subject."""
        found = LIST_AFTER.match(self.text.value, m.end())
        if not found or subject.named:
            return [subject]
        prefix = (found.group("prefix") or "").strip().capitalize()
        items = [i.strip() for i in re.split(r",|\bvà\b", found.group("items")) if i.strip()]
        units = []
        for item in items:
            named = unit_mentions(self.context.reg, item if not prefix or item.casefold().startswith(prefix.casefold())
                                  else f"{prefix} {item}")
            if len(named) != 1:
                return [subject]
            units.append(replace(subject, unit_name=named[0].value, unit_type=named[0].unit_type))
        self.phrase_start = found.end()
        return units or [subject]

    def emit(self, subject: Subject, measure: str, text: str, offset: int, year: int | None = None,
             rank_of: int | None = None, compared_with: int | None = None, sign: int = 1,
             delta_of: str = "score", printed_max: str | None = None, source_ref: str | None = None) -> None:
        year = year or self.year_now()
        where = self.text.where(offset)
        if year is None or subject.index_code is None or subject.component is None or not subject.unit_name:
            reason = "no year" if year is None else "no unit named" if not subject.unit_name and subject.component \
                else "no index or subject"
            self.out.doubt(where, text, self.clause(offset), reason)
            return
        components, _ = components_for(self.context.reg, subject.index_code, year)
        known = components.method.component(subject.component) if components else None
        if known is None:
            self.out.doubt(where, text, self.clause(offset), f"{subject.component} is not in the methodology of "
                                                             f"{subject.index_code} {year}")
            return
        if printed_max and known.max_score is not None and not subject.named \
                and parse_number(printed_max) != known.max_score:
            self.out.doubt(where, f"{text}/{printed_max}", self.clause(offset),
                           f"printed maximum {printed_max} is not the maximum of {subject.component}")
            return
        value = parse_number(text)
        if value is not None and measure in ("delta", "rank_change"):
            value = sign * abs(value)
        for unit_name, unit_type in ((subject.unit_name, subject.unit_type), *subject.others):
            ref = source_ref if source_ref and unit_name == subject.unit_name else \
                self.source_ref(replace(subject, unit_name=unit_name, others=()), year, offset)
            fact = Fact(subject.index_code, year, unit_name, unit_type, subject.component, measure, value, text, ref,
                        where, rank_of, compared_with, delta_of)
            self.out.add(fact)
            if measure == "pct_of_max" and known.max_score == Decimal(100) and unit_type == "province":
                self.out.add(replace(fact, measure="score"))     # % of a 100-point maximum: the same as the points

    def clause(self, offset: int) -> str:
        start = max(self.text.value.rfind(".", 0, offset), self.text.value.rfind(";", 0, offset), offset - 160)
        end = min([i for i in (self.text.value.find(";", offset), self.text.value.find(". ", offset)) if i >= 0]
                  + [offset + 120])
        return self.text.value[start + 1:end + 1]

    def doubt(self, m: re.Match, reason: str, phrase: str) -> None:
        self.out.doubt(self.text.where(m.start()), self.text.value[m.start():m.end()],
                       self.clause(m.start()), f"{reason}: {' '.join(phrase.split())[-80:]!r}")

    def ranked_list(self) -> None:
        """'Thứ tự cụ thể: (1) Thái Nguyên; (2) Yên Bái; ...': units ranked 1..n by the current subject."""
        cue = re.search(r"thứ tự|xếp hạng|thứ hạng", self.folded)
        items = [(int(m.group(1)), m.group(2), m.start(2)) for m in LIST_ITEM.finditer(self.text.value)]
        if not cue or len(items) < 3 or [n for n, _, _ in items] != list(range(1, len(items) + 1)):
            return
        units = [unit_mentions(self.context.reg, name) for _, name, _ in items]
        if not all(len(u) == 1 and len(u[0].value) >= len(name.strip()) - 6 for u, (_, name, _) in zip(units, items)):
            return
        for (rank, _, offset), (unit,) in zip(items, units):
            self.emit(replace(self.subject, unit_name=unit.value, unit_type=unit.unit_type), "rank", str(rank),
                      offset, rank_of=len(items), source_ref=self.text.where(offset))
