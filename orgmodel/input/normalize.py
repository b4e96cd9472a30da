"""Raw tables of text → a typed `Roster`, with every input error of the file located.

One normaliser for every format: readers lay cells out, this module reads their meaning
through `orgmodel.vocabulary`. It works in columns: a value is interpreted once per
distinct spelling, never once per row, so a province's roster reads in seconds.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from orgmodel import regions, vocabulary
from orgmodel.errors import InputError, RosterInputError, input_error, sorted_errors
from orgmodel.input import office_layout
from orgmodel.input.cells import parse_amount, parse_date, parse_end_date
from orgmodel.input.raw import PATH, ROW, SHEET, RawRoster, RawTable
from orgmodel.roster import KIND, LEVEL, ROLE, SCHEMAS, UNIT, Roster, empty

MAX_ERRORS_PER_KIND = 1000  # per table, code and column; the rest are counted in one more error

PERSON_ATTRIBUTES = ("name", "education", "police_officer", "political_legal_officer", "monthly_pay_yuan", "gender",
                     "previous_monthly_pay_yuan")
REQUIRED = {
    "communities": ("id",),
    "appointments": ("community", "person", "role"),
    "regions": ("id", "level"),
    "units": ("community", "unit"),
    "relations": ("community", "from", "to", "type"),
    "tasks": ("community", "id"),
    "facilities": ("community", "name"),
    "leadership": ("region", "name", "role"),
    "people": ("person",),
}
# What the template asks to be filled in (an office's own layout may leave 机构 and 类型 to the
# post title and the community's name, domain.md §3).
TEMPLATE_REQUIRED = {**REQUIRED, "communities": ("id", "kind"), "appointments": ("community", "person", "unit", "role")}


@dataclass
class _Errors:
    """Collects errors; remembers every community that has one, even past the display cap."""

    items: list[InputError] = field(default_factory=list)
    communities: set[str] = field(default_factory=set)
    fatal: bool = False  # an error no community owns: --skip-invalid cannot help

    def add(self, error: InputError) -> None:
        self.items.append(error)
        if error.community_id is None:
            self.fatal = True
        else:
            self.communities.add(error.community_id)

    def rows(self, table: RawTable, bad: pl.DataFrame, code: str, column: str, *,
             value_column: str | None = None, expected: str | None = None,
             community_column: str | None = "community",
             expected_of: Callable[[dict[str, object]], str] | None = None) -> None:
        """One error per bad row (all of them count; the first MAX_ERRORS_PER_KIND are shown)."""
        if bad.is_empty():
            return
        if community_column is not None and community_column in bad.columns:
            self.communities.update(bad[community_column].drop_nulls().to_list())
        for record in bad.head(MAX_ERRORS_PER_KIND).iter_rows(named=True):
            community = record.get(community_column) if community_column else None
            self.add(input_error(
                code, file=table.file, sheet=record.get(SHEET) or table.sheet, row=record.get(ROW),
                path=_path(record, column),
                column=table.header(column), value=record.get(value_column or column),
                expected=expected_of(record) if expected_of else expected,
                community_id=str(community) if community is not None else None,
            ))
            if community is None and community_column is not None:
                self.fatal = True
        if bad.height > MAX_ERRORS_PER_KIND:
            more = bad.height - MAX_ERRORS_PER_KIND
            self.add(input_error(
                code, file=table.file, sheet=table.sheet, column=table.header(column),
                value=f"… 还有{more}处同类错误 / {more} more like this", expected=expected,
                community_id=None if community_column is None else "",
            ))


def _path(record: dict[str, object], column: str) -> str | None:
    path = record.get(PATH)
    return f"{path}.{column}" if isinstance(path, str) else None


# --- reading cells ---------------------------------------------------------------------------

def _column(frame: pl.DataFrame, name: str) -> pl.Series:
    return frame[name] if name in frame.columns else pl.Series(name, [None] * frame.height, dtype=pl.String)


def _spellings(series: pl.Series, parse: Callable[[str], object | None]) -> dict[str, object]:
    """Each distinct spelling of a column, parsed once (a categorical's categories, else its values)."""
    if isinstance(series.dtype, pl.Categorical):
        spellings = series.dtype.categories.to_series().to_list()
    else:
        spellings = series.drop_nulls().unique().to_list()
    return {text: parse(text) for text in spellings}


def _unreadable(series: pl.Series, mapping: dict[str, object]) -> pl.Series:
    """Mask of the cells whose non-blank spelling did not parse."""
    bad = {text: True for text, value in mapping.items() if value is None and vocabulary.clean(text)}
    if not bad:
        return _none(series.len())
    return _map_text(series, bad, pl.Boolean()).fill_null(False)  # type: ignore[arg-type]


def _lookup(series: pl.Series, parse: Callable[[str], object | None], dtype: pl.DataType) -> tuple[pl.Series, pl.Series]:
    """Interpret each distinct spelling once; returns (values, mask of cells that did not parse)."""
    mapping = _spellings(series, parse)
    return _map_text(series, mapping, dtype), _unreadable(series, mapping)


def _map_text(series: pl.Series, mapping: dict[str, object], dtype: pl.DataType) -> pl.Series:
    """Map each cell's text through `mapping` (None where absent). Categorical columns (the CSV
    reader's vocabulary columns) map their few categories and gather by code."""
    if isinstance(series.dtype, pl.Categorical):
        categories = series.dtype.categories.to_series().to_list()
        lookup = pl.Series(series.name, [mapping.get(c) for c in categories], dtype=dtype)
        return lookup.gather(series.to_physical())
    return series.replace_strict(mapping, default=None, return_dtype=dtype)


def _none(n: int) -> pl.Series:
    return pl.repeat(False, n, dtype=pl.Boolean, eager=True)


_PARSERS: dict[str, tuple[Callable[[str], object | None], pl.DataType, str, str]] = {
    # column kind: (parse, dtype, error code, expected)
    "yes_no": (vocabulary.YES_NO.parse, pl.Boolean(), "invalid_value", vocabulary.YES_NO.expected),
    "amount": (parse_amount, pl.Float64(), "invalid_number", "非负数 / a non-negative number"),
    "date": (parse_date, pl.Date(), "invalid_date", "日期,如2024-01-01 / a date such as 2024-01-01"),
    "end_date": (parse_end_date, pl.Date(), "invalid_date", "日期,如2024-01-01 / a date such as 2024-01-01"),
    "kind": (vocabulary.KIND.parse, KIND, "invalid_value", vocabulary.KIND.expected),
    "level": (vocabulary.LEVEL.parse, LEVEL, "invalid_value", vocabulary.LEVEL.expected),
    "education": (vocabulary.EDUCATION_VOCAB.parse, pl.String(), "invalid_value", vocabulary.EDUCATION_VOCAB.expected),
    "gender": (vocabulary.GENDER.parse, pl.String(), "invalid_value", vocabulary.GENDER.expected),
    "unit": (vocabulary.UNIT.parse, UNIT, "unknown_unit", vocabulary.UNIT.expected),
    "relation": (vocabulary.RELATION.parse, pl.String(), "invalid_value", vocabulary.RELATION.expected),
    "facility_category": (vocabulary.FACILITY_CATEGORY.parse, pl.String(), "invalid_value",
                          vocabulary.FACILITY_CATEGORY.expected),
    "leadership_role": (vocabulary.LEADERSHIP_ROLE.parse, pl.String(), "invalid_value", vocabulary.LEADERSHIP_ROLE.expected),
}


class _Reader:
    """Reads the columns of one raw table, collecting the errors of its cells."""

    def __init__(self, table: RawTable, errors: _Errors, community_column: str | None = "community"):
        self.table = table
        self.frame = table.frame
        self.errors = errors
        self.community_column = community_column

    def text(self, column: str) -> pl.Series:
        return _column(self.frame, column)

    def typed(self, column: str, kind: str) -> pl.Series:
        return self.typed_many({column: kind})[column]

    def typed_many(self, kinds: dict[str, str], rows: pl.DataFrame | None = None) -> dict[str, pl.Series]:
        """Interpret several columns; each distinct spelling is parsed once in Python, then
        mapped over the column. Every cell of the table is checked; the values returned are
        those of `rows` (default: the whole table)."""
        rows = self.frame if rows is None else rows
        result = {}
        for column, kind in kinds.items():
            parse, dtype, code, expected = _PARSERS[kind]
            if column not in self.frame.columns:
                result[column] = pl.Series(column, [None] * rows.height, dtype=dtype)
                continue
            cells = self.frame[column]
            mapping = _spellings(cells, parse)
            result[column] = _map_text(rows[column], mapping, dtype).alias(column)
            bad = _unreadable(cells, mapping)
            if bad.any():
                self.errors.rows(self.table, self.frame.filter(bad), code, column, expected=expected,
                                 community_column=self.community_column)
        return result

    def require(self, columns: Iterable[str]) -> bool:
        """Missing columns are file-level errors; blank required cells are row errors."""
        ok = True
        for column in columns:
            if column not in self.frame.columns:
                found = "、".join(h for h in self.table.found_headers if h) or "(无 / none)"
                self.errors.add(input_error(
                    "missing_column", file=self.table.file, sheet=self.table.sheet, column=self.table.header(column),
                    value=found, expected=vocabulary.accepted_headers(self.table.name, column)))
                ok = False
        if not ok:
            return False
        for column in columns:
            blank = self.frame[column].is_null()
            if blank.any():
                self.errors.rows(self.table, self.frame.filter(blank), "required_value", column,
                                 community_column=self.community_column)
        return True

    def unique(self, columns: list[str], label_column: str) -> pl.Series:
        """Mask of the rows that repeat an earlier row's key; those are errors."""
        key = pl.struct(columns)
        repeated = self.frame.select((key.is_duplicated() & ~key.is_first_distinct()).alias("r"))["r"]
        if repeated.any():
            self.errors.rows(self.table, self.frame.filter(repeated), "duplicate_id", label_column,
                             community_column=self.community_column)
        return repeated

    def known(self, column: str, valid: pl.Series, code: str, expected: str) -> None:
        values = self.text(column)
        bad = values.is_not_null() & ~values.is_in(valid.implode())
        if bad.any():
            self.errors.rows(self.table, self.frame.filter(bad), code, column, expected=expected,
                             community_column=self.community_column)


# --- the tables ------------------------------------------------------------------------------

def _regions(raw: RawRoster, errors: _Errors) -> pl.DataFrame:
    table = raw.tables.get("regions")
    if table is None:
        return empty("regions")
    r = _Reader(table, errors, community_column=None)
    if not r.require(REQUIRED["regions"]):
        return empty("regions")
    r.unique(["id"], "id")
    frame = pl.DataFrame({
        "id": r.text("id"), "name": r.text("name"), "level": r.typed("level", "level"),
        "parent": r.text("parent"), "min_wage_monthly_yuan": r.typed("min_wage_monthly_yuan", "amount"),
    }).unique("id", keep="first", maintain_order=True)
    r.known("parent", frame["id"], "unknown_region", "区域表中的区域编码 / a region id listed in the regions table")
    parents = dict(zip(frame["id"].to_list(), frame["parent"].to_list(), strict=True))
    where = {rid: (row, path) for rid, row, path in table.frame.select("id", ROW, PATH).iter_rows()}
    known = {region: parent for region, parent in parents.items() if region is not None}
    caught = regions.regions_in_cycles(regions.from_parents(known))
    for start in parents:
        if start in caught:
            errors.add(input_error("region_cycle", file=table.file, sheet=table.sheet, value=start,
                                   row=where[start][0], path=where[start][1], column=table.header("parent")))
    return frame


def _communities(raw: RawRoster, regions: pl.DataFrame, errors: _Errors) -> pl.DataFrame:
    table = raw.tables.get("communities")
    if table is None:  # no 人员 table either (that is the error), or one without its community column
        return empty("communities")
    r = _Reader(table, errors, community_column="id")
    if not r.require(REQUIRED["communities"]):  # a file-level error; keep the ids so that other tables still resolve
        ids = r.text("id").drop_nulls().unique(maintain_order=True)
        return pl.DataFrame({"id": ids}).with_row_index("c").with_columns(
            [pl.lit(None, dtype).alias(c) for c, dtype in SCHEMAS["communities"].items() if c not in ("c", "id")]
        ).select(list(SCHEMAS["communities"])).cast(SCHEMAS["communities"])  # type: ignore[arg-type]
    r.unique(["id"], "id")
    if "regions" in raw.tables:
        r.known("region", regions["id"], "unknown_region", "区域表中的区域编码 / a region id listed in the regions table")
    typed = r.typed_many({"kind": "kind", "households": "amount", "population": "amount", "pilot": "yes_no",
                          "office_activity_yuan": "amount"})
    frame = pl.DataFrame({
        "id": r.text("id"), "name": r.text("name"), "region": r.text("region"),
        "kind": typed["kind"].fill_null(_kind_by_name(r.text("name").fill_null(r.text("id")))),
        "households": typed["households"], "population": typed["population"], "pilot": typed["pilot"].fill_null(False),
        "office_activity_yuan": typed["office_activity_yuan"],
    })
    frame = frame.unique("id", keep="first", maintain_order=True)
    return frame.with_row_index("c").select(list(SCHEMAS["communities"])).cast(SCHEMAS["communities"])  # type: ignore[arg-type]


def _kind_by_name(names: pl.Series) -> pl.Series:
    """A community no 类型 cell describes: a name ending in 村 is rural, any other urban (domain.md §3)."""
    rural = names.str.strip_chars().str.ends_with(vocabulary.RURAL_NAME_ENDING).fill_null(False)
    return pl.select(pl.when(rural).then(pl.lit("rural")).otherwise(pl.lit("urban")).cast(KIND)).to_series()


def _index(keys: pl.Series, ids: pl.Series) -> pl.Series:
    """Each key's integer index in `ids` (null when absent): rules count on integers, not strings."""
    table = pl.DataFrame({"key": ids, "index": pl.int_range(ids.len(), dtype=pl.UInt32, eager=True)})
    return keys.to_frame("key").join(table, on="key", how="left", maintain_order="left")["index"]


def _posts(r: _Reader) -> pl.DataFrame:
    """Each (机构, 职务) spelling read once: compound posts split, unknown posts become `other`."""
    pairs = r.frame.select("unit", "role").unique().drop_nulls()
    rows: list[tuple[str, str, str | None, str | None, str | None, int]] = []
    for unit_text, role_text in pairs.iter_rows():
        posts = vocabulary.parse_post(unit_text or None, role_text)
        if isinstance(posts, str):
            rows.append((unit_text, role_text, None, None, posts, 0))
        elif not posts:  # a post no rule knows, in no unit anyone named: a notice only
            rows.append((unit_text, role_text, None, vocabulary.OTHER_ROLE, None, 0))
        else:
            rows.extend((unit_text, role_text, p.unit, p.role, None, part) for part, p in enumerate(posts))
    return pl.DataFrame(rows, schema={"unit": pl.String, "role": pl.String, "unit_code": UNIT,
                                      "role_code": ROLE, "error": pl.String, "part": pl.UInt8}, orient="row")


def _missing_table(raw: RawRoster) -> InputError:
    """No sheet is a 人员 table: say what the file holds instead, sheet by sheet."""
    seen = [f"{f.file}“{f.sheet}”" if f.sheet else f.file for f in raw.unread]
    seen_with = [f"{where}(列:{'、'.join(f.headers[:8]) or '无'})" for where, f in zip(seen, raw.unread, strict=True)]
    found = ";".join(seen_with) or "、".join(t for t in raw.tables) or "(无 / nothing)"
    return input_error("missing_table", file=raw.source, column="“人员”(花名册)", value=found)


def _appointments(raw: RawRoster, communities: pl.DataFrame, person_index: pl.Series,
                  errors: _Errors) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The 人员 table → (appointments, notices); `person_index` gives each raw row's `p`.

    Most rows hold one post: they take their codes by a gather on the pair's index; only
    compound posts (书记兼主任) go through a join that repeats the row once per part.
    """
    table = raw.tables.get("appointments")
    if table is None:
        errors.add(_missing_table(raw))
        return empty("appointments"), empty("notices")
    if "unit" not in table.frame.columns or table.frame["unit"].null_count():  # the title names the unit
        unit = pl.col("unit").cast(pl.String) if "unit" in table.frame.columns else pl.lit(None, pl.String)
        table = RawTable(table.name, table.frame.with_columns(unit.fill_null("").alias("unit")), table.file, table.sheet,
                         table.headers, table.found_headers)
    r = _Reader(table, errors)
    if not r.require(REQUIRED["appointments"]) or r.frame.is_empty():
        return empty("appointments"), empty("notices")
    community_index = _index(r.frame["community"], communities["id"])
    unknown = community_index.is_null() & r.frame["community"].is_not_null()
    listed = raw.tables.get("communities")
    if unknown.any() and (listed is None or "id" in listed.frame.columns):  # else its missing column is the error
        errors.rows(table, r.frame.filter(unknown), "unknown_community", "community",
                    expected="社区表中的社区编码 / a community id listed in the communities table")
    typed = r.typed_many({"full_time": "yes_no", "start": "date", "end": "end_date"})
    posts = _posts(r).with_columns(pl.col("unit").cast(r.frame.schema["unit"]), pl.col("role").cast(r.frame.schema["role"]))
    for code in ("unknown_unit", "role_not_in_unit", "unit_needed"):
        bad_pairs = posts.filter(pl.col("error") == code).select("unit", "role")
        if not bad_pairs.is_empty():
            bad = r.frame.join(bad_pairs, on=["unit", "role"], how="semi", maintain_order="left")
            column = "unit" if code == "unknown_unit" else "role"
            if column == "unit":
                r.errors.rows(table, bad, code, column, expected=vocabulary.UNIT.expected)
            else:
                r.errors.rows(table, bad, code, column, expected_of=lambda rec: vocabulary.role_homes(str(rec["role"])))
    # A pair's index is (unit spelling × role spelling), from two small lookups; rosters have a
    # few dozen unit spellings and a few hundred role spellings, so the table stays small.
    unit_spelling = {u: i for i, u in enumerate(posts["unit"].unique(maintain_order=True).to_list())}
    role_spelling = {t: i for i, t in enumerate(posts["role"].unique(maintain_order=True).to_list())}
    width = max(len(role_spelling), 1)

    def pair_of(unit: pl.Series, role: pl.Series) -> pl.Series:
        return (_map_text(unit, unit_spelling, pl.UInt32()) * width  # type: ignore[arg-type]
                + _map_text(role, role_spelling, pl.UInt32())).alias("pair")  # type: ignore[arg-type]

    # Every row takes its pair's first post by a gather; the further parts of compound posts
    # (书记兼主任 → also 主任) are added as extra rows, so the big frame is never filtered.
    parts = posts.with_columns(pair_of(posts["unit"], posts["role"]))
    by_pair = pl.DataFrame({"pair": pl.int_range(len(unit_spelling) * width, dtype=pl.UInt32, eager=True)}).join(
        parts.filter(pl.col("part") == 0), on="pair", how="left", maintain_order="left")
    located = pl.DataFrame({
        "community": r.frame["community"], "c": community_index, "person": r.frame["person"], "p": person_index,
        "pair": pair_of(r.frame["unit"], r.frame["role"]),
        "full_time": typed["full_time"].fill_null(False), "start": typed["start"], "end": typed["end"],
        "role_text": r.frame["role"], ROW: r.frame[ROW], PATH: r.frame[PATH],
        SHEET: r.frame[SHEET] if SHEET in r.frame.columns else pl.repeat(table.sheet, r.frame.height, dtype=pl.String,
                                                                           eager=True),
    })
    usable = pl.col("c").is_not_null() & pl.col("p").is_not_null() & pl.col("pair").is_not_null()
    if not located.select(usable.all()).item():  # rows with input errors
        located = located.filter(usable)
    pair = located["pair"]
    first_posts = located.with_columns(unit=by_pair["unit_code"].gather(pair), role=by_pair["role_code"].gather(pair))
    unplaced = first_posts.head(0)
    if first_posts["unit"].null_count():  # unknown units, posts in the wrong unit: already errors
        unplaced = first_posts.filter(pl.col("unit").is_null() & (pl.col("role") == vocabulary.OTHER_ROLE))
        first_posts = first_posts.filter(pl.col("unit").is_not_null())
    further = parts.filter(pl.col("part") > 0).select(
        "pair", pl.col("unit_code").alias("unit"), pl.col("role_code").alias("role"))
    extra = located.join(further, on="pair", how="inner", maintain_order="left") if not further.is_empty() else None
    joined = first_posts if extra is None else pl.concat([first_posts, extra.select(first_posts.columns)])
    is_other = joined["role"] == vocabulary.OTHER_ROLE
    other = joined.select("community", "role_text", ROW, PATH, SHEET).filter(is_other).with_columns(
        pl.col("role_text").cast(pl.String))
    appointments = joined.select("community", "c", "person", "p", "unit", "role", "full_time", "start", "end").with_columns(
        label=pl.repeat(None, joined.height, dtype=pl.String, eager=True).scatter(is_other.arg_true(), other["role_text"])
        if other.height else pl.lit(None, pl.String))
    if unplaced.height:
        other = pl.concat([other, unplaced.select(other.columns).with_columns(pl.col("role_text").cast(pl.String))])
    notices = other.select(
        pl.lit("unknown_post").alias("code"), pl.lit(table.file, pl.String).alias("file"),
        pl.col(SHEET).alias("sheet"), pl.col(ROW).alias("row"), (pl.col(PATH) + ".role").alias("path"),
        pl.lit(table.header("role")).alias("column"), pl.col("role_text").alias("value"), "community",
        pl.lit(None, pl.String).alias("mapping"), pl.lit(None, pl.String).alias("message_zh"),
        pl.lit(None, pl.String).alias("message_en"),
    )
    return appointments, notices


PERSON_KINDS = {"education": "education", "police_officer": "yes_no", "political_legal_officer": "yes_no",
                "monthly_pay_yuan": "amount", "gender": "gender", "previous_monthly_pay_yuan": "amount"}


def _person_attributes(r: _Reader, rows: pl.DataFrame | None = None) -> pl.DataFrame:
    rows = r.frame if rows is None else rows
    typed = r.typed_many(PERSON_KINDS, rows)
    if "role" in rows.columns:  # 社区民警 is a police officer unless the 民警 column says otherwise
        for attribute, implied in _implied_by_titles(rows["role"]).items():
            typed[attribute] = typed[attribute].fill_null(implied)
    return pl.DataFrame({"person": _column(rows, "person"), "name": _column(rows, "name"), **typed})


def _implied_by_titles(role: pl.Series) -> dict[str, pl.Series]:
    """Per qualification a title can establish (domain.md §3): its value for each row, null where the title says nothing."""
    said: dict[str, dict[str, object]] = {}
    for text in _spellings(role, lambda t: t):
        for attribute, value in vocabulary.title_qualifications(text):
            said.setdefault(attribute, {})[text] = value
    return {attribute: _map_text(role, values, pl.Boolean()) for attribute, values in said.items()}


def _people_from_rows(r: _Reader, p: pl.Series, np_: int) -> pl.DataFrame:
    """One person per id, in the order of `p` (first appearance); a person on several rows
    must not say two different things.

    Each person is read from their first row. Rows that repeat it exactly (most do) need
    nothing more; only the persons with a row that differs (a blank here, a value there, or
    a real conflict) are merged value by value and checked for conflicts.
    """
    frame = r.frame
    is_first = _first_rows(p)
    raw = [c for c in ("name", *PERSON_KINDS) if c in frame.columns]
    # a person's 社区民警 row may say what their first row does not: what titles say is compared too
    implied = _implied_by_titles(frame["role"]) if "role" in frame.columns else {}
    first_rows = frame.select("person", *raw, *(["role"] if implied else [])).filter(is_first)
    people = _person_attributes(r, first_rows).with_columns(p=pl.int_range(np_, dtype=pl.UInt32, eager=True))
    if (raw or implied) and np_:
        # A row differs from its person's first row when its cells hash differently (a 64-bit
        # hash: two different rows alike by chance is a 1-in-10^19 event per pair).
        # categoricals hash by code: within a column, the same code is the same spelling
        cells = [pl.col(c).to_physical() if isinstance(frame.schema[c], pl.Categorical) else pl.col(c) for c in raw]
        hashes = frame.select(cells).with_columns(**{f"_title_{a}": v for a, v in implied.items()}).hash_rows()
        differs = (hashes != hashes.filter(is_first).gather(p)).fill_null(False)
        differing = p.filter(differs).unique().to_numpy()
        if differing.size:
            people = _merge_differing(r, people, p, differing)
    return people.select(list(SCHEMAS["people"])).cast(SCHEMAS["people"])  # type: ignore[arg-type]


def _first_rows(p: pl.Series) -> pl.Series:
    """Mask of the rows where a person appears first. Persons are numbered in that order, so a
    first appearance is where the running maximum of `p` grows."""
    known = p.is_not_null().to_numpy()
    first = np.zeros(len(known), dtype=bool)
    values = p.fill_null(0).to_numpy()[known].astype(np.int64)
    if values.size:
        running = np.maximum.accumulate(values)
        first[np.flatnonzero(known)[np.concatenate(([True], running[1:] > running[:-1]))]] = True
    return pl.Series("first", first)


def _person_numbers(person: pl.Series) -> pl.Series:
    """Each row's person index `p`: persons numbered in the order they first appear, so that
    the people table is simply the rows where each appears first, in file order."""
    known = person.is_not_null().to_numpy()
    ranks = (person.rank("dense") - 1).fill_null(0).cast(pl.Int64).to_numpy()[known]
    numbers = np.zeros(len(known), dtype=np.uint32)
    if ranks.size:
        rows = np.flatnonzero(known)
        first_row = np.zeros(int(ranks.max()) + 1, dtype=np.int64)
        first_row[ranks[::-1]] = rows[::-1]  # the last write of a reversed scatter wins
        number_of_rank = np.empty(first_row.size, dtype=np.uint32)
        number_of_rank[np.argsort(first_row, kind="stable")] = np.arange(first_row.size, dtype=np.uint32)
        numbers[known] = number_of_rank[ranks]
    result = pl.Series("p", numbers, dtype=pl.UInt32)
    return result if known.all() else pl.select(pl.when(pl.lit(pl.Series(known))).then(result)).to_series().alias("p")


def _merge_differing(r: _Reader, people: pl.DataFrame, p: pl.Series, differing: np.ndarray) -> pl.DataFrame:
    """Merge the rows of persons whose rows differ (first non-blank value) and report conflicts."""
    mask = p.is_in(pl.Series(differing, dtype=pl.UInt32).implode()).fill_null(False)
    rows = r.frame.filter(mask)
    typed = _person_attributes(r, rows).with_columns(p=p.filter(mask), community=_column(rows, "community"), **{
        ROW: rows[ROW], PATH: rows[PATH]})
    merged = typed.group_by("p").agg(
        *[pl.col(a).drop_nulls().first() for a in PERSON_ATTRIBUTES],
        *[(pl.col(a).drop_nulls().n_unique() > 1).alias(f"_clash_{a}") for a in PERSON_ATTRIBUTES],
    )
    clashing = merged.filter(pl.any_horizontal(pl.col("^_clash_.*$")))
    if not clashing.is_empty():
        _report_conflicts(r, typed, clashing)
    at = merged["p"]
    return people.with_columns([people[a].scatter(at, merged[a].cast(people.schema[a])) for a in PERSON_ATTRIBUTES])


def _report_conflicts(r: _Reader, typed: pl.DataFrame, clashing: pl.DataFrame) -> None:
    """For each person and attribute that disagree: an error at each row that differs from the first."""
    for attribute in PERSON_ATTRIBUTES:
        persons = clashing.filter(pl.col(f"_clash_{attribute}").fill_null(False)).select("p")
        if persons.is_empty():
            continue
        seen = typed.join(persons, on="p", how="semi", maintain_order="left").filter(pl.col(attribute).is_not_null())
        first = seen.unique("p", keep="first", maintain_order=True).select(
            "p", pl.col(attribute).alias("first_value"), pl.col(ROW).alias("first_row"), pl.col(PATH).alias("first_path"))
        later = seen.join(first, on="p").filter(pl.col(attribute) != pl.col("first_value"))
        r.errors.rows(r.table, later, "conflicting_person", attribute, value_column="person",
                      expected_of=lambda rec: f"第{rec['first_row']}行 / row {rec['first_row']}"
                      if rec["first_row"] is not None else str(rec["first_path"]))
        r.errors.communities.update(seen["community"].drop_nulls().to_list())


def _people_listed(raw: RawRoster, errors: _Errors) -> pl.DataFrame:
    """Documents list people apart; their index `p` is their place in the list."""
    assert raw.people is not None
    r = _Reader(raw.people, errors)
    r.require(REQUIRED["people"])
    r.unique(["person"], "person")
    people = _person_attributes(r).unique("person", keep="first", maintain_order=True).with_row_index("p")
    appointments = raw.tables.get("appointments")
    if appointments is not None and {"person", "role"} <= set(appointments.frame.columns):
        people = _with_titles_qualifications(people, appointments.frame)
    return people.select(list(SCHEMAS["people"])).cast(SCHEMAS["people"])  # type: ignore[arg-type]


def _with_titles_qualifications(people: pl.DataFrame, appointments: pl.DataFrame) -> pl.DataFrame:
    """People listed apart (documents): what their posts' titles say of them fills what they
    leave blank, the first such post in document order deciding (as `orgmodel.small` does)."""
    implied = _implied_by_titles(appointments["role"])
    if not implied:
        return people
    said = pl.DataFrame({"person": appointments["person"], **implied}).group_by("person", maintain_order=True).agg(
        [pl.col(a).drop_nulls().first() for a in implied])
    joined = people.join(said, on="person", how="left", suffix="_title", maintain_order="left")
    return joined.with_columns([pl.col(a).fill_null(pl.col(f"{a}_title")) for a in implied]).drop(
        [f"{a}_title" for a in implied])


def _people(raw: RawRoster, errors: _Errors) -> tuple[pl.DataFrame, pl.Series]:
    """The people, and for each raw appointment row its person index `p` (null if unknown)."""
    table = raw.tables.get("appointments")
    if table is None or "person" not in table.frame.columns:
        return empty("people"), pl.Series("p", [], dtype=pl.UInt32)
    if raw.people is not None:
        people = _people_listed(raw, errors)
        p = _index(table.frame["person"], people["person"])
        unknown = p.is_null() & table.frame["person"].is_not_null()
        if unknown.any():
            errors.rows(table, table.frame.filter(unknown), "unknown_person", "person",
                        expected="人员表中的人员编号 / a person id listed in the roster")
        return people, p
    p = _person_numbers(table.frame["person"])
    highest = p.max()
    return _people_from_rows(_Reader(table, errors), p, 0 if highest is None else int(highest) + 1), p  # type: ignore[arg-type]


def _optional(raw: RawRoster, name: str, communities: pl.DataFrame, errors: _Errors) -> _Reader | None:
    """A reader for an optional per-community table (机构, 关系, 事项), or None when it is absent
    or unusable (its missing columns are already errors)."""
    table = raw.tables.get(name)
    if table is None or table.frame.is_empty():
        return None
    r = _Reader(table, errors)
    if not r.require(REQUIRED[name]):
        return None
    r.known("community", communities["id"], "unknown_community", "社区表中的社区编码")
    return r


def _units(raw: RawRoster, communities: pl.DataFrame, errors: _Errors) -> pl.DataFrame:
    r = _optional(raw, "units", communities, errors)
    if r is None:
        return empty("units")
    return pl.DataFrame({"community": r.text("community"), "unit": r.typed("unit", "unit"), "name": r.text("name")})


def _end(r: _Reader, column: str) -> tuple[pl.Series, pl.Series]:
    """A relation end: a unit of the community, or 政府:<name> for a government body."""
    text = r.text(column)
    government, _ = _lookup(text, vocabulary.parse_government, pl.String())
    unit, bad_unit = _lookup(text, vocabulary.UNIT.parse, UNIT)
    bad = bad_unit & government.is_null()
    if bad.any():
        r.errors.rows(r.table, r.frame.filter(bad), "invalid_value", column,
                      expected="本社区的机构,或“政府:名称” / a unit, or 政府:<name> for a government body")
    return unit, government


def _relations(raw: RawRoster, communities: pl.DataFrame, errors: _Errors) -> pl.DataFrame:
    r = _optional(raw, "relations", communities, errors)
    if r is None:
        return empty("relations")
    from_unit, from_government = _end(r, "from")
    to_unit, to_government = _end(r, "to")
    return pl.DataFrame({
        "community": r.text("community"), "from_unit": from_unit, "from_government": from_government,
        "to_unit": to_unit, "to_government": to_government, "type": r.typed("type", "relation"),
    })


def _tasks(raw: RawRoster, communities: pl.DataFrame, errors: _Errors) -> pl.DataFrame:
    r = _optional(raw, "tasks", communities, errors)
    if r is None:
        return empty("tasks")
    category, _ = _lookup(r.text("category"), vocabulary.TASK_CATEGORY.parse, pl.String())  # unknown → T1, not an input error
    return pl.DataFrame({
        "community": r.text("community"), "id": r.text("id"), "name": r.text("name"),
        "assigned_by": r.text("assigned_by"), "category": category, "category_text": r.text("category"),
        "approved": r.typed("approved", "yes_no"), "authorization": r.text("authorization"),
        "funded": r.typed("funded", "yes_no"), "purchase_contract": r.text("purchase_contract"),
    })


def _facilities(raw: RawRoster, communities: pl.DataFrame, errors: _Errors) -> pl.DataFrame:
    r = _optional(raw, "facilities", communities, errors)
    if r is None:
        return empty("facilities")
    name = r.text("name")
    by_name, _ = _lookup(name, lambda text: vocabulary.facility_category(text), pl.String())
    return pl.DataFrame({
        "community": r.text("community"), "name": name,
        "category": r.typed("category", "facility_category").fill_null(by_name), "area_m2": r.typed("area_m2", "amount"),
    })


def _leadership(raw: RawRoster, regions: pl.DataFrame, errors: _Errors) -> pl.DataFrame:
    """The regions' leadership groups (领导小组): each member's post in the group and office (本职)."""
    table = raw.tables.get("leadership")
    if table is None or table.frame.is_empty():
        return empty("leadership")
    r = _Reader(table, errors, community_column=None)
    if not r.require(REQUIRED["leadership"]):
        return empty("leadership")
    r.known("region", regions["id"], "unknown_region", "区域表中的区域编码 / a region id listed in the regions table")
    title = r.text("office_title")
    code = r.text("office")
    office, _ = _lookup(code.fill_null(title), vocabulary.parse_office, pl.String())
    return pl.DataFrame({
        "region": r.text("region"), "group_name": r.text("group_name"), "name": r.text("name"),
        "role": r.typed("role", "leadership_role"), "office": office, "office_title": title,
    })


@dataclass
class Normalized:
    roster: Roster
    errors: list[InputError]
    invalid_communities: set[str]
    fatal: bool


def normalize(raw: RawRoster) -> Normalized:
    """Read every table; collect every error. The roster is only usable when `errors` is empty
    (or, with --skip-invalid, without `invalid_communities` when not `fatal`)."""
    errors = _Errors()
    for error in raw.errors:
        errors.add(error)
    raw = office_layout.complete(raw)
    regions = _regions(raw, errors)
    communities = _communities(raw, regions, errors)
    with ThreadPoolExecutor(max_workers=1) as side:
        # the per-community tables (a province's facilities are a million rows) are read on a
        # second thread while this one reads the people and posts: polars leaves the GIL
        others = side.submit(lambda: {
            "units": _units(raw, communities, errors), "relations": _relations(raw, communities, errors),
            "tasks": _tasks(raw, communities, errors), "facilities": _facilities(raw, communities, errors),
            "leadership": _leadership(raw, regions, errors)})
        people, person_index = _people(raw, errors)
        appointments, notices = _appointments(raw, communities, person_index, errors)
        tables = others.result()
    if communities.is_empty() and not errors.items:
        errors.add(input_error("no_communities", file=raw.source))
    app_table = raw.tables.get("appointments")
    roster = Roster(
        communities=communities, appointments=appointments.select(list(SCHEMAS["appointments"])), people=people,
        regions=regions, **tables, has_facilities="facilities" in raw.tables,
        notices=pl.concat([_column_mappings(raw), notices]),
        id_numbers=app_table is not None and app_table.id_numbers,
    )
    errors.communities.discard("")
    return Normalized(roster, sorted_errors(errors.items, _column_order(raw)), errors.communities, errors.fatal)


def _column_order(raw: RawRoster) -> dict[tuple[str | None, str | None, str], int]:
    """(file, sheet, header) → the column's place in its sheet, so errors sort left to right."""
    order: dict[tuple[str | None, str | None, str], int] = {}
    for reading in raw.readings:
        for j, header in enumerate(reading.columns):
            order.setdefault((reading.file, reading.sheet, header), j)
    return order


def _title_readings(raw: RawRoster) -> dict[str | None, list[dict[str, object]]]:
    """Per sheet: the post titles read through a unit prefix or split into parts, with their row counts."""
    table = raw.tables.get("appointments")
    if table is None or "role" not in table.frame.columns:
        return {}
    spelled = {t: vocabulary.title_parts(t) for t in _spellings(table.frame["role"], lambda t: t)}
    read_through = [t for t, parts in spelled.items() if len(parts) > 1 or any(p.unit is not None for p in parts)]
    if not read_through:
        return {}
    read = _map_text(table.frame["role"], dict.fromkeys(read_through, True), pl.Boolean()).fill_null(False)
    columns = [c for c in ("role", SHEET, "unit") if c in table.frame.columns]
    frame = table.frame.select(columns).filter(read).select(  # the few rows first
        "role",
        (pl.col(SHEET) if SHEET in table.frame.columns else pl.lit(table.sheet, pl.String)).alias("sheet"),
        (pl.col("unit") if "unit" in table.frame.columns else pl.lit(None, pl.String)).alias("unit"),
    )
    counts = frame.group_by("sheet", "role", "unit").len().with_columns(pl.col("role", "unit").cast(pl.String))
    tally: dict[str | None, dict[tuple[str, tuple[str, ...]], int]] = {}
    for sheet, role, unit, rows in counts.iter_rows():
        posts = vocabulary.parse_post(unit or None, role)
        if not isinstance(posts, str):
            key = (role, tuple(f"{p.unit}.{p.role}" for p in posts))
            per_sheet = tally.setdefault(sheet, {})
            per_sheet[key] = per_sheet.get(key, 0) + rows
    return {sheet: [{"title": title, "read_as": list(read_as), "rows": rows}
                    for (title, read_as), rows in sorted(counts.items())] for sheet, counts in tally.items()}


def _column_mappings(raw: RawRoster) -> pl.DataFrame:
    """One `column_mapping` notice per sheet or CSV file read (formats.md §2)."""
    titles = _title_readings(raw)
    rows = []
    for reading in raw.readings:
        read_titles = titles.get(reading.sheet, []) if reading.table == "appointments" else []
        mapping = {"header_row": reading.header_row, "columns": reading.columns, "unused": list(reading.unused),
                   "community": reading.community, "titles": read_titles}
        zh, en = vocabulary.mapping_messages(reading.table, reading.header_row, reading.columns, reading.unused,
                                             reading.community, read_titles)
        rows.append({"code": "column_mapping", "file": reading.file, "sheet": reading.sheet, "row": reading.header_row,
                     "path": None, "column": None, "value": vocabulary.TABLE_NAMES[reading.table][0], "community": None,
                     "mapping": json.dumps(mapping, ensure_ascii=False), "message_zh": zh, "message_en": en})
    return pl.DataFrame(rows, schema=SCHEMAS["notices"])


def load(raw: RawRoster, skip_invalid: bool = False) -> tuple[Roster, dict[str, list[InputError]]]:
    """The roster to check, and the communities skipped with their errors.

    Raises RosterInputError unless the input is clean, or `skip_invalid` is set and every
    error belongs to a community that can be left out.
    """
    result = normalize(raw)
    if not result.errors:
        return result.roster, {}
    if not skip_invalid or result.fatal:
        raise RosterInputError(result.errors)
    skipped: dict[str, list[InputError]] = {c: [] for c in sorted(result.invalid_communities)}
    for error in result.errors:
        if error.community_id in skipped:
            skipped[error.community_id].append(error)
    roster = result.roster.without(result.invalid_communities)
    if roster.communities.is_empty():
        raise RosterInputError(result.errors)
    return roster, skipped
