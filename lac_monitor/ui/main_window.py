"""The main window: summary strip, filters, the live board and the child's record.

Data flows one way: the live bridge reports which children changed; the window re-reads
just those rows (`load_board(..., child_ids=touched)`) and the board model updates them
in place. Nothing here blocks: forms and message boxes are opened with `open()`.

Extension points for the features the composed window adds (ui/app_window.py):
    add_banner(widget)                                         under the connection banner
    summary.add_widget(widget)                                 beside the counts
    teams, localities                                          as offered in the filters
    add_dock(widget, title, area, object_name) -> QDockWidget   a dock with a View-menu toggle
    add_action(menu, action, toolbar=False)                    into "file" | "child" | "view" | "help"
    file_menu / print_anchor                                   insert "Print…" before print_anchor
    toolbar / alerts_anchor                                    insert an alerts button before alerts_anchor
    live.changes_did_arrive(list[ChangeEvent])                 every committed change, any desktop (domain/changes.py)
    changes_did_apply(list[str])                               board rows re-read for these child ids
    child_did_open(str), select_child(child_id)                follow or drive the selected child
    board_model / filter_model                                 the rows (all / as filtered) for reports
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QItemSelection, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDockWidget,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from lac_monitor.domain import access
from lac_monitor.domain.access import Permission
from lac_monitor.domain.changes import ChangeEvent, RegisterChanged, SettingChanged, StaffChanged, TeamChanged
from lac_monitor.domain.clock import Clock
from lac_monitor.domain.codes import RiskGrade
from lac_monitor.domain.errors import LacError, NotFoundError
from lac_monitor.domain.localtime import format_local
from lac_monitor.domain.records import ChildDetail
from lac_monitor.domain.status import ChildStatus
from lac_monitor.domain.values import BoardRow
from lac_monitor.services.episodes import EpisodeService, Saved
from lac_monitor.services.settings import load_ladder
from lac_monitor.services.uow import Actor
from lac_monitor.services.visibility import hidden_for, require_visible
from lac_monitor.storage.board import load_board
from lac_monitor.storage.database import Database
from lac_monitor.storage.queries import child_detail, team_list
from lac_monitor.ui import errors
from lac_monitor.ui.accessibility import Announcer, FocusRing, apply_palette
from lac_monitor.ui.board_filter_model import (
    NOT_GRADED,
    BoardFilterModel,
    Scope,
    compile_filter,
    default_scope,
    scope_predicate,
)
from lac_monitor.ui.board_model import OUT, BoardModel, Col, Entry, prepare_entries
from lac_monitor.ui.board_view import BoardView
from lac_monitor.ui.connection_banner import ConnectionBanner
from lac_monitor.ui.detail_view import DetailView
from lac_monitor.ui.episode_dialog import (
    DialogContext,
    FormDialog,
    PoliceRefDialog,
    ProfileDialog,
    ReportDialog,
    ReturnDialog,
    RhiDialog,
    RiskDialog,
    UpdateDialog,
)
from lac_monitor.ui.flow_layout import FlowLayout, labelled
from lac_monitor.ui.live import LiveBridge
from lac_monitor.ui.record_dialog import ChildRecordDialog, PlacementDialog, RiskFlagDialog, StartCareDialog
from lac_monitor.ui.settings_store import BoardColumn, SettingsStore
from lac_monitor.ui.shortcuts import Command, make_action
from lac_monitor.ui.summary_strip import CHIP_BY_KEY, SummaryStrip, count
from lac_monitor.ui.workers import Job, Workers, collector_paused

log = logging.getLogger(__name__)

TICK_MS = 30_000
SYNC_RELOAD_MAX = 200  # more changed children than this: re-read them in a worker
BULK_CHANGE_MIN = 500  # more rows changed than this in a reload of everyone: swap the whole board
RELOAD_KEY = "board.reload"
OPEN_DELAY_MS = 200  # arrowing through the board does not open every record
SCOPE_HINT_DELAY_MS = 150  # "N more match under Everyone" once typing pauses
# A record counts as viewed on purpose (and is audited) once it has been on screen this long,
# or at once when opened explicitly (Enter, double-click, a form on it); never for the cursor
# passing over a row. Prints are audited as prints.
VIEW_DWELL_MS = 2000

STATUS_CHOICES: tuple[tuple[str, frozenset[ChildStatus]], ...] = (
    ("All statuses", frozenset()),
    ("Missing or away", frozenset(OUT)),
    ("Missing", frozenset({ChildStatus.MISSING})),
    ("Away", frozenset({ChildStatus.AWAY})),
    ("Returned — RHI due", frozenset({ChildStatus.RETURNED_RHI_DUE})),
    ("Returned — RHI overdue", frozenset({ChildStatus.RHI_OVERDUE})),
    ("RHI due or overdue", frozenset({ChildStatus.RETURNED_RHI_DUE, ChildStatus.RHI_OVERDUE})),
    ("In placement", frozenset({ChildStatus.IN_PLACEMENT})),
    ("Left care", frozenset({ChildStatus.LEFT_CARE})),
)
RISK_CHOICES: tuple[tuple[str, frozenset[str]], ...] = (
    ("All risk grades", frozenset()),
    ("High", frozenset({RiskGrade.HIGH.value})),
    ("Medium or high", frozenset({RiskGrade.MEDIUM.value, RiskGrade.HIGH.value})),
    ("Medium", frozenset({RiskGrade.MEDIUM.value})),
    ("Low", frozenset({RiskGrade.LOW.value})),
    ("No apparent risk", frozenset({RiskGrade.NONE.value})),
    ("Not graded yet", frozenset({NOT_GRADED})),
)


class MainWindow(QMainWindow):
    """The status board window.

    Signals:
        child_did_open(str): a child's record was shown in the detail pane.
        view_did_audit(str): that record was viewed on purpose and the view was audited.
        changes_did_apply(list[str]): board rows of these children were re-read after a change
            (after a reload of everyone: the children whose rows differed).
        dialog_did_open(object): a form (FormDialog) was opened, non-blocking.
    """

    child_did_open = Signal(str)
    view_did_audit = Signal(str)
    changes_did_apply = Signal(list)
    dialog_did_open = Signal(object)

    def __init__(
        self,
        db: Database,
        actor: Actor,
        clock: Clock,
        settings: SettingsStore | None = None,
        *,
        live: LiveBridge | None = None,
        tick_ms: int = TICK_MS,
        view_dwell_ms: int = VIEW_DWELL_MS,
        background_load: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.actor, self.clock = db, actor, clock
        self.settings = settings if settings is not None else SettingsStore(QSettings())
        self.service = EpisodeService(db, actor, clock)
        self.setObjectName("mainWindow")
        self.setWindowTitle("LAC Monitor")
        self.current_dialog: FormDialog | None = None
        self.last_box: QMessageBox | None = None
        self._pending: set[str] = set()
        self._pending_all = False
        self._applying = False
        self._last_update: datetime | None = None
        self._counted: Scope | None = None  # the scope the count chips were last counted for
        self.shutdown_hooks: list[Callable[[], object]] = []  # features stop their timers here
        self.workers = Workers(self)  # slow reads, alert evaluation, reports: off the GUI thread
        self.announcer = Announcer(self)  # live changes that matter, spoken by screen readers
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_palette(app)

        # The feed position is taken before the first load, so nothing falls in between.
        self.live = live if live is not None else LiveBridge(db, clock, self)
        self.ladder = load_ladder(db)  # the council's thresholds, shared by every desktop
        now = clock.now()
        self.board_model = BoardModel(now, self)
        self.board_model.set_rhi_hours(self.ladder.rhi_hours)
        self.filter_model = BoardFilterModel(self.board_model, actor, self)
        rows: list[BoardRow] = []
        with db.read_session() as s:
            if not background_load:
                rows = load_board(
                    s, now, rhi_hours=self.ladder.rhi_hours, hidden=hidden_for(s, actor, now, self.ladder)
                )
            self._teams = team_list(s)
        self._localities = sorted({r.locality for r in rows if r.locality})
        self.board_model.load(rows, now)
        self._last_update = now

        self._build_actions()
        self._build_ui()
        self._build_menus()
        self._restore_settings()

        self.live.changes_did_arrive.connect(self._on_changes)
        self.live.connection_did_drop.connect(self._on_connection_lost)
        self.live.connection_did_return.connect(self._on_connection_back)
        self.banner.retry_was_requested.connect(self.live.retry_now)
        self.board_model.rows_did_change.connect(self._board_did_change)
        self.filter_model.filter_did_change.connect(self._on_filter_changed)
        for sig in (
            self.filter_model.rowsInserted,
            self.filter_model.rowsRemoved,
            self.filter_model.modelReset,
            self.filter_model.layoutChanged,
        ):
            sig.connect(self._schedule_summary)

        self._open_timer = QTimer(self)
        self._open_timer.setSingleShot(True)
        self._open_timer.setInterval(OPEN_DELAY_MS)
        self._open_timer.timeout.connect(self._open_current)
        self._viewed: str | None = None  # the child whose current opening is already audited
        self._view_timer = QTimer(self)
        self._view_timer.setSingleShot(True)
        self._view_timer.setInterval(view_dwell_ms)
        self._view_timer.timeout.connect(self._on_view_dwell)
        self._summary_timer = QTimer(self)
        self._summary_timer.setSingleShot(True)
        self._summary_timer.setInterval(0)
        self._summary_timer.timeout.connect(self._update_summary)
        # A search only changes the scope hint once typing pauses (it reads every row again).
        self._hint_timer = QTimer(self)
        self._hint_timer.setSingleShot(True)
        self._hint_timer.setInterval(SCOPE_HINT_DELAY_MS)
        self._hint_timer.timeout.connect(self._update_scope_hint)
        self._office_hours: bool | None = None  # as at the last tick (see tick)
        self._tick = QTimer(self)
        self._tick.setInterval(tick_ms)
        self._tick.timeout.connect(self.tick)
        self._tick.start()
        self._update_summary()
        self._update_actions()
        if live is None:
            self.live.start()
        if background_load:
            self._load_in_background(now)

    def _load_in_background(self, now: datetime) -> None:
        """The window shows at once; the board (10k rows: a query and 10k display rows) is
        read and prepared in a worker, then swapped in with one reset."""
        self.shown_label.setText("Loading the board…")
        rhi_hours = self.ladder.rhi_hours
        ladder, actor = self.ladder, self.actor
        col, order = self.board_model.sort_column, self.board_model.sort_order

        def work(_job: Job) -> tuple[list[BoardRow], list[Entry]]:
            with collector_paused(), self.db.read_session() as s:
                rows = load_board(s, now, rhi_hours=rhi_hours, hidden=hidden_for(s, actor, now, ladder))
                return rows, prepare_entries(rows, now, col, order)

        def done(result: tuple[list[BoardRow], list[Entry]]) -> None:
            rows, entries = result
            self._set_localities(sorted({r.locality for r in rows if r.locality}))
            self.board_model.load_prepared(entries, now, (col, order))
            self._update_summary()
            self._update_actions()

        def failed(exc: LacError) -> None:
            self.banner.show_lost(f"The board could not be read: {exc}")
            self._pending_all = True  # read again once the connection is back

        self.workers.run(work, done=done, failed=failed, key=RELOAD_KEY)

    def _set_localities(self, localities: list[str]) -> None:
        if localities == self._localities:
            return
        self._localities = localities
        current = self.locality_combo.currentData()
        self.locality_combo.blockSignals(True)
        self.locality_combo.clear()
        self.locality_combo.addItem("All localities", None)
        for loc in localities:
            self.locality_combo.addItem(loc, loc)
        self.locality_combo.setCurrentIndex(max(0, self.locality_combo.findData(current)))
        self.locality_combo.blockSignals(False)

    # -- building -------------------------------------------------------------------------
    def _action(self, text: str, tip: str, slot: Callable[[], object]) -> QAction:
        """An action without a shortcut (those with one: `make_action`, ui/shortcuts.py)."""
        action = QAction(text, self)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        self.report_action = make_action(Command.REPORT, "&Report missing or away…", self, self.report_missing)
        self.update_action = make_action(Command.UPDATE, "Add &update or sighting…", self, self.add_update)
        self.risk_action = make_action(Command.RISK, "Change risk &grade…", self, self.change_risk)
        self.police_action = make_action(Command.POLICE_REF, "Record &police reference…", self, self.record_police_ref)
        self.return_action = make_action(Command.RETURN, "Record re&turn…", self, self.record_return)
        self.rhi_action = make_action(Command.RHI, "Record R&HI…", self, self.record_rhi)
        self.profile_action = make_action(Command.PROFILE, "Edit Philomena pro&file…", self, self.edit_profile)
        self.record_action = self._action(
            "Edit child's r&ecord (UPN, mother, photo)…", "UPN or UN code, mother fields and photo", self.edit_record
        )
        self.start_care_action = self._action(
            "&Start care…", "The child starts to be looked after (a new period of care)", self.start_care
        )
        self.placement_action = self._action(
            "Change p&lacement…", "Record a change of placement or legal status", self.change_placement
        )
        self.flag_action = self._action("Set risk fl&ag…", "Set a risk flag (CSE, CCE, county lines…)", self.set_flag)
        self.child_actions = [
            self.report_action,
            self.update_action,
            self.risk_action,
            self.police_action,
            self.return_action,
            self.rhi_action,
            self.profile_action,
        ]
        self.record_actions = [self.record_action, self.start_care_action, self.placement_action, self.flag_action]
        self.find_action = make_action(Command.FIND, "&Find a child", self, self.focus_search)
        self.board_focus_action = make_action(Command.BOARD, "Go to &board", self, lambda: self.board_view.setFocus())
        self.clear_filters_action = make_action(Command.CLEAR_FILTERS, "&Clear filters", self, self.clear_filters)
        self.reset_view_action = self._action(
            "&Reset view", "Default order (most urgent first), filters, scope and columns", self.reset_view
        )
        self.quit_action = make_action(Command.QUIT, "&Quit", self, self.close)

    def _build_ui(self) -> None:
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(8, 6, 8, 4)
        self.banner = ConnectionBanner(central)
        outer.addWidget(self.banner)
        self._banners = outer  # add_banner: under the connection banner, above the counts
        self.summary = SummaryStrip(central)
        self.summary.chip_did_toggle.connect(self._on_chip)
        # Counts and search share the top row; the filters get the next one to themselves,
        # so neither row forces the window wider than the screen with large system fonts.
        outer.addWidget(self.summary)

        bar = FlowLayout(spacing=14)  # search and filters wrap onto a second line on a narrow screen
        self.scope_combo = self._combo("scope", [(s.label, s) for s in Scope])
        model = self.scope_combo.model()
        for i, scope in enumerate(Scope):
            ok = not (
                (scope is Scope.MINE and self.actor.staff_id is None)
                or (scope is Scope.TEAM and self.actor.team_id is None)
            )
            item = model.item(i)  # type: ignore[attr-defined]
            item.setEnabled(ok)
        self.status_combo = self._combo("status", list(STATUS_CHOICES))
        self.risk_combo = self._combo("risk", list(RISK_CHOICES))
        self.team_combo = self._combo("team", [("All teams", None), *[(n, i) for i, n in self._teams]])
        self.locality_combo = self._combo(
            "locality", [("All localities", None), *[(loc, loc) for loc in self._localities]]
        )
        self.search = QLineEdit(central)
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText("Name, child ID or police ref")
        self.search.setAccessibleName("Search")
        self.search.setAccessibleDescription("Search by name, preferred name, child ID or police reference")
        self.search.textChanged.connect(lambda text: self.filter_model.update(text=text))
        self.search.setMinimumWidth(self.fontMetrics().averageCharWidth() * 20)
        for label, widget in (
            ("S&earch:", self.search),
            ("Sc&ope:", self.scope_combo),
            ("Stat&us:", self.status_combo),
            ("&Risk:", self.risk_combo),
            ("&Team:", self.team_combo),
            ("&Locality:", self.locality_combo),
        ):
            lab = QLabel(label, central)
            lab.setBuddy(widget)
            bar.addWidget(labelled(lab, widget, central))
        # Search looks in the chosen scope; say so when a child matches outside it.
        self.scope_hint = QPushButton("", central)
        self.scope_hint.setObjectName("scopeHint")
        self.scope_hint.setFlat(True)
        self.scope_hint.setStyleSheet("QPushButton#scopeHint { color: #8b0000; font-weight: bold; }")
        self.scope_hint.clicked.connect(lambda: self.set_scope(Scope.EVERYONE))
        self.scope_hint.hide()
        bar.addWidget(self.scope_hint)
        outer.addLayout(bar)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, central)
        self.splitter.setObjectName("mainSplitter")
        self.board_view = BoardView()
        self.board_ring = FocusRing(self.board_view, self.splitter)  # a focused board looks focused
        self.board_view.setModel(self.filter_model)
        self.board_view.apply_default_columns()
        self.board_view.horizontalHeader().setSortIndicator(Col.STATUS, Qt.SortOrder.AscendingOrder)
        self.board_view.selectionModel().selectionChanged.connect(self._on_selection)
        self.board_view.child_was_activated.connect(self._on_activated)
        # No mnemonics here: the Ctrl shortcuts serve, and Alt letters are taken by menus and filters.
        short = (
            "Report missing…",
            "Add update…",
            "Risk grade…",
            "Police ref…",
            "Return…",
            "RHI…",
            "Philomena profile…",
            "Record…",
            "Start care…",
            "Placement…",
            "Risk flag…",
        )
        self.detail_view = DetailView(
            list(zip(self.child_actions + self.record_actions, short, strict=True)), self.splitter
        )
        self.detail_view.rhi_hours = self.ladder.rhi_hours
        self.splitter.addWidget(self.board_ring)
        self.splitter.addWidget(self.detail_view)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        outer.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.shown_label = QLabel(self)
        self.live_label = QLabel(self)
        self.user_label = QLabel(self)
        who = self.actor.label + ("" if self.actor.staff_id else " (not in the staff list)")
        self.user_label.setText(f"Signed in as {who}")
        sb = self.statusBar()
        sb.addWidget(self.shown_label)
        sb.addWidget(self.live_label)
        sb.addPermanentWidget(self.user_label)
        self._update_live_label()
        self.setTabOrder(self.search, self.board_view)

    def _combo(self, name: str, items: list[tuple[str, object]]) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(f"{name}Filter")
        combo.setAccessibleName(f"{name.capitalize()} filter")
        for text, data in items:
            combo.addItem(text, data)
        combo.currentIndexChanged.connect(self._on_combo)
        # Not AdjustToContents: long team names would push the window wider than the screen
        # with large system fonts. The popup list still shows names in full.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(min(14, max(len(t) for t, _ in items)))
        return combo

    def _build_menus(self) -> None:
        mb = self.menuBar()
        self.file_menu = mb.addMenu("&File")
        self.print_anchor = self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.child_menu = mb.addMenu("&Child")
        for a in self.child_actions:
            self.child_menu.addAction(a)
        self.child_menu.addSeparator()
        for a in self.record_actions:
            self.child_menu.addAction(a)
        self.view_menu = mb.addMenu("&View")
        self.view_menu.addAction(self.find_action)
        self.view_menu.addAction(self.board_focus_action)
        self.view_menu.addAction(self.clear_filters_action)
        self.view_menu.addAction(self.reset_view_action)
        scope_menu = self.view_menu.addMenu("&Scope")
        for i, scope in enumerate(Scope):
            a = scope_menu.addAction(scope.label)
            a.triggered.connect(lambda _=False, i=i: self.scope_combo.setCurrentIndex(i))
        self.sort_menu = self.view_menu.addMenu("Sor&t by")  # sorting without a mouse
        self.sort_menu.aboutToShow.connect(self._refresh_sort_menu)
        self.columns_menu: QMenu = self.board_view.column_menu(self)
        self.view_menu.addMenu(self.columns_menu)
        self.view_menu.aboutToShow.connect(self._refresh_columns_menu)
        self.docks_separator = self.view_menu.addSeparator()
        self.help_menu = mb.addMenu("&Help")
        about = self.help_menu.addAction("&About LAC Monitor")
        about.triggered.connect(self._about)
        self._menus = {"file": self.file_menu, "child": self.child_menu, "view": self.view_menu, "help": self.help_menu}

        self.toolbar = QToolBar("Actions", self)
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for a in self.child_actions:
            self.toolbar.addAction(a)
        self.alerts_anchor = self.toolbar.addSeparator()
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)

    def _refresh_sort_menu(self) -> None:
        from lac_monitor.ui.board_model import COLUMNS

        self.sort_menu.clear()
        header = self.board_view.horizontalHeader()
        for col in Col:
            if header.isSectionHidden(col):
                continue
            title = COLUMNS[col].title + (" (most urgent first)" if col is Col.STATUS else "")
            action = self.sort_menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(header.sortIndicatorSection() == col)
            action.triggered.connect(lambda _=False, c=col: header.setSortIndicator(c, Qt.SortOrder.AscendingOrder))

    def _refresh_columns_menu(self) -> None:
        old = self.columns_menu
        new = self.board_view.column_menu(self)
        self.view_menu.insertMenu(old.menuAction(), new)
        self.view_menu.removeAction(old.menuAction())
        old.deleteLater()
        self.columns_menu = new

    # -- extension points ---------------------------------------------------------------
    @property
    def teams(self) -> list[tuple[int, str]]:
        """(id, name) of every team, as in the Team filter."""
        return list(self._teams)

    @property
    def localities(self) -> list[str]:
        """The localities of the children on the board, as in the Locality filter."""
        return list(self._localities)

    def add_banner(self, widget: QWidget) -> None:
        """A banner across the window (e.g. the alert banner), under the connection banner and
        above the counts; later banners go under earlier ones."""
        self._banners.insertWidget(self._banners.indexOf(self.summary), widget)

    def add_dock(
        self,
        widget: QWidget,
        title: str,
        area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea,
        object_name: str | None = None,
    ) -> QDockWidget:
        """Add a dock (e.g. the alert inbox) with a toggle in the View menu; its place is remembered."""
        dock = QDockWidget(title, self)
        dock.setObjectName(object_name or f"dock_{widget.objectName() or title}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.view_menu.insertAction(self.docks_separator, dock.toggleViewAction())
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)
        return dock

    def add_action(self, menu: str, action: QAction, toolbar: bool = False) -> None:
        """Add an action to "file" (before Quit), "child", "view" or "help"; optionally the toolbar."""
        target = self._menus[menu]
        if menu == "file":
            target.insertAction(self.print_anchor, action)
        else:
            target.addAction(action)
        if toolbar:
            self.toolbar.insertAction(self.alerts_anchor, action)

    def select_child(self, child_id: str) -> bool:
        """Select (and open) a child on the board, clearing filters that hide them."""
        row = self.filter_model.row_of(child_id)
        if row is None and self.board_model.row_of(child_id) is not None:
            self.clear_filters()
            self.scope_combo.setCurrentIndex(list(Scope).index(Scope.EVERYONE))
            row = self.filter_model.row_of(child_id)
        if row is None:
            return False
        self.board_view.selectRow(row)
        self.board_view.scrollTo(self.filter_model.index(row, 0))
        self._open_current()
        return True

    def selected_child_id(self) -> str | None:
        return self.board_view.current_child_id()

    # -- live updates -------------------------------------------------------------------
    def _on_changes(self, events: list[ChangeEvent]) -> None:
        """Listens to: a child's records (that row), staff, teams and a whole register (every
        row: caseloads and names move), and the council's settings (the ladder)."""
        ladder = False
        for e in events:
            match e.subject:
                case SettingChanged():
                    ladder = True
                case StaffChanged() | TeamChanged() | RegisterChanged():
                    self._pending_all = True
                case _ if e.child_id:
                    self._pending.add(e.child_id)
        if ladder:
            self._reload_ladder()  # once for a batch
        self._flush_pending()

    def _flush_pending(self) -> None:
        """Re-read the changed rows: a few on the GUI thread (milliseconds), many in a worker."""
        if not self._pending and not self._pending_all:
            return
        if self.workers.is_running(RELOAD_KEY):
            return  # the running reload flushes again when it ends
        ids = None if self._pending_all else set(self._pending)
        self._pending.clear()
        self._pending_all = False
        now = self.clock.now()
        rhi_hours = self.ladder.rhi_hours
        ladder, actor = self.ladder, self.actor

        def read(_job: Job | None) -> list[BoardRow]:
            # On the GUI thread this runs over the LISTEN connection (no new connection per
            # change); in a worker, over a short connection of its own.
            with self.live.read_session() as s:
                return load_board(s, now, child_ids=ids, rhi_hours=rhi_hours, hidden=hidden_for(s, actor, now, ladder))

        def failed(exc: Exception) -> None:
            # Keep them pending; the bridge reconnects and we re-read them then.
            if ids is None:
                self._pending_all = True
            else:
                self._pending.update(ids)
            self.live.connection_failed(exc)

        if ids is not None and len(ids) <= SYNC_RELOAD_MAX:
            try:
                rows = read(None)
            except (SQLAlchemyError, LacError) as exc:
                failed(exc)
                return
            self._apply_rows(rows, ids, now)
            return
        # The worker also works out which rows differ from the board as it is now, so the
        # GUI thread touches only those (comparing 10k rows there is a 100 ms stall). No
        # other reload runs meanwhile (pending changes wait for this one), and entries are
        # replaced, never changed, so the copied list is safe to read from the worker.
        shown = list(self.board_model.entries)
        sorted_by = (self.board_model.sort_column, self.board_model.sort_order)

        def read_changes(job: Job) -> tuple[list[BoardRow], set[str], list[Entry] | None]:
            with collector_paused():
                return compare(read(job))

        def compare(rows: list[BoardRow]) -> tuple[list[BoardRow], set[str], list[Entry] | None]:
            old = {e.row.child_id: e.row for e in shown}
            fresh = {r.child_id for r in rows}
            gone = {cid for cid in (old if ids is None else ids) if cid in old and cid not in fresh}
            changed = [r for r in rows if old.get(r.child_id) != r]
            # Many rows changed (a team renamed, say): the whole board is built here, and
            # swapped in at once, rather than moved row by row on the GUI thread.
            whole = prepare_entries(rows, now, *sorted_by) if ids is None and len(changed) > BULK_CHANGE_MIN else None
            return changed, gone, whole

        def apply(result: tuple[list[BoardRow], set[str], list[Entry] | None]) -> None:
            changed, gone, whole = result
            self._apply_rows(changed, ids, now, gone=gone, whole=(whole, sorted_by) if whole is not None else None)

        self.workers.run(read_changes, key=RELOAD_KEY, failed=failed, done=apply)

    def _apply_rows(
        self,
        rows: list[BoardRow],
        ids: set[str] | None,
        now: datetime,
        *,
        gone: set[str] | None = None,
        whole: tuple[list[Entry], tuple[Col, Qt.SortOrder]] | None = None,
    ) -> None:
        """Fresh rows for the children in `ids` (None: everyone) onto the board.

        With `gone` (from a worker), `rows` are only those that differ from the board and
        `gone` the children no longer on it; otherwise `rows` are every row read. With
        `whole`, the whole board built in the worker (and how it was sorted) replaces it."""
        if gone is not None:
            on_board = {r.child_id for r in rows} | gone
            touched = ids if ids is not None else on_board
        else:
            touched = (
                ids
                if ids is not None
                else ({e.row.child_id for e in self.board_model.entries} | {r.child_id for r in rows})
            )
            on_board = touched
        selected = self.selected_child_id()
        before = self.board_model.statuses(on_board)
        focus = QApplication.focusWidget()
        self._applying = True  # a row moving is not the user choosing another child
        try:
            if whole is not None:
                self.board_model.replace_all(whole[0], now, whole[1])  # frozen by its read (collector_paused)
            else:
                self.board_model.apply(rows, on_board, now)
        finally:
            self._applying = False
        self._announce_changes(before)
        if selected and self.selected_child_id() != selected:
            self._reselect(selected)
        if focus is not None and QApplication.focusWidget() is not focus and focus.isVisible():
            focus.setFocus(Qt.FocusReason.OtherFocusReason)  # a live change never moves the keyboard
        self._last_update = now
        self._update_live_label()
        if self.detail_view.child_id in touched:
            self._reload_detail()
        self._update_actions()
        self.changes_did_apply.emit(sorted(touched))
        if self._pending or self._pending_all:
            QTimer.singleShot(0, self._flush_pending)

    def _announce_changes(self, before: dict[str, ChildStatus | None]) -> None:
        """A child who has just gone missing or away is announced (assertively)."""
        after = self.board_model.statuses(before.keys())
        gone = [cid for cid, old in before.items() if old not in OUT and old is not None and after[cid] in OUT]
        for cid in gone[:3]:
            row = self.board_model.board_row(cid)
            status = self.board_model.status_of(cid)
            what = "missing" if status is ChildStatus.MISSING else "away from placement"
            self.announcer.announce(f"{row.display_name if row else cid} is now {what}.", assertive=True)
        if len(gone) > 3:
            self.announcer.announce(f"{len(gone) - 3} more children are now missing or away.", assertive=True)

    def _reload_ladder(self) -> None:
        """An administrator changed the ladder on some desktop: follow it here too."""
        try:
            self.ladder = load_ladder(self.db)
        except (SQLAlchemyError, LacError):
            return
        self.board_model.set_rhi_hours(self.ladder.rhi_hours)
        self.detail_view.rhi_hours = self.ladder.rhi_hours
        self._schedule_summary()

    def _reselect(self, child_id: str) -> None:
        row = self.filter_model.row_of(child_id)
        if row is None:
            return
        sm = self.board_view.selectionModel()
        sm.blockSignals(True)
        self.board_view.selectRow(row)
        sm.blockSignals(False)
        self.board_view.viewport().update()

    def _on_connection_lost(self, message: str) -> None:
        self.banner.show_lost(message)
        self._update_live_label()

    def _on_connection_back(self) -> None:
        self.banner.clear()
        self.statusBar().showMessage("Connection restored; catching up on changes.", 5000)
        QTimer.singleShot(0, self._flush_pending)
        self._update_live_label()

    def _update_live_label(self) -> None:
        if self.live.is_connected or not self.banner.message:
            when = format_local(self._last_update, with_date=False) if self._last_update else "—"
            self.live_label.setText(f"● Live · last update {when}")
        else:
            self.live_label.setText("○ Not live — see the banner")

    def tick(self) -> None:
        """Durations and deadlines move on with the clock; no database traffic, except when
        office hours begin or end for someone whose view depends on them (the duty team sees
        restricted children out of hours only): then the whole board is read again."""
        now = self.clock.now()
        self.board_model.tick(now)
        self.detail_view.set_row(self._detail_row(), now)
        if access.may(self.actor.role, Permission.SEE_RESTRICTED_OUT_OF_HOURS):
            office = self.ladder.is_office_hours(now)
            if self._office_hours is not None and office != self._office_hours:
                self._pending_all = True
                QTimer.singleShot(0, self._flush_pending)
            self._office_hours = office

    # -- filters and summary ---------------------------------------------------------------
    def _on_combo(self) -> None:
        if not hasattr(self, "locality_combo"):
            return  # still building
        scope = Scope(self.scope_combo.currentData())  # combo data comes back as plain str
        self.filter_model.set_filter(
            self.filter_model.current.with_(
                scope=scope,
                statuses=self.status_combo.currentData(),
                risks=self.risk_combo.currentData(),
                team_id=self.team_combo.currentData(),
                locality=self.locality_combo.currentData(),
            )
        )

    def _on_filter_changed(self, f: object) -> None:
        cur = self.filter_model.current
        self.summary.set_active(self.summary.chip_for(cur.statuses, cur.risks))
        self._update_summary()
        if not cur.text.strip() or cur.scope is Scope.EVERYONE:
            self._hint_timer.stop()
            self.scope_hint.hide()
        else:
            self._hint_timer.start()

    def _update_scope_hint(self) -> None:
        """ "3 more match under Everyone (1 missing)": a search never hides a missing child
        just because they are outside my caseload or team."""
        cur = self.filter_model.current
        if not cur.text.strip() or cur.scope is Scope.EVERYONE:
            self.scope_hint.hide()
            return
        everywhere = compile_filter(cur.with_(scope=Scope.EVERYONE), self.actor)
        inside = scope_predicate(cur.scope, self.actor)
        outside = [e for e in self.board_model.entries if everywhere(e) and not inside(e)]
        if not outside:
            self.scope_hint.hide()
            return
        out = sum(1 for e in outside if e.status in OUT)
        n = len(outside)
        more = f"{n} more {'child matches' if n == 1 else 'children match'} under Everyone"
        self.scope_hint.setText(more + (f" ({out} missing or away)" if out else "") + " — show them")
        self.scope_hint.setAccessibleName(self.scope_hint.text())
        self.scope_hint.show()
        if out:
            self.announcer.announce(self.scope_hint.text())

    def _on_chip(self, key: str, on: bool) -> None:
        chip = CHIP_BY_KEY[key]
        statuses = chip.statuses if on else frozenset()
        risks = chip.risks if on else frozenset()
        self._set_combo_data(self.status_combo, statuses)
        self._set_combo_data(self.risk_combo, risks)
        self.summary.set_active(key if on else None)

    @staticmethod
    def _set_combo_data(combo: QComboBox, data: object) -> None:
        for i in range(combo.count()):
            if combo.itemData(i) == data:
                combo.setCurrentIndex(i)
                return

    def clear_filters(self) -> None:
        for combo in (self.status_combo, self.risk_combo, self.team_combo, self.locality_combo):
            combo.setCurrentIndex(0)
        self.search.clear()
        self.board_view.sort_by_urgency()

    def reset_view(self) -> None:
        """Everything about the board back to how it first opens: most urgent first, no
        filters, this person's default scope, the default columns."""
        self.clear_filters()
        scope = default_scope(self.actor)
        idx = list(Scope).index(scope)
        if not self.scope_combo.model().item(idx).isEnabled():  # type: ignore[attr-defined]
            idx = list(Scope).index(Scope.EVERYONE)
        self.scope_combo.setCurrentIndex(idx)
        self.board_view.reset_columns()
        self.board_view.sort_by_urgency()
        self.board_view.scrollToTop()
        self.statusBar().showMessage("View reset: most urgent first, no filters, default columns.", 5000)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def set_scope(self, scope: Scope) -> None:
        self.scope_combo.setCurrentIndex(list(Scope).index(scope))

    def _schedule_summary(self, *_: object) -> None:
        if hasattr(self, "_summary_timer") and not self._summary_timer.isActive():
            self._summary_timer.start()

    def _board_did_change(self) -> None:
        self._counted = None  # the chips count again
        self._schedule_summary()

    def _update_summary(self) -> None:
        scope = self.filter_model.current.scope
        if scope is not self._counted:
            # Counts change with the rows or the scope, never with a search keystroke.
            self.summary.set_counts(count(self.board_model.entries, scope_predicate(scope, self.actor)))
            self.summary.set_scope_text(f"{scope.label}:")
            self._counted = scope
        shown, total = self.filter_model.rowCount(), self.board_model.rowCount()
        self.shown_label.setText(f"Showing {shown} of {total} children")

    # -- selection and the detail pane --------------------------------------------------------
    def _on_selection(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        if self._applying:
            return  # a live change moved the row; the record pane stays as it is
        cid = self.selected_child_id()
        if cid is None:
            self._view_timer.stop()
            self.detail_view.clear()
        elif cid != self.detail_view.child_id:
            self._view_timer.stop()
            self._open_timer.start()
        self._update_actions()

    def _on_activated(self, child_id: str) -> None:
        self._open_current(on_purpose=True)
        self.detail_view.tabs.setFocus()

    def _open_current(self, on_purpose: bool = False) -> None:
        self._open_timer.stop()
        cid = self.selected_child_id()
        if cid is None:
            return
        if cid == self.detail_view.child_id:
            if on_purpose:
                self.audit_view(cid)
            return
        self.open_child(cid, on_purpose=on_purpose)

    def _on_view_dwell(self) -> None:
        cid = self.detail_view.child_id
        if cid is not None:
            self.audit_view(cid)

    def audit_view(self, child_id: str, what: str = "child record") -> None:
        """Record, once per opening, that this person viewed the record on purpose."""
        self._view_timer.stop()
        if self._viewed == child_id:
            return
        try:
            self.service.record_view(child_id, what)
        except LacError as exc:
            self.show_box(errors.known_error_box(self, exc, "Recording that you viewed the record"))
            return
        except SQLAlchemyError:
            log.warning("auditing the view of child %s failed", child_id, exc_info=True)
            self.statusBar().showMessage(
                "Your view of this record could not be recorded: the database is unavailable.", 8000
            )
            return
        self._viewed = child_id
        self.view_did_audit.emit(child_id)

    def open_child(self, child_id: str, on_purpose: bool = False) -> bool:
        """Show a child's record. The view is audited once it has been on screen for a moment
        (VIEW_DWELL_MS), or at once when opened on purpose."""
        try:
            detail = self._load_detail(child_id)
        except LacError as exc:
            self.show_box(errors.known_error_box(self, exc, "Opening the child's record"))
            return False
        except SQLAlchemyError:
            log.warning("opening child %s failed", child_id, exc_info=True)
            self.statusBar().showMessage("The record could not be read: the database is unavailable.", 8000)
            return False
        self.detail_view.show_child(detail, self.board_model.board_row(child_id), self.clock.now())
        self._viewed = None
        self._update_actions()
        self.child_did_open.emit(child_id)
        if on_purpose:
            self.audit_view(child_id)
        else:
            self._view_timer.start()
        return True

    def _load_detail(self, child_id: str) -> ChildDetail:
        with self.db.read_session() as s:
            require_visible(s, self.actor, child_id, self.clock.now(), self.ladder)
            return child_detail(s, child_id)

    def _reload_detail(self) -> None:
        cid = self.detail_view.child_id
        if cid is None:
            return
        try:
            detail = self._load_detail(cid)
        except NotFoundError:  # gone, or no longer theirs to see (office hours began)
            self.detail_view.clear()
            self._update_actions()
            return
        except (LacError, SQLAlchemyError):
            return
        self.detail_view.show_child(detail, self.board_model.board_row(cid), self.clock.now())

    def _detail_row(self):  # type: ignore[no-untyped-def]
        cid = self.detail_view.child_id
        return self.board_model.board_row(cid) if cid else None

    # -- actions -------------------------------------------------------------------------------
    def _update_actions(self) -> None:
        cid = self.selected_child_id()
        status = self.board_model.status_of(cid) if cid else None
        detail = self.detail_view.detail if self.detail_view.child_id == cid else None
        out = status in OUT
        has_rhi_work = detail is not None and (
            any(e.returned_at is not None and e.rhi_id is None for e in detail.episodes)
            or any(r.completed_at is None and r.declined_at is None for r in detail.rhis)
        )
        self.report_action.setEnabled(status is not None and not out and status is not ChildStatus.LEFT_CARE)
        for a in (self.update_action, self.risk_action, self.police_action, self.return_action):
            a.setEnabled(out)
        self.rhi_action.setEnabled(bool(has_rhi_work) and not out)
        self.profile_action.setEnabled(cid is not None)
        for a in (self.record_action, self.flag_action):
            a.setEnabled(cid is not None)
        self.placement_action.setEnabled(status is not None and status is not ChildStatus.LEFT_CARE)
        self.start_care_action.setEnabled(status is ChildStatus.LEFT_CARE)

    def _context(self) -> DialogContext | None:
        cid = self.selected_child_id()
        if cid is None:
            return None
        if self.detail_view.child_id != cid and not self.open_child(cid, on_purpose=True):
            return None
        self.audit_view(cid)  # a form opened on the record is a view on purpose
        detail = self.detail_view.detail
        assert detail is not None
        return DialogContext(self.service, self.clock, detail, lambda: self._load_detail(cid))

    def _open_dialog(self, make: Callable[[DialogContext], FormDialog | None]) -> FormDialog | None:
        ctx = self._context()
        if ctx is None:
            return None
        dialog = make(ctx)
        if dialog is None:
            return None
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.form_did_save.connect(self._on_saved)
        dialog.finished.connect(lambda _r, d=dialog: self._dialog_closed(d))
        self.current_dialog = dialog
        dialog.open()
        self.dialog_did_open.emit(dialog)
        return dialog

    def _dialog_closed(self, dialog: QDialog) -> None:
        if self.current_dialog is dialog:
            self.current_dialog = None

    def _open_episode(self, ctx: DialogContext):  # type: ignore[no-untyped-def]
        ep = ctx.detail.open_episode
        if ep is None:
            self.statusBar().showMessage("This child has no open missing episode.", 6000)
        return ep

    def report_missing(self) -> FormDialog | None:
        return self._open_dialog(lambda ctx: ReportDialog(ctx, self))

    def add_update(self) -> FormDialog | None:
        return self._open_dialog(lambda ctx: (ep := self._open_episode(ctx)) and UpdateDialog(ctx, ep, self))

    def change_risk(self) -> FormDialog | None:
        return self._open_dialog(lambda ctx: (ep := self._open_episode(ctx)) and RiskDialog(ctx, ep, self))

    def record_police_ref(self) -> FormDialog | None:
        return self._open_dialog(lambda ctx: (ep := self._open_episode(ctx)) and PoliceRefDialog(ctx, ep, self))

    def record_return(self) -> FormDialog | None:
        return self._open_dialog(lambda ctx: (ep := self._open_episode(ctx)) and ReturnDialog(ctx, ep, self))

    def record_rhi(self) -> FormDialog | None:
        def make(ctx: DialogContext) -> FormDialog:
            pending = next((r for r in ctx.detail.rhis if r.completed_at is None and r.declined_at is None), None)
            return RhiDialog(ctx, pending, self)

        return self._open_dialog(make)

    def edit_profile(self) -> FormDialog | None:
        return self._open_dialog(lambda ctx: ProfileDialog(ctx, self))

    def edit_record(self) -> FormDialog | None:
        return self._open_dialog(lambda ctx: ChildRecordDialog(ctx, self))

    def start_care(self) -> FormDialog | None:
        return self._open_dialog(lambda ctx: StartCareDialog(ctx, self))

    def change_placement(self) -> FormDialog | None:
        return self._open_dialog(lambda ctx: PlacementDialog(ctx, self))

    def set_flag(self) -> FormDialog | None:
        return self._open_dialog(lambda ctx: RiskFlagDialog(ctx, self))

    def _on_saved(self, saved: Saved) -> None:
        self.statusBar().showMessage("Saved.", 4000)
        self.announcer.announce("Saved.")
        # The board row arrives through the live bridge (after-commit hook); the record now.
        if saved.child_id == self.detail_view.child_id:
            self._reload_detail()
        self._update_actions()

    def show_box(self, box: QMessageBox) -> QMessageBox:
        """Non-blocking; tests read `last_box`."""
        self.last_box = box
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def _about(self) -> None:
        from lac_monitor import __version__

        self.show_box(
            errors.message_box(
                self,
                "About LAC Monitor",
                f"LAC Monitor {__version__}\nLive status of looked-after children.\n\n{self.database_text()}",
                QMessageBox.Icon.Information,
            )
        )

    def database_text(self) -> str:
        """Where the data lives, in words (no driver names, never a password)."""
        url = self.db.engine.url
        if self.db.is_postgresql:
            where = f"{url.host or 'localhost'}" + (f":{url.port}" if url.port else "")
            return (
                f"Shared database on server {where}, database {url.database}"
                + (f", signed in to it as {url.username}" if url.username else "")
                + "."
            )
        return f"Embedded database on this computer: {url.database}."

    # -- settings and closing ---------------------------------------------------------------------
    def _restore_settings(self) -> None:
        st = self.settings
        if (geo := st.geometry()) is not None:
            self.restoreGeometry(geo)
        else:
            self.resize(1500, 880)
        self.fit_to_screen()
        if (state := st.window_state()) is not None:
            self.restoreState(state)
        if (split := st.splitter()) is not None:
            self.splitter.restoreState(split)
        else:
            # The board first: the record pane takes about a quarter, not 40 %.
            self.splitter.setSizes([1120, 380])
        header = self.board_view.horizontalHeader()
        saved = st.board_columns()
        if saved:
            by_name = {c.name: c for c in Col}
            for name, col in sorted(saved.items(), key=lambda item: item[1].pos):
                if (c := by_name.get(name)) is None:
                    continue  # a column this version no longer has
                header.moveSection(header.visualIndex(c), min(col.pos, header.count() - 1))
                header.resizeSection(c, col.width)
                self.board_view.set_column_visible(c, not col.hidden)
            if self.board_view.visible_column_count() == 0:
                self.board_view.apply_default_columns()
        # The board always opens most urgent first (the header state carries the last sort:
        # yesterday's "by name" must not hide tonight's missing children).
        header.setSortIndicator(Col.STATUS, Qt.SortOrder.AscendingOrder)
        scope_value = st.scope()
        try:
            scope = Scope(scope_value) if scope_value else default_scope(self.actor)
        except ValueError:
            scope = default_scope(self.actor)
        idx = list(Scope).index(scope)
        if not self.scope_combo.model().item(idx).isEnabled():  # type: ignore[attr-defined]
            idx = list(Scope).index(Scope.EVERYONE)
        self.scope_combo.setCurrentIndex(idx)
        self._on_combo()

    def fit_to_screen(self) -> None:
        """Never open wider or taller than the screen, nor off it (e.g. 1600x1000 at 2x)."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            return
        avail = screen.availableGeometry()
        w = min(self.width(), avail.width() - 16)
        h = min(self.height(), avail.height() - 40)
        if (w, h) != (self.width(), self.height()):
            self.resize(max(w, self.minimumSizeHint().width()), max(h, 300))
        geo = self.frameGeometry()
        x = min(max(geo.x(), avail.x()), max(avail.x(), avail.right() - geo.width()))
        y = min(max(geo.y(), avail.y()), max(avail.y(), avail.bottom() - geo.height()))
        if (x, y) != (geo.x(), geo.y()):
            self.move(x, y)

    def save_settings(self) -> None:
        st = self.settings
        st.set_geometry(self.saveGeometry())
        st.set_window_state(self.saveState())
        st.set_splitter(self.splitter.saveState())
        header = self.board_view.horizontalHeader()
        st.set_board_columns(
            {c.name: BoardColumn(header.visualIndex(c), header.sectionSize(c), header.isSectionHidden(c)) for c in Col}
        )
        st.set_scope(self.filter_model.current.scope.value)
        st.sync()

    def shut_down(self) -> None:
        self._tick.stop()
        for hook in self.shutdown_hooks:
            hook()
        self.live.stop()
        self.workers.stop()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        self.shut_down()
        super().closeEvent(event)
