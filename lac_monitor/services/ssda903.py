"""SSDA903 import (seed a register) and export (the annual return's Header, Episodes and
Missing files). Facts in shared/reference/ssda903.md.

Import is all or nothing: every row is checked first (streaming, keeping only ids and dates)
and any problem is reported as "file line N, COLUMN: rule"; then the files are read again and
saved in chunks inside one transaction, so nothing is saved unless every file is clean.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path

from sqlalchemy import bindparam, func, insert, select, update

from lac_monitor.domain import access, codes, fields, record
from lac_monitor.domain.access import Permission
from lac_monitor.domain.changes import ChangeKind, RegisterChanged
from lac_monitor.domain.clock import Clock, SystemClock
from lac_monitor.domain.errors import AccessRefusedError, LacError, ValidationError
from lac_monitor.domain.localtime import council_tz, local_date, to_utc
from lac_monitor.services.uow import Actor, UnitOfWork
from lac_monitor.storage.database import Database
from lac_monitor.storage.files import private_folder, write_private
from lac_monitor.storage.schema import CareEpisode, Child, MissingEpisode

HEADER_COLS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
EPISODE_COLS = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
)
MISSING_COLS = ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END")
NAMES_COLS = ("CHILD", "FIRST_NAME", "LAST_NAME", "PREFERRED_NAME")
MAX_REPORTED = 25
_NAME_FIELDS = (
    ("FIRST_NAME", "child.first_name"),
    ("LAST_NAME", "child.last_name"),
    ("PREFERRED_NAME", "child.preferred_name"),
)


class ImportFileError(LacError):
    """One or more problems in the files; `problems` lists each with file, line and column."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_REPORTED]
        more = f"; … and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        # One line (scripts read it; a terminal wraps it): the first problems, then a count.
        super().__init__(
            f"the import was refused and nothing was saved ({len(problems)} problem"
            f"{'' if len(problems) == 1 else 's'}): " + "; ".join(shown) + more
        )


def fmt(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def year_bounds(year: int) -> tuple[date, date]:
    """Collection year "2026" runs 01/04/2025 to 31/03/2026."""
    return date(year - 1, 4, 1), date(year, 3, 31)


# -- export ------------------------------------------------------------------------
@dataclass(frozen=True)
class ExportSummary:
    children: int
    episodes: int
    missing: int
    files: tuple[Path, ...]
    notes: tuple[str, ...] = ()


MAX_MISSING_PER_CHILD = 366  # the DfE XML schema's maxOccurs for a child's missing periods
IN_CHUNK = 500  # ids per IN (...) list: well inside SQLite's variable limit


def chunks(ids: Sequence[str], size: int = IN_CHUNK) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def safe_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection): text that begins with
    = + - @ (or a tab / carriage return) gets a leading apostrophe."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def write_csv(path: Path, cols: Sequence[str], rows: Iterable[Mapping[str, str]]) -> None:
    """Every CSV the app writes goes through here, so every cell is neutralised and the file
    is the owner's alone (written whole, then moved into place)."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(cols)
    for row in rows:
        w.writerow([safe_cell(str(row.get(c, "") or "")) for c in cols])
    write_private(path, buf.getvalue().encode("utf-8"))


def place_for_year(place: str, year: int) -> str:
    """The code the year's return uses: before 2024-25, supported accommodation (K3 since)
    was H5; before 2025-26 the other arrangements (Z11-Z14 since) were Z1."""
    if year <= 2024 and place == "K3":
        return "H5"
    if year <= 2025 and place in ("Z11", "Z12", "Z13", "Z14"):
        return "Z1"
    return place


_PLACE_NOW = {"H5": "K3", "Z1": "Z14"}  # codes of returns before 2024-25 / 2025-26
_SEX_NOW = {"1": "M", "2": "F"}  # SEX of returns before 2024-25


def sex_for_year(sex: str, year: int) -> str:
    """From 2024-25 SEX is M/F/U; earlier returns used 1 (male) and 2 (female)."""
    if year <= 2024:
        return {"M": "1", "F": "2"}.get(sex, sex)
    return sex


def mother_at(child: Child, on: date) -> tuple[str, str]:
    """MOTHER and MC_DOB as they stood on `on` (31 March of the collection year): a girl whose
    first child was born after that day was not yet a mother in that year's return."""
    if child.sex != "F" or child.mother is None:
        return "", ""
    if child.mother and child.mc_dob is not None and child.mc_dob <= on:
        return "1", fmt(child.mc_dob)
    return "0", ""


def missing_segments(start: date, end: date | None, care: list[CareEpisode]) -> list[tuple[date, date | None]]:
    """The rows a missing period becomes in the return. A period may not outlive the placement
    episode it began in, so it is split at each placement change (the next row starts the day
    the move happened) and ends on the day care ends (a young person still missing at 18 leaves
    care E8; the period ends that day). A period that begins on the day of a move belongs to the
    new placement only: it is never counted twice."""
    out: list[tuple[date, date | None]] = []
    eps = sorted(care, key=lambda c: (c.decom, c.id))
    for i, ce in enumerate(eps):
        if ce.dec is not None and ce.dec < start:
            continue
        if end is not None and ce.decom > end:
            break
        if out and ce.decom != out[-1][1]:
            break  # a gap in care: the period cannot go on outside care
        nxt = eps[i + 1] if i + 1 < len(eps) else None
        if ce.dec is not None and ce.dec == start and nxt is not None and nxt.decom == ce.dec and not out:
            continue  # went missing on the day of the move: from the new placement
        seg_start = max(start, ce.decom)
        if ce.dec is None:
            seg_end = end
        else:
            seg_end = ce.dec if end is None else min(end, ce.dec)
        out.append((seg_start, seg_end))
        if ce.dec is None or (end is not None and end <= ce.dec):
            break
    return out


def export(db: Database, year: int, out_dir: Path, codes_year: int | None = None) -> ExportSummary:
    """Header, Episodes and Missing for collection `year` (2026 = April 2025 to March 2026):
    the position at 31 March of that year, whatever today is. `codes_year` writes the codes
    of another year's return (last year's files sent beside this year's use this year's SEX
    and PLACE codes, so that the checks across the years compare like with like)."""
    if not 1992 <= year <= 2100:
        raise ValidationError("--year", "must be a collection year from 1992 to 2100 (e.g. 2026)")
    first, last = year_bounds(year)
    cyear = codes_year or year
    data = _load_year(db, first, last)
    header = [_header_row(data.children[i], last, cyear) for i in data.ids]
    episodes = [_episode_row(ce, last, cyear) for ce in data.care_rows]
    mis_rows, per_child = _missing_rows(data, first, last)
    notes = [
        *_capped_notes(per_child),
        *(note for ce in data.care_rows if (note := _episode_gaps_note(ce))),
        *(note for cid in data.ids for note in _child_notes(data.children[cid])),
    ]
    out_dir = private_folder(out_dir)
    files = []
    for name, cols, rows in (
        ("header.csv", HEADER_COLS, header),
        ("episodes.csv", EPISODE_COLS, episodes),
        ("missing.csv", MISSING_COLS, mis_rows),
    ):
        path = out_dir / name
        write_csv(path, cols, rows)
        files.append(path)
    return ExportSummary(len(header), len(episodes), len(mis_rows), tuple(files), tuple(notes))


@dataclass
class _YearData:
    """What one year's return is written from: the episodes of care open in the year, and
    their children's every episode of care and missing period up to the year's end."""

    care_rows: Sequence[CareEpisode]
    ids: list[str]
    children: dict[str, Child]
    all_care: dict[str, list[CareEpisode]]
    missing: list[MissingEpisode]


def _load_year(db: Database, first: date, last: date) -> _YearData:
    with db.read_session() as s:
        care_rows = s.scalars(
            select(CareEpisode)
            .where(CareEpisode.decom <= last, (CareEpisode.dec.is_(None)) | (CareEpisode.dec >= first))
            .order_by(CareEpisode.child_id, CareEpisode.decom)
        ).all()
        ids = sorted({c.child_id for c in care_rows})
        data = _YearData(care_rows, ids, {}, defaultdict(list), [])
        for part in chunks(ids):
            data.children.update({c.id: c for c in s.scalars(select(Child).where(Child.id.in_(part)))})
            for ce in s.scalars(select(CareEpisode).where(CareEpisode.child_id.in_(part))):
                data.all_care[ce.child_id].append(ce)
            data.missing.extend(
                s.scalars(
                    select(MissingEpisode)
                    .where(
                        MissingEpisode.child_id.in_(part),
                        MissingEpisode.started_at < _local_midnight(last + timedelta(days=1)),
                    )
                    .order_by(MissingEpisode.child_id, MissingEpisode.started_at)
                )
            )
    return data


def _header_row(c: Child, last: date, cyear: int) -> dict[str, str]:
    mother, mc_dob = mother_at(c, last)
    return {
        "CHILD": c.id,
        "SEX": sex_for_year(c.sex, cyear),
        "DOB": fmt(c.dob),
        "ETHNIC": c.ethnicity,
        "UPN": c.upn or "",
        "MOTHER": mother,
        "MC_DOB": mc_dob,
    }


def _episode_row(ce: CareEpisode, last: date, cyear: int) -> dict[str, str]:
    """An episode that ends after the year's end is open in that year's return."""
    ended = ce.dec is not None and ce.dec <= last
    return {
        "CHILD": ce.child_id,
        "DECOM": fmt(ce.decom),
        "RNE": ce.rne,
        "LS": ce.ls,
        "CIN": ce.cin,
        "PLACE": place_for_year(ce.place, cyear),
        "PLACE_PROVIDER": ce.place_provider or "",
        "DEC": fmt(ce.dec) if ended else "",
        "REC": (ce.rec or "") if ended else "",
        "REASON_PLACE_CHANGE": (ce.reason_place_change or "") if ended else "",
        "HOME_POST": (ce.home_post or "").upper(),
        "PL_POST": (ce.pl_post or "").upper(),
        "URN": (ce.urn or "") if record.urn_needed(ce.place) else "",
    }


def _missing_rows(data: _YearData, first: date, last: date) -> tuple[list[dict[str, str]], dict[str, int]]:
    """The year's missing rows (each period split at placement changes), at most
    MAX_MISSING_PER_CHILD a child; and how many each child had."""
    rows: list[dict[str, str]] = []
    per_child: dict[str, int] = defaultdict(int)
    for ep in data.missing:
        start = local_date(ep.started_at)
        end = local_date(ep.returned_at) if ep.returned_at else None
        for seg_start, seg_end in missing_segments(start, end, data.all_care[ep.child_id]):
            if seg_start > last or (seg_end is not None and seg_end < first):
                continue
            per_child[ep.child_id] += 1
            if per_child[ep.child_id] > MAX_MISSING_PER_CHILD:
                continue
            open_at_year_end = seg_end is None or seg_end > last
            rows.append(
                {
                    "CHILD": ep.child_id,
                    "DOB": fmt(data.children[ep.child_id].dob),
                    "MISSING": ep.category,
                    "MIS_START": fmt(seg_start),
                    "MIS_END": "" if open_at_year_end else fmt(seg_end),
                }
            )
    return rows, per_child


def _capped_notes(per_child: dict[str, int]) -> Iterator[str]:
    for cid, n in sorted(per_child.items()):
        if n > MAX_MISSING_PER_CHILD:
            yield (
                f"child {cid}: {n} missing periods in the year; the return holds at most "
                f"{MAX_MISSING_PER_CHILD}, so the first {MAX_MISSING_PER_CHILD} were written"
            )


def _episode_gaps_note(ce: CareEpisode) -> str | None:
    gaps = [
        name
        for name, missing in (
            ("URN", record.urn_needed(ce.place) and not ce.urn),
            ("PL_POST", not ce.pl_post and ce.ls not in ("V3", "V4")),
            ("HOME_POST", not ce.home_post and ce.ls not in ("V3", "V4")),
        )
        if missing
    ]
    if not gaps:
        return None
    return (
        f"child {ce.child_id}, episode from {fmt(ce.decom)}: {', '.join(gaps)} not recorded "
        "(the DfE's validator will query it)"
    )


def _child_notes(c: Child) -> Iterator[str]:
    if not c.upn:
        yield f"child {c.id}: UPN not recorded (a UPN, or UN1-UN5)"
    if c.sex == "F" and c.mother is None:
        yield (
            f"child {c.id}: MOTHER is not recorded (lac-monitor child update {c.id} --not-mother "
            "or --mother-child-dob DATE)"
        )


# -- import ------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportSummary:
    children: int
    skipped_existing: int
    care_episodes: int
    missing_episodes: int
    urn_missing: int = 0  # episodes whose placement type needs a URN the file left blank


_Period = tuple[int, date, date | None]  # line, MIS_START, MIS_END: what the cross-row checks need


@dataclass(frozen=True, slots=True)
class _Care:
    """What the cross-row checks need of one episode row (the row itself is read again to save)."""

    line: int
    decom: date
    dec: date | None
    rec: str


MAX_CELL = 200  # longer than any SSDA903 value; a name column may be up to 100
ROW_CHUNK = 500  # rows saved per flush and per IN (...) look-up while importing


class _Rows:
    """One CSV file, read as a stream each time it is iterated (a file of any size never sits
    in memory whole); each row keeps its line number for "file line N, COLUMN: rule"
    messages. Problems of form (headers, row length, cell length, encoding) go to `problems`
    on the first reading."""

    def __init__(self, path: Path, expected: Sequence[str], problems: list[str]) -> None:
        self.path = path
        self.name = path.name
        self.expected = expected
        self.problems = problems
        self._line = 0

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        try:
            fh = self.path.open(encoding="utf-8-sig", newline="")
        except OSError as exc:
            self.problems.append(f"{self.name}: cannot be read ({exc.strerror})")
            return
        with fh:
            try:
                yield from self._read(fh)
            except UnicodeDecodeError:
                self.problems.append(f"{self.name}: is not UTF-8 text")
            except csv.Error as exc:
                self.problems.append(f"{self.name} line {self._line}: {exc} (is it a CSV file?)")

    def _read(self, fh: io.TextIOBase) -> Iterator[tuple[int, dict[str, str]]]:
        problems, expected = self.problems, self.expected
        reader = csv.reader(fh)  # type: ignore[arg-type]
        self._line = 1
        got = next(reader, [])
        exp = set(expected)
        if set(got) != exp or len(got) != len(exp):
            missing = sorted(exp - set(got))
            extra = sorted(set(got) - exp)
            parts = []
            if missing:
                parts.append(f"missing columns {', '.join(missing)}")
            if extra:
                parts.append(f"unexpected columns {', '.join(repr(e) for e in extra)}")
            if not parts:
                parts.append("a column is repeated")
            problems.append(
                f"{self.name}: the column headers must be exactly {','.join(expected)} ({'; '.join(parts)})"
            )
            return
        for values in reader:
            self._line = reader.line_num
            if not values:
                continue
            if len(values) != len(got):
                problems.append(f"{self.name} line {reader.line_num}: wrong number of values")
                continue
            row = {}
            for col, v in zip(got, values, strict=True):
                v = v.strip()
                if len(v) > MAX_CELL:
                    problems.append(f"{self.name} line {reader.line_num}, {col}: is longer than {MAX_CELL} characters")
                    v = v[:MAX_CELL]
                row[col] = v
            yield reader.line_num, row
            if len(problems) > 10 * MAX_REPORTED:
                return  # enough to tell the user; no need to read on

    def chunks(self, size: int = ROW_CHUNK) -> Iterator[list[tuple[int, dict[str, str]]]]:
        part: list[tuple[int, dict[str, str]]] = []
        for item in self:
            part.append(item)
            if len(part) >= size:
                yield part
                part = []
        if part:
            yield part


class _Row:
    """Where one row's problems go, each as "file line N, COLUMN: rule"."""

    __slots__ = ("problems", "where")

    def __init__(self, problems: list[str], name: str, line: int) -> None:
        self.problems = problems
        self.where = f"{name} line {line}"

    def add(self, col: str, rule: str) -> None:
        self.problems.append(f"{self.where}, {col}: {rule}")

    def refused(self, exc: ValidationError) -> None:
        self.problems.append(f"{self.where}, {exc}")

    def when(self, col: str, text: str, required: bool = True) -> date | None:
        if not text:
            if required:
                self.add(col, "is required")
            return None
        try:
            value = datetime.strptime(text, "%d/%m/%Y").date()
            fields.check_year(col, value)
        except ValueError:
            self.add(col, f"'{text[:20]}' is not a date as DD/MM/YYYY")
            return None
        except ValidationError as exc:
            self.refused(exc)
            return None
        return value

    def code(self, col: str, text: str, allowed: Iterable[str], required: bool = True) -> None:
        if not text:
            if required:
                self.add(col, "is required")
        elif text not in set(allowed):
            self.add(col, f"'{text}' is not a known code")

    def not_future(self, today: date, *dates: tuple[str, date | None]) -> None:
        for col, value in dates:
            if value and value > today:
                self.add(col, "cannot be in the future")

    def not_before(self, col: str, value: date | None, other_col: str, other: date | None) -> None:
        if value and other and value < other:
            self.add(col, f"cannot be before {other_col}")


def _local_midnight(d: date) -> datetime:
    return to_utc(datetime.combine(d, time(), tzinfo=council_tz()))


def _parse_date(text: str) -> date | None:
    """A date the first pass has already checked (DD/MM/YYYY)."""
    if not text:
        return None
    day, month, year = text.split("/")
    return date(int(year), int(month), int(day))


def _placement_cells(r: dict[str, str]) -> tuple[str | None, str | None, str | None]:
    """HOME_POST, PL_POST and URN in the form the service stores (domain/record.py): the
    window, the CLI and the import apply the same rules. A URN the return needs but the file
    leaves blank is accepted (as in the window and the CLI) and counted."""
    return (
        record.normalise_postcode("HOME_POST", r["HOME_POST"]),
        record.normalise_postcode("PL_POST", r["PL_POST"]),
        record.check_urn(r["PLACE"], r["URN"]),
    )


@dataclass
class _Checked:
    """What the first reading keeps: ids, dates of birth and, per child, the dates of each
    episode and missing period (what the cross-row checks need), not the rows."""

    dob: dict[str, date | None] = field(default_factory=dict)
    care: dict[str, list[_Care]] = field(default_factory=lambda: defaultdict(list))
    mis: dict[str, list[_Period]] = field(default_factory=lambda: defaultdict(list))
    urn_missing: int = 0


def _check_files(h: _Rows, e: _Rows, m: _Rows | None, n: _Rows | None, today: date, problems: list[str]) -> _Checked:
    """First pass: every row checked, streaming, one file and one family of rules at a time."""
    out = _Checked()
    _check_header(h, today, problems, out)
    _check_episodes(e, h.name, today, problems, out)
    _check_care_overlaps(e.name, out.care, problems)
    if m is not None:
        _check_missing(m, h.name, today, problems, out)
        _check_missing_overlaps(m.name, out.mis, problems)
    if n is not None:
        _check_names(n, problems)
    _check_open_after_care(m.name if m else "missing", out, problems)
    return out


# Header: each child once, with known codes and a believable date of birth.
def _check_header(h: _Rows, today: date, problems: list[str], out: _Checked) -> None:
    upper_ids: set[str] = set()
    for line, r in h:
        row = _Row(problems, h.name, line)
        cid = r["CHILD"]
        if not _child_id_ok(row, cid, upper_ids):
            continue
        row.code("SEX", _SEX_NOW.get(r["SEX"], r["SEX"]), codes.SEX)
        dob = _check_dob(row, r["DOB"], today)
        row.code("ETHNIC", r["ETHNIC"], codes.ETHNIC)
        _check_upn_and_mother(row, r)
        out.dob[cid] = dob


def _child_id_ok(row: _Row, cid: str, seen_upper: set[str]) -> bool:
    if not cid or len(cid) > 10 or not cid.isalnum():
        row.add("CHILD", "must be 1 to 10 letters or digits")
        return False
    if cid.upper() in seen_upper:
        row.add("CHILD", f"{cid} appears twice (child ids differing only in case are the same child)")
    seen_upper.add(cid.upper())
    return True


def _check_dob(row: _Row, text: str, today: date) -> date | None:
    dob = row.when("DOB", text)
    if dob and dob > today:
        row.add("DOB", "cannot be in the future")
    elif dob and dob.year < today.year - 26:
        row.add("DOB", "gives an age over 25: check the year")
    return dob


def _check_upn_and_mother(row: _Row, r: dict[str, str]) -> None:
    upn = r["UPN"]
    if upn and not codes.is_valid_upn(upn):
        row.add("UPN", f"'{upn}' must be a letter (not I, O, S) and 12 digits, 11 digits and a letter, or UN1–UN5")
    if r["MOTHER"] not in ("", "0", "1"):
        row.add("MOTHER", "must be 1, 0 or blank")
    row.when("MC_DOB", r["MC_DOB"], required=False)


# Episodes: a child of the Header, known codes, dates in order, episodes one after another.
def _check_episodes(e: _Rows, hname: str, today: date, problems: list[str], out: _Checked) -> None:
    for line, r in e:
        row = _Row(problems, e.name, line)
        cid = r["CHILD"]
        if cid not in out.dob:
            row.add("CHILD", f"{cid} is not in {hname}")
            continue
        decom = row.when("DECOM", r["DECOM"])
        dec = row.when("DEC", r["DEC"], required=False)
        r["PLACE"] = _PLACE_NOW.get(r["PLACE"], r["PLACE"])  # earlier years' codes, as today's
        _check_episode_codes(row, r, ended=dec is not None)
        row.not_before("DEC", dec, "DECOM", decom)
        row.not_before("DECOM", decom, "the child's DOB", out.dob[cid])
        row.not_future(today, ("DECOM", decom), ("DEC", dec))
        if _urn_left_blank(row, r):
            out.urn_missing += 1
        if decom:
            out.care[cid].append(_Care(line, decom, dec, r["REC"]))


def _check_episode_codes(row: _Row, r: dict[str, str], ended: bool) -> None:
    row.code("RNE", r["RNE"], codes.RNE)
    row.code("LS", r["LS"], codes.LS)
    row.code("CIN", r["CIN"], codes.CIN)
    row.code("PLACE", r["PLACE"], codes.PLACE)
    provider_needed = r["PLACE"] not in codes.TEMPORARY_OR_OTHER_PLACE
    row.code("PLACE_PROVIDER", r["PLACE_PROVIDER"], codes.PLACE_PROVIDER, required=provider_needed)
    row.code("REC", r["REC"], codes.REC, required=ended)
    row.code("REASON_PLACE_CHANGE", r["REASON_PLACE_CHANGE"], codes.REASON_PLACE_CHANGE, required=False)


def _urn_left_blank(row: _Row, r: dict[str, str]) -> bool:
    """Postcodes and URN checked as the window checks them; True when the placement needs a
    URN the file leaves blank (accepted, and counted in the summary)."""
    try:
        _home, _pl, urn = _placement_cells(r)
    except ValidationError as exc:
        row.refused(exc)
        return False
    return urn is None and r["PLACE"] in codes.PLACE and record.urn_needed(r["PLACE"])


def _check_care_overlaps(ename: str, care: dict[str, list[_Care]], problems: list[str]) -> None:
    for eps in care.values():
        eps.sort(key=lambda x: x.decom)
        for prev, nxt in pairwise(eps):
            if prev.dec is None or nxt.decom < prev.dec:
                problems.append(f"{ename} line {nxt.line}, DECOM: overlaps the child's episode on line {prev.line}")


# Missing: a child of the Header, the same DOB, each period inside care, periods apart.
def _check_missing(m: _Rows, hname: str, today: date, problems: list[str], out: _Checked) -> None:
    for line, r in m:
        row = _Row(problems, m.name, line)
        cid = r["CHILD"]
        if cid not in out.dob:
            row.add("CHILD", f"{cid} is not in {hname}")
            continue
        dob = row.when("DOB", r["DOB"])
        if dob and dob != out.dob[cid]:
            row.add("DOB", f"differs from the DOB in {hname}")
        row.code("MISSING", r["MISSING"], ("M", "A"))
        start = row.when("MIS_START", r["MIS_START"])
        end = row.when("MIS_END", r["MIS_END"], required=False)
        row.not_before("MIS_END", end, "MIS_START", start)
        row.not_future(today, ("MIS_START", start), ("MIS_END", end))
        if start and not any(c.decom <= start and (c.dec is None or start <= c.dec) for c in out.care.get(cid, [])):
            row.add("MIS_START", "is outside the child's episodes of care")
        if start:
            out.mis[cid].append((line, start, end))


def _check_missing_overlaps(mname: str, mis: dict[str, list[_Period]], problems: list[str]) -> None:
    for periods in mis.values():
        periods.sort(key=lambda p: p[1])
        for p1, p2 in pairwise(periods):
            if p1[2] is None or p2[1] < p1[2]:
                problems.append(f"{mname} line {p2[0]}, MIS_START: overlaps the period on line {p1[0]}")


def _check_open_after_care(mname: str, out: _Checked, problems: list[str]) -> None:
    """An open missing period after care has ended cannot be right (DfE rules 575/577)."""
    for cid, periods in out.mis.items():
        eps = out.care.get(cid, [])
        last_ep = max(eps, key=lambda c: c.decom) if eps else None
        if last_ep is None or last_ep.dec is None or last_ep.rec == "X1":
            continue
        for line, start, end in periods:
            if end is None and last_ep.dec >= start:
                problems.append(
                    f"{mname} line {line}, MIS_END: is blank but care ended on "
                    f"{fmt(last_ep.dec)} (episodes line {last_ep.line}): give the date the period ended"
                )


# Names: each name as the window would accept it.
def _check_names(n: _Rows, problems: list[str]) -> None:
    for line, r in n:
        try:
            for col, key in _NAME_FIELDS:
                fields.clean(key, r[col], label=col)
        except ValidationError as exc:
            problems.append(f"{n.name} line {line}, {exc}")


_CARE_FIELDS = (("RNE", "rne"), ("LS", "ls"), ("CIN", "cin"), ("PLACE", "place"))


def import_files(
    db: Database,
    actor: Actor,
    header: Path,
    episodes: Path,
    missing: Path | None = None,
    names: Path | None = None,
    clock: Clock | None = None,
) -> ImportSummary:
    """Two passes over the files. The first checks every row, streaming, and keeps only ids and
    dates (what the cross-row checks need). The second reads the files again and saves them in
    chunks inside ONE transaction: a child already on the register is merged (blanks filled,
    new episodes and periods added, one the register holds open closed as the file says);
    anything that would change or lose what the register holds refuses the whole import and
    the transaction is rolled back, so a refused import saves nothing."""
    if not access.may(actor.role, Permission.KEEP_REGISTER):
        raise AccessRefusedError(access.refusal(actor.role, Permission.KEEP_REGISTER))
    clock = clock or SystemClock()
    today = local_date(clock.now())
    problems: list[str] = []
    csv.field_size_limit(max(csv.field_size_limit(), 1_000_000))  # a long cell gets our message, not csv's
    h = _Rows(header, HEADER_COLS, problems)
    e = _Rows(episodes, EPISODE_COLS, problems)
    m = _Rows(missing, MISSING_COLS, problems) if missing else None
    n = _Rows(names, NAMES_COLS, problems) if names else None
    checked = _check_files(h, e, m, n, today, problems)
    if problems:
        raise ImportFileError(problems)
    with UnitOfWork(db, actor, clock) as uow:
        saver = _Saver(uow, checked, h.name, e.name, m.name if m else "missing")
        saver.children(h)
        if n is not None:
            saver.names(n)
        saver.episodes(e)
        if m is not None:
            saver.missing(m)
        if problems or saver.problems:  # the files changed between the readings, or a merge clash
            raise ImportFileError(problems + saver.problems)
        uow.audit(
            "import.ssda903",
            "database",
            None,
            None,
            children=saver.new_ids,
            merged=saver.merged,
            care_added=saver.n_care,
            care_closed=saver.n_closed,
            missing_added=saver.n_mis,
            missing_ended=saver.n_mis_ended,
            files=[p.name for p in (header, episodes, missing, names) if p],
        )
        uow.changed(ChangeKind.REGISTER_IMPORTED, RegisterChanged())
        uow.commit()
    return ImportSummary(len(saver.new_ids), len(saver.merged), saver.n_care, saver.n_mis, checked.urn_missing)


class _Saver:
    """The second pass: rows saved chunk by chunk in the one transaction; merge clashes are
    collected in `problems` (the caller then refuses the whole import)."""

    def __init__(self, uow: UnitOfWork, checked: _Checked, hname: str, ename: str, mname: str) -> None:
        self.uow, self.s, self.checked = uow, uow.session, checked
        self.hname, self.ename, self.mname = hname, ename, mname
        self.problems: list[str] = []
        self.new_ids: list[str] = []
        self.merged: list[str] = []
        self._new: set[str] = set()
        self.n_care = self.n_closed = self.n_mis = self.n_mis_ended = 0

    def _flush(self) -> None:
        self.s.flush()
        self.s.expunge_all()  # saved rows leave the session: memory stays bounded

    def children(self, h: _Rows) -> None:
        s = self.s
        for part in h.chunks():
            ids = [r["CHILD"] for _l, r in part]
            stored = {
                c.upper(): c
                for c in s.scalars(select(Child.id).where(func.upper(Child.id).in_([i.upper() for i in ids])))
            }
            existing = {c.id: c for c in s.scalars(select(Child).where(Child.id.in_(ids)))}
            new_rows: list[dict[str, object]] = []
            for _line, r in part:
                cid = r["CHILD"]
                if cid.upper() in stored and stored[cid.upper()] != cid:
                    self.problems.append(
                        f"{self.hname}, CHILD: {cid} is already on the register as {stored[cid.upper()]}"
                    )
                    continue
                sex = _SEX_NOW.get(r["SEX"], r["SEX"])
                dob = _parse_date(r["DOB"])
                upn = r["UPN"] or None
                mother = None if r["MOTHER"] == "" else r["MOTHER"] == "1"
                mc_dob = _parse_date(r["MC_DOB"])
                child = existing.get(cid)
                if child is None:
                    new_rows.append(
                        dict(
                            id=cid,
                            first_name="(name to add)",
                            last_name=cid,
                            preferred_name=None,
                            dob=dob,
                            sex=sex,
                            ethnicity=r["ETHNIC"],
                            upn=upn,
                            mother=mother,
                            mc_dob=mc_dob,
                            version=1,
                        )
                    )
                    self.new_ids.append(cid)
                    self._new.add(cid)
                    continue
                self.merged.append(cid)
                self._merge_child(child, cid, sex, dob, {"upn": upn, "mother": mother, "mc_dob": mc_dob})
            self._flush()
            if new_rows:  # one executemany per chunk (the rows were checked in the first pass)
                s.execute(insert(Child), new_rows)

    def _merge_child(self, child: Child, cid: str, sex: str, dob: date | None, new: dict[str, object]) -> None:
        if dob != child.dob:
            self.problems.append(
                f"{self.hname}: CHILD {cid}, DOB: {fmt(dob)} (file) differs from the register "
                f"({fmt(child.dob)}); correct one of them first"
            )
        if sex != child.sex:
            self.problems.append(
                f"{self.hname}: CHILD {cid}, SEX: {sex} (file) differs from the register ({child.sex})"
            )
        fills = False
        for key, value in new.items():
            old = getattr(child, key)
            if value is not None and old is None:
                setattr(child, key, value)
                fills = True
            elif value is not None and value != old and key == "upn":
                self.problems.append(
                    f"{self.hname}: CHILD {cid}, UPN: {value} (file) differs from the register ({old})"
                )
        if fills:
            child.version += 1

    def names(self, n: _Rows) -> None:
        """Names for the children this import adds (a merged child keeps the register's)."""
        for part in n.chunks():
            rows = [
                {
                    "b_id": r["CHILD"],
                    "b_first": fields.clean("child.first_name", r["FIRST_NAME"], label="FIRST_NAME") or "",
                    "b_last": fields.clean("child.last_name", r["LAST_NAME"], label="LAST_NAME") or "",
                    "b_pref": fields.clean("child.preferred_name", r["PREFERRED_NAME"], label="PREFERRED_NAME"),
                }
                for _l, r in part
                if r["CHILD"] in self._new
            ]
            if rows:  # plain executemany: the rows were saved moments ago at version 1
                t = Child.__table__
                self.s.execute(
                    update(t)  # type: ignore[arg-type]
                    .where(t.c.id == bindparam("b_id"))
                    .values(
                        first_name=bindparam("b_first"),
                        last_name=bindparam("b_last"),
                        preferred_name=bindparam("b_pref"),
                    ),
                    rows,
                )

    def _held_care(self, ids: Iterable[str]) -> dict[str, dict[date, CareEpisode]]:
        held: dict[str, dict[date, CareEpisode]] = defaultdict(dict)
        wanted = [i for i in set(ids) if i not in self._new]
        if wanted:
            for ce in self.s.scalars(select(CareEpisode).where(CareEpisode.child_id.in_(wanted))):
                held[ce.child_id][ce.decom] = ce
        return held

    def episodes(self, e: _Rows) -> None:
        """First the episodes of children already on the register that the file also holds
        (checked, closed as the file says), so the one-open-episode rule holds when the new
        ones are added in the second reading."""
        for part in e.chunks():
            held = self._held_care(r["CHILD"] for _l, r in part)
            for line, r in part:
                if r["CHILD"] not in self._new:
                    self._merge_episode(line, r, held.get(r["CHILD"], {}))
            self._flush()
        if self.problems:
            return
        for part in e.chunks():
            self._insert_episodes(part)

    def _merge_episode(self, line: int, r: dict[str, str], mine: dict[date, CareEpisode]) -> None:
        """One row of a child on the register: the same episode (closed if the file ends it),
        or a new one that must not overlap the register's."""
        cid = r["CHILD"]
        decom, dec = _parse_date(r["DECOM"]), _parse_date(r["DEC"])
        ce = mine.get(decom) if decom else None
        if ce is None:
            self._refuse_care_overlap(line, cid, decom, dec, mine)
            return
        where = f"{self.ename} line {line}: {cid}'s episode from {fmt(decom)}"
        r["PLACE"] = _PLACE_NOW.get(r["PLACE"], r["PLACE"])
        diff = [col for col, attr in _CARE_FIELDS if r[col] != getattr(ce, attr)]
        if diff:
            self.problems.append(
                f"{where} differs from the register in {', '.join(diff)}; the import would lose one of them"
            )
        elif ce.dec is None and dec is not None:
            ce.dec, ce.rec = dec, r["REC"] or None
            ce.reason_place_change = r["REASON_PLACE_CHANGE"] or None
            ce.version += 1
            self.n_closed += 1
        elif ce.dec is not None and dec is None:
            self.problems.append(f"{where} is open in the file but ended {fmt(ce.dec)} on the register")
        elif ce.dec != dec or (dec is not None and (ce.rec or "") != r["REC"]):
            self.problems.append(f"{where} ends differently on the register ({fmt(ce.dec)} {ce.rec or ''})")

    def _refuse_care_overlap(
        self, line: int, cid: str, decom: date | None, dec: date | None, mine: dict[date, CareEpisode]
    ) -> None:
        if decom is None:
            return
        file_dec = {c.decom: c.dec for c in self.checked.care.get(cid, []) if c.decom in mine}

        def ends(x: CareEpisode) -> date:
            return (x.dec if x.dec is not None else file_dec.get(x.decom)) or date.max

        clash = next((x for d, x in mine.items() if d < (dec or date.max) and decom < ends(x)), None)
        if clash is not None:
            self.problems.append(
                f"{self.ename} line {line}: the episode from {fmt(decom)} overlaps the "
                f"register's episode from {fmt(clash.decom)} for {cid}"
            )

    def _insert_episodes(self, part: list[tuple[int, dict[str, str]]]) -> None:
        held = self._held_care(r["CHILD"] for _l, r in part)
        rows: list[dict[str, object]] = []
        for _line, r in part:
            cid = r["CHILD"]
            decom = _parse_date(r["DECOM"])
            if decom is None or decom in held.get(cid, {}):
                continue
            place = _PLACE_NOW.get(r["PLACE"], r["PLACE"])
            home_post, pl_post, urn = _placement_cells({**r, "PLACE": place})
            rows.append(
                dict(
                    child_id=cid,
                    decom=decom,
                    rne=r["RNE"],
                    ls=r["LS"],
                    cin=r["CIN"],
                    place=place,
                    place_provider=r["PLACE_PROVIDER"] or None,
                    dec=_parse_date(r["DEC"]),
                    rec=r["REC"] or None,
                    reason_place_change=r["REASON_PLACE_CHANGE"] or None,
                    home_post=home_post,
                    pl_post=pl_post,
                    urn=urn,
                    version=1,
                )
            )
        if rows:
            self.s.execute(insert(CareEpisode), rows)
            self.n_care += len(rows)

    def _held_missing(self, ids: Iterable[str]) -> dict[str, dict[date, MissingEpisode]]:
        held: dict[str, dict[date, MissingEpisode]] = defaultdict(dict)
        wanted = [i for i in set(ids) if i not in self._new]
        if wanted:
            for me in self.s.scalars(select(MissingEpisode).where(MissingEpisode.child_id.in_(wanted))):
                held[me.child_id][local_date(me.started_at)] = me
        return held

    def missing(self, m: _Rows) -> None:
        """As for episodes: first the periods of children on the register (a return the file
        records is saved), then, if nothing clashed, the new periods."""
        for part in m.chunks():
            held = self._held_missing(r["CHILD"] for _l, r in part)
            for line, r in part:
                if r["CHILD"] not in self._new:
                    self._merge_period(line, r, held.get(r["CHILD"], {}))
            self._flush()
        if self.problems:
            return
        for part in m.chunks():
            self._insert_periods(part)

    def _merge_period(self, line: int, r: dict[str, str], periods: dict[date, MissingEpisode]) -> None:
        cid = r["CHILD"]
        start, end = _parse_date(r["MIS_START"]), _parse_date(r["MIS_END"])
        me = periods.get(start) if start else None
        if me is None:
            self._refuse_missing_overlap(line, cid, start, end, periods)
        elif me.returned_at is None and end is not None:
            me.returned_at = _local_midnight(end)
            me.updated_at, me.updated_by = self.uow.now, self.uow.actor.label
            me.version += 1
            self.n_mis_ended += 1
        # else: the register already holds it (a return the register knows of is kept)

    def _refuse_missing_overlap(
        self, line: int, cid: str, start: date | None, end: date | None, periods: dict[date, MissingEpisode]
    ) -> None:
        if start is None:
            return
        file_end = {st: en for _l, st, en in self.checked.mis.get(cid, []) if st in periods}

        def ends(x: MissingEpisode) -> date:
            if x.returned_at is not None:
                return local_date(x.returned_at)
            return file_end.get(local_date(x.started_at)) or date.max

        clash = next(
            (x for x in periods.values() if local_date(x.started_at) < (end or date.max) and start < ends(x)), None
        )
        if clash is not None:
            self.problems.append(
                f"{self.mname} line {line}: the period from {fmt(start)} overlaps the "
                f"register's period from {fmt(local_date(clash.started_at))} for {cid}"
            )

    def _care_hosts(self, ids: list[str]) -> dict[str, list[tuple[date, date | None, int]]]:
        """Each child's episodes of care (DECOM, DEC, id), latest first: a period belongs to
        the episode it began in."""
        hosts: dict[str, list[tuple[date, date | None, int]]] = defaultdict(list)
        for cid, decom, dec, ce_id in self.s.execute(
            select(CareEpisode.child_id, CareEpisode.decom, CareEpisode.dec, CareEpisode.id).where(
                CareEpisode.child_id.in_(ids)
            )
        ):
            hosts[cid].append((decom, dec, ce_id))
        for eps in hosts.values():
            eps.sort(key=lambda x: x[0], reverse=True)
        return hosts

    def _insert_periods(self, part: list[tuple[int, dict[str, str]]]) -> None:
        held = self._held_missing(r["CHILD"] for _l, r in part)
        hosts = self._care_hosts(list({r["CHILD"] for _l, r in part}))
        uow = self.uow
        rows: list[dict[str, object]] = []
        for _line, r in part:
            cid = r["CHILD"]
            start, end = _parse_date(r["MIS_START"]), _parse_date(r["MIS_END"])
            if start is None or start in held.get(cid, {}):
                continue
            host = next((h for h in hosts.get(cid, []) if h[0] <= start and (h[1] is None or start <= h[1])), None)
            started = _local_midnight(start)
            rows.append(
                dict(
                    child_id=cid,
                    category=r["MISSING"],
                    started_at=started,
                    reported_at=started,
                    reported_by="SSDA903 import",
                    returned_at=_local_midnight(end) if end else None,
                    care_episode_id=host[2] if host else None,
                    updated_at=uow.now,
                    updated_by=uow.actor.label,
                    version=1,
                )
            )
        if rows:
            self.s.execute(insert(MissingEpisode), rows)
            self.n_mis += len(rows)
