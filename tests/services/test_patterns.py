"""Patterns across episodes and children, built through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from lac_monitor.domain.patterns import episode_counts, normalise_value, split_values
from lac_monitor.storage.board import load_board
from lac_monitor.storage.queries import child_detail
from tests.factories import World

H = timedelta(hours=1)


def past_episode(world: World, child: str, days_ago: float, found: str | None = None) -> int:
    start = world.clock.now() - timedelta(days=days_ago)
    ep = int(world.episodes.report(child, "M", start, police_ref="LOG-1", risk="medium").id)
    world.episodes.record_return(ep, None, start + 3 * H, found_where=found)
    return ep


def test_episodes_in_the_last_30_90_365_days_on_board_and_record(world: World) -> None:
    world.add_child("C000100")
    world.add_child("C000200")
    for days in (400, 200, 60, 10):
        past_episode(world, "C000100", days)
    now = world.clock.now()
    with world.db.read_session() as s:
        board = {r.child_id: r for r in load_board(s, now)}
        detail = child_detail(s, "C000100")
    assert board["C000100"].episode_counts == (1, 2, 3)
    assert board["C000200"].episode_counts == (0, 0, 0)
    assert episode_counts((e.started_at for e in detail.episodes), now) == (1, 2, 3)


def test_episode_counts_window_edges() -> None:
    at = datetime(2026, 6, 1, 12, tzinfo=UTC)
    starts = [at - timedelta(days=30), at - timedelta(days=30) + H, at + H]
    assert episode_counts(starts, at) == (1, 2, 2)  # exactly 30 days ago is outside 30 days


def test_free_text_names_are_split_and_matched() -> None:
    assert split_values("Jay (older boy); Tyler,\nKane") == ["Jay (older boy)", "Tyler", "Kane"]
    assert normalise_value("The Arndale Centre.") == normalise_value("arndale  centre") == "arndale centre"
    assert normalise_value("Jay (older boy)") == "jay"
    assert split_values("  ;, ") == []
    # Descriptions and "alone" name nobody: never a link between children.
    assert split_values("alone; a friend from school, unknown adult in a car\nBoyfriend (about 19)") == []
    assert split_values("Tiny (older male, about 17)") == ["Tiny (older male, about 17)"]


# -- notifications: UK Missing Persons Unit, out of area ---------------------------------------
from dataclasses import replace  # noqa: E402

import pytest  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from lac_monitor.domain.errors import AccessRefusedError, ValidationError  # noqa: E402
from lac_monitor.services.access import AccessService  # noqa: E402
from lac_monitor.services.alerts import AlertService  # noqa: E402
from lac_monitor.services.patterns import PatternService  # noqa: E402
from lac_monitor.services.settings import save_council_la_code  # noqa: E402
from lac_monitor.services.uow import Actor  # noqa: E402
from lac_monitor.storage.schema import Alert, EpisodeEvent  # noqa: E402
from tests.factories import FOSTER  # noqa: E402

ADMIN = Actor("admin.one", None, "Ada Adminone", "administrator", None)
OTHER_TEAM_WORKER = Actor("sw.two", 3, "Robin Workertwo", "social_worker", 2)
COUNCIL = "E08000025"
HOST = "E08000026"


def out_of_area_child(world: World, child: str = "C000300") -> str:
    save_council_la_code(world.db, ADMIN, COUNCIL, world.clock)
    world.add_child(child, in_care_since=None)
    world.care.start_care(child, world.clock.now().date() - timedelta(days=400), replace(FOSTER, host_la=HOST))
    return child


def alerts_of(world: World, rule: str) -> list[Alert]:
    with world.db.read_session() as s:
        return list(s.scalars(select(Alert).where(Alert.rule == rule)))


def test_out_of_area_report_opens_the_checklist_and_the_overdue_alert_fires_once(world: World) -> None:
    child = out_of_area_child(world)
    svc = PatternService(world.db, world.actor, world.clock)
    PatternService(world.db, ADMIN, world.clock).import_host_contacts_csv(
        "la_code,name,missing_contact,phone,police_force,police_phone\n"
        f"{HOST},Testshire Council,Missing from care team,0161 496 0000,Testshire Police,101\n"
    )
    ep = int(world.episodes.report(child, "M", world.clock.now() - H, police_ref="LOG-9", risk="medium").id)
    check = svc.checklist(ep)
    assert check.out_of_area and check.host_la == HOST
    assert [i.party for i in check.items] == ["host_authority", "host_police", "mpu"]
    assert not any(i.is_done for i in check.items)
    assert check.items[0].contact is not None and "Missing from care team" in check.items[0].contact.line()
    assert check.items[1].contact is not None and check.items[1].contact.police_line() == "Testshire Police · 101"
    alerts = AlertService(world.db, ADMIN, world.clock)
    alerts.evaluate()
    assert alerts_of(world, "host_not_notified") == []  # not yet due (4 h after the report)
    world.clock.advance(5 * H)
    alerts.evaluate()
    world.clock.advance(H)
    alerts.evaluate()
    (overdue,) = alerts_of(world, "host_not_notified")
    assert overdue.episode_id == ep and overdue.severity == "high"
    # Telling them now is recorded against the checklist, who told whom and when.
    svc.record_notification(
        ep,
        "host_authority",
        world.clock.now() - H,
        notified_by="Sasha Workerone",
        notified_whom="Testshire missing from care team (J. Tester)",
        method="phone",
    )
    done = svc.checklist(ep).items[0]
    assert done.is_done and done.done[0].notified_whom.startswith("Testshire")
    assert done.done[0].recorded_by == "Sasha Workerone"


def test_host_authority_told_in_time_raises_nothing(world: World) -> None:
    child = out_of_area_child(world)
    ep = int(world.episodes.report(child, "M", world.clock.now() - H, police_ref="LOG-9", risk="medium").id)
    PatternService(world.db, world.actor, world.clock).record_notification(
        ep, "host_authority", world.clock.now(), notified_by="Sasha Workerone", notified_whom="Testshire EDT"
    )
    world.clock.advance(6 * H)
    AlertService(world.db, ADMIN, world.clock).evaluate()
    assert alerts_of(world, "host_not_notified") == []


def test_a_child_placed_in_area_has_no_host_checklist(world: World) -> None:
    save_council_la_code(world.db, ADMIN, COUNCIL, world.clock)
    world.add_child("C000100")
    ep = int(world.episodes.report("C000100", "M", world.clock.now() - H).id)
    check = PatternService(world.db, world.actor, world.clock).checklist(ep)
    assert not check.out_of_area and [i.party for i in check.items] == ["mpu"]
    world.clock.advance(6 * H)
    AlertService(world.db, ADMIN, world.clock).evaluate()
    assert alerts_of(world, "host_not_notified") == []


def test_uk_missing_persons_unit_reminder_at_72_hours_with_who_confirmed(world: World) -> None:
    world.add_child("C000100")
    world.add_child("C000200")
    a = int(world.episodes.report("C000100", "M", world.clock.now() - 71 * H, police_ref="L1").id)
    b = int(world.episodes.report("C000200", "M", world.clock.now() - 71 * H, police_ref="L2").id)
    svc = PatternService(world.db, world.actor, world.clock)
    svc.record_notification(
        b,
        "mpu",
        world.clock.now(),
        notified_by="PC Testone (missing person coordinator)",
        notified_whom="UK Missing Persons Unit",
        method="police confirmed by phone",
    )
    alerts = AlertService(world.db, ADMIN, world.clock)
    alerts.evaluate()
    assert alerts_of(world, "mpu_notification") == []
    world.clock.advance(2 * H)
    alerts.evaluate()
    alerts.evaluate()
    assert [x.episode_id for x in alerts_of(world, "mpu_notification")] == [a]
    mpu = svc.checklist(b).items[-1]
    assert mpu.party == "mpu" and mpu.done[0].notified_by.startswith("PC Testone")


def test_notifications_refuse_bad_input_and_the_wrong_role(world: World) -> None:
    world.add_child("C000100")
    ep = int(world.episodes.report("C000100", "M", world.clock.now() - H).id)
    svc = PatternService(world.db, world.actor, world.clock)
    with pytest.raises(ValidationError) as err:
        svc.record_notification(ep, "mpu", world.clock.now() + H, notified_by="x", notified_whom="y")
    assert err.value.field == "notified at"
    with pytest.raises(ValidationError):
        svc.record_notification(ep, "neighbour", world.clock.now(), notified_by="x", notified_whom="y")
    with pytest.raises(ValidationError) as err:
        svc.record_notification(ep, "mpu", world.clock.now(), notified_by=" ", notified_whom="y")
    assert err.value.field == "notified by"
    with pytest.raises(AccessRefusedError):
        PatternService(world.db, world.actor, world.clock).import_host_contacts_csv("la_code,name\nE08000026,X\n")
    with pytest.raises(ValidationError) as err:
        PatternService(world.db, ADMIN, world.clock).import_host_contacts_csv("la_code,name\nE08000026,X\nBAD,Y\n")
    assert "CSV line 3" in err.value.field
    assert PatternService(world.db, ADMIN, world.clock).host_contacts() == []  # all or nothing


def test_steps_taken_before_reporting_are_kept_on_the_timeline(world: World) -> None:
    world.add_child("C000100")
    now = world.clock.now()
    ep = int(
        world.episodes.report(
            "C000100",
            "M",
            now - 3 * H,
            steps_taken=[
                (now - 2 * H, "Searched the home and garden"),
                (now - 150 * timedelta(minutes=1), "Rang her phone: no answer"),
            ],
        ).id
    )
    with world.db.read_session() as s:
        steps = s.execute(
            select(EpisodeEvent.at, EpisodeEvent.text)
            .where(EpisodeEvent.episode_id == ep, EpisodeEvent.kind == "step_before_report")
            .order_by(EpisodeEvent.at)
        ).all()
    assert [t for _, t in steps] == ["Rang her phone: no answer", "Searched the home and garden"]
    with pytest.raises(ValidationError) as err:
        world.episodes.report(world.add_child("C000200"), "M", now, steps_taken=[(now + H, "later")])
    assert "step 1" in err.value.field
    with world.db.read_session() as s:  # nothing saved by the refused report
        assert (
            s.scalar(select(func.count()).select_from(EpisodeEvent).where(EpisodeEvent.kind == "step_before_report"))
            == 2
        )


# -- linked children -------------------------------------------------------------------------------
def test_children_sharing_an_associate_and_a_found_place_are_linked_both_ways(world: World) -> None:
    for cid in ("C000100", "C000200", "C000300", "C000400"):
        world.add_child(cid, team_id=1 if cid != "C000400" else 2, worker_id=1 if cid != "C000400" else 3)
    world.episodes.save_profile("C000100", None, associates="Jay (older boy); Tyler")
    world.episodes.save_profile("C000200", None, associates="jay")
    past_episode(world, "C000100", 20, found="The Arndale Centre")
    past_episode(world, "C000200", 40, found="arndale centre.")
    past_episode(world, "C000300", 200, found="Arndale Centre")  # longer ago than 90 days
    svc = PatternService(world.db, world.actor, world.clock)
    (linked,) = svc.linked("C000100")
    assert linked.child_id == "C000200"
    assert any("associate: Jay" in r for r in linked.reasons)
    assert any("found at the same place" in r for r in linked.reasons)
    assert "C000100" in {c.child_id for c in svc.linked("C000200")}
    assert svc.linked("C000300") == []


def test_children_missing_at_overlapping_times_are_linked(world: World) -> None:
    world.add_child("C000100")
    world.add_child("C000200")
    now = world.clock.now()
    a = int(world.episodes.report("C000100", "M", now - 10 * H).id)
    world.episodes.record_return(a, None, now - 4 * H)
    world.episodes.report("C000200", "M", now - 6 * H)  # still missing
    (linked,) = PatternService(world.db, world.actor, world.clock).linked("C000100")
    assert linked.child_id == "C000200" and "missing at the same time" in linked.reasons[0]


def test_restricted_children_never_appear_to_someone_who_cannot_see_them(world: World) -> None:
    for cid in ("C000100", "C000200"):
        world.add_child(cid)
    world.add_child("C000400", team_id=2, worker_id=3)
    for cid in ("C000100", "C000200", "C000400"):
        world.episodes.save_profile(cid, None, associates="Jay")
    AccessService(world.db, world.manager, world.clock).set_restricted("C000200", True, "child of staff")
    mine = {c.child_id for c in PatternService(world.db, world.actor, world.clock).linked("C000100")}
    assert mine == {"C000200", "C000400"}  # the allocated worker sees their restricted child
    other = PatternService(world.db, OTHER_TEAM_WORKER, world.clock)
    assert {c.child_id for c in other.linked("C000400")} == {"C000100"}
    assert {c.child_id for c in other.linked("C000100")} == {"C000400"}
    head = Actor("hos.one", 5, "Alex Headone", "head_of_service", None)
    assert {c.child_id for c in PatternService(world.db, head, world.clock).linked("C000400")} == {"C000100", "C000200"}


# -- the command line ------------------------------------------------------------------------------
def test_command_line_steps_notify_checklist_linked_and_host_contacts(
    world: World, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lac_monitor.cli import main

    out_of_area_child(world, "C000300")
    world.add_child("C000100")
    world.episodes.save_profile("C000100", None, associates="Kane")
    world.episodes.save_profile("C000300", None, associates="Kane (cousin)")

    def run(*argv: str, user: str = "sw.one") -> tuple[int, str, str]:
        code = main([*argv, "--database", db_url, "--user", user])
        out, err = capsys.readouterr()
        return code, out, err

    real_now = datetime.now(UTC)  # the command line runs on the real clock
    code, out, err = run(
        "episode",
        "report",
        "C000300",
        "--category",
        "M",
        "--at",
        (real_now - 3 * H).isoformat(),
        "--step",
        f"{(real_now - 2 * H).isoformat()}=searched the house and garden",
        "--step",
        f"{(real_now - H).isoformat()}=rang her phone",
    )
    assert code == 0, err
    ep = int(out.split()[1].rstrip(":"))
    code, out, _ = run("checklist", str(ep))
    assert code == 0 and "[TO DO] Host authority" in out and "[TO DO] UK Missing Persons Unit" in out
    code, out, err = run(
        "notify",
        str(ep),
        "--party",
        "host_authority",
        "--by",
        "Sasha Workerone",
        "--whom",
        "Testshire EDT",
        "--method",
        "phone",
    )
    assert code == 0, err
    code, out, _ = run("checklist", str(ep))
    assert "[done] Host authority" in out and "Sasha Workerone told Testshire EDT (phone)" in out
    code, out, _ = run("linked", "C000300")
    assert code == 0 and "C000100" in out and "shares an associate: Kane" in out
    csv_file = tmp_path / "hosts.csv"
    csv_file.write_text("la_code,name,police_force\nE08000026,Testshire Council,Testshire Police\n", encoding="utf-8")
    code, _, err = run("host-contacts", "import", str(csv_file))
    assert code != 0 and "administrator" in err
    code, _, err = run("notify", str(ep), "--party", "mpu", "--by", " ", "--whom", "x")
    assert code == 2 and "by" in err
    code, _, err = run("episode", "report", "C000100", "--category", "M", "--step", "no time given")
    assert code == 2 and "--step 1" in err
