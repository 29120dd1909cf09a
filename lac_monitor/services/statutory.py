"""Lists for inspectors and analysts beyond the SSDA903 return: Ofsted's Annex A List 8
(children in care, an .xlsx workbook) and the Standard Safeguarding Dataset's `ssd_missing`
table (a CSV), so a council can join our data with theirs. Facts in
shared/reference/annex-a.md."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lac_monitor.domain import codes, record
from lac_monitor.domain.localtime import council_tz, to_utc
from lac_monitor.domain.status import age_on
from lac_monitor.services.settings import council_la_code
from lac_monitor.services.ssda903 import chunks, safe_cell, write_csv
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import CareEpisode, Child, MissingEpisode, Rhi, RhiEpisode, Staff, Team

# Ofsted's template headers, exactly (curly quotes, the doubled bracket and all).
LIST8_COLUMNS: tuple[str, ...] = (
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age",
    "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N))",
    "Does the Child have a Disability",
    "Date Started to be Looked After",
    "Child's Category of Need",
    "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
    "Start date of current legal status",
    "Child's Legal Status",
    "Date of Latest Statutory Review",
    "Date of Last Social Work Visit",
    "What is the permanence plan for this child?",
    "Date of Last IRO Visit / Contact to the Child",
    "Date of Last Health Assessment",
    "Date of Last Dental Check",
    "Number of Placements in the Last 12 months",
    "Date Ceased to be Looked After",
    "Reason Ceased to be Looked After",
    "Start Date of Most Recent Placement",
    "Placement Type",
    "Placement Provider",
    "Placement postcode",
    "URN of Placement",
    "Placement Location",
    "LA of Placement",
    "Number of Episodes the Child has been \u2018Missing\u2019 from their Placement in the last 12 months",
    "Number of Episodes the Child has been \u2018Absent\u2019 from their Placement in the last 12 months",
    "Was the child offered a Return Interview after their last missing episode (Y/N)?",
    "Did the child accept a Return Interview after their last missing episode (Y/N)?",
    "Allocated Team",
    "Allocated Worker",
)
MISSING_COL, ABSENT_COL = LIST8_COLUMNS[28], LIST8_COLUMNS[29]
SSD_MISSING_COLUMNS = (
    "miss_table_id",
    "miss_la_person_id",
    "miss_mis_epi_start",
    "miss_mis_epi_type",
    "miss_mis_epi_end",
    "miss_mis_epi_rhi_offered",
    "miss_mis_epi_rhi_accepted",
)
_PLACEMENT_RNE = {"S", "P", "B", "T", "U"}  # a new placement begins (L is legal status only)


def _coded(code: str | None, labels: dict[str, str]) -> str:
    return f"{code}: {labels.get(code, '').strip()}".rstrip(": ") if code else ""


def _yn(flag: bool) -> str:
    return "Y" if flag else "N"


def _local_start(d: date) -> datetime:
    return to_utc(datetime.combine(d, time(), tzinfo=council_tz()))


@dataclass(frozen=True)
class _RhiFacts:
    offered: bool
    accepted: bool
    outcome_code: str | None


def _rhi_by_episode(s: Session, episode_ids: Sequence[int]) -> dict[int, _RhiFacts]:
    out: dict[int, _RhiFacts] = {}
    for i in range(0, len(episode_ids), 500):
        part = episode_ids[i : i + 500]
        q = (
            select(RhiEpisode.episode_id, Rhi.offered_at, Rhi.accepted_at, Rhi.outcome_code)
            .join(Rhi, Rhi.id == RhiEpisode.rhi_id)
            .where(RhiEpisode.episode_id.in_(part))
        )
        for eid, offered, accepted, code in s.execute(q):
            out[eid] = _RhiFacts(offered is not None, accepted is not None, code)
    return out


def annex_a_rows(db: Database, start: date, end: date) -> list[dict[str, object]]:
    """One row per child looked after at any time from `start` to `end` (inclusive); counts of
    missing and absent (away) episodes that began in that window."""
    council = council_la_code(db)
    first_utc, after_utc = _local_start(start), _local_start(end + timedelta(days=1))
    with db.read_session() as s:
        care_rows = s.scalars(
            select(CareEpisode).where(
                CareEpisode.decom <= end, (CareEpisode.dec.is_(None)) | (CareEpisode.dec >= start)
            )
        ).all()
        ids = sorted({c.child_id for c in care_rows})
        children: dict[str, Child] = {}
        care: dict[str, list[CareEpisode]] = defaultdict(list)
        missing: dict[str, list[MissingEpisode]] = defaultdict(list)
        staff: dict[int, str] = {i: n for i, n in s.execute(select(Staff.id, Staff.display_name))}
        teams: dict[int, str] = {i: n for i, n in s.execute(select(Team.id, Team.name))}
        for part in chunks(ids):
            children.update({c.id: c for c in s.scalars(select(Child).where(Child.id.in_(part)))})
            for ce in s.scalars(select(CareEpisode).where(CareEpisode.child_id.in_(part), CareEpisode.decom <= end)):
                care[ce.child_id].append(ce)
            for me in s.scalars(
                select(MissingEpisode).where(
                    MissingEpisode.child_id.in_(part),
                    MissingEpisode.started_at >= first_utc,
                    MissingEpisode.started_at < after_utc,
                )
            ):
                missing[me.child_id].append(me)
        rhi = _rhi_by_episode(s, [m.id for ms in missing.values() for m in ms])
    rows: list[dict[str, object]] = []
    for cid in ids:
        c = children[cid]
        eps = sorted(care[cid], key=lambda e: (e.decom, e.id))
        cur = eps[-1]
        # the current period of care: back from the latest episode through X1 links
        period_start = cur.decom
        for prev, nxt in zip(reversed(eps[:-1]), reversed(eps[1:]), strict=True):
            if prev.rec == "X1" and prev.dec == nxt.decom:
                period_start = prev.decom
            else:
                break
        periods_in_window = sum(
            1 for e in eps if e.rne == "S" and e.decom >= start - timedelta(days=365) and e.decom <= end
        )
        ls_start = cur.decom
        for e in reversed(eps[:-1]):
            if e.ls == cur.ls and e.rec == "X1" and e.decom >= period_start:
                ls_start = e.decom
            else:
                break
        placement = next((e for e in reversed(eps) if e.rne in _PLACEMENT_RNE), cur)
        n_placements = sum(1 for e in eps if e.rne in _PLACEMENT_RNE and (e.dec is None or e.dec >= start))
        ceased = cur.dec is not None and cur.dec <= end and cur.rec != "X1"
        mis = sorted(missing[cid], key=lambda m: m.started_at)
        last = mis[-1] if mis else None
        facts = rhi.get(last.id) if last else None
        location = ""
        if placement.host_la and council:
            location = "Out of LA boundary" if record.is_out_of_area(placement.host_la, council) else "In LA boundary"
        rows.append(
            {
                LIST8_COLUMNS[0]: cid,
                LIST8_COLUMNS[1]: codes.SEX.get(c.sex, c.sex),
                LIST8_COLUMNS[2]: _coded(c.ethnicity, codes.ETHNIC),
                LIST8_COLUMNS[3]: c.dob,
                LIST8_COLUMNS[4]: age_on(c.dob, end),
                LIST8_COLUMNS[7]: period_start,
                LIST8_COLUMNS[8]: _coded(cur.cin, codes.CIN),
                LIST8_COLUMNS[9]: _yn(periods_in_window > 1),
                LIST8_COLUMNS[10]: ls_start,
                LIST8_COLUMNS[11]: _coded(cur.ls, codes.LS),
                LIST8_COLUMNS[18]: n_placements,
                LIST8_COLUMNS[19]: cur.dec if ceased else None,
                LIST8_COLUMNS[20]: _coded(cur.rec, codes.REC) if ceased else "",
                LIST8_COLUMNS[21]: placement.decom,
                LIST8_COLUMNS[22]: _coded(placement.place, codes.PLACE),
                LIST8_COLUMNS[23]: _coded(placement.place_provider, codes.PLACE_PROVIDER),
                LIST8_COLUMNS[24]: placement.pl_post or "",
                LIST8_COLUMNS[25]: placement.urn or "",
                LIST8_COLUMNS[26]: location,
                LIST8_COLUMNS[27]: placement.host_la or "",
                MISSING_COL: sum(1 for m in mis if m.category == "M"),
                ABSENT_COL: sum(1 for m in mis if m.category == "A"),
                LIST8_COLUMNS[30]: ""
                if last is None or last.returned_at is None
                else _yn(bool(facts and facts.offered)),
                LIST8_COLUMNS[31]: ""
                if last is None or last.returned_at is None
                else _yn(bool(facts and facts.accepted)),
                LIST8_COLUMNS[32]: teams.get(c.team_id, "") if c.team_id else "",
                LIST8_COLUMNS[33]: staff.get(c.social_worker_id, "") if c.social_worker_id else "",
            }
        )
    return rows


def export_annex_a(db: Database, start: date, end: date, out: Path) -> int:
    """Write List 8 as an .xlsx workbook (streamed: openpyxl's write-only mode); returns the
    number of children."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    rows = annex_a_rows(db, start, end)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("List 8")
    for i in range(1, len(LIST8_COLUMNS) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 18
    ws.freeze_panes = "B2"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    header = []
    for title in LIST8_COLUMNS:
        cell = WriteOnlyCell(ws, value=title)
        cell.font, cell.alignment = bold, wrap
        header.append(cell)
    ws.append(header)
    for r in rows:
        values: list[object] = []
        for col in LIST8_COLUMNS:
            v = r.get(col, "")
            if isinstance(v, date):
                cell = WriteOnlyCell(ws, value=v)
                cell.number_format = "DD/MM/YYYY"
                values.append(cell)
            else:
                values.append(safe_cell(v) if isinstance(v, str) else v)
        ws.append(values)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return len(rows)


def _rhi_yn(returned: bool, facts: _RhiFacts | None, accepted: bool) -> str:
    if facts is not None and facts.outcome_code == "not_applicable":
        return "NA"
    if not returned:
        return ""
    if facts is None:
        return "N"
    return _yn(facts.accepted if accepted else facts.offered)


def export_ssd_missing(db: Database, out: Path) -> int:
    """The SSD's ssd_missing table: one row per missing or away episode, local date-times."""
    with db.read_session() as s:
        eps = s.scalars(select(MissingEpisode).order_by(MissingEpisode.child_id, MissingEpisode.started_at)).all()
        rhi = _rhi_by_episode(s, [e.id for e in eps])

    def when(at: datetime | None) -> str:
        return at.astimezone(council_tz()).strftime("%Y-%m-%d %H:%M:%S") if at else ""

    rows = [
        {
            "miss_table_id": str(e.id),
            "miss_la_person_id": e.child_id,
            "miss_mis_epi_start": when(e.started_at),
            "miss_mis_epi_type": e.category,
            "miss_mis_epi_end": when(e.returned_at),
            "miss_mis_epi_rhi_offered": _rhi_yn(e.returned_at is not None, rhi.get(e.id), False),
            "miss_mis_epi_rhi_accepted": _rhi_yn(e.returned_at is not None, rhi.get(e.id), True),
        }
        for e in eps
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    write_csv(out, SSD_MISSING_COLUMNS, rows)
    return len(rows)


__all__ = ["LIST8_COLUMNS", "SSD_MISSING_COLUMNS", "annex_a_rows", "export_annex_a", "export_ssd_missing"]
