"""Most urgent first: the one order of children that the board, `lac-monitor board` and the
handover sheet all use, so a child is never higher on one than on another.

Missing before away before RHI overdue before RHI due before in placement before left care;
among children who are out, police risk (high, then not graded yet, then medium, low, none),
then the longest out first; among returned children, the earliest return first; then by
name, and the child id last so that the order is total.
"""

from __future__ import annotations

from datetime import datetime

from lac_monitor.domain.codes import MissingCategory, risk_urgency
from lac_monitor.domain.report_data import MissingLine
from lac_monitor.domain.status import ChildStatus
from lac_monitor.domain.values import BoardRow

UrgencyKey = tuple[int, int, float, str, str, str]

_OUT = (ChildStatus.MISSING, ChildStatus.AWAY)
_RHI_PENDING = (ChildStatus.RETURNED_RHI_DUE, ChildStatus.RHI_OVERDUE)


def urgency_key(
    status: ChildStatus,
    risk: str | None,
    missing_since: datetime | None,
    returned_at: datetime | None,
    last_name: str,
    first_name: str,
    child_id: str,
) -> UrgencyKey:
    """Sort ascending on this: the most urgent child comes first."""
    if status in _OUT:
        return (
            status.urgency,
            risk_urgency(risk),
            missing_since.timestamp() if missing_since else 0.0,
            last_name.casefold(),
            first_name.casefold(),
            child_id,
        )
    returned = returned_at.timestamp() if returned_at and status in _RHI_PENDING else 0.0
    return (status.urgency, 0, returned, last_name.casefold(), first_name.casefold(), child_id)


def row_urgency(row: BoardRow, status: ChildStatus | None = None) -> UrgencyKey:
    """A board row's place; `status` when it has been re-derived since the row was read."""
    return urgency_key(
        status or row.status,
        row.risk,
        row.missing_since,
        row.returned_at,
        row.last_name,
        row.first_name,
        row.child_id,
    )


def line_urgency(line: MissingLine) -> UrgencyKey:
    """A handover sheet's missing-or-away line: the same place as the child's board row."""
    status = ChildStatus.AWAY if line.category == MissingCategory.AWAY else ChildStatus.MISSING
    return urgency_key(status, line.risk, line.since, None, line.last_name, line.first_name, line.child_id)
