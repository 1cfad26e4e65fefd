"""Names to codes: a printed name of a component, an index or a unit, matched against the registry.

A component is matched by its syllables (lexicon.content_words), each weighted by how rare it is among the
methodology's names (so "bộ máy" tells fields apart and "hành chính" hardly does); the score is the weighted
F1 of the printed phrase against the registry name (or its parenthesised alias, e.g. "Chỉ số SIPAS"). The
best component must score at least ACCEPT and beat the next by MARGIN: otherwise nothing is returned.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.curation.extract.registry import OLD_TONE_PLACEMENT, Methodology, Registry
from ingest.curation.extract.lexicon import content_words, fold

ACCEPT = 0.6
MARGIN = 0.05
PRECISION = 0.6     # without a section to search in, most of a printed name must be the component's words
# How the reports name the indices besides the registry's names (folded).
INDEX_ALIASES = {
    "PAR_INDEX": [r"par[ -]?index", r"chỉ số cchc", r"chỉ số cải cách hành chính(?! (?:năm \d{4} )?(?:của )?"
                  r"(?:các )?(?:sở|cấp huyện|huyện|cơ quan|đơn vị))"],
    "SIPAS": [r"sipas", r"chỉ số hài lòng"],
    "PAPI": [r"papi", r"chỉ số hiệu quả quản trị"],
    "PCI": [r"\bpci\b", r"năng lực cạnh tranh cấp tỉnh"],
    "PROVINCIAL_PAR": [r"chỉ số cải cách hành chính (?:năm \d{4} )?(?:của )?(?:các )?(?:sở|cấp huyện|huyện|"
                       r"cơ quan|đơn vị)"],
}


@dataclass(frozen=True)
class Match:
    code: str
    score: float


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    kind: str       # index | unit
    value: str      # index code, or canonical unit name
    unit_type: str = ""


class Components:
    """The components of one methodology version, ready for matching printed names."""

    def __init__(self, method: Methodology, reg: Registry):
        self.method, self.reg = method, reg
        self.names: dict[str, list[list[str]]] = {}
        for c in method.components:
            variants = [content_words(c.name), content_words(re.sub(r"\([^)]*\)", " ", c.name))]
            variants += [content_words(inner) for inner in re.findall(r"\(([^)]*)\)", c.name)
                         if len(content_words(inner)) >= 1 and index_in(reg, inner)]
            self.names[c.code] = [v for v in variants if v]
        frequency: dict[str, int] = {}
        for variants in self.names.values():
            for word in set(w for v in variants for w in v):
                frequency[word] = frequency.get(word, 0) + 1
        total = max(len(self.names), 1)
        self.weight = {w: math.log(1 + total / n) for w, n in frequency.items()}
        self.unknown = math.log(1 + total)

    def _weights(self, phrase: list[str], name: list[str]) -> tuple[float, float]:
        """(precision, recall) of a printed name against a registry name, by the weight of their words; a word
        of no registry name weighs as much as the rarest ones (it says the phrase is about something else)."""
        printed, known = set(phrase), set(name)
        common = sum(self.weight.get(w, self.unknown) for w in printed & known)
        if not common:
            return 0.0, 0.0
        return (common / sum(self.weight.get(w, self.unknown) for w in printed),
                common / sum(self.weight.get(w, self.unknown) for w in known))

    def _score(self, phrase: list[str], name: list[str]) -> float:
        precision, recall = self._weights(phrase, name)
        return 2 * precision * recall / (precision + recall) if precision else 0.0

    def score(self, phrase: str | list[str], code: str) -> float:
        words = content_words(phrase) if isinstance(phrase, str) else phrase
        return max((self._score(words, name) for name in self.names.get(code, [])), default=0.0)

    def match(self, phrase: str, within: list[str] | None = None) -> Match | None:
        """The component a printed name means, or None when no name fits well enough or two fit alike."""
        variants = [content_words(phrase)] + [content_words(inner) for inner in re.findall(r"\(([^)]*)\)", phrase)
                                              if index_in(self.reg, inner)]
        variants = [v for v in variants if v]
        if not variants:
            return None
        scored = sorted(((max(self.score(v, code) for v in variants), code) for code in (within or self.names)),
                        reverse=True)
        if not scored or scored[0][0] < ACCEPT:
            return None
        if len(scored) > 1 and scored[0][0] - scored[1][0] < MARGIN:
            return None
        best = scored[0][1]
        if within is None and max(self._weights(v, name)[0] for v in variants for name in self.names[best]) < PRECISION:
            return None
        return Match(best, scored[0][0])

    def part(self, parent: str, kind: str) -> str | None:
        """The appraisal or survey share of a component ('điểm thẩm định' of field 4 -> 4.appraisal)."""
        found = [c.code for c in self.method.children(parent) if c.level == "part" and c.part == kind]
        return found[0] if len(found) == 1 else None

    def descendants(self, code: str) -> list[str]:
        found, queue = [], [code]
        while queue:
            children = [c.code for c in self.method.children(queue.pop())]
            found += children
            queue += children
        return found


@lru_cache(maxsize=64)
def components_for(reg: Registry, index_code: str, year: int | None) -> tuple[Components | None, bool]:
    method, exact = reg.methodology_for(index_code, year)
    return (Components(method, reg) if method else None), exact


@lru_cache(maxsize=4)
def _index_patterns(reg: Registry) -> list[tuple[re.Pattern, str]]:
    patterns = []
    for code, names in reg.index_names().items():
        for name in set(names):
            bare = fold(re.sub(r"\([^)]*\)|- tổng cộng", " ", name)).strip()
            if code != "PAR_INDEX" or "cấp tỉnh" in bare:      # the PAR INDEX name is an alias below
                patterns.append((re.compile(re.escape(bare)), code))
    for code, aliases in INDEX_ALIASES.items():
        patterns += [(re.compile(alias), code) for alias in aliases]
    return patterns


def index_in(reg: Registry, text: str) -> str | None:
    found = index_mentions(reg, text)
    return found[0].value if found else None


def index_mentions(reg: Registry, text: str) -> list[Mention]:
    folded = fold_keep(text)
    found = []
    for pattern, code in _index_patterns(reg):
        for m in pattern.finditer(folded):
            if not any(f.start <= m.start() < f.end for f in found):
                found.append(Mention(m.start(), m.end(), "index", code))
    return sorted(found, key=lambda m: m.start)


def fold_keep(text: str) -> str:
    """Folded text of the same length as the text, so that offsets stay valid (text is NFC already)."""
    folded = text.casefold()
    if len(folded) != len(text):
        folded = "".join(c.casefold()[:1] or c for c in text)
    for old, new in OLD_TONE_PLACEMENT.items():
        folded = folded.replace(old, new)
    return folded


@lru_cache(maxsize=4)
def _unit_pattern(reg: Registry) -> tuple[re.Pattern, dict[str, tuple[str, str]], list[str]]:
    names = {fold(name): found for name, found in reg.unit_names().items()}
    alternatives = sorted(names, key=len, reverse=True)
    spelt = [re.escape(n).replace(r"\ \-\ ", r"\s*[-–]\s*").replace(r"\ ", r"\s+") for n in alternatives]
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(f"(?P<u{i}>{p})" for i, p in enumerate(spelt)) + r")(?!\w)")
    return pattern, names, alternatives


def unit_mentions(reg: Registry, text: str) -> list[Mention]:
    pattern, names, alternatives = _unit_pattern(reg)
    folded = re.sub(r"\s", " ", fold_keep(text))
    found = []
    for m in pattern.finditer(folded):
        unit_type, name = names[alternatives[int(m.lastgroup[1:])]]
        found.append(Mention(m.start(), m.end(), "unit", name, unit_type))
    return found
