"""The monthly picture for managers: one query layer (storage/trends.py) for the PDF
(`lac-monitor report trends`) and the window's Trends view."""

from __future__ import annotations

from datetime import date

from lac_monitor.domain.access import Permission
from lac_monitor.domain.errors import ValidationError
from lac_monitor.domain.trends import TrendsData
from lac_monitor.services.settings import load_ladder
from lac_monitor.services.uow import ActionService
from lac_monitor.storage.patterns import visible_children
from lac_monitor.storage.trends import load_trends

MAX_DAYS = 3 * 366


def default_period(today: date) -> tuple[date, date]:
    """Twelve months: the first of the month eleven months back, to today."""
    y, m = today.year, today.month - 11
    if m < 1:
        y, m = y - 1, m + 12
    return date(y, m, 1), today


class TrendsService(ActionService):
    requires = Permission.READ_REGISTER

    def trends(self, start: date, end: date) -> TrendsData:
        self.require(Permission.READ_REGISTER)
        if end < start:
            raise ValidationError("to", "must be on or after the 'from' date")
        if (end - start).days > MAX_DAYS:
            raise ValidationError("to", "must be within three years of the 'from' date")
        ladder = load_ladder(self.db)
        visible = visible_children(self.actor.role, self.actor.staff_id, self.actor.team_id)
        with self.db.read_session() as s:
            return load_trends(s, start, end, self.clock.now(), ladder.rhi_hours, visible)

    def record_print(self, data: TrendsData, output: str, pages: int) -> None:
        """The print is audited (aggregate figures only: no child ids on the sheet)."""
        with self._uow() as uow:
            uow.audit(
                "report.trends",
                "report",
                None,
                None,
                start=data.start.isoformat(),
                end=data.end.isoformat(),
                episodes=data.episodes,
                output=output,
                pages=pages,
            )
            uow.commit()
