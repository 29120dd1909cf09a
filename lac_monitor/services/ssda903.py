"""SSDA903 import (seed a register) and export (the annual return's Header, Episodes and
Missing files). Facts in shared/reference/ssda903.md.

Import is all or nothing: every row is checked first and any problem is reported as
"file line N, COLUMN: rule"; nothing is saved unless every file is clean.
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

from sqlalchemy import func, select

from lac_monitor.domain import access, codes, fields, record
from lac_monitor.domain.access import Permission
from lac_monitor.domain.clock import Clock, SystemClock
from lac_monitor.domain.errors import AccessRefusedError, LacError, ValidationError
from lac_monitor.domain.localtime import council_tz, local_date, to_utc
from lac_monitor.services.uow import Actor, UnitOfWork
from lac_monitor.storage.database import Database
from lac_monitor.storage.files import private_folder, write_private
from lac_monitor.storage.schema import CareEpisode, Child, MissingEpisode

HEADER_COLS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
EPISODE_COLS = ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN")
MISSING_COLS = ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END")
NAMES_COLS = ("CHILD", "FIRST_NAME", "LAST_NAME", "PREFERRED_NAME")
MAX_REPORTED = 25


class ImportFileError(LacError):
    """One or more problems in the files; `problems` lists each with file, line and column."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_REPORTED]
        more = f"; … and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        # One line (scripts read it; a terminal wraps it): the first problems, then a count.
        super().__init__(f"the import was refused and nothing was saved ({len(problems)} problem"
                         f"{'' if len(problems) == 1 else 's'}): " + "; ".join(shown) + more)


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
        yield ids[i:i + size]


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


def missing_segments(start: date, end: date | None,
                     care: list[CareEpisode]) -> list[tuple[date, date | None]]:
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
    notes: list[str] = []
    with db.read_session() as s:
        care_rows = s.scalars(select(CareEpisode).where(
            CareEpisode.decom <= last, (CareEpisode.dec.is_(None)) | (CareEpisode.dec >= first))
            .order_by(CareEpisode.child_id, CareEpisode.decom)).all()
        ids = sorted({c.child_id for c in care_rows})
        children: dict[str, Child] = {}
        all_care: dict[str, list[CareEpisode]] = defaultdict(list)
        missing: list[MissingEpisode] = []
        for part in chunks(ids):
            children.update({c.id: c for c in s.scalars(select(Child).where(Child.id.in_(part)))})
            for ce in s.scalars(select(CareEpisode).where(CareEpisode.child_id.in_(part))):
                all_care[ce.child_id].append(ce)
            missing.extend(s.scalars(select(MissingEpisode).where(
                MissingEpisode.child_id.in_(part),
                MissingEpisode.started_at < _local_midnight(last + timedelta(days=1)))
                .order_by(MissingEpisode.child_id, MissingEpisode.started_at)))

    header = []
    for c in (children[i] for i in ids):
        mother, mc_dob = mother_at(c, last)
        header.append({"CHILD": c.id, "SEX": sex_for_year(c.sex, cyear), "DOB": fmt(c.dob),
                       "ETHNIC": c.ethnicity, "UPN": c.upn or "", "MOTHER": mother, "MC_DOB": mc_dob})
    episodes = []
    for ce in care_rows:
        ended = ce.dec is not None and ce.dec <= last
        urn = ce.urn or ""
        if not record.urn_needed(ce.place):
            urn = ""
        episodes.append({
            "CHILD": ce.child_id, "DECOM": fmt(ce.decom), "RNE": ce.rne, "LS": ce.ls, "CIN": ce.cin,
            "PLACE": place_for_year(ce.place, cyear), "PLACE_PROVIDER": ce.place_provider or "",
            "DEC": fmt(ce.dec) if ended else "", "REC": (ce.rec or "") if ended else "",
            "REASON_PLACE_CHANGE": (ce.reason_place_change or "") if ended else "",
            "HOME_POST": (ce.home_post or "").upper(), "PL_POST": (ce.pl_post or "").upper(),
            "URN": urn})
    mis_rows: list[dict[str, str]] = []
    per_child: dict[str, int] = defaultdict(int)
    for ep in missing:
        start = local_date(ep.started_at)
        end = local_date(ep.returned_at) if ep.returned_at else None
        for seg_start, seg_end in missing_segments(start, end, all_care[ep.child_id]):
            if seg_start > last or (seg_end is not None and seg_end < first):
                continue
            per_child[ep.child_id] += 1
            if per_child[ep.child_id] > MAX_MISSING_PER_CHILD:
                continue
            open_at_year_end = seg_end is None or seg_end > last
            mis_rows.append({"CHILD": ep.child_id, "DOB": fmt(children[ep.child_id].dob),
                             "MISSING": ep.category, "MIS_START": fmt(seg_start),
                             "MIS_END": "" if open_at_year_end else fmt(seg_end)})
    for cid, n in sorted(per_child.items()):
        if n > MAX_MISSING_PER_CHILD:
            notes.append(f"child {cid}: {n} missing periods in the year; the return holds at most "
                         f"{MAX_MISSING_PER_CHILD}, so the first {MAX_MISSING_PER_CHILD} were written")
    for ce in care_rows:
        gaps = [name for name, missing in (
            ("URN", record.urn_needed(ce.place) and not ce.urn),
            ("PL_POST", not ce.pl_post and ce.ls not in ("V3", "V4")),
            ("HOME_POST", not ce.home_post and ce.ls not in ("V3", "V4"))) if missing]
        if gaps:
            notes.append(f"child {ce.child_id}, episode from {fmt(ce.decom)}: {', '.join(gaps)} not recorded "
                         "(the DfE's validator will query it)")
    for cid in ids:
        c = children[cid]
        if not c.upn:
            notes.append(f"child {cid}: UPN not recorded (a UPN, or UN1-UN5)")
        if c.sex == "F" and c.mother is None:
            notes.append(f"child {cid}: MOTHER is not recorded (lac-monitor child update {cid} --not-mother "
                         "or --mother-child-dob DATE)")
    out_dir = private_folder(out_dir)
    files = []
    for name, cols, rows in (("header.csv", HEADER_COLS, header), ("episodes.csv", EPISODE_COLS, episodes),
                             ("missing.csv", MISSING_COLS, mis_rows)):
        path = out_dir / name
        write_csv(path, cols, rows)
        files.append(path)
    return ExportSummary(len(header), len(episodes), len(mis_rows), tuple(files), tuple(notes))


# -- import ------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportSummary:
    children: int
    skipped_existing: int
    care_episodes: int
    missing_episodes: int


@dataclass(frozen=True)
class _Care:
    line: int
    decom: date
    dec: date | None
    row: dict[str, str]


MAX_CELL = 200  # longer than any SSDA903 value; a name column may be up to 100


class _Rows:
    """One CSV file, read as a stream (a file of any size never sits in memory whole); each
    row keeps its line number for "file line N, COLUMN: rule" messages."""

    def __init__(self, path: Path, expected: Iterable[str], problems: list[str]) -> None:
        self.name = path.name
        self.rows: list[tuple[int, dict[str, str]]] = []
        try:
            fh = path.open(encoding="utf-8-sig", newline="")
        except OSError as exc:
            problems.append(f"{self.name}: cannot be read ({exc.strerror})")
            return
        with fh:
            try:
                self._read(fh, expected, problems)
            except UnicodeDecodeError:
                problems.append(f"{self.name}: is not UTF-8 text")
            except csv.Error as exc:
                problems.append(f"{self.name} line {self._line}: {exc} (is it a CSV file?)")

    def _read(self, fh: io.TextIOBase, expected: Iterable[str], problems: list[str]) -> None:
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
            problems.append(f"{self.name}: the column headers must be exactly {','.join(expected)} "
                            f"({'; '.join(parts)})")
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
                    problems.append(f"{self.name} line {reader.line_num}, {col}: is longer than {MAX_CELL} "
                                    "characters")
                    v = v[:MAX_CELL]
                row[col] = v
            self.rows.append((reader.line_num, row))
            if len(problems) > 10 * MAX_REPORTED:
                return  # enough to tell the user; no need to read on


def _date(problems: list[str], where: str, col: str, text: str, required: bool = True) -> date | None:
    if not text:
        if required:
            problems.append(f"{where}, {col}: is required")
        return None
    try:
        value = datetime.strptime(text, "%d/%m/%Y").date()
        fields.check_year(col, value)
        return value
    except ValueError:
        problems.append(f"{where}, {col}: '{text[:20]}' is not a date as DD/MM/YYYY")
        return None
    except ValidationError as exc:
        problems.append(f"{where}, {exc}")
        return None


def _code(problems: list[str], where: str, col: str, text: str, allowed: Iterable[str],
          required: bool = True) -> None:
    if not text:
        if required:
            problems.append(f"{where}, {col}: is required")
        return
    if text not in set(allowed):
        problems.append(f"{where}, {col}: '{text}' is not a known code")


def _local_midnight(d: date) -> datetime:
    return to_utc(datetime.combine(d, time(), tzinfo=council_tz()))


def import_files(db: Database, actor: Actor, header: Path, episodes: Path, missing: Path | None = None,
                 names: Path | None = None, clock: Clock | None = None) -> ImportSummary:
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

    kids: dict[str, dict[str, object]] = {}
    upper_ids: set[str] = set()
    for line, r in h.rows:
        where = f"{h.name} line {line}"
        cid = r["CHILD"]
        if not cid or len(cid) > 10 or not cid.isalnum():
            problems.append(f"{where}, CHILD: must be 1 to 10 letters or digits")
            continue
        if cid.upper() in upper_ids:
            problems.append(f"{where}, CHILD: {cid} appears twice (child ids differing only in case are "
                            "the same child)")
        upper_ids.add(cid.upper())
        sex = {"1": "M", "2": "F"}.get(r["SEX"], r["SEX"])
        _code(problems, where, "SEX", sex, codes.SEX)
        dob = _date(problems, where, "DOB", r["DOB"])
        if dob and dob > today:
            problems.append(f"{where}, DOB: cannot be in the future")
        elif dob and dob.year < today.year - 26:
            problems.append(f"{where}, DOB: gives an age over 25: check the year")
        _code(problems, where, "ETHNIC", r["ETHNIC"], codes.ETHNIC)
        upn = r["UPN"]
        if upn and not codes.is_valid_upn(upn):
            problems.append(f"{where}, UPN: '{upn}' must be a letter (not I, O, S) and 12 digits, "
                            "11 digits and a letter, or UN1–UN5")
        mother = r["MOTHER"]
        if mother not in ("", "0", "1"):
            problems.append(f"{where}, MOTHER: must be 1, 0 or blank")
        mc_dob = _date(problems, where, "MC_DOB", r["MC_DOB"], required=False)
        kids[cid] = {"sex": sex, "dob": dob, "ethnicity": r["ETHNIC"], "upn": upn or None,
                     "mother": None if mother == "" else mother == "1", "mc_dob": mc_dob}

    care: dict[str, list[_Care]] = defaultdict(list)
    for line, r in e.rows:
        where = f"{e.name} line {line}"
        cid = r["CHILD"]
        if cid not in kids:
            problems.append(f"{where}, CHILD: {cid} is not in {h.name}")
            continue
        decom = _date(problems, where, "DECOM", r["DECOM"])
        dec = _date(problems, where, "DEC", r["DEC"], required=False)
        _code(problems, where, "RNE", r["RNE"], codes.RNE)
        _code(problems, where, "LS", r["LS"], codes.LS)
        _code(problems, where, "CIN", r["CIN"], codes.CIN)
        r["PLACE"] = _PLACE_NOW.get(r["PLACE"], r["PLACE"])  # earlier years' codes, as today's
        _code(problems, where, "PLACE", r["PLACE"], codes.PLACE)
        _code(problems, where, "PLACE_PROVIDER", r["PLACE_PROVIDER"], codes.PLACE_PROVIDER,
              required=r["PLACE"] not in codes.TEMPORARY_OR_OTHER_PLACE)
        _code(problems, where, "REC", r["REC"], codes.REC, required=dec is not None)
        _code(problems, where, "REASON_PLACE_CHANGE", r["REASON_PLACE_CHANGE"], codes.REASON_PLACE_CHANGE,
              required=False)
        if decom and dec and dec < decom:
            problems.append(f"{where}, DEC: cannot be before DECOM")
        child_dob = kids[cid]["dob"]
        if decom and isinstance(child_dob, date) and decom < child_dob:
            problems.append(f"{where}, DECOM: cannot be before the child's DOB")
        if decom and decom > today:
            problems.append(f"{where}, DECOM: cannot be in the future")
        if dec and dec > today:
            problems.append(f"{where}, DEC: cannot be in the future")
        for col, key in (("HOME_POST", "home_post"), ("PL_POST", "pl_post"), ("URN", "urn")):
            try:
                fields.clean(f"care_episode.{key}", r[col], label=col)
            except ValidationError as exc:
                problems.append(f"{where}, {exc}")
        if decom:
            care[cid].append(_Care(line, decom, dec, r))
    for eps in care.values():
        eps.sort(key=lambda x: x.decom)
        for prev, nxt in pairwise(eps):
            if prev.dec is None or nxt.decom < prev.dec:
                problems.append(f"{e.name} line {nxt.line}, DECOM: overlaps the child's episode on "
                                f"line {prev.line}")

    mis: dict[str, list[tuple[int, str, date, date | None]]] = defaultdict(list)
    if m is not None:
        for line, r in m.rows:
            where = f"{m.name} line {line}"
            cid = r["CHILD"]
            if cid not in kids:
                problems.append(f"{where}, CHILD: {cid} is not in {h.name}")
                continue
            dob = _date(problems, where, "DOB", r["DOB"])
            if dob and dob != kids[cid]["dob"]:
                problems.append(f"{where}, DOB: differs from the DOB in {h.name}")
            _code(problems, where, "MISSING", r["MISSING"], ("M", "A"))
            start = _date(problems, where, "MIS_START", r["MIS_START"])
            end = _date(problems, where, "MIS_END", r["MIS_END"], required=False)
            if start and end and end < start:
                problems.append(f"{where}, MIS_END: cannot be before MIS_START")
            if start and start > today:
                problems.append(f"{where}, MIS_START: cannot be in the future")
            if end and end > today:
                problems.append(f"{where}, MIS_END: cannot be in the future")
            if start and not any(c.decom <= start and (c.dec is None or start <= c.dec)
                                 for c in care.get(cid, [])):
                problems.append(f"{where}, MIS_START: is outside the child's episodes of care")
            if start:
                mis[cid].append((line, r["MISSING"], start, end))
        for periods in mis.values():
            periods.sort(key=lambda p: p[2])
            for p1, p2 in pairwise(periods):
                if p1[3] is None or p2[2] < p1[3]:
                    problems.append(f"{m.name} line {p2[0]}, MIS_START: overlaps the period on line {p1[0]}")

    names_of: dict[str, tuple[str, str, str | None]] = {}
    if n is not None:
        for line, r in n.rows:
            try:
                first = fields.clean("child.first_name", r["FIRST_NAME"], label="FIRST_NAME") or ""
                last = fields.clean("child.last_name", r["LAST_NAME"], label="LAST_NAME") or ""
                pref = fields.clean("child.preferred_name", r["PREFERRED_NAME"], label="PREFERRED_NAME")
            except ValidationError as exc:
                problems.append(f"{n.name} line {line}, {exc}")
                continue
            names_of[r["CHILD"]] = (first, last, pref)

    # An open missing period after care has ended cannot be right (DfE rules 575/577).
    for cid, periods in mis.items():
        eps = care.get(cid, [])
        last_ep = max(eps, key=lambda c: c.decom) if eps else None
        for line, _cat, start, end in periods:
            if end is None and last_ep is not None and last_ep.dec is not None and last_ep.row["REC"] != "X1" \
                    and last_ep.dec >= start:
                problems.append(f"{m.name if m else 'missing'} line {line}, MIS_END: is blank but care ended on "
                                f"{fmt(last_ep.dec)} (episodes line {last_ep.line}): give the date the period ended")
    if problems:
        raise ImportFileError(problems)

    with UnitOfWork(db, actor, clock) as uow:
        s = uow.session
        stored = {c.upper(): c for c in s.scalars(select(Child.id).where(
            func.upper(Child.id).in_([k.upper() for k in kids])))} if kids else {}
        clash = [f"{h.name}, CHILD: {cid} is already on the register as {stored[cid.upper()]}"
                 for cid in kids if cid.upper() in stored and stored[cid.upper()] != cid]
        if clash:
            raise ImportFileError(clash)
        ids = list(kids)
        existing: dict[str, Child] = {}
        db_care: dict[str, list[CareEpisode]] = defaultdict(list)
        db_mis: dict[str, list[MissingEpisode]] = defaultdict(list)
        for part in chunks(ids):
            existing.update({c.id: c for c in s.scalars(select(Child).where(Child.id.in_(part)))})
            for ce in s.scalars(select(CareEpisode).where(CareEpisode.child_id.in_(part))):
                db_care[ce.child_id].append(ce)
            for me in s.scalars(select(MissingEpisode).where(MissingEpisode.child_id.in_(part))):
                db_mis[me.child_id].append(me)
        plan = _merge_plan(kids, care, mis, existing, db_care, db_mis, h.name, e.name, m.name if m else "missing")
        if plan.problems:
            raise ImportFileError(plan.problems)
        new_ids = [cid for cid in kids if cid not in existing]
        n_care = n_mis = 0
        for cid in new_ids:
            k = kids[cid]
            first, last, pref = names_of.get(cid, ("(name to add)", cid, None))
            s.add(Child(id=cid, first_name=first, last_name=last, preferred_name=pref, dob=k["dob"],
                        sex=k["sex"], ethnicity=k["ethnicity"], upn=k["upn"], mother=k["mother"],
                        mc_dob=k["mc_dob"], version=1))
        for cid, fills in plan.child_fills.items():
            child = existing[cid]
            for key, value in fills.items():
                setattr(child, key, value)
            child.version += 1
        s.flush()
        for ce, c in plan.closes:
            ce.dec, ce.rec = c.dec, c.row["REC"] or None
            ce.reason_place_change = c.row["REASON_PLACE_CHANGE"] or None
            ce.version += 1
        s.flush()
        for cid, c in plan.new_care:
            r = c.row
            ce = CareEpisode(child_id=cid, decom=c.decom, rne=r["RNE"], ls=r["LS"], cin=r["CIN"],
                             place=r["PLACE"], place_provider=r["PLACE_PROVIDER"] or None,
                             dec=c.dec, rec=r["REC"] or None,
                             reason_place_change=r["REASON_PLACE_CHANGE"] or None,
                             home_post=r["HOME_POST"] or None, pl_post=r["PL_POST"] or None,
                             urn=r["URN"] or None, version=1)
            s.add(ce)
            db_care[cid].append(ce)
            n_care += 1
        s.flush()
        for me, end in plan.mis_ends:
            me.returned_at = _local_midnight(end)
            me.updated_at, me.updated_by = uow.now, actor.label
            me.version += 1
        for cid, cat, start, end in plan.new_mis:
            host = next((c for c in sorted(db_care[cid], key=lambda c: c.decom, reverse=True)
                         if c.decom <= start and (c.dec is None or start <= c.dec)), None)
            started = _local_midnight(start)
            s.add(MissingEpisode(
                child_id=cid, category=cat, started_at=started, reported_at=started,
                reported_by="SSDA903 import", returned_at=_local_midnight(end) if end else None,
                care_episode_id=host.id if host else None, updated_at=uow.now, updated_by=actor.label, version=1))
            n_mis += 1
        s.flush()
        uow.audit("import.ssda903", "database", None, None, children=new_ids, merged=sorted(existing),
                  care_added=n_care, care_closed=len(plan.closes), missing_added=n_mis,
                  missing_ended=len(plan.mis_ends),
                  files=[p.name for p in (header, episodes, missing, names) if p])
        uow.changed("register.imported", "database", None, None)
        uow.commit()
    return ImportSummary(len(new_ids), len(existing), n_care, n_mis)


@dataclass
class _Plan:
    problems: list[str] = field(default_factory=list)
    child_fills: dict[str, dict[str, object]] = field(default_factory=dict)
    closes: list[tuple[CareEpisode, _Care]] = field(default_factory=list)
    new_care: list[tuple[str, _Care]] = field(default_factory=list)
    mis_ends: list[tuple[MissingEpisode, date]] = field(default_factory=list)
    new_mis: list[tuple[str, str, date, date | None]] = field(default_factory=list)


_CARE_FIELDS = (("RNE", "rne"), ("LS", "ls"), ("CIN", "cin"), ("PLACE", "place"))


def _merge_plan(kids: dict[str, dict[str, object]], care: dict[str, list[_Care]],
                mis: dict[str, list[tuple[int, str, date, date | None]]], existing: dict[str, Child],
                db_care: dict[str, list[CareEpisode]], db_mis: dict[str, list[MissingEpisode]],
                hname: str, ename: str, mname: str) -> _Plan:
    """What the files add to the register. A child already there is merged: blanks are
    filled, new episodes and missing periods added, an episode or period the register holds
    open is closed as the file says. Anything that would change or lose what the register
    holds is refused, naming it."""
    plan = _Plan()
    for cid, k in kids.items():
        child = existing.get(cid)
        if child is None:
            plan.new_care.extend((cid, c) for c in care.get(cid, []))
            plan.new_mis.extend((cid, cat, st, en) for _l, cat, st, en in mis.get(cid, []))
            continue
        if k["dob"] != child.dob:
            plan.problems.append(f"{hname}: CHILD {cid}, DOB: {fmt(k['dob'])} (file) differs from the register "  # type: ignore[arg-type]
                                 f"({fmt(child.dob)}); correct one of them first")
        if k["sex"] != child.sex:
            plan.problems.append(f"{hname}: CHILD {cid}, SEX: {k['sex']} (file) differs from the register "
                                 f"({child.sex})")
        fills: dict[str, object] = {}
        for key in ("upn", "mother", "mc_dob"):
            new, old = k[key], getattr(child, key)
            if new is not None and old is None:
                fills[key] = new
            elif new is not None and new != old and key == "upn":
                plan.problems.append(f"{hname}: CHILD {cid}, UPN: {new} (file) differs from the register ({old})")
        if fills:
            plan.child_fills[cid] = fills
        held = {ce.decom: ce for ce in db_care.get(cid, [])}
        file_dec = {c.decom: c.dec for c in care.get(cid, []) if c.decom in held}
        eff_dec = {d: (ce.dec if ce.dec is not None else file_dec.get(d)) for d, ce in held.items()}
        for c in care.get(cid, []):
            ce = held.get(c.decom)
            if ce is None:
                clash = next((x for x in held.values() if x.decom < (c.dec or date.max)
                              and c.decom < (eff_dec[x.decom] or date.max)), None)
                if clash is not None:
                    plan.problems.append(f"{ename} line {c.line}: the episode from {fmt(c.decom)} overlaps the "
                                         f"register's episode from {fmt(clash.decom)} for {cid}")
                else:
                    plan.new_care.append((cid, c))
                continue
            diff = [col for col, attr in _CARE_FIELDS if c.row[col] != getattr(ce, attr)]
            if diff:
                plan.problems.append(f"{ename} line {c.line}: {cid}'s episode from {fmt(c.decom)} differs from "
                                     f"the register in {', '.join(diff)}; the import would lose one of them")
            elif ce.dec is None and c.dec is not None:
                plan.closes.append((ce, c))
            elif ce.dec is not None and c.dec is None:
                plan.problems.append(f"{ename} line {c.line}: {cid}'s episode from {fmt(c.decom)} is open in the "
                                     f"file but ended {fmt(ce.dec)} on the register")
            elif ce.dec != c.dec or (c.dec is not None and (ce.rec or "") != c.row["REC"]):
                plan.problems.append(f"{ename} line {c.line}: {cid}'s episode from {fmt(c.decom)} ends differently "
                                     f"on the register ({fmt(ce.dec)} {ce.rec or ''})")
        periods = {local_date(me.started_at): me for me in db_mis.get(cid, [])}
        file_end = {st: en for _l, _c, st, en in mis.get(cid, []) if st in periods}

        def ends(me: MissingEpisode, file_end: dict[date, date | None] = file_end) -> date:
            if me.returned_at is not None:
                return local_date(me.returned_at)
            return file_end.get(local_date(me.started_at)) or date.max

        for line, cat, start, end in mis.get(cid, []):
            me = periods.get(start)
            if me is None:
                mclash = next((x for x in db_mis.get(cid, []) if local_date(x.started_at) < (end or date.max)
                               and start < ends(x)), None)
                if mclash is not None:
                    plan.problems.append(f"{mname} line {line}: the period from {fmt(start)} overlaps the register's "
                                         f"period from {fmt(local_date(mclash.started_at))} for {cid}")
                else:
                    plan.new_mis.append((cid, cat, start, end))
            elif me.returned_at is None and end is not None:
                plan.mis_ends.append((me, end))
            # else: the register already holds it (a return the register knows of is kept)
    return plan

