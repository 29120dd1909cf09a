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
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path

from sqlalchemy import select

from lac_monitor.domain import codes, record
from lac_monitor.domain.clock import Clock, SystemClock
from lac_monitor.domain.errors import LacError
from lac_monitor.domain.localtime import council_tz, local_date, to_utc
from lac_monitor.services.uow import Actor, UnitOfWork
from lac_monitor.storage.database import Database
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
        more = f"\n… and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        super().__init__("The import was refused and nothing was saved:\n" + "\n".join(shown) + more)


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
    """Every CSV the app writes goes through here, so every cell is neutralised."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for row in rows:
            w.writerow([safe_cell(str(row.get(c, "") or "")) for c in cols])


def place_for_year(place: str, year: int) -> str:
    """The code the year's return uses: before 2024-25, supported accommodation (K3 since)
    was H5; before 2025-26 the other arrangements (Z11-Z14 since) were Z1."""
    if year <= 2024 and place == "K3":
        return "H5"
    if year <= 2025 and place in ("Z11", "Z12", "Z13", "Z14"):
        return "Z1"
    return place


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
    for cid in ids:
        c = children[cid]
        if c.sex == "F" and c.mother is None:
            notes.append(f"child {cid}: MOTHER is not recorded (lac-monitor child update {cid} --not-mother "
                         "or --mother-child-dob DATE)")
    out_dir.mkdir(parents=True, exist_ok=True)
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


class _Rows:
    def __init__(self, name: str, text: str, expected: Iterable[str], problems: list[str]) -> None:
        self.name = name
        self.rows: list[tuple[int, dict[str, str]]] = []
        reader = csv.DictReader(io.StringIO(text))
        got = [h for h in (reader.fieldnames or [])]
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
            problems.append(f"{name}: the column headers must be exactly {','.join(expected)} "
                            f"({'; '.join(parts)})")
            return
        for i, row in enumerate(reader, start=2):
            if None in row or any(v is None for v in row.values()):
                problems.append(f"{name} line {i}: wrong number of values")
                continue
            self.rows.append((i, {k: v.strip() for k, v in row.items()}))


def _read(path: Path, problems: list[str]) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        problems.append(f"{path.name}: is not UTF-8 text")
    except OSError as exc:
        problems.append(f"{path.name}: cannot be read ({exc.strerror})")
    return ""


def _date(problems: list[str], where: str, col: str, text: str, required: bool = True) -> date | None:
    if not text:
        if required:
            problems.append(f"{where}, {col}: is required")
        return None
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        problems.append(f"{where}, {col}: '{text}' is not a date as DD/MM/YYYY")
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
    clock = clock or SystemClock()
    today = local_date(clock.now())
    problems: list[str] = []
    h = _Rows(header.name, _read(header, problems), HEADER_COLS, problems)
    e = _Rows(episodes.name, _read(episodes, problems), EPISODE_COLS, problems)
    m = _Rows(missing.name, _read(missing, problems), MISSING_COLS, problems) if missing else None
    n = _Rows(names.name, _read(names, problems), NAMES_COLS, problems) if names else None

    kids: dict[str, dict[str, object]] = {}
    for line, r in h.rows:
        where = f"{h.name} line {line}"
        cid = r["CHILD"]
        if not cid or len(cid) > 10 or not cid.isalnum():
            problems.append(f"{where}, CHILD: must be 1 to 10 letters or digits")
            continue
        if cid in kids:
            problems.append(f"{where}, CHILD: {cid} appears twice")
        sex = {"1": "M", "2": "F"}.get(r["SEX"], r["SEX"])
        _code(problems, where, "SEX", sex, codes.SEX)
        dob = _date(problems, where, "DOB", r["DOB"])
        if dob and dob > today:
            problems.append(f"{where}, DOB: cannot be in the future")
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
            if not r["FIRST_NAME"] or not r["LAST_NAME"]:
                problems.append(f"{n.name} line {line}, FIRST_NAME/LAST_NAME: are required")
            names_of[r["CHILD"]] = (r["FIRST_NAME"], r["LAST_NAME"], r["PREFERRED_NAME"] or None)

    if problems:
        raise ImportFileError(problems)

    with UnitOfWork(db, actor, clock) as uow:
        s = uow.session
        existing = set(s.scalars(select(Child.id).where(Child.id.in_(list(kids))))) if kids else set()
        new_ids = [cid for cid in kids if cid not in existing]
        n_care = n_mis = 0
        for cid in new_ids:
            k = kids[cid]
            first, last, pref = names_of.get(cid, ("(name to add)", cid, None))
            s.add(Child(id=cid, first_name=first, last_name=last, preferred_name=pref, dob=k["dob"],
                        sex=k["sex"], ethnicity=k["ethnicity"], upn=k["upn"], mother=k["mother"],
                        mc_dob=k["mc_dob"], version=1))
        s.flush()
        care_ids: dict[str, list[CareEpisode]] = defaultdict(list)
        for cid in new_ids:
            for c in care.get(cid, []):
                r = c.row
                ce = CareEpisode(child_id=cid, decom=c.decom, rne=r["RNE"], ls=r["LS"], cin=r["CIN"],
                                 place=r["PLACE"], place_provider=r["PLACE_PROVIDER"] or None,
                                 dec=c.dec, rec=r["REC"] or None,
                                 reason_place_change=r["REASON_PLACE_CHANGE"] or None,
                                 home_post=r["HOME_POST"] or None, pl_post=r["PL_POST"] or None,
                                 urn=r["URN"] or None, version=1)
                s.add(ce)
                care_ids[cid].append(ce)
                n_care += 1
        s.flush()
        for cid in new_ids:
            for _line, cat, start, end in mis.get(cid, []):
                ce = next(c for c in care_ids[cid] if c.decom <= start and (c.dec is None or start <= c.dec))
                started = _local_midnight(start)
                s.add(MissingEpisode(
                    child_id=cid, category=cat, started_at=started, reported_at=started,
                    reported_by="SSDA903 import", returned_at=_local_midnight(end) if end else None,
                    care_episode_id=ce.id, updated_at=uow.now, updated_by=actor.label, version=1))
                n_mis += 1
        s.flush()
        uow.audit("import.ssda903", "database", None, None, children=new_ids,
                  skipped=sorted(existing), files=[p.name for p in (header, episodes, missing, names) if p])
        uow.changed("register.imported", "database", None, None)
        uow.commit()
    return ImportSummary(len(new_ids), len(existing), n_care, n_mis)
