"""The child's record as the statutory return needs it: postcodes, URN, host authority, UPN,
mother, photo and risk flags, through the services and the command line."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from lac_monitor.cli import main
from lac_monitor.domain import record
from lac_monitor.domain.errors import ValidationError
from lac_monitor.domain.localtime import parse_time
from lac_monitor.services import handover
from lac_monitor.services.care import Placement
from lac_monitor.services.register import RegisterService
from lac_monitor.services.settings import load_risk_flags, save_risk_flags
from lac_monitor.services.uow import Actor
from lac_monitor.storage.schema import AuditLog, CareEpisode, Child, RiskFlagRow
from tests.factories import World

HOME = Placement(
    ls="C2",
    cin="N1",
    place="K2",
    place_provider="PR4",
    pl_post="ls6 2ab",
    home_post="LS11  5QT",
    urn="SC123456",
    host_la="E08000035",
)


@pytest.mark.parametrize(
    "text,want",
    [("ls6 2ab", "LS6 2AB"), ("SW1A1AA", "SW1A 1AA"), ("m1 1ae", "M1 1AE"), (" B33 8TH ", "B33 8TH"), ("", None)],
)
def test_postcodes_are_stored_in_the_returns_form(text: str, want: str | None) -> None:
    assert record.normalise_postcode("home postcode", text) == want


@pytest.mark.parametrize("text", ["BK12 3ZZ9", "12345", "LS6 2AC", "L S6", "LS6 2A", "QQ"])
def test_a_postcode_that_cannot_be_a_uk_postcode_is_refused_naming_the_field(text: str) -> None:
    with pytest.raises(ValidationError) as exc:
        record.normalise_postcode("placement postcode", text)
    assert exc.value.field == "placement postcode"


def test_urn_follows_the_dfe_rule_for_the_placement_type() -> None:
    assert record.check_urn("K2", "sc123456") == "SC123456"
    assert record.check_urn("U4", "XXXXXXX") == "XXXXXXX"  # no Ofsted registration
    assert record.check_urn("P1", None) is None  # placed with parents: never a URN
    assert record.check_urn("T0", "XXXXXXX") is None
    with pytest.raises(ValidationError, match="not recorded for placement type P1"):
        record.check_urn("P1", "SC123456")
    with pytest.raises(ValidationError, match="required for placement type K2"):
        record.check_urn("K2", None, required=True)
    with pytest.raises(ValidationError, match="must be an Ofsted URN"):
        record.check_urn("K2", "ABC")


def test_host_authority_and_out_of_area() -> None:
    assert record.check_host_la("e08000035") == "E08000035"
    assert record.check_host_la("WAL") == "WAL"
    with pytest.raises(ValidationError, match="host LA"):
        record.check_host_la("Leeds")
    assert record.is_out_of_area("E08000035", "E08000035") is False
    assert record.is_out_of_area("E08000036", "E08000035") is True
    assert record.is_out_of_area(None, "E08000035") is None


def test_upn_or_the_right_un_code() -> None:
    assert record.check_upn("un2", date(2012, 1, 1), date(2026, 1, 1)) == "UN2"
    assert record.check_upn("UN1", date(2023, 1, 1), date(2026, 1, 1)) == "UN1"  # under school age
    with pytest.raises(ValidationError, match="UN1 is for children not yet of school age"):
        record.check_upn("UN1", date(2012, 1, 1), date(2026, 1, 1))
    with pytest.raises(ValidationError, match="UPN"):
        record.check_upn("I123456789012", date(2012, 1, 1), date(2026, 1, 1))


def test_placement_fields_are_checked_and_stored(world: World) -> None:
    child = world.add_child("C900001", dob=date(2010, 5, 1), in_care_since=None)
    world.care.start_care(child, date(2025, 6, 1), HOME)
    with world.db.read_session() as s:
        ce = s.scalars(select(CareEpisode).where(CareEpisode.child_id == child)).one()
        assert (ce.pl_post, ce.home_post, ce.urn, ce.host_la) == ("LS6 2AB", "LS11 5QT", "SC123456", "E08000035")
    bad = Placement(ls="C2", cin="N1", place="P1", place_provider="PR0", urn="SC123456")
    with pytest.raises(ValidationError, match="URN"):
        world.care.change_placement(child, None, date(2025, 7, 1), bad, rne="P", reason_place_change="CARPL")
    young = world.add_child("C900002", dob=date(2012, 5, 1), in_care_since=None)
    k3 = Placement(ls="V2", cin="N4", place="K3", place_provider="PR4", urn="SC654321")
    with pytest.raises(ValidationError, match="K3 is for young people aged 16"):
        world.care.start_care(young, date(2025, 6, 1), k3)
    temp = Placement(ls="V2", cin="N4", place="T0")
    with pytest.raises(ValidationError, match="cannot start with a temporary placement"):
        world.care.start_care(young, date(2025, 6, 1), temp)


def test_update_upn_and_mother_fields(world: World) -> None:
    child = world.add_child("C900003", dob=date(2008, 5, 1))
    svc = RegisterService(world.db, world.actor, world.clock)
    svc.update_child(child, None, upn="UN3")
    svc.update_child(child, None, mother=True, mc_dob=date(2025, 2, 1))
    with world.db.read_session() as s:
        c = s.get(Child, child)
        assert c is not None and (c.upn, c.mother, c.mc_dob) == ("UN3", True, date(2025, 2, 1))
    with pytest.raises(ValidationError, match="required when she is a mother"):
        svc.update_child(child, None, mother=True, mc_dob=None)
    svc.update_child(child, None, mother=False)
    with world.db.read_session() as s:
        c = s.get(Child, child)
        assert c is not None and (c.mother, c.mc_dob) == (False, None)


def _image(fmt: str, size: tuple[int, int] = (2400, 3200), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 120, 80) if mode == "RGB" else (200, 120, 80, 128)).save(out, format=fmt)
    return out.getvalue()


def test_photo_is_shrunk_reencoded_and_can_be_replaced_and_removed(world: World) -> None:
    child = world.add_child("C900004")
    svc = RegisterService(world.db, world.actor, world.clock)
    svc.set_photo(child, _image("PNG", mode="RGBA"))
    with world.db.read_session() as s:
        c = s.get(Child, child)
        assert c is not None and c.photo is not None
        stored = Image.open(io.BytesIO(c.photo))
        assert stored.format == "JPEG" and max(stored.size) == 800 and len(c.photo) < 300_000
    svc.set_photo(child, _image("BMP", (300, 200)))
    with world.db.read_session() as s:
        c = s.get(Child, child)
        assert c is not None and c.photo is not None and Image.open(io.BytesIO(c.photo)).size == (300, 200)
    with pytest.raises(ValidationError) as exc:
        svc.set_photo(child, b"GIF89a not really")
    assert exc.value.field == "photo"
    with world.db.read_session() as s:
        assert s.get(Child, child).photo is not None  # type: ignore[union-attr]  # nothing lost
    svc.set_photo(child, None)
    with world.db.read_session() as s:
        assert s.get(Child, child).photo is None  # type: ignore[union-attr]
        assert (
            s.scalar(select(AuditLog.action).where(AuditLog.child_id == child).order_by(AuditLog.id.desc()).limit(1))
            == "child.photo"
        )


def test_risk_flags_with_end_and_a_council_list(world: World) -> None:
    child = world.add_child("C900005")
    world.care.set_risk_flag(child, "county_lines", date(2025, 1, 1))
    world.care.set_risk_flag(child, "cse", date(2024, 1, 1), end=date(2024, 6, 1))  # history
    with pytest.raises(ValidationError, match="risk flag"):
        world.care.set_risk_flag(child, "school_exclusion", date(2025, 1, 1))
    admin = Actor("it.admin", None, "IT Admin", "administrator", None)
    save_risk_flags(world.db, admin, {"school_exclusion": "Excluded from school"})
    assert load_risk_flags(world.db)["school_exclusion"] == "Excluded from school"
    assert load_risk_flags(world.db)["online_exploitation"] == "Online exploitation"
    world.care.set_risk_flag(child, "school_exclusion", date(2025, 1, 1))
    printed = handover.build_profile(world.db, world.clock, world.actor, child)
    assert {f.flag for f in printed.flags} == {"county_lines", "Excluded from school"}, printed.flags
    with world.db.read_session() as s:
        rows = s.scalars(select(RiskFlagRow).where(RiskFlagRow.child_id == child)).all()
        assert {(r.flag, r.ended_on) for r in rows} == {
            ("county_lines", None),
            ("cse", date(2024, 6, 1)),
            ("school_exclusion", None),
        }


def test_a_young_person_still_missing_at_18_leaves_care_e8_without_an_invented_return(world: World) -> None:
    world.clock.set(parse_time("2026-03-10T12:00"))
    child = world.add_child("C900006", dob=date(2008, 3, 5), in_care_since=date(2024, 1, 1))
    world.episodes.report(child, "M", parse_time("2026-03-01T20:00"))
    with pytest.raises(ValidationError, match="missing or away"):
        world.care.end_care(child, None, date(2026, 3, 5), "E4A")
    world.care.end_care(child, None, date(2026, 3, 5), "E8")


# -- command line ----------------------------------------------------------------------------
@pytest.fixture
def live_world(world: World) -> World:
    world.clock.set(datetime.now(UTC) - timedelta(minutes=1))
    return world


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_record_fields_photo_and_flags(
    live_world: World, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    child = live_world.add_child("C900007", dob=date(2009, 2, 1), in_care_since=None)
    db = ("--database", db_url, "--user", "sw.one")
    code, _, err = run(
        capsys,
        "care",
        "start",
        child,
        "--on",
        "2025-05-01",
        "--ls",
        "C2",
        "--cin",
        "N1",
        "--place",
        "U4",
        "--provider",
        "PR1",
        "--home-postcode",
        "ls11 5qt",
        "--postcode",
        "LS6 2AB",
        "--urn",
        "SC123456",
        "--host-la",
        "E08000035",
        *db,
    )
    assert code == 0, err
    code, _, err = run(
        capsys,
        "care",
        "move",
        child,
        "--on",
        "2025-06-01",
        "--ls",
        "C2",
        "--cin",
        "N1",
        "--place",
        "K2",
        "--provider",
        "PR4",
        "--postcode",
        "NOT A POSTCODE",
        "--reason",
        "CARPL",
        *db,
    )
    assert code == 2 and err.strip().startswith("lac-monitor: placement postcode:") and "\n" not in err.strip()
    # A URN the return needs but not yet known: saved, and said (the window says the same beside the field)
    code, _, err = run(
        capsys,
        "care",
        "move",
        child,
        "--on",
        "2025-06-01",
        "--ls",
        "C2",
        "--cin",
        "N1",
        "--place",
        "K2",
        "--provider",
        "PR4",
        "--postcode",
        "LS6 2AB",
        "--reason",
        "CARPL",
        *db,
    )
    assert code == 0 and "note: no URN for placement type K2" in err and "XXXXXXX" in err
    code, _, err = run(capsys, "child", "update", child, "--upn", "UN2", "--mother-child-dob", "2025-01-10", *db)
    assert code == 0, err
    code, _, err = run(capsys, "child", "update", child, "--upn", "UN7", *db)
    assert code == 2 and "UPN" in err
    img = tmp_path / "photo.png"
    img.write_bytes(_image("PNG", (640, 480)))
    code, out, err = run(capsys, "child", "photo", child, "--file", str(img), *db)
    assert code == 0 and "stored" in out, err
    (tmp_path / "bad.jpg").write_bytes(b"\xff\xd8 broken")
    code, _, err = run(capsys, "child", "photo", child, "--file", str(tmp_path / "bad.jpg"), *db)
    assert code == 2 and "photo:" in err
    code, _, err = run(capsys, "child", "flag", child, "county_lines", "--since", "2025-04-01", *db)
    assert code == 0, err
    code, _, err = run(
        capsys, "child", "flag", child, "knife_crime", "--since", "2024-01-01", "--end", "2024-12-01", *db
    )
    assert code == 0, err
    code, out, _ = run(capsys, "board", "--format", "json", *db)
    row = next(r for r in json.loads(out) if r["child_id"] == child)
    assert row["flags"] == ["county_lines"]  # open flags only
    code, out, _ = run(capsys, "child", "flags", *db)
    assert "financial_exploitation" in out and "Financial exploitation" in out
    with live_world.db.read_session() as s:
        c = s.get(Child, child)
        assert c is not None and (c.upn, c.mother, c.mc_dob) == ("UN2", True, date(2025, 1, 10))
        assert c.photo is not None and c.photo.startswith(b"\xff\xd8")
    pdf = tmp_path / "profile.pdf"
    code, _, err = run(capsys, "report", "profile", child, "--out", str(pdf), *db)
    assert code == 0, err
    from pypdf import PdfReader

    page = PdfReader(str(pdf)).pages[0]
    text = page.extract_text()
    assert len(page.images) == 1 and "No photo on record" not in text
    assert "County lines (since 01/04/2025)" in text and "Knife" not in text  # open flags only
    code, out, _ = run(capsys, "child", "photo", child, "--remove", *db)
    assert code == 0 and "removed" in out


def test_cli_council_code_and_flags_for_administrators(
    world: World, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from lac_monitor.services.settings import council_la_code
    from lac_monitor.storage.schema import Staff

    with world.db.write_session() as s:
        s.add(Staff(id=9, username="it.admin", display_name="IT Admin", role="administrator"))
        s.commit()
    code, _, err = run(capsys, "council", "la-code", "E08000032", "--database", db_url, "--user", "sw.one")
    assert code == 2 and "administrator" in err
    code, _, err = run(capsys, "council", "la-code", "Bradford", "--database", db_url, "--user", "it.admin")
    assert code == 2 and "council LA code" in err
    code, _, err = run(capsys, "council", "la-code", "e08000032", "--database", db_url, "--user", "it.admin")
    assert code == 0, err
    assert council_la_code(world.db) == "E08000032"
    code, _, err = run(
        capsys, "council", "flags", "school_exclusion=Excluded from school", "--database", db_url, "--user", "it.admin"
    )
    assert code == 0, err
    assert load_risk_flags(world.db)["school_exclusion"] == "Excluded from school"
