"""Preview, print and save-as-PDF of a report, without a real printer or a blocking dialog."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

from lac_monitor.reports.handover import render_handover
from lac_monitor.services.handover import HandoverData, MissingLine
from lac_monitor.ui import print_preview
from tests.reports.test_reports import profile

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def sheet() -> bytes:
    """A landscape handover page followed by a portrait profile page."""
    line = MissingLine(
        "C1",
        "Testa Profileone",
        date(2010, 5, 1),
        "M",
        NOW - timedelta(hours=5),
        "high",
        "LOG-9",
        "Retail park",
        "Test home",
        "Sasha Workerone",
        "Northfield",
        None,
        None,
        (),
        True,
    )
    data = HandoverData(
        NOW,
        "Dana Dutyone",
        NOW - timedelta(hours=19),
        NOW - timedelta(hours=3),
        NOW + timedelta(hours=5),
        "All children",
        None,
        1,
        (line,),
        (),
        (),
        (),
        (),
        profiles=(profile("C1"),),
    )
    return render_handover(data)


def orientations(pdf: bytes) -> list[str]:
    out = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        box = page.mediabox
        out.append("landscape" if box.width > box.height else "portrait")
    return out


def test_printing_paints_every_page_in_its_own_orientation(qtbot, sheet: bytes, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    expected = orientations(sheet)
    assert expected[0] == "landscape" and expected[-1] == "portrait"
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    assert print_preview.print_pdf(sheet, printer) == len(expected)
    assert orientations(out.read_bytes()) == expected


def test_preview_shows_pages_as_they_print_and_reports_a_print(
    qtbot,
    sheet: bytes,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    printed: list[QPrinter] = []
    dialog = print_preview.make_preview_dialog(sheet, title="Handover sheet", on_printed=printed.append)
    qtbot.addWidget(dialog)
    expected = orientations(sheet)
    assert dialog.page_count == len(expected) == dialog.property("lac_page_count")
    doc = dialog.view.document()
    shown = [
        "landscape" if doc.pagePointSize(i).width() > doc.pagePointSize(i).height() else "portrait"
        for i in range(doc.pageCount())
    ]
    assert shown == expected  # each page in its own frame: landscape handover, portrait profile
    assert dialog.windowTitle() == "Handover sheet" and printed == []
    assert dialog.page_spin.accessibleName() == "Page" and dialog.print_button.isDefault()
    out = tmp_path / "printed.pdf"

    def choose(_parent, printer: QPrinter) -> bool:  # type: ignore[no-untyped-def]
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return True

    monkeypatch.setattr(print_preview, "ask_printer", choose)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)
    qtbot.keyClick(dialog.page_spin, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)  # printing by keyboard
    qtbot.waitUntil(lambda: len(printed) == 1, timeout=30_000)  # painted in a worker
    assert orientations(out.read_bytes()) == expected
    assert not dialog.isVisible()  # the preview closes once the pages have gone


def _long_sheet(pages: int) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=landscape(A4))
    for n in range(pages):
        c.drawString(72, 500, f"Page {n + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def test_the_window_keeps_working_while_a_long_sheet_prints(
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    from PySide6.QtCore import QTimer

    printed: list[QPrinter] = []
    dialog = print_preview.make_preview_dialog(_long_sheet(60), title="Handover sheet", on_printed=printed.append)
    qtbot.addWidget(dialog)
    dialog.show()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(20)
    assert dialog.print_to(printer)
    dialog.reject()  # Escape while it prints: the preview stays until the pages have gone
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: len(printed) == 1, timeout=120_000)
    timer.stop()
    assert len(ticks) >= 5  # the event loop ran while the pages were painted
    assert len(PdfReader(io.BytesIO(out.read_bytes())).pages) == 60


def test_cancel_stops_a_print_and_nothing_is_reported_printed(
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    printed: list[QPrinter] = []
    dialog = print_preview.make_preview_dialog(_long_sheet(200), title="Handover sheet", on_printed=printed.append)
    qtbot.addWidget(dialog)
    dialog.show()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert dialog.print_to(printer)
    job = dialog.print_job
    assert job is not None
    job.cancel()
    qtbot.waitUntil(lambda: not dialog.workers.busy, timeout=60_000)
    assert printed == [] and dialog.isVisible()  # not audited as printed; the preview stays
    assert dialog.print_button.isEnabled()


def test_save_as_pdf_writes_the_original_bytes(
    qtbot,
    sheet: bytes,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    saved: list[Path] = []
    monkeypatch.setattr(print_preview, "ask_save_path", lambda parent, suggested: str(tmp_path / "sheet"))
    path = print_preview.save_pdf_as(None, sheet, "handover.pdf", on_saved=saved.append)
    assert path == tmp_path / "sheet.pdf" and saved == [path]
    assert path.read_bytes() == sheet
    monkeypatch.setattr(print_preview, "ask_save_path", lambda parent, suggested: None)
    assert print_preview.save_pdf_as(None, sheet, "handover.pdf", on_saved=saved.append) is None
    assert len(saved) == 1


def test_a_broken_pdf_is_a_clear_error(qtbot) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(print_preview.PdfError):
        print_preview.PdfSource(b"not a pdf")
