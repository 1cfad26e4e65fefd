"""Hostile input by class, not by example (hypothesis): numbers in every notation, names with invisible characters and
homoglyphs, file names and links, YAML structures, whole CSV files. The invariant: either a clear refusal (an
InputError naming file, row and column, bounded, never quoting what lies outside the package) or rows that mean
exactly what the input says. No database: the fast lane (`make test-fast`)."""
from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from ingest.core.errors import MESSAGE_LIMIT, InputError
from ingest.sources import methodology, notation, packages, readers
from ingest.sources.reference import unit_directory
from tests.conftest import BUNDLED

pytestmark = pytest.mark.unit

FAST = settings(max_examples=300, deadline=500, suppress_health_check=[HealthCheck.function_scoped_fixture])
GRAMMAR = re.compile(r"[ \t]*-?[0-9]{1,9}(\.[0-9]{1,9})?[ \t]*", re.ASCII)   # README "Numbers in release files"
UNITS = unit_directory(BUNDLED.reference_dir)
PAR_2024 = methodology.load("PAR_INDEX", "2024", BUNDLED.methodology_dir)
YEAR_END = readers.year_end(2024)
PROVINCES = sorted({v.name: v.unit_code for v in UNITS.versions if v.unit_type == "province" and v.valid_on(YEAR_END)}
                   .items())
HERE = Path("scores.csv")

plain_numbers = st.decimals(min_value=Decimal("-999999999"), max_value=Decimal("999999999"), places=4,
                            allow_nan=False, allow_infinity=False).map(lambda d: format(d, "f"))
FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
notations = st.one_of(
    plain_numbers,
    plain_numbers.map(lambda t: f"{Decimal(t):e}"),                       # exponent
    plain_numbers.map(lambda t: t.translate(FULL_WIDTH)),
    plain_numbers.map(lambda t: t.translate(ARABIC_INDIC)),
    plain_numbers.map(lambda t: t[:1] + "_" + t[1:]),                      # underscores
    plain_numbers.map(lambda t: "+" + t),
    plain_numbers.map(lambda t: t.replace("-", "\u2212")),
    plain_numbers.map(lambda t: t.replace(".", ",")),                     # decimal comma
    plain_numbers.map(lambda t: t + "%"),
    plain_numbers.map(lambda t: "\u00a0" + t),                             # a non-breaking space
    plain_numbers.map(lambda t: t.lstrip("-").lstrip("0") or ".5"),       # .5
    st.sampled_from(["NaN", "nan", "-Infinity", "inf", "sNaN", "1e999", "9" * 12, "0." + "1" * 12, "", " ", "-",
                     "1 000", "1,000.5", "٣", "²", "85.97.1", "0x1F", "1_000.0", "--1", "+-1"]),
    st.text(max_size=12),
)


@FAST
@given(notations)
@example("85.97")
@example(" 09.41\t")
def test_a_number_is_read_only_in_the_one_notation(text):
    """Accepted exactly when the README's grammar matches, and then worth what the digits say; otherwise a row
    error that names the column and quotes the cell (bounded)."""
    readers._DECIMALS.clear()
    if GRAMMAR.fullmatch(text):
        assert readers.parse_decimal(text, HERE, 7, "score") == Decimal(text.strip(" \t"))
        return
    with pytest.raises(InputError) as caught:
        readers.parse_decimal(text, HERE, 7, "score")
    error = caught.value
    assert (error.row, error.column) == (7, "score")
    assert "got " in error.message and len(str(error)) <= MESSAGE_LIMIT


@FAST
@given(st.one_of(st.integers(min_value=0, max_value=10 ** 12).map(str),
                 st.integers(min_value=0, max_value=999).map(lambda n: str(n).translate(FULL_WIDTH)),
                 st.text(max_size=6)))
def test_a_whole_number_is_ascii_digits_only(text):
    if re.fullmatch(r"[ \t]*[0-9]{1,9}[ \t]*", text, re.ASCII):
        assert readers.parse_int(text, HERE, 3, "rank") == int(text)
    elif text.strip(" \t"):
        with pytest.raises(InputError, match=r"rank.*expected a whole number"):
            readers.parse_int(text, HERE, 3, "rank")


INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u202e", "\u2066",
             "\u034f", "\u180e"]
HOMOGLYPHS = {"a": "\u0430", "o": "\u043e", "e": "\u0435", "c": "\u0441", "p": "\u0440", "i": "\u0456", "H": "\u041d",
              "T": "\u0422", "B": "\u0412", "K": "\u039a", "N": "\u039d", "y": "\u0443", "h": "\u04bb", "L": "\u216c"}


@st.composite
def hostile_names(draw):
    name, code = draw(st.sampled_from(PROVINCES))
    kind = draw(st.sampled_from(["invisible", "homoglyph", "tone"]))
    if kind == "invisible":
        at = draw(st.integers(min_value=0, max_value=len(name)))
        return name[:at] + draw(st.sampled_from(INVISIBLE)) + name[at:], code
    if kind == "homoglyph":
        spots = [i for i, c in enumerate(name) if c in HOMOGLYPHS]
        assume(spots)
        at = draw(st.sampled_from(spots))
        return name[:at] + HOMOGLYPHS[name[at]] + name[at + 1:], code
    decomposed = unicodedata.normalize("NFD", name)     # another tone mark on one vowel
    tones = [i for i, c in enumerate(decomposed) if c in "\u0300\u0301\u0303\u0309\u0323"]
    assume(tones)
    at = draw(st.sampled_from(tones))
    other = draw(st.sampled_from([t for t in "\u0300\u0301\u0303\u0309\u0323" if t != decomposed[at]]))
    return unicodedata.normalize("NFC", decomposed[:at] + other + decomposed[at + 1:]), code


@FAST
@given(hostile_names())
def test_a_name_with_invisible_characters_homoglyphs_or_other_tones_matches_no_unit(case):
    name, code = case
    found, rule = UNITS.match("province", name, YEAR_END)
    assert found is None, (name, found, rule)


@st.composite
def benign_names(draw):
    name, code = draw(st.sampled_from(PROVINCES))
    changes = draw(st.lists(st.sampled_from(["nfd", "upper", "spaces", "prefix", "ascii"]), unique=True, max_size=3))
    for change in changes:
        name = {"nfd": lambda n: unicodedata.normalize("NFD", n), "upper": str.upper,
                "spaces": lambda n: "  " + n.replace(" ", " \u00a0 ") + "\t",
                "prefix": lambda n: "Tỉnh " + n,
                "ascii": lambda n: "".join(c for c in unicodedata.normalize("NFD", n) if not unicodedata.combining(c))
                .replace("Đ", "D").replace("đ", "d")}[change](name)
    return name, code


@FAST
@given(benign_names())
def test_a_name_written_another_way_resolves_to_its_unit_or_to_none(case):
    """Case, NFD, spaces, a prefix, no diacritics: the unit meant, recorded as a normalisation — never another unit
    (a name without diacritics that two provinces share resolves to neither)."""
    name, code = case
    found, rule = UNITS.match("province", name, YEAR_END)
    assert found in (code, None), (name, found)
    assert found == code or rule is None


@st.composite
def file_names(draw):
    return draw(st.one_of(
        st.sampled_from(["scores.csv", "/etc/hostname", "../outside.csv", "../../../../etc/passwd", "a/../scores.csv",
                         "sub/scores.csv", ".", "..", "scores.csv\x00x", "C:\\data\\x.csv", " scores.csv", "link.csv",
                         "dir_link/scores.csv", "fifo.csv"]),
        st.text(min_size=1, max_size=20)))


@FAST
@given(file_names())
@example("secret")   # hypothesis draws the test's own literals: a name the message may repeat
def test_a_manifest_names_only_plain_files_of_its_own_folder(name):
    """Whatever a manifest names, nothing outside the release folder is opened or hashed, and no message carries
    the hash or content of a file outside it."""
    with tempfile.TemporaryDirectory() as root:
        root = Path(root)
        outside = root / "outside.csv"
        outside.write_text("secret,content\n", encoding="utf-8")
        folder = root / "releases/par_index/2024/1"
        folder.mkdir(parents=True)
        (folder / "scores.csv").write_text("unit_name\n", encoding="utf-8")
        (folder / "link.csv").symlink_to(outside)
        (folder / "dir_link").symlink_to(root)
        os.mkfifo(folder / "fifo.csv")
        manifest = folder / "release.yaml"
        doc = {"index": "PAR_INDEX", "year": 2024, "edition": 1, "publisher": "p", "source": "s",
               "methodology_version": "2024", "files": [{"name": name, "sha256": "a" * 64}]}
        manifest.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        secret = packages.sha256_of(outside)
        try:
            release = packages.read_manifest(manifest)
            packages.verify_files(release)
        except InputError as exc:
            # The outside file's content never shows, unless the manifest itself named it.
            assert secret not in str(exc) and ("secret" in name or "secret" not in str(exc))
            assert len(str(exc)) <= MESSAGE_LIMIT
            return
        pytest.fail(f"{name!r} was accepted")    # every name above has the wrong hash, if nothing else


yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30), st.dates()),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)
MANIFEST_KEYS = ["index", "year", "edition", "publisher", "source", "methodology_version", "coverage", "files",
                 "reason", "published_on", "units_not_ranked", "changes", "synthetic"]


@st.composite
def manifests(draw):
    """A valid release.yaml with some keys replaced by any YAML value, or made hostile as text."""
    doc = {"index": "PAR_INDEX", "year": 2024, "edition": 1, "publisher": "Bộ Nội vụ", "source": "s",
           "methodology_version": "2024", "coverage": "complete", "files": [{"name": "scores.csv", "sha256": "a" * 64}]}
    for key in draw(st.lists(st.sampled_from(MANIFEST_KEYS), max_size=3, unique=True)):
        doc[key] = draw(yaml_values)
    text = yaml.safe_dump(doc, allow_unicode=True)
    hostile = draw(st.sampled_from(["none", "alias", "repeat", "deep", "tab", "not a mapping"]))
    if hostile == "alias":
        text = "x: &a [1, 2]\n" + text + "y: *a\n"
    elif hostile == "repeat":
        text += "edition: 2\n"
    elif hostile == "deep":
        text += "deep: " + "[" * 60 + "]" * 60 + "\n"
    elif hostile == "tab":
        text = "\t" + text
    elif hostile == "not a mapping":
        text = "- " + text.replace("\n", "\n  ")
    return text


@settings(max_examples=300, deadline=1000)
@given(manifests())
def test_a_manifest_is_read_or_refused_never_crashes(text):
    with tempfile.TemporaryDirectory() as root:
        folder = Path(root) / "par_index/2024/1"
        folder.mkdir(parents=True)
        (folder / "release.yaml").write_text(text, encoding="utf-8")
        try:
            release = packages.read_manifest(folder / "release.yaml")
        except InputError as exc:
            assert len(str(exc)) <= MESSAGE_LIMIT
            return
        assert release.release_id == "PAR_INDEX/2024/1" and release.year == 2024 and release.edition == 1
        assert all(packages.FILE_NAME.fullmatch(f.name) for f in release.files)


cells = st.one_of(notations, st.just(""))
names = st.one_of(st.sampled_from([name for name, _ in PROVINCES]), hostile_names().map(lambda case: case[0]),
                  st.text(max_size=10))
components = st.sampled_from(["TOTAL", "1", "2", "8.1", "9", "", "TOTAL "])
rows = st.tuples(names, st.sampled_from(["province", "province", "district", "country"]), components, cells,
                 st.one_of(st.just(""), st.integers(min_value=0, max_value=70).map(str), notations), st.just("63"))


@settings(max_examples=150, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rows, min_size=1, max_size=6))
def test_a_canonical_file_loads_what_it_says_or_is_refused(body):
    """A whole file: either every row means what its cells say (unit, component, score, rank), or an InputError
    names a row of the file and one of its columns."""
    readers._DECIMALS.clear()
    with tempfile.TemporaryDirectory() as root:
        path = Path(root) / "scores.csv"
        lines = ["unit_name,unit_type,component_code,score,rank,rank_of"] + [",".join(
            '"' + cell.replace('"', '""') + '"' for cell in row) for row in body]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        rules = readers.ReleaseRules("PAR_INDEX", ("province",), 63, "63 provinces valid on 2024-12-31")
        try:
            result = readers.read_canonical(path, PAR_2024, UNITS, year=2024, rules=rules)
        except InputError as exc:
            assert exc.row is None or 1 <= exc.row <= len(body) + 2
            assert exc.column in (None, "unit_name", "unit_type", "component_code", "score", "rank", "rank_of")
            assert len(str(exc)) <= MESSAGE_LIMIT
            return
        for row, (name, unit_type, component, score, rank, rank_of) in zip(result.rows, body):
            assert GRAMMAR.fullmatch(score) and row.score == Decimal(score.strip(" \t"))
            assert row.component_code == component.strip() and row.unit_type == "province" == unit_type
            assert row.unit_code == dict(PROVINCES).get(UNITS.name_of("province", row.unit_code, YEAR_END))
            assert UNITS.match("province", name, YEAR_END)[0] == row.unit_code
            assert row.rank == (int(rank) if rank.strip(" \t") else None) and row.rank_of == 63
