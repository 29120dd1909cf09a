"""The alert rules as pure functions of (state, clock, ladder): every rule and its edges."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest

from lac_monitor.domain.alerts import (
    AlertDue,
    AlertState,
    EpisodeEventFacts,
    EpisodeFacts,
    due_alerts,
)
from lac_monitor.domain.errors import ValidationError
from lac_monitor.domain.ladder import DEFAULT_LADDER, Ladder, validate_ladder

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday, office hours (GMT)
EVENING = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
H = timedelta(hours=1)
FRESH_PROFILE = {"C1": NOW - timedelta(days=10)}


def episode(
    eid: int = 1,
    child: str = "C1",
    *,
    started: datetime,
    reported: datetime | None = None,
    category: str = "M",
    returned: datetime | None = None,
    risk: str | None = "medium",
    police_ref: str | None = "LOG-1",
    rhi_offered: datetime | None = None,
    rhi_done: datetime | None = None,
) -> EpisodeFacts:
    return EpisodeFacts(
        id=eid,
        child_id=child,
        category=category,
        started_at=started,
        reported_at=reported or started,
        returned_at=returned,
        risk=risk,
        police_ref=police_ref,
        rhi_offered_at=rhi_offered,
        rhi_done_at=rhi_done,
    )


def alerts(
    *episodes: EpisodeFacts,
    events: tuple[EpisodeEventFacts, ...] = (),
    profiles: dict[str, datetime] | None = None,
    now: datetime = NOW,
    ladder: Ladder = DEFAULT_LADDER,
) -> list[AlertDue]:
    state = AlertState(tuple(episodes), events, FRESH_PROFILE if profiles is None else profiles)
    return due_alerts(state, now, ladder)


def rules(found: list[AlertDue]) -> set[str]:
    return {a.rule for a in found}


def one(found: list[AlertDue], rule: str) -> AlertDue:
    matches = [a for a in found if a.rule == rule]
    assert len(matches) == 1, f"expected one {rule}, got {[a.unique_key for a in found]}"
    return matches[0]


# -- new report ------------------------------------------------------------------------------
def test_new_missing_report_goes_to_worker_and_team_in_office_hours() -> None:
    a = one(alerts(episode(started=NOW - timedelta(minutes=10))), "reported")
    assert a.unique_key == "reported:episode:1"
    assert a.audiences == ("allocated_worker", "team")
    assert a.severity == "warning"
    assert "C1" in a.message and "missing" in a.message


def test_away_report_is_alerted_too_and_duty_team_is_added_out_of_hours() -> None:
    a = one(alerts(episode(started=EVENING - H, category="A"), now=EVENING), "reported")
    assert "away" in a.message
    assert "duty_team" in a.audiences


def test_every_alert_raised_out_of_hours_reaches_the_duty_team() -> None:
    evening = one(alerts(episode(started=EVENING - 25 * H), now=EVENING), "missing_24h")
    assert evening.audiences == ("team_manager", "duty_team")
    daytime = one(alerts(episode(started=NOW - 25 * H)), "missing_24h")
    assert daytime.audiences == ("team_manager",)


def test_office_hours_are_local_time_and_configurable() -> None:
    summer_morning = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)  # 09:00 BST
    assert DEFAULT_LADDER.is_office_hours(summer_morning)
    assert not DEFAULT_LADDER.is_office_hours(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))  # Saturday
    assert not DEFAULT_LADDER.is_office_hours(datetime(2026, 11, 25, 17, 0, tzinfo=UTC))  # end is exclusive
    late = replace(DEFAULT_LADDER, office_end=time(20, 30))
    found = alerts(episode(started=EVENING - H), now=EVENING, ladder=late)
    assert "duty_team" not in one(found, "reported").audiences


def test_high_risk_at_report_is_high_severity_and_goes_to_managers_and_the_worker() -> None:
    found = alerts(episode(started=NOW - H, risk="high"))
    assert one(found, "reported").severity == "high"
    hr = one(found, "high_risk")
    assert hr.severity == "high"
    assert set(hr.audiences) == {"allocated_worker", "team_manager", "head_of_service"}
    assert hr.unique_key == "high_risk:episode:1"


# -- police reference ---------------------------------------------------------------------------
def test_no_police_reference_after_exactly_one_hour_goes_to_the_episode_owner() -> None:
    ep = episode(started=NOW - 2 * H, reported=NOW - H, police_ref=None)
    a = one(alerts(ep), "police_ref_missing")
    assert a.audiences == ("episode_owner",)
    assert a.due_at == NOW
    early = replace(ep, reported_at=NOW - H + timedelta(minutes=1))
    assert "police_ref_missing" not in rules(alerts(early))
    assert "police_ref_missing" not in rules(alerts(replace(ep, police_ref="LOG-9")))


# -- time missing ---------------------------------------------------------------------------------
def test_exactly_24_hours_missing_raises_manager_review_and_23h59m_does_not() -> None:
    at_24 = alerts(episode(started=NOW - 24 * H))
    a = one(at_24, "missing_24h")
    assert a.unique_key == "missing_24h:episode:1:24h"
    assert a.due_at == NOW
    assert a.audiences == ("team_manager",)
    almost = alerts(episode(started=NOW - 24 * H + timedelta(minutes=1)))
    assert "missing_24h" not in rules(almost)


def test_48_and_72_hours_escalate_to_head_of_service() -> None:
    found = alerts(episode(started=NOW - 72 * H))
    assert {"missing_24h", "missing_48h", "missing_72h"} <= rules(found)
    assert set(one(found, "missing_48h").audiences) == {"team_manager", "head_of_service"}
    assert one(found, "missing_72h").audiences == ("head_of_service",)
    assert one(found, "missing_72h").severity == "high"
    assert "missing_72h" not in rules(alerts(episode(started=NOW - 72 * H + timedelta(seconds=1))))


def test_away_episodes_escalate_on_the_same_ladder() -> None:
    a = one(alerts(episode(started=NOW - 30 * H, category="A")), "missing_24h")
    assert "away from placement for 24 h" in a.message


def test_no_escalation_once_the_child_is_back() -> None:
    found = alerts(episode(started=NOW - 30 * H, returned=NOW - 7 * H))
    assert not {"missing_24h", "missing_48h", "missing_72h"} & rules(found)


def test_thresholds_are_configurable() -> None:
    ladder = replace(
        DEFAULT_LADDER,
        manager_review_hours=12,
        strategy_meeting_hours=20,
        head_of_service_hours=30,
        police_ref_chase_hours=0.5,
    )
    found = alerts(episode(started=NOW - 12 * H, police_ref=None), ladder=ladder)
    assert one(found, "missing_24h").unique_key == "missing_24h:episode:1:12h"
    assert "missing_48h" not in rules(found)
    assert "police_ref_missing" in rules(found)
    assert "missing_48h" in rules(alerts(episode(started=NOW - 20 * H), ladder=ladder))


# -- risk and category changes ------------------------------------------------------------------------
def risk_event(eid: int, old: str | None, new: str, at: datetime = NOW - H) -> EpisodeEventFacts:
    return EpisodeEventFacts(id=eid, episode_id=1, kind="risk", recorded_at=at, old_value=old, new_value=new)


def test_risk_raised_alerts_but_lowered_does_not() -> None:
    ep = episode(started=NOW - 5 * H)
    up = alerts(ep, events=(risk_event(10, "low", "medium"),))
    a = one(up, "risk_raised")
    assert a.unique_key == "risk_raised:event:10"
    assert "Low" in a.message and "Medium" in a.message
    assert "risk_raised" not in rules(alerts(ep, events=(risk_event(11, "medium", "low"),)))
    # The first grade recorded at report is not a "raise": the report alert covers it.
    assert "risk_raised" not in rules(alerts(ep, events=(risk_event(12, None, "medium"),)))


def test_risk_raised_to_high_raises_high_risk_once_at_the_time_it_was_raised() -> None:
    ep = episode(started=NOW - 5 * H, risk="high")
    found = alerts(
        ep,
        events=(
            risk_event(10, "medium", "high", NOW - 2 * H),
            risk_event(11, "high", "medium", NOW - 90 * timedelta(minutes=1)),
            risk_event(12, "medium", "high", NOW - H),
        ),
    )
    assert one(found, "high_risk").due_at == NOW - 2 * H
    assert len([a for a in found if a.rule == "risk_raised"]) == 2
    assert all(a.severity == "high" for a in found if a.rule == "risk_raised")


def test_reclassified_away_to_missing_raises_a_warning() -> None:
    ep = episode(started=NOW - 5 * H, category="M")
    ev = EpisodeEventFacts(id=20, episode_id=1, kind="reclassified", recorded_at=NOW - H, old_value="A", new_value="M")
    a = one(alerts(ep, events=(ev,)), "reclassified")
    assert a.severity == "warning"
    assert "from away to missing" in a.message
    back = replace(ev, id=21, old_value="M", new_value="A")
    assert one(alerts(ep, events=(back,)), "reclassified").severity == "info"


# -- return and RHI ------------------------------------------------------------------------------
def test_return_raises_returned_and_rhi_due() -> None:
    found = alerts(episode(started=NOW - 10 * H, returned=NOW - H))
    assert one(found, "returned").audiences == ("allocated_worker", "team")
    rhi = one(found, "rhi_due")
    assert rhi.audiences == ("allocated_worker",)
    assert "28/11/2026 11:00" in rhi.message  # 72 h after the return
    assert "rhi_overdue" not in rules(found)


def test_rhi_overdue_exactly_72_hours_after_return_unless_offered_in_time() -> None:
    ep = episode(started=NOW - 80 * H, returned=NOW - 72 * H)
    a = one(alerts(ep), "rhi_overdue")
    assert set(a.audiences) == {"allocated_worker", "team_manager"}
    assert a.due_at == NOW
    assert "rhi_overdue" not in rules(alerts(replace(ep, returned_at=NOW - 72 * H + timedelta(minutes=1))))
    assert "rhi_overdue" not in rules(alerts(replace(ep, rhi_offered_at=NOW - 10 * H)))
    assert "rhi_overdue" not in rules(alerts(replace(ep, rhi_done_at=NOW - 10 * H)))  # declined
    late = replace(ep, rhi_offered_at=NOW + timedelta(minutes=5))  # offered after it fell due
    assert "rhi_overdue" in rules(alerts(late, now=NOW + H))


def test_rhi_window_is_configurable() -> None:
    ladder = replace(DEFAULT_LADDER, rhi_hours=48)
    assert "rhi_overdue" in rules(alerts(episode(started=NOW - 60 * H, returned=NOW - 48 * H), ladder=ladder))


def test_return_then_new_episode_alerts_for_the_new_episode_only() -> None:
    first = episode(1, started=NOW - 40 * H, returned=NOW - 30 * H)
    second = episode(2, started=NOW - 25 * H)
    found = alerts(first, second)
    assert one(found, "missing_24h").episode_id == 2
    assert {a.unique_key for a in found if a.episode_id == 1} == {
        "reported:episode:1",
        "returned:episode:1",
        "rhi_due:episode:1",
    }
    assert "reported:episode:2" in {a.unique_key for a in found}
    # Keys never collide between the two episodes.
    assert len({a.unique_key for a in found}) == len(found)


# -- patterns and the profile ----------------------------------------------------------------------------
def _days_ago(eid: int, days: float, child: str = "C1") -> EpisodeFacts:
    start = NOW - timedelta(days=days)
    return episode(eid, child, started=start, returned=start + H)


def test_third_episode_within_90_days_is_repeat_missing_to_worker_manager_and_head() -> None:
    eps = [_days_ago(1, 80), _days_ago(2, 40), episode(3, started=NOW - H)]
    a = one(alerts(*eps), "repeat_missing")
    assert a.episode_id == 3
    assert a.audiences == ("allocated_worker", "team_manager", "head_of_service")
    assert "3 missing/away episodes within 90 days" in a.message and "strategy meeting" in a.message
    assert "repeat_missing" not in rules(alerts(*eps[1:]))
    spread = [_days_ago(1, 91), *eps[1:]]
    assert "repeat_missing" not in rules(alerts(*spread))
    # The administrator's N and D apply.
    assert "repeat_missing" in rules(alerts(*eps[1:], ladder=replace(DEFAULT_LADDER, repeat_count=2)))
    assert "repeat_missing" not in rules(alerts(*eps, ladder=replace(DEFAULT_LADDER, repeat_days=30)))
    assert "repeat_missing" in rules(alerts(*spread, ladder=replace(DEFAULT_LADDER, repeat_days=95)))


def test_repeat_missing_is_raised_once_per_crossing() -> None:
    from lac_monitor.domain.alerts import repeat_crossings

    # 4th and 5th episodes while the pattern lasts do not cross again.
    assert repeat_crossings([NOW + timedelta(days=d) for d in (0, 10, 20, 30, 40)], 3, 90) == [2]
    # The count falls below 3 (the first two leave the window) and reaches it anew.
    assert repeat_crossings([NOW + timedelta(days=d) for d in (0, 10, 20, 200, 210, 220)], 3, 90) == [2, 5]
    # Day 95: day 0 has left the window but three remain: still the same pattern.
    assert repeat_crossings([NOW + timedelta(days=d) for d in (0, 10, 20, 30, 95)], 3, 90) == [2]
    # Day 95: only days 10 and 20 remained (two), so day 95 reaches three anew.
    assert repeat_crossings([NOW + timedelta(days=d) for d in (0, 10, 20, 95)], 3, 90) == [2, 3]
    lasts = [_days_ago(1, 6), _days_ago(2, 5), _days_ago(3, 4), episode(4, started=NOW - H)]
    assert [a.episode_id for a in alerts(*lasts) if a.rule == "repeat_missing"] == [3]


def test_ladder_labels_follow_the_configured_hours() -> None:
    from lac_monitor.domain.alerts import rule_label
    from lac_monitor.domain.ladder import RUNGS

    assert rule_label("missing_24h") == "24 h: manager review"
    ladder = replace(DEFAULT_LADDER, manager_review_hours=12, repeat_count=4, repeat_days=60)
    assert rule_label("missing_24h", ladder) == "12 h: manager review"
    assert rule_label("repeat_missing", ladder) == "Repeat missing: 4 in 60 days"
    # Every rule has exactly one rung; every rung's settings are fields of the ladder.
    from lac_monitor.domain.alerts import Rule

    assert {r.rule for r in RUNGS} == {r.value for r in Rule}
    for rung in RUNGS:
        for setting in rung.settings:
            assert getattr(DEFAULT_LADDER, setting.name) == setting.default


def test_repeat_missing_counts_each_child_separately() -> None:
    eps = [
        episode(1, "C1", started=NOW - timedelta(days=5), returned=NOW - timedelta(days=5) + H),
        episode(2, "C2", started=NOW - timedelta(days=3), returned=NOW - timedelta(days=3) + H),
        episode(3, "C1", started=NOW - H),
    ]
    assert "repeat_missing" not in rules(alerts(*eps, profiles={}))


def test_philomena_profile_missing_or_older_than_six_months() -> None:
    ep = episode(started=NOW - H)
    assert one(alerts(ep, profiles={}), "profile_missing").audiences == ("allocated_worker",)
    stale = {"C1": NOW - H - timedelta(days=184)}
    assert one(alerts(ep, profiles=stale), "profile_stale").unique_key == "profile_stale:episode:1"
    assert not {"profile_missing", "profile_stale"} & rules(alerts(ep))
    ladder = replace(DEFAULT_LADDER, profile_max_age_days=5)
    assert "profile_stale" in rules(alerts(ep, ladder=ladder))


# -- look-back and the future -------------------------------------------------------------------------------
def test_ancient_history_raises_nothing() -> None:
    old = episode(started=NOW - timedelta(days=40), returned=NOW - timedelta(days=39))
    assert alerts(old, profiles={}) == []
    week = replace(DEFAULT_LADDER, lookback_days=60)
    assert "returned" in rules(alerts(old, ladder=week))


def test_nothing_is_due_before_it_happens() -> None:
    assert alerts(episode(started=NOW + H)) == []
    ep = episode(started=NOW - 5 * H)
    assert "risk_raised" not in rules(alerts(ep, events=(risk_event(1, "low", "high", NOW + H),)))


def test_the_rules_are_deterministic_so_every_desktop_agrees() -> None:
    eps = (episode(1, started=NOW - 50 * H, police_ref=None), episode(2, "C2", started=NOW - 3 * H))
    assert alerts(*eps) == alerts(*eps)


# -- the ladder itself ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "change, field",
    [
        ({"strategy_meeting_hours": 24.0}, "strategy meeting"),
        ({"head_of_service_hours": 40.0}, "head of service"),
        ({"manager_review_hours": 0}, "manager review"),
        ({"rhi_hours": -1}, "RHI"),
        ({"repeat_count": 1}, "repeat missing: episodes"),
        ({"office_start": time(18), "office_end": time(9)}, "office hours end"),
        ({"lookback_days": 0}, "look-back"),
    ],
)
def test_bad_ladder_is_rejected_naming_the_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as err:
        validate_ladder(replace(DEFAULT_LADDER, **change))  # type: ignore[arg-type]
    assert field in err.value.field


def test_ladder_round_trips_through_json() -> None:
    ladder = replace(DEFAULT_LADDER, manager_review_hours=12, lookback_days=3, office_end=time(18, 30))
    assert Ladder.from_json(ladder.to_json()) == ladder
    validate_ladder(DEFAULT_LADDER)


def test_tables_show_the_message_without_repeating_the_child() -> None:
    from lac_monitor.domain.alerts import without_subject

    assert (
        without_subject("Child C1 (episode 2): police risk grade raised from Medium to High.")
        == "Police risk grade raised from Medium to High."
    )
    assert without_subject("Child C1 (episode 2) reported missing (M).") == "Reported missing (M)."
    assert without_subject("Child C9: 3 episodes within 30 days") == "3 episodes within 30 days"
    assert without_subject("Ladder changed") == "Ladder changed"


def test_the_report_alert_asks_only_for_what_is_missing() -> None:
    given = one(alerts(episode(started=NOW - H, risk="low", police_ref="LOG-1")), "reported")
    assert "police reference" not in given.message and "risk grade" not in given.message
    assert "Philomena part 2" in given.message
    bare = one(alerts(episode(started=NOW - H, risk=None, police_ref=None)), "reported")
    assert "Record the police reference, the risk grade and Philomena part 2" in bare.message
