"""The window's forms for the child's record: UPN, mother, photo, placement change, risk flags."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import CareEpisode, Child, RiskFlagRow
from lac_monitor.ui.main_window import MainWindow
from lac_monitor.ui.record_dialog import ChildRecordDialog, PlacementDialog, RiskFlagDialog, StartCareDialog
from tests.ui.test_main_window import _open

SHOTS = Path(__file__).resolve().parents[2] / "out" / "record-dialogs"


def test_record_form_checks_upn_and_mother_as_you_type_and_saves(
    qtbot,
    window: MainWindow,  # type: ignore[no-untyped-def]
    db: Database,
    tmp_path: Path,
) -> None:
    dialog = _open(window, "C000002", window.edit_record)
    assert isinstance(dialog, ChildRecordDialog)
    qtbot.keyClicks(dialog.field("upn"), "UN7")
    assert dialog.error_text("upn").startswith("⚠ must be a letter")
    dialog.field("upn").setText("UN1")
    assert "UN1 is for children not yet of school age" in dialog.error_text("upn")
    dialog.field("upn").setText("UN2")
    assert dialog.error_text("upn") == ""
    dialog.field("mother").setCurrentIndex(dialog.field("mother").findData(True))
    assert "required when she is a mother" in dialog.error_text("mother")
    dialog.field("mc_dob").setText("31/02/2025")
    assert "DD/MM/YYYY" in dialog.error_text("mc_dob")
    dialog.field("mc_dob").setText("10/01/2025")
    assert dialog.error_text("mc_dob") == ""
    image = tmp_path / "p.png"
    buf = io.BytesIO()
    Image.new("RGB", (600, 800), (90, 120, 160)).save(buf, format="PNG")
    image.write_bytes(buf.getvalue())
    dialog.ask_path = lambda _parent: str(image)
    assert dialog.load_photo()
    assert dialog.remove_button.isEnabled() and dialog.photo_label.pixmap() is not None
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "record.png"))
    assert dialog.submit()
    with db.read_session() as s:
        c = s.get(Child, "C000002")
        assert c is not None and (c.upn, c.mother) == ("UN2", True) and c.photo is not None


def test_placement_form_checks_postcode_urn_and_host_la(qtbot, window: MainWindow, db: Database) -> None:  # type: ignore[no-untyped-def]
    dialog = _open(window, "C000002", window.change_placement)
    assert isinstance(dialog, PlacementDialog)
    place = dialog.field("place")
    place.setCurrentIndex(place.findData("K2"))
    dialog.field("provider").setCurrentIndex(dialog.field("provider").findData("PR4"))
    qtbot.keyClicks(dialog.field("pl_post"), "BK99 9ZZZ")
    assert "is not a UK postcode" in dialog.error_text("pl_post")
    dialog.field("pl_post").setText("bd7 2ra")
    assert dialog.error_text("pl_post") == ""
    qtbot.keyClicks(dialog.field("urn"), "12")
    assert "must be an Ofsted URN" in dialog.error_text("urn")
    dialog.field("urn").setText("SC931023")
    qtbot.keyClicks(dialog.field("host_la"), "Bradford")
    assert "ONS code" in dialog.error_text("host_la")
    dialog.field("host_la").setText("E08000032")
    dialog.field("reason").setCurrentIndex(dialog.field("reason").findData("CARPL"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "placement.png"))
    assert dialog.submit(), dialog.notice_text()
    with db.read_session() as s:
        ce = s.scalars(select(CareEpisode).where(CareEpisode.child_id == "C000002", CareEpisode.dec.is_(None))).one()
        assert (ce.place, ce.pl_post, ce.urn, ce.host_la) == ("K2", "BD7 2RA", "SC931023", "E08000032")


def test_risk_flag_form(qtbot, window: MainWindow, db: Database) -> None:  # type: ignore[no-untyped-def]
    dialog = _open(window, "C000002", window.set_flag)
    assert isinstance(dialog, RiskFlagDialog)
    flag = dialog.field("flag")
    flag.setCurrentIndex(flag.findData("county_lines"))
    assert dialog.submit()
    with db.read_session() as s:
        assert s.scalar(select(RiskFlagRow.flag).where(RiskFlagRow.child_id == "C000002")) == "county_lines"
    again = window.set_flag()
    assert again is not None
    again.field("flag").setCurrentIndex(again.field("flag").findData("county_lines"))
    assert "already set" in again.revalidate()["flag"]
    again.field("end").check.setChecked(True)  # Ended, today: ends the flag that is set
    assert "flag" not in again.revalidate() and "Save ends the flag" in again.note_text("end")
    assert again.submit(), again.notice_text()
    with db.read_session() as s:
        assert s.scalar(select(RiskFlagRow.ended_on).where(RiskFlagRow.child_id == "C000002")) is not None
    from tests.ui.test_keyboard import clashes, window_mnemonics

    assert clashes(window_mnemonics(again)) == []


def test_rhi_not_offered_in_councils_words(qtbot, window: MainWindow, db: Database) -> None:  # type: ignore[no-untyped-def]
    from lac_monitor.domain.status import ChildStatus
    from lac_monitor.storage.schema import Rhi

    win = window
    dialog = _open(win, "C000004", win.record_rhi)  # returned, RHI due
    offer = dialog.field("offer")
    labels = [offer.itemText(i) for i in range(offer.count())]
    assert labels == [
        "Offered",
        "Not offered (missing again)",
        "Not offered (unable to make contact)",
        "Not offered (other)",
        "Not applicable",
    ]
    offer.setCurrentIndex(offer.findData("not_offered_no_contact"))
    assert not dialog.field("offered_by").isEnabled()
    assert dialog.submit()
    qtbot.waitUntil(lambda: win.board_model.status_of("C000004") is ChildStatus.IN_PLACEMENT)
    qtbot.waitUntil(lambda: "Not offered (unable to make contact)" in win.detail_view.timeline.toPlainText())
    with db.read_session() as s:
        assert s.scalar(select(Rhi.outcome_code).where(Rhi.child_id == "C000004")) == "not_offered_no_contact"


def test_record_says_when_a_placement_is_out_of_area(qtbot, window: MainWindow, db: Database) -> None:  # type: ignore[no-untyped-def]
    from lac_monitor.services.settings import save_council_la_code
    from lac_monitor.services.uow import Actor

    save_council_la_code(db, Actor("it.admin", None, "IT Admin", "administrator", None), "E08000032")
    dialog = _open(window, "C000002", window.change_placement)
    dialog.field("place").setCurrentIndex(dialog.field("place").findData("K2"))
    dialog.field("provider").setCurrentIndex(dialog.field("provider").findData("PR4"))
    dialog.field("pl_post").setText("HX1 2BG")
    dialog.field("urn").setText("SC931023")
    dialog.field("host_la").setText("E08000033")
    dialog.field("reason").setCurrentIndex(dialog.field("reason").findData("CARPL"))
    assert dialog.submit(), dialog.notice_text()
    label = window.detail_view.info_labels["placement"]
    qtbot.waitUntil(lambda: "host council E08000033 (out of area)" in label.text())


def test_start_care_form_checks_as_you_type_and_starts_a_period_of_care(
    qtbot,
    window: MainWindow,  # type: ignore[no-untyped-def]
    db: Database,
    council,
) -> None:
    from datetime import timedelta

    from lac_monitor.domain.localtime import local_date
    from lac_monitor.domain.status import ChildStatus
    from lac_monitor.services.care import CareService

    today = local_date(council.clock.now())
    CareService(db, council.actor, council.clock).end_care("C000002", None, today - timedelta(days=3), "E4A")
    win = window
    qtbot.waitUntil(lambda: win.board_model.status_of("C000002") is ChildStatus.LEFT_CARE, timeout=10_000)
    everyone_open = _open(win, "C000002", win.start_care)
    dialog = everyone_open
    assert isinstance(dialog, StartCareDialog)
    assert win.start_care_action.isEnabled() and not win.placement_action.isEnabled()
    assert {"ls", "cin", "place"} <= set(dialog.revalidate())  # chosen, never a silent first entry
    for key, code in (("ls", "C2"), ("cin", "N1")):
        dialog.field(key).setCurrentIndex(dialog.field(key).findData(code))
    place = dialog.field("place")
    place.setCurrentIndex(place.findData("T1"))
    assert "cannot start with a temporary placement" in dialog.revalidate()["place"]
    place.setCurrentIndex(place.findData("U1"))
    dialog.field("provider").setCurrentIndex(dialog.field("provider").findData("PR1"))
    qtbot.keyClicks(dialog.field("home_post"), "ZZ1 1AA1")
    assert "is not a UK postcode" in dialog.error_text("home_post")
    dialog.field("home_post").setText("bd5 0pq")
    qtbot.keyClicks(dialog.field("pl_post"), "nope")
    assert "is not a UK postcode" in dialog.error_text("pl_post")
    dialog.field("pl_post").setText("BD7 2RA")
    assert "not yet recorded" in dialog.note_text("urn") and dialog.error_text("urn") == ""
    qtbot.keyClicks(dialog.field("urn"), "12")
    assert "must be an Ofsted URN" in dialog.error_text("urn")
    dialog.field("urn").setText("SC931023")
    assert dialog.note_text("urn") == "" and dialog.error_text("urn") == ""
    qtbot.keyClicks(dialog.field("host_la"), "Leeds")
    assert "ONS code" in dialog.error_text("host_la")
    dialog.field("host_la").setText("E08000032")
    dialog.field("decom").setDate(dialog.field("decom").date().addDays(1))
    assert "cannot be in the future" in dialog.revalidate()["decom"]
    dialog.field("decom").setDate(dialog.field("decom").date().addDays(-1))
    dialog.field("placement_name").setText("Moorview")
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "start-care.png"))
    assert dialog.submit(), dialog.notice_text()
    with db.read_session() as s:
        ce = s.scalars(select(CareEpisode).where(CareEpisode.child_id == "C000002", CareEpisode.dec.is_(None))).one()
        assert (ce.rne, ce.place, ce.place_provider, ce.home_post, ce.pl_post, ce.urn, ce.host_la, ce.decom) == (
            "S",
            "U1",
            "PR1",
            "BD5 0PQ",
            "BD7 2RA",
            "SC931023",
            "E08000032",
            today,
        )
    qtbot.waitUntil(lambda: win.board_model.status_of("C000002") is ChildStatus.IN_PLACEMENT, timeout=10_000)


def test_start_care_form_keys_tab_order_and_escape(qtbot, window: MainWindow, db: Database, council) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from lac_monitor.domain.localtime import local_date
    from lac_monitor.domain.status import ChildStatus
    from lac_monitor.services.care import CareService
    from tests.ui.test_keyboard import clashes, tab_cycle, window_mnemonics

    CareService(db, council.actor, council.clock).end_care(
        "C000002", None, local_date(council.clock.now()) - timedelta(days=3), "E4A"
    )
    qtbot.waitUntil(lambda: window.board_model.status_of("C000002") is ChildStatus.LEFT_CARE, timeout=10_000)
    window.show()
    for opener, child in ((window.start_care, "C000002"), (window.change_placement, "C000001")):
        dialog = _open(window, child, opener)
        assert clashes(window_mnemonics(dialog)) == [], type(dialog).__name__
        qtbot.waitExposed(dialog)
        visited = tab_cycle(qtbot, dialog)
        assert visited.index(dialog.save_button) == len(visited) - 1
        dialog.field("placement_name").setText("typed")
        dialog.reject()
        assert dialog.last_box is not None and dialog.last_box.isVisible()  # asks before losing what was typed
        assert dialog.isVisible()
        dialog.last_box.close()
        dialog._discarding = True
        dialog.reject()
