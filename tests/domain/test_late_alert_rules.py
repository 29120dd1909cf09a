"""The rules for thresholds that fell due while nobody was evaluating (pure: no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lac_monitor.domain.alerts import (
    AlertState,
    EpisodeFacts,
    due_alerts,
    is_late,
    late_label,
    late_note,
    shown_message,
)
from lac_monitor.domain.ladder import DEFAULT_LADDER

H = timedelta(hours=1)
T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def rules_due(
    returned_after: float | None, now: datetime, police_ref: str | None = "LOG-1", since: datetime | None = None
) -> set[str]:
    ep = EpisodeFacts(
        id=1,
        child_id="C1",
        category="M",
        started_at=T0,
        reported_at=T0 + 0.5 * H,
        returned_at=None if returned_after is None else T0 + returned_after * H,
        risk="medium",
        police_ref=police_ref,
    )
    return {d.rule for d in due_alerts(AlertState(episodes=(ep,)), now, DEFAULT_LADDER, since)}


def test_a_threshold_that_fell_before_the_return_is_still_due_after_it() -> None:
    later = T0 + 60 * H
    assert {"missing_24h", "missing_48h"} <= rules_due(returned_after=50, now=later)
    assert "missing_72h" not in rules_due(returned_after=50, now=T0 + 80 * H)  # back before 72 h
    assert "missing_24h" not in rules_due(returned_after=20, now=later)  # back before 24 h


def test_the_police_reference_chase_counts_only_while_the_child_was_missing() -> None:
    assert "police_ref_missing" in rules_due(returned_after=3, now=T0 + 10 * H, police_ref=None)
    assert "police_ref_missing" not in rules_due(returned_after=1, now=T0 + 10 * H, police_ref=None)


def test_a_gap_longer_than_the_look_back_is_caught_up_from_the_last_evaluation() -> None:
    now = T0 + 10 * 24 * H  # 10 days on; the look-back is 7 days
    assert "missing_24h" not in rules_due(returned_after=30, now=now)
    assert "missing_24h" in rules_due(returned_after=30, now=now, since=T0)


def test_late_marking_in_local_time() -> None:
    due = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)  # 03:00 in London (BST)
    assert not is_late(due, due + timedelta(minutes=4))
    assert is_late(due, due + timedelta(minutes=6))
    assert late_note(due, due + 6 * H) == "Raised late: due at 03:00."
    assert late_note(due, due + 30 * H) == "Raised late: due at 01/07/2026 03:00."
    assert late_label(due, due + 6 * H) == "late, due 03:00"
    assert (
        shown_message("Child C1 (episode 1) missing for 24 h.", True, due, due + 6 * H)
        == "Child C1 (episode 1) missing for 24 h. Raised late: due at 03:00."
    )
    assert shown_message("x", False, due, due + 6 * H) == "x"
