"""Hypothesis throws arbitrary arguments at every CLI command and arbitrary import files.

Whatever the input: exit 0 or 2, at most one line on stderr, never a traceback, and a
refused input leaves every table exactly as it was. The suite runs the "ci" profile
(well under a minute, SQLite); `LAC_MONITOR_FUZZ=long` runs thousands of examples.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lac_monitor.cli import main
from lac_monitor.domain.clock import FixedClock
from lac_monitor.storage.database import Database
from tests.cli.test_refusals import table_digest
from tests.factories import World, make_world

settings.register_profile(
    "ci",
    max_examples=120,
    deadline=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "long",
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("LAC_MONITOR_FUZZ", "ci"))


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, str, Path]]:
    folder = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{folder / 'fuzz.sqlite'}"
    db = Database.open(url)
    world = make_world(db, FixedClock(datetime.now(UTC) - timedelta(minutes=5)))
    _seed(world)
    yield db, url, folder
    db.dispose()


def _seed(world: World) -> None:
    for cid in ("C000800", "C000801", "C000802"):
        world.add_child(cid, first="Fuzzina", last="Testperson")
    world.episodes.report("C000800", "M", world.clock.now() - timedelta(hours=3), police_ref="REF8")


# Values that broke the register before, mixed with anything at all.
EDGY_TEXT = st.sampled_from(
    [
        "",
        " ",
        "   ",
        "\x00",
        "a\x00b",
        "x" * 300,
        "P" * 5000,
        "99999999999999999999999",
        "-1",
        "0",
        "0001-01-01T00:00+01:00",
        "9999-12-31T23:59-05:00",
        "2026-03-29T01:30",
        "2025-10-26T01:30",
        "2026-11-25T14:30",
        "c000800",
        "C000800",
        "C000801",
        " sw.one",
        "Northfield Children in Care ",
        "/etc/passwd",
        "postgresql://@@@:::/",
        "high",
        "M",
        "A",
        "'; DROP TABLE child; --",
        "é" * 50,
        "\n\n",
    ]
)
TEXT = st.one_of(EDGY_TEXT, st.text(max_size=60), st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
NUMBER = st.one_of(st.integers(min_value=-(10**25), max_value=10**25).map(str), EDGY_TEXT)
CHILD = st.one_of(st.sampled_from(["C000800", "C000801", "C000802", "C999999", "c000801"]), TEXT)


def _opt(name: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    return st.one_of(st.just([]), values.map(lambda v: [name, v]))


def _command(head: list[str], *parts: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
    return st.tuples(*parts).map(lambda ps: head + [a for p in ps for a in p]) if parts else st.just(head)


COMMANDS = st.one_of(
    _command(
        ["episode", "report"],
        CHILD.map(lambda c: [c]),
        _opt("--category", st.sampled_from(["M", "A"])),
        _opt("--at", TEXT),
        _opt("--risk", st.sampled_from(["none", "low", "medium", "high"])),
        _opt("--police-ref", TEXT),
        _opt("--last-seen", TEXT),
        _opt("--reported-by", TEXT),
        _opt("--circumstances", TEXT),
    ),
    _command(
        ["episode", "update"],
        CHILD.map(lambda c: [c]),
        _opt("--police-ref", TEXT),
        _opt("--risk", st.sampled_from(["none", "low", "medium", "high"])),
        _opt("--category", st.sampled_from(["M", "A"])),
        _opt("--reason", TEXT),
        _opt("--note", TEXT),
        _opt("--sighting", TEXT),
    ),
    _command(
        ["episode", "return"],
        CHILD.map(lambda c: [c]),
        _opt("--at", TEXT),
        _opt("--found-at", TEXT),
        _opt("--how", TEXT),
    ),
    _command(["board"], _opt("--at", TEXT), _opt("--status", TEXT)),
    _command(["alerts", "ack"], NUMBER.map(lambda n: [n]), _opt("--note", TEXT)),
    _command(["changes"], _opt("--since", NUMBER), _opt("--limit", NUMBER)),
    _command(
        ["staff", "add"],
        TEXT.map(lambda t: [t]),
        TEXT.map(lambda t: [t]),
        st.just(["--role", "social_worker"]),
        _opt("--team", NUMBER),
        _opt("--email", TEXT),
        _opt("--phone", TEXT),
    ),
    _command(["team", "add"], TEXT.map(lambda t: [t]), _opt("--locality", TEXT)),
    _command(
        ["child", "add"],
        CHILD.map(lambda c: [c]),
        st.tuples(TEXT, TEXT).map(lambda n: ["--first-name", n[0], "--last-name", n[1]]),
        _opt("--dob", TEXT),
        st.just(["--sex", "F", "--ethnicity", "WBRI"]),
        _opt("--team", NUMBER),
        _opt("--locality", TEXT),
    ),
    _command(
        ["care", "move"],
        CHILD.map(lambda c: [c]),
        _opt("--on", TEXT),
        st.just(["--ls", "C2", "--cin", "N1", "--place", "U4", "--provider", "PR1", "--reason", "CARPL"]),
        _opt("--postcode", TEXT),
        _opt("--urn", TEXT),
        _opt("--carer-phone", TEXT),
        _opt("--placement-name", TEXT),
    ),
    _command(["export", "ssda903"], _opt("--year", NUMBER)),
    _command(["report", "profile"], CHILD.map(lambda c: [c])),
)


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _check(db: Database, argv: list[str]) -> None:
    before = table_digest(db)
    code, _out, err = _run(argv)
    assert code in (0, 2), (argv, code, err)
    assert "Traceback" not in err, err
    assert err.count("\n") <= 1, err
    if code == 2:
        assert table_digest(db) == before, f"refused input changed the database: {argv!r}"


@given(argv=COMMANDS)
def test_any_command_line_is_done_or_refused_cleanly(fuzz_db: tuple[Database, str, Path], argv: list[str]) -> None:
    db, url, folder = fuzz_db
    if argv[:2] in (["export", "ssda903"], ["report", "profile"]):
        argv = [*argv, "--out", str(folder / ("out" if argv[0] == "export" else "p.pdf"))]
    _check(db, [*argv, "--database", url, "--user", "sw.one"])


CSV_CELL = st.one_of(
    EDGY_TEXT,
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters=',\r\n"'), max_size=20),
    st.sampled_from(
        [
            "01/01/2015",
            "29/02/2013",
            "31/12/2999",
            "01/01/0001",
            "C000900",
            "c000800",
            "WBRI",
            "1",
            "2",
            "C2",
            "N1",
            "U4",
            "PR1",
            "S",
            "E4A",
        ]
    ),
)


@given(
    header=st.lists(st.tuples(CSV_CELL, CSV_CELL, CSV_CELL, CSV_CELL, CSV_CELL), max_size=4),
    episodes=st.lists(st.tuples(CSV_CELL, CSV_CELL, CSV_CELL, CSV_CELL), max_size=4),
    names=st.lists(st.tuples(CSV_CELL, CSV_CELL, CSV_CELL), max_size=3),
)
def test_any_import_file_is_imported_or_refused_cleanly(
    fuzz_db: tuple[Database, str, Path],
    header: list[tuple[str, ...]],
    episodes: list[tuple[str, ...]],
    names: list[tuple[str, ...]],
) -> None:
    db, url, folder = fuzz_db
    h, e, n = folder / "header.csv", folder / "episodes.csv", folder / "names.csv"
    h.write_text(
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
        + "".join(f"{c},{s},{d},{eth},{u},," + "\n" for c, s, d, eth, u in header),
        encoding="utf-8",
    )
    e.write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        + "".join(f"{c},{d},S,C2,N1,U4,PR1,{dec},{rec},,,,\n" for c, d, dec, rec in episodes),
        encoding="utf-8",
    )
    n.write_text(
        "CHILD,FIRST_NAME,LAST_NAME,PREFERRED_NAME\n" + "".join(f"{a},{b},{c}\n" for a, b, c in names), encoding="utf-8"
    )
    _check(
        db,
        [
            "import",
            "ssda903",
            "--header",
            str(h),
            "--episodes",
            str(e),
            "--names",
            str(n),
            "--database",
            url,
            "--user",
            "sw.one",
        ],
    )
