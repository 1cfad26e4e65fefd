"""The methodology registry: data/methodology/<index>/<version>.yaml, one component tree per version."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ingest.core.errors import InputError, shown
from ingest.sources import safe_yaml
from ingest.sources.packages import VERSION, sha256_of

LEVELS = ("total", "part", "field", "criterion", "sub_criterion", "indicator", "dimension", "sub_dimension")
PARTS = ("appraisal", "survey", "mixed", "self")
ASSESSED = ("yes", "no", "partly")
SCALE_TARGETS = ("unit", "group", "unit_type")   # most specific first


@dataclass(frozen=True)
class Component:
    code: str
    parent: str | None
    level: str
    part: str | None
    max_score: Decimal | None
    min_score: Decimal | None
    required: bool
    comparable_with_previous: bool | None
    name_vi: str
    name_en: str | None
    source_ref: str | None
    position: int


@dataclass(frozen=True)
class UnitGroup:
    """Units scored and ranked together (a province's own index ranks its groups separately)."""

    code: str
    unit_type: str
    name_vi: str
    name_en: str | None
    source_ref: str | None
    units: tuple[str, ...]
    position: int


@dataclass(frozen=True)
class UnitScale:
    """A maximum (or 'not assessed') that differs for a unit type, a group or one unit."""

    target_kind: str          # unit | group | unit_type
    target: str
    component_code: str
    max_score: Decimal | None
    assessed: str             # yes | no | partly
    note: str | None
    source_ref: str | None
    position: int


@dataclass(frozen=True)
class Methodology:
    path: Path
    sha256: str
    index_code: str
    version: str
    first_year: int
    last_year: int | None
    previous_version: str | None
    components: dict[str, Component]
    unit_groups: tuple[UnitGroup, ...] = ()
    unit_scales: tuple[UnitScale, ...] = ()


def methodology_path(index_code: str, version: str, root: Path) -> Path:
    """Where a version lives in the registry `root` (data/methodology)."""
    return root / index_code.lower() / f"{version}.yaml"


def _decimal(value, path: Path, position: int, key: str) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise InputError(path, f"'{key}' must be a number, got {shown(value)}", row=position, column=key)
    return number


def load(index_code: str, version: str, root: Path) -> Methodology:
    path = methodology_path(index_code, version, root)
    if not VERSION.fullmatch(version) or ".." in version or not index_code.isidentifier():
        raise InputError(root, f"methodology version {version[:40]!r} of {index_code[:40]!r} is not a registry name")
    if not path.is_file():
        raise InputError(path, f"methodology version {shown(version)} of {index_code} is not in the registry")
    doc = safe_yaml.load_mapping(path, "methodology")
    if doc.get("index") != index_code or str(doc.get("version")) != str(version):
        raise InputError(path, f"declares {doc.get('index')} {doc.get('version')}, expected {index_code} {version}")
    components: dict[str, Component] = {}
    for position, item in enumerate(doc.get("components") or [], start=1):
        code = str(item.get("code", "")).strip()
        if not code:
            raise InputError(path, "component without a code", row=position, column="code")
        if code in components:
            raise InputError(path, f"component {shown(code)} is listed twice", row=position, column="code")
        level = item.get("level")
        if level not in LEVELS:
            raise InputError(path, f"level must be one of {LEVELS}, got {shown(level)}", row=position, column="level")
        part = item.get("part")
        if part is not None and part not in PARTS:
            raise InputError(path, f"part must be one of {PARTS}, got {shown(part)}", row=position, column="part")
        parent = item.get("parent")
        parent = str(parent) if parent is not None else None
        if parent is not None and parent not in components:
            raise InputError(path, f"parent {shown(parent)} must be listed before {shown(code)}", row=position,
                             column="parent")
        if not item.get("name_vi"):
            raise InputError(path, f"component {shown(code)} has no Vietnamese name", row=position, column="name_vi")
        components[code] = Component(
            code=code, parent=parent, level=level, part=part,
            max_score=_decimal(item.get("max_score"), path, position, "max_score"),
            min_score=_decimal(item.get("min_score", 0), path, position, "min_score"),
            required=bool(item.get("required", False)),
            comparable_with_previous=item.get("comparable_with_previous"),
            name_vi=item["name_vi"], name_en=item.get("name_en"), source_ref=item.get("source_ref"),
            position=position,
        )
    if not components:
        raise InputError(path, "lists no components")
    groups = _unit_groups(doc, path)
    return Methodology(
        path=path, sha256=sha256_of(path), index_code=index_code, version=str(version),
        first_year=int(doc["first_year"]), last_year=doc.get("last_year"),
        previous_version=str(doc["previous_version"]) if doc.get("previous_version") is not None else None,
        components=components, unit_groups=groups,
        unit_scales=_unit_scales(doc, path, components, {g.code for g in groups}),
    )


def _unit_groups(doc: dict, path: Path) -> tuple[UnitGroup, ...]:
    groups: list[UnitGroup] = []
    member_of: dict[str, str] = {}
    for position, item in enumerate(doc.get("unit_groups") or [], start=1):
        code, unit_type = str(item.get("code") or ""), str(item.get("unit_type") or "")
        if not code or not unit_type or not item.get("name_vi"):
            raise InputError(path, "a unit group needs code, unit_type and name_vi", row=position, column="unit_groups")
        units = tuple(str(u) for u in item.get("units") or [])
        for unit in units:
            if unit in member_of:
                raise InputError(path, f"unit {shown(unit)} is in groups {shown(member_of[unit])} and {shown(code)}; a unit "
                                       "belongs to one group", row=position, column="units")
            member_of[unit] = code
        groups.append(UnitGroup(code, unit_type, item["name_vi"], item.get("name_en"), item.get("source_ref"),
                                units, position))
    return tuple(groups)


def _unit_scales(doc: dict, path: Path, components: dict[str, Component], groups: set[str]) -> tuple[UnitScale, ...]:
    scales = []
    for position, item in enumerate(doc.get("scales") or [], start=1):
        targets = [kind for kind in SCALE_TARGETS if item.get(kind)]
        if len(targets) != 1:
            raise InputError(path, f"a scale applies to exactly one of {SCALE_TARGETS}, got {shown(item)}",
                             row=position, column="scales")
        kind, target = targets[0], str(item[targets[0]])
        if kind == "group" and target not in groups:
            raise InputError(path, f"scale names group {shown(target)}, which is not under unit_groups", row=position,
                             column="group")
        code = str(item.get("component", ""))
        if code not in components:
            raise InputError(path, f"scale names component {shown(code)}, which is not in the methodology",
                             row=position, column="component")
        assessed = str(item.get("assessed", "yes"))
        if assessed not in ASSESSED:
            raise InputError(path, f"assessed must be one of {ASSESSED}, got {shown(assessed)}", row=position,
                             column="assessed")
        scales.append(UnitScale(kind, target, code, _decimal(item.get("max_score"), path, position, "max_score"),
                                assessed, item.get("note"), item.get("source_ref"), position))
    return tuple(scales)
