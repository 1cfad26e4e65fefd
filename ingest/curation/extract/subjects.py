"""Whom a figure is about: the subject phrase of a sentence resolved to an index, a component and a unit.

The phrase is the text since the previous figure or clause boundary. It names a component (matched against
the methodology, within the section's component first), an index ("Chỉ số SIPAS" -> its total; in
parentheses it is an alias of a component: "(Chỉ số SIPAS)"), a unit, a share ("điểm thẩm định" -> the
appraisal part of the current component), an anaphora ("chỉ số thành phần này"), or nothing: then the subject
before goes on. Anything else is not a component, and the figure is not understood. A short sentence without
figures that names a component ("(1). Chỉ số gia nhập thị trường (...).") makes it the subject that follows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ingest.curation.extract.components import components_for, index_mentions, unit_mentions
from ingest.curation.extract.lexicon import content_words, parse_number

CUE = re.compile(r"(?:chỉ số thành phần|tiêu chí thành phần|tiêu chí|lĩnh vực|trục nội dung|nội dung|yếu tố|"
                 r"chỉ số)\s+(?!này)", re.I)
AVERAGE = re.compile(r"\btrung bình\b|\bbình quân\b", re.I)
CONTAINER = re.compile(r"\strong\s+(?=chỉ số|lĩnh vực|tiêu chí|nội dung)", re.I)   # "X trong chỉ số Y": X
VERB = re.compile(r"\s(?:tăng|giảm|đạt|xếp|giữ nguyên|được)\s", re.I)
TOTAL_WORDS = {"tổng", "cộng", "số", "hợp", "chung"}
PART_WORDS = {"appraisal": {"thẩm", "định", "bộ", "nội", "vụ"},
              "survey": {"điều", "tra", "xã", "hội", "học", "khảo", "sát"}}

@dataclass(frozen=True)
class Subject:
    index_code: str | None
    component: str | None
    unit_name: str | None
    unit_type: str = "province"
    named: bool = False         # named in this text (not carried over from the context)
    others: tuple = ()          # more units the same figure is about ("Sở A và Sở B giảm 30%"): (name, type)


class Subjects:
    """Subject resolution for prose.Reader (which holds text, context, subject, phrase_start and the rest)."""

    def topic(self, end: int) -> None:
        """A short sentence without figures that names a component ("(1). Chỉ số gia nhập thị trường (...).")
        makes it the subject of the sentences that follow; one that names nothing changes nothing."""
        sentence = self.text.value[self.sentence_start:end]
        if self.last_end >= self.sentence_start or len(content_words(re.sub(r"\([^()]*\)", " ", sentence))) > 20:
            return
        found = self.resolve(sentence)
        if isinstance(found, Subject):
            self.subject = found
            self.first_named = self.first_named or found

    def subject_of(self, m: re.Match, end: int | None = None) -> Subject | None:
        """The figure's subject (and the running subject from now on); None, recorded, when not understood."""
        phrase = self.text.value[self.phrase_start:end or m.start()]
        opened = phrase.rfind("(")
        if opened >= 0 and ")" not in phrase[opened:]:
            inner, outer = phrase[opened + 1:], phrase[:opened]
            if re.search(r"\bnày\b", inner, re.I):        # "(trong chỉ số thành phần này có điểm thẩm định ...)"
                base = self.resolve(outer)
                base = base if isinstance(base, Subject) else self.subject
                found = self.resolve(inner, base.component)
                found = replace(found, index_code=base.index_code) if isinstance(found, Subject) else found
            else:
                found = self.resolve(inner)
                found = self.resolve(outer) if found == "carry" else found
        else:
            found = self.resolve(phrase)
        if found == "carry":
            if self.strict and not self.subject.named and not self.own_maximum(m):
                self.doubt(m, "no subject named in this cell of text", phrase)
                return None
            return self.subject
        if found is None:
            found = self.by_maximum(m)
        if found is None:
            self.subject = replace(self.subject, component=None, named=True)
            self.doubt(m, "its subject is not a component of the methodology", phrase)
            return None
        self.subject = found
        self.first_named = self.first_named or found
        return found

    def by_maximum(self, m: re.Match) -> Subject | None:
        """'đạt 5,00/5,00 điểm thẩm định' about the section's component, or '(đạt 1.0/1.0 điểm)' in the text of a
        table row: the one component of that family (and kind of share) with that maximum."""
        printed, part = m.groupdict().get("max"), m.groupdict().get("part")
        section = self.context.subject or self.subject.component
        index = self.context.index_code if self.context.subject else self.subject.index_code
        if not printed or not section or not index or not (part or self.strict):   # a cell: the row's own family
            return None
        components, _ = components_for(self.context.reg, index, self.year_now())
        if components is None:
            return None
        family = [components.method.component(c) for c in [section, *components.descendants(section)]]
        fits = [c for c in family if c and c.max_score == parse_number(printed)
                and (not part or c.part == ("appraisal" if "thẩm" in part else "survey"))]
        return Subject(index, fits[0].code, self.subject.unit_name, self.subject.unit_type, True) \
            if len(fits) == 1 else None

    def own_maximum(self, m: re.Match) -> bool:
        """'3,06/4.0 điểm' in the text of a row whose component's maximum is 4.0: the row's own score."""
        printed = m.groupdict().get("max")
        if not printed or not self.subject.component or not self.subject.index_code:
            return False
        components, _ = components_for(self.context.reg, self.subject.index_code, self.year_now())
        known = components.method.component(self.subject.component) if components else None
        if known is None or known.max_score is None or parse_number(printed) != known.max_score:
            return False
        self.subject = replace(self.subject, named=True)
        return True

    def resolve(self, phrase: str, base: str | None = None) -> Subject | str | None:
        """What a phrase names: a Subject, 'carry' (nothing: the subject goes on) or None (something else).

        base: the component an anaphora ("chỉ số thành phần này") refers to; the phrase names a part of it."""
        phrase = re.sub(r"\([^()]*\)", lambda p: p.group(0) if index_mentions(self.context.reg, p.group(0)) else " ", phrase)
        bare = re.sub(r"\([^()]*\)", lambda p: " " * len(p.group(0)), phrase)
        indexes = [i for i in index_mentions(self.context.reg, phrase) if bare[i.start:i.end].strip()]   # not in parentheses
        units = unit_mentions(self.context.reg, phrase)
        rest = phrase
        for mention in indexes + units:
            rest = rest[:mention.start] + " " * (mention.end - mention.start) + rest[mention.end:]
        index = indexes[-1].value if indexes else self.subject.index_code
        unit_name, unit_type = (units[-1].value, units[-1].unit_type) if units else \
            (self.subject.unit_name, self.subject.unit_type)
        words = content_words(re.sub(r"\([^()]*\)", " ", rest))
        if AVERAGE.search(rest):
            return None                          # an average of units is not any unit's figure
        if not words:
            if indexes:
                return Subject(index, "TOTAL", unit_name, unit_type, True)
            if re.search(r"\bnày\b", rest, re.I) and self.context.subject and base is None:   # "nội dung này"
                return Subject(self.context.index_code, self.context.subject, unit_name, unit_type, True)
            if len(units) > 1:
                return replace(self.subject, unit_name=unit_name, unit_type=unit_type,
                               others=tuple((u.value, u.unit_type) for u in units[:-1]))
            if units:
                return replace(self.subject, unit_name=unit_name, unit_type=unit_type, others=())
            return "carry"
        components, _ = components_for(self.context.reg, index, self.year_now()) if index else (None, False)
        if components is None:
            return None
        if set(words) <= TOTAL_WORDS and base is None:
            return Subject(index, "TOTAL", unit_name, unit_type, True)
        section = base or (self.context.subject if self.context.index_code == index else None)
        cued = [c.end() for c in CUE.finditer(rest)]
        texts = ([rest[cued[-1]:]] if cued else []) + [rest]
        texts = [t for text in texts for t in (CONTAINER.split(VERB.split(text, 1)[0], 1)[0], VERB.split(text, 1)[0],
                                               text)]
        for text in dict.fromkeys(texts):
            for within in ([components.descendants(section)] if section else []) + ([None] if not base else []):
                found = components.match(text, within)
                if found:
                    return Subject(index, found.code, unit_name, unit_type, True)
        for part, part_words in PART_WORDS.items():
            if set(words) <= part_words:
                code = components.part(section or self.subject.component or "TOTAL", part)
                return Subject(index, code, unit_name, unit_type, True) if code else None
        return None

