"""Print preview, print and save-as-PDF for the PDF bytes a report produced.

The reports make vector PDFs (Qt-free). To preview and print them, QtPdf (PySide6-Addons)
renders each page to an image at the printer's resolution (capped), painted full-page;
page orientation follows each PDF page, so a landscape handover with portrait profiles
prints right. The preview is a QPdfView: pages in their own orientation, rendered only
as they come into sight. "Save as PDF" writes the original bytes: no re-rendering, text stays text.

Usage from a window (the caller audits once the sheet has really gone somewhere):

    audit = lambda where: record_print(db, clock, actor, data, output=where)   # services.handover
    dialog = make_preview_dialog(pdf, parent=self, title="Handover sheet",
                                 on_printed=lambda printer: audit(f"printer:{printer.printerName()}"))
    dialog.open()                      # never exec() on a tested path
    path = save_pdf_as(self, pdf, "handover.pdf", on_saved=lambda p: audit(f"pdf:{p.name}"))

`ask_save_path` is the one blocking question; tests replace it.
"""

from __future__ import annotations

import itertools
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QEventLoop,
    QIODevice,
    QObject,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeySequence, QPageLayout, QPainter, QShortcut
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lac_monitor.domain.errors import LacError
from lac_monitor.ui.workers import Job, Workers

log = logging.getLogger(__name__)

MAX_DPI = 300  # enough for print; an A4 page at 300 dpi is a 25 MB image, one page at a time
LOAD_TIMEOUT_MS = 10_000


class PdfError(RuntimeError):
    """The PDF could not be opened for preview or printing (a bug, or QtPdf is missing)."""


class PdfSource(QObject):
    """Owns the bytes, the buffer QtPdf reads from and the loaded document, for as long as needed."""

    def __init__(self, pdf: bytes, parent: QObject | None = None) -> None:
        super().__init__(parent)
        try:
            from PySide6.QtPdf import QPdfDocument  # PySide6-Pdf (6.12+) or -Addons (older): only here
        except ImportError as exc:
            raise PdfError("print preview needs the PySide6-Pdf package (Save as PDF still works)") from exc

        self.pdf = pdf
        self._data = QByteArray(pdf)
        self._buffer = QBuffer(self._data, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)
        ready, failed = QPdfDocument.Status.Ready, QPdfDocument.Status.Error
        if self.document.status() not in (ready, failed):  # loading from a device may be asynchronous
            loop = QEventLoop()
            self.document.statusChanged.connect(
                lambda *_: loop.quit() if self.document.status() in (ready, failed) else None
            )
            QTimer.singleShot(LOAD_TIMEOUT_MS, loop.quit)
            loop.exec()
        if self.document.status() != ready:
            raise PdfError(f"the PDF could not be opened for printing ({self.document.error()})")

    @property
    def page_count(self) -> int:
        return int(self.document.pageCount())


def paint_pdf(
    source: PdfSource, printer: QPrinter, max_dpi: int = MAX_DPI, step: Callable[[int, int], None] | None = None
) -> int:
    """Paint every page onto `printer` (a real printer, a preview or a PDF file). Returns pages painted.

    Runs on any thread that owns `source` (Qt paints onto a QPrinter off the GUI thread);
    `step(done, total)` is called after each page and may raise to stop (the job's Cancel)."""
    doc = source.document
    printer.setFullPage(True)  # the PDF has its own margins and furniture
    painter = QPainter()
    painted = 0
    try:
        for index in range(source.page_count):
            size = doc.pagePointSize(index)
            landscape = size.width() > size.height()
            printer.setPageOrientation(
                QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
            )
            if index == 0:
                if not painter.begin(printer):
                    raise PdfError("the printer could not be started")
            else:
                printer.newPage()
            target = QRectF(painter.viewport())
            dpi = min(printer.resolution(), max_dpi)
            image = doc.render(index, QSize(round(size.width() / 72 * dpi), round(size.height() / 72 * dpi)))
            scale = min(target.width() / image.width(), target.height() / image.height())
            w, h = image.width() * scale, image.height() * scale
            painter.drawImage(
                QRectF(target.x() + (target.width() - w) / 2, target.y() + (target.height() - h) / 2, w, h), image
            )
            painted += 1
            if step is not None:
                step(painted, source.page_count)
    except BaseException:
        if painter.isActive():
            printer.abort()  # a cancelled or failed print is withdrawn, not half-sent
        raise
    finally:
        if painter.isActive():
            painter.end()
    return painted


class PreviewDialog(QDialog):
    """The sheet as it will print: each page in its own orientation (landscape handover,
    portrait profiles), rendered lazily by QPdfView as it scrolls into sight, so a 50-page
    sheet costs a few pages of images, not fifty. Print (the default button, Ctrl+P) asks
    for the printer; the caller audits in `on_printed`.

    Signals:
        did_print(object): the QPrinter the sheet went to.
    """

    did_print = Signal(object)

    def __init__(self, source: PdfSource, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        try:
            from PySide6.QtPdfWidgets import QPdfView  # with QtPdf: only here
        except ImportError as exc:
            raise PdfError("print preview needs the PySide6 PDF widgets (Save as PDF still works)") from exc

        self.source = source
        source.setParent(self)
        self.setWindowTitle(title)
        self.setObjectName("printPreview")
        self.setAccessibleName(title)
        self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self.printer.setDocName(title)
        self.workers = Workers(self, max_threads=1)  # printing paints in here, not on the GUI thread
        self.print_job: Job | None = None
        self.print_error = ""
        self.view = QPdfView(self)
        self.view.setObjectName("previewPages")
        self.view.setAccessibleName(f"{title}, {source.page_count} pages")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(source.document)
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.page_spin = QSpinBox(self)
        self.page_spin.setRange(1, max(1, source.page_count))
        self.page_spin.setAccessibleName("Page")
        self.page_spin.valueChanged.connect(self.go_to_page)
        page_label = QLabel("P&age:", self)
        page_label.setBuddy(self.page_spin)
        of_label = QLabel(f"of {source.page_count}", self)
        self.fit_width = QPushButton("Fit &width", self)
        self.fit_width.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))
        self.fit_page = QPushButton("&Whole page", self)
        self.fit_page.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitInView))
        self.close_button = QPushButton("&Close", self)
        self.close_button.clicked.connect(self.reject)
        self.print_button = QPushButton("&Print…", self)
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.ask_and_print)
        for button in (self.fit_width, self.fit_page, self.close_button):
            button.setAutoDefault(False)
        bar = QHBoxLayout()
        widgets: tuple[QWidget, ...] = (page_label, self.page_spin, of_label)
        for w in widgets:
            bar.addWidget(w)
        bar.addStretch(1)
        widgets = (self.fit_width, self.fit_page, self.close_button, self.print_button)
        for w in widgets:
            bar.addWidget(w)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        nav = self.view.pageNavigator()
        nav.currentPageChanged.connect(lambda page: self._show_page(page + 1))
        self._print_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self)
        self._print_shortcut.activated.connect(self.ask_and_print)
        chain: tuple[QWidget, ...] = (
            self.page_spin,
            self.view,
            self.fit_width,
            self.fit_page,
            self.close_button,
            self.print_button,
        )
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        self.resize(1100, 800)

    @property
    def page_count(self) -> int:
        return self.source.page_count

    def _show_page(self, number: int) -> None:
        self.page_spin.blockSignals(True)
        self.page_spin.setValue(number)
        self.page_spin.blockSignals(False)

    def go_to_page(self, number: int) -> None:
        self.view.pageNavigator().jump(number - 1, QPointF(), self.view.pageNavigator().currentZoom())

    def reject(self) -> None:
        """Closing waits for a print in progress (its Cancel stops it), so every print is audited."""
        if self.workers.busy:
            return
        super().reject()

    def ask_and_print(self) -> bool:
        """The printer dialog (replaceable `ask_printer`), then print every page."""
        if not ask_printer(self, self.printer):
            return False
        return self.print_to(self.printer)

    def print_to(self, printer: QPrinter) -> bool:
        """Paint the pages onto the printer in a worker, with progress and Cancel; the window
        keeps working meanwhile. `did_print` and closing follow once every page has gone."""
        if self.workers.busy:
            return False
        pdf = self.source.pdf
        progress = QProgressDialog("Sending the pages to the printer…", "Cancel", 0, self.page_count, self)
        progress.setWindowTitle(self.windowTitle())
        progress.setObjectName("printProgress")
        progress.setMinimumDuration(400)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        self.print_button.setEnabled(False)

        def work(job: Job) -> int:
            # Everything Qt the worker uses is its own (document) or left alone meanwhile (printer).
            return print_pdf(pdf, printer, step=job.report)

        def finish() -> None:
            if not self.print_button.isEnabled():  # once, however the job ended (done, failed, cancelled)
                self.print_button.setEnabled(True)
                progress.reset()
                progress.deleteLater()

        def done(_pages: int) -> None:
            finish()
            self.did_print.emit(printer)
            self.accept()

        def failed(exc: LacError) -> None:
            finish()
            self.print_error = str(exc)
            QMessageBox.warning(self, self.windowTitle(), f"The sheet was not printed. {exc}")

        job = self.workers.run(
            work, done=done, failed=failed, progress=lambda n, _total: progress.setValue(n), key="print"
        )
        if job is None:
            finish()
            return False
        progress.canceled.connect(job.cancel)
        job.did_finish.connect(lambda _pages: finish())
        job.did_fail.connect(lambda _exc: finish())
        self.print_job = job
        return True


def ask_printer(parent: QWidget | None, printer: QPrinter) -> bool:
    """The print dialog (a user-started, window-modal question); tests replace this function."""
    from PySide6.QtPrintSupport import QPrintDialog

    return QPrintDialog(printer, parent).exec() == QDialog.DialogCode.Accepted


def make_preview_dialog(
    pdf: bytes,
    parent: QWidget | None = None,
    title: str = "Print preview",
    on_printed: Callable[[QPrinter], None] | None = None,
) -> PreviewDialog:
    """A print preview of the PDF, ready to `open()`. `on_printed` runs after the user prints from it."""
    dialog = PreviewDialog(PdfSource(pdf), title, parent)
    dialog.setProperty("lac_page_count", dialog.page_count)
    if on_printed is not None:
        dialog.did_print.connect(on_printed)
    return dialog


def print_pdf(pdf: bytes, printer: QPrinter, step: Callable[[int, int], None] | None = None) -> int:
    """Print without a dialog (e.g. to the default printer). Returns pages printed. On the
    calling thread, which owns the document it loads and deletes it before returning."""
    source = PdfSource(pdf)  # no parent: deleted here, on this thread, when this returns
    try:
        return paint_pdf(source, printer, step=step)
    finally:
        source.document.close()


def ask_save_path(parent: QWidget | None, suggested: str) -> str | None:
    """The save-as question; tests replace this function."""
    path, _ = QFileDialog.getSaveFileName(parent, "Save as PDF", suggested, "PDF files (*.pdf)")
    return path or None


def write_pdf(path: Path, pdf: bytes) -> None:
    """Next to the target, then renamed: a half-written file is never left under the real name."""
    fd, tmp = tempfile.mkstemp(prefix=".lac-", suffix=".pdf", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pdf)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_pdf_as(
    parent: QWidget | None, pdf: bytes, suggested: str, on_saved: Callable[[Path], None] | None = None
) -> Path | None:
    """Ask where, write the PDF as produced, and report it. None if the user cancelled.

    OSError (disk full, no permission) reaches the caller, to show as a known problem.
    """
    chosen = ask_save_path(parent, suggested)
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != ".pdf":
        path = path.with_suffix(path.suffix + ".pdf") if path.suffix else path.with_suffix(".pdf")
    write_pdf(path, pdf)
    log.info("report saved as PDF")
    if on_saved is not None:
        on_saved(path)
    return path
