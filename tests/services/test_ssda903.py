"""SSDA903 files: export follows the return's rules; import refuses bad files whole."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from lac_monitor.domain.localtime import parse_time
from lac_monitor.services import ssda903
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import Child, MissingEpisode
from tests.factories import FOSTER, World


def read(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_export_splits_a_missing_period_at_a_placement_change(world: World, tmp_path: Path) -> None:
    world.clock.set(parse_time("2026-03-20T12:00"))
    child = world.add_child("C700001", dob=date(2010, 5, 1), in_care_since=date(2025, 1, 10))
    ep = world.episodes.report(child, "M", parse_time("2026-02-01T22:00"))
    world.care.change_placement(child, None, date(2026, 2, 3), FOSTER, rne="P", reason_place_change="CHILD")
    world.episodes.record_return(ep.id, ep.version, parse_time("2026-02-05T10:00"))
    open_ep = world.episodes.report(child, "A", parse_time("2026-03-19T20:00"))
    assert open_ep.id
    summary = ssda903.export(world.db, 2026, tmp_path)
    assert summary.children == 1
    assert read(tmp_path / "header.csv") == ["CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB", "C700001,F,01/05/2010,WBRI,,,"]
    episodes = read(tmp_path / "episodes.csv")
    assert episodes[0] == ",".join(ssda903.EPISODE_COLS)
    assert episodes[1].startswith("C700001,10/01/2025,S,C2,N1,U4,PR1,03/02/2026,X1,CHILD")
    assert episodes[2].startswith("C700001,03/02/2026,P,C2,N1,U4,PR1,,,")
    assert read(tmp_path / "missing.csv") == [
        "CHILD,DOB,MISSING,MIS_START,MIS_END",
        "C700001,01/05/2010,M,01/02/2026,03/02/2026",  # closed at the placement change
        "C700001,01/05/2010,M,03/02/2026,05/02/2026",  # continues in the new placement
        "C700001,01/05/2010,A,19/03/2026,",  # still open at the year end
    ]


def test_round_trip_into_an_empty_register(world: World, tmp_path: Path, db_url: str) -> None:
    world.clock.set(parse_time("2026-03-20T12:00"))
    child = world.add_child("C700002", dob=date(2011, 6, 1), in_care_since=date(2025, 5, 1))
    ep = world.episodes.report(child, "A", parse_time("2025-12-01T18:00"))
    world.episodes.record_return(ep.id, ep.version, parse_time("2025-12-02T09:00"))
    ssda903.export(world.db, 2026, tmp_path / "a")
    # a fresh council database (same server, wiped)
    with world.db.write_session() as s:
        for table in ("episode_event", "audit_log", "missing_episode", "care_episode", "child"):
            s.execute(text(f"DELETE FROM {table}"))
        s.commit()
    names = tmp_path / "names.csv"
    names.write_text("CHILD,FIRST_NAME,LAST_NAME,PREFERRED_NAME\nC700002,Testina,Roundtrip,Tina\n")
    got = ssda903.import_files(
        world.db,
        world.actor,
        tmp_path / "a" / "header.csv",
        tmp_path / "a" / "episodes.csv",
        tmp_path / "a" / "missing.csv",
        names,
        clock=world.clock,
    )
    assert (got.children, got.care_episodes, got.missing_episodes) == (1, 1, 1)
    ssda903.export(world.db, 2026, tmp_path / "b")
    for name in ("header.csv", "episodes.csv", "missing.csv"):
        assert read(tmp_path / "a" / name) == read(tmp_path / "b" / name)
    with world.db.read_session() as s:
        c = s.get(Child, "C700002")
        assert c is not None and (c.first_name, c.preferred_name) == ("Testina", "Tina")


GOOD_HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1,F,01/05/2010,WBRI,,0,\nC2,M,02/06/2011,BAFR,,,\n"
GOOD_EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
    "C1,01/01/2025,S,C2,N1,U4,PR1,,,,,,\nC2,01/02/2025,S,V2,N4,K2,PR4,,,,,,SC123456\n"
)
GOOD_MISSING = "CHILD,DOB,MISSING,MIS_START,MIS_END\nC1,01/05/2010,M,03/03/2025,04/03/2025\n"


@pytest.mark.parametrize(
    "header, episodes, missing, expected",
    [
        (
            "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER\nC1,F,01/05/2010,WBRI,,0\n",
            GOOD_EPISODES,
            GOOD_MISSING,
            "header.csv: the column headers must be exactly CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
            " (missing columns MC_DOB)",
        ),
        (GOOD_HEADER.replace("CHILD,SEX", "CHILD ,SEX"), GOOD_EPISODES, GOOD_MISSING, "unexpected columns 'CHILD '"),
        (
            GOOD_HEADER.replace("01/05/2010", "31/02/2010", 1),
            GOOD_EPISODES,
            GOOD_MISSING,
            "header.csv line 2, DOB: '31/02/2010' is not a date as DD/MM/YYYY",
        ),
        (
            GOOD_HEADER,
            GOOD_EPISODES.replace(",U4,", ",Q7,"),
            GOOD_MISSING,
            "episodes.csv line 2, PLACE: 'Q7' is not a known code",
        ),
        (
            GOOD_HEADER,
            GOOD_EPISODES.replace("C2,01/02/2025", "C9,01/02/2025"),
            GOOD_MISSING,
            "episodes.csv line 3, CHILD: C9 is not in header.csv",
        ),
        (
            GOOD_HEADER,
            GOOD_EPISODES,
            GOOD_MISSING + "C1,01/05/2010,A,04/03/2025,\nC1,01/05/2010,M,05/03/2025,\n",
            "missing.csv line 4, MIS_START: overlaps the period on line 3",
        ),
        (
            GOOD_HEADER,
            GOOD_EPISODES,
            GOOD_MISSING.replace("04/03/2025", "01/03/2025"),
            "missing.csv line 2, MIS_END: cannot be before MIS_START",
        ),
        (
            GOOD_HEADER,
            GOOD_EPISODES,
            GOOD_MISSING.replace(",M,", ",X,"),
            "missing.csv line 2, MISSING: 'X' is not a known code",
        ),
        (
            GOOD_HEADER,
            GOOD_EPISODES,
            "CHILD,DOB,MISSING,MIS_START,MIS_END\nC1,01/05/2010,M,03/03/2024,\n",
            "MIS_START: is outside the child's episodes of care",
        ),
        (GOOD_HEADER, GOOD_EPISODES + "C1,\n", GOOD_MISSING, "episodes.csv line 4: wrong number of values"),
    ],
)
def test_malformed_files_are_refused_whole(
    db: Database, world: World, tmp_path: Path, header: str, episodes: str, missing: str, expected: str
) -> None:
    paths = []
    for name, content in (("header.csv", header), ("episodes.csv", episodes), ("missing.csv", missing)):
        (tmp_path / name).write_text(content, encoding="utf-8")
        paths.append(tmp_path / name)
    world.add_child("C000001")
    with pytest.raises(ssda903.ImportFileError) as info:
        ssda903.import_files(db, world.actor, *paths, clock=world.clock)
    assert expected in str(info.value)
    assert "nothing was saved" in str(info.value)
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Child)) == 1
        assert s.scalar(select(func.count()).select_from(MissingEpisode)) == 0


def test_good_files_import_and_existing_children_are_left_alone(db: Database, world: World, tmp_path: Path) -> None:
    for name, content in (("header.csv", GOOD_HEADER), ("episodes.csv", GOOD_EPISODES), ("missing.csv", GOOD_MISSING)):
        (tmp_path / name).write_text(content, encoding="utf-8")
    got = ssda903.import_files(
        db, world.actor, tmp_path / "header.csv", tmp_path / "episodes.csv", tmp_path / "missing.csv", clock=world.clock
    )
    assert (got.children, got.skipped_existing, got.care_episodes, got.missing_episodes) == (2, 0, 2, 1)
    again = ssda903.import_files(db, world.actor, tmp_path / "header.csv", tmp_path / "episodes.csv", clock=world.clock)
    assert (again.children, again.skipped_existing) == (0, 2)
    with db.read_session() as s:
        ep = s.scalars(select(MissingEpisode)).one()
        assert ep.returned_at is not None and ep.returned_at - ep.started_at == timedelta(days=1)
