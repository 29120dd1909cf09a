"""Forms for the child's record as the statutory return needs it: UPN and mother fields with
the photo, a placement change (postcodes, URN, host authority), and risk flags.

Like the episode forms they check as you type, with the same rules the services apply
(domain.record), and keep what was typed when a save is refused. The photo file is chosen
through `ask_photo_path` (replaceable in tests); loading and removing it saves at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from lac_monitor.domain import codes, fields, record
from lac_monitor.domain.errors import LacError, ValidationError
from lac_monitor.domain.localtime import local_date
from lac_monitor.domain.records import ChildDetail, FlagView
from lac_monitor.services.care import CareService, Placement
from lac_monitor.services.episodes import Saved
from lac_monitor.services.register import RegisterService
from lac_monitor.services.settings import load_risk_flags
from lac_monitor.ui.episode_dialog import DialogContext, FormDialog, OptionalTime


def ask_photo_path(parent: QWidget | None) -> str | None:
    path, _ = QFileDialog.getOpenFileName(
        parent, "Choose a photo", "", "Images (*.jpg *.jpeg *.png *.gif *.bmp *.webp)"
    )
    return path or None


class DateEdit(QDateEdit):
    def __init__(self, value: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDisplayFormat("dd/MM/yyyy")
        self.setCalendarPopup(True)
        self.setDate(QDate(value.year, value.month, value.day))

    def focusNextPrevChild(self, forward: bool) -> bool:
        """Tab leaves the field (arrow keys and "/" move between day, month and year)."""
        return QWidget.focusNextPrevChild(self, forward)

    def value(self) -> date:
        d = self.date()
        return date(d.year(), d.month(), d.day())


def _rule(check: Callable[[], object]) -> str | None:
    try:
        check()
    except ValidationError as exc:
        return exc.rule
    return None


def _combo(parent: QWidget, items: dict[str, str], current: str | None, blank: str | None = None) -> QComboBox:
    box = QComboBox(parent)
    if blank is not None:
        box.addItem(blank, "")
    for code, label in items.items():
        box.addItem(f"{code}: {label.strip()}", code)
    if current:
        box.setCurrentIndex(max(0, box.findData(current)))
    return box


class ChildRecordDialog(FormDialog):
    """UPN or UN code, MOTHER / MC_DOB, and the photo."""

    title = "Child's record"

    def __init__(self, ctx: DialogContext, parent: QWidget | None = None) -> None:
        self.ask_path: Callable[[QWidget | None], str | None] = ask_photo_path
        super().__init__(ctx, parent)

    @property
    def register(self) -> RegisterService:
        svc = self.ctx.service
        return RegisterService(svc.db, svc.actor, svc.clock)

    def build(self) -> None:
        d = self.ctx.detail
        self.version = d.version
        self.add_field(
            "upn",
            "&UPN:",
            QLineEdit(d.upn or "", self),
            ("UPN",),
            "Unique Pupil Number, or UN1 (not yet at school), UN2 (never at school), UN3 (abroad), "
            "UN4 (refused), UN5 (source lost)",
        )
        mother = QComboBox(self)
        for text, value in (("Not recorded", None), ("No", False), ("Yes", True)):
            mother.addItem(text, value)
        mother.setCurrentIndex(max(0, mother.findData(d.mother)) if d.mother is not None else 0)
        mother.setEnabled(d.sex == "F")
        self.add_field("mother", "&Is she a mother?", mother, ("mother",), "SSDA903 MOTHER: recorded for girls only")
        self.add_field(
            "mc_dob",
            "&Her child's date of birth:",
            QLineEdit(d.mc_dob.strftime("%d/%m/%Y") if d.mc_dob else "", self),
            ("mother's child's date of birth",),
            "SSDA903 MC_DOB: DD/MM/YYYY",
        )
        photo = QWidget(self)
        row = QHBoxLayout(photo)
        row.setContentsMargins(0, 0, 0, 0)
        self.photo_label = QLabel(self)
        self.photo_label.setFixedSize(96, 128)
        self.photo_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo_label.setFrameShape(QLabel.Shape.Box)
        self.load_button = QPushButton("&Load or replace…", self)
        self.remove_button = QPushButton("Re&move", self)
        self.load_button.clicked.connect(self.load_photo)
        self.remove_button.clicked.connect(self.remove_photo)
        row.addWidget(self.photo_label)
        row.addWidget(self.load_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        self.add_field("photo", "&Photo:", photo, ("photo",), "Saved at once, shrunk and re-encoded")
        self._show_photo(d.photo)

    def _show_photo(self, data: bytes | None) -> None:
        pix = QPixmap()
        if data and pix.loadFromData(data):
            self.photo_label.setPixmap(
                pix.scaled(
                    self.photo_label.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        else:
            self.photo_label.setText("No photo")
        self.remove_button.setEnabled(bool(data))

    def _mc_dob(self) -> date | None:
        text = self.text("mc_dob")
        if not text:
            return None
        try:
            day, month, year = (int(x) for x in text.split("/"))
            return date(year, month, day)
        except ValueError:
            raise ValidationError("mother's child's date of birth", "must be a date as DD/MM/YYYY") from None

    def check(self) -> dict[str, str]:
        d = self.ctx.detail
        today = local_date(self.now())
        out: dict[str, str] = {}
        if rule := _rule(lambda: record.check_upn(self.text("upn"), d.dob, today)):
            out["upn"] = rule
        mc_rule = _rule(self._mc_dob)
        if mc_rule:
            out["mc_dob"] = mc_rule
        else:
            rule = _rule(
                lambda: record.check_mother(d.sex, d.dob, self.field("mother").currentData(), self._mc_dob(), today)
            )
            if rule:
                # "required when she is a mother" belongs beside the answer just given
                out["mother" if self.text("mc_dob") is None else "mc_dob"] = rule
        return out

    def refresh(self, detail: ChildDetail) -> None:
        self.version = self.ctx.detail.version

    def save(self) -> Saved:
        mother = self.field("mother").currentData()
        return self.register.update_child(
            self.ctx.detail.id,
            self.version,
            upn=self.text("upn"),
            mother=mother,
            mc_dob=self._mc_dob() if mother else None,
        )

    def load_photo(self) -> bool:
        path = self.ask_path(self)
        if not path:
            return False
        try:
            with open(path, "rb") as fh:
                data = fh.read()
            saved = self.register.set_photo(self.ctx.detail.id, data)
        except OSError as exc:
            self.show_notice(f"Photo not loaded: the file cannot be read ({exc.strerror}).")
            return False
        except LacError as exc:
            self.show_notice(f"Photo not loaded. {exc}")
            return False
        self._photo_saved(saved)
        return True

    def remove_photo(self) -> bool:
        try:
            saved = self.register.set_photo(self.ctx.detail.id, None)
        except LacError as exc:
            self.show_notice(f"Photo not removed. {exc}")
            return False
        self._photo_saved(saved)
        return True

    def _photo_saved(self, saved: Saved) -> None:
        self.version = saved.version
        detail = self.ctx.load_detail()
        self.ctx.detail = detail
        self._show_photo(detail.photo)
        self.show_notice("Photo saved." if detail.photo else "Photo removed.")
        self.form_did_save.emit(saved)


def _add_placement_fields(dlg: FormDialog, home_post: str | None) -> None:
    """The fields of a new episode's placement, shared by Start care and Change of placement."""
    dlg.add_field(
        "ls",
        "&Legal status:",
        _combo(dlg, codes.LS, getattr(dlg, "_ls", None), "(choose)"),
        ("LS", "LS (legal status)"),
    )
    dlg.add_field(
        "cin",
        "&Category of need:",
        _combo(dlg, codes.CIN, getattr(dlg, "_cin", None), "(choose)"),
        ("CIN", "CIN (category of need)"),
    )
    dlg.add_field(
        "place",
        "Placement &type:",
        _combo(dlg, codes.PLACE, None, "(choose the placement type)"),
        ("PLACE", "PLACE (placement type)"),
    )
    dlg.add_field(
        "provider", "Pro&vider:", _combo(dlg, codes.PLACE_PROVIDER, None, "(none: temporary)"), ("PLACE_PROVIDER",)
    )
    dlg.add_field("pl_post", "Placement &postcode:", QLineEdit(dlg), ("placement postcode",))
    dlg.add_field(
        "home_post",
        "&Home postcode:",
        QLineEdit(home_post or "", dlg),
        ("home postcode",),
        "Postcode of the home the child was taken from (HOME_POST)",
    )
    dlg.add_field(
        "urn",
        "Ofsted &URN:",
        QLineEdit(dlg),
        ("URN",),
        f"The provider's Ofsted URN, or {record.URN_NONE} where it has none",
    )
    dlg.add_field(
        "host_la",
        "Host c&ouncil:",
        QLineEdit(dlg),
        ("host LA",),
        "Where the placement is: the council's ONS code (E08000032), or WAL, SCO, NIR, NUK",
    )


def _placement_problems(dlg: FormDialog, on: date) -> dict[str, str]:
    """The rules the service applies to a placement (domain.record), checked as the user types."""
    out: dict[str, str] = {}
    place = str(dlg.field("place").currentData() or "")
    for key in ("ls", "cin", "place"):
        if not dlg.field(key).currentData():
            out[key] = "is required"
    for key, check in (
        ("pl_post", lambda: record.normalise_postcode("placement postcode", dlg.text("pl_post"))),
        ("home_post", lambda: record.normalise_postcode("home postcode", dlg.text("home_post"))),
        ("urn", lambda: record.check_urn(place, dlg.text("urn"))),
        ("host_la", lambda: record.check_host_la(dlg.text("host_la"))),
        ("place", lambda: record.check_age_for_place(place, dlg.ctx.detail.dob, on)),
    ):
        if key not in out and (rule := _rule(check)):
            out[key] = rule
    provider = dlg.field("provider").currentData()
    if place in codes.TEMPORARY_OR_OTHER_PLACE and provider:
        out["provider"] = f"must be blank for placement type {place}"
    elif place and place not in codes.TEMPORARY_OR_OTHER_PLACE and not provider:
        out["provider"] = "is required"
    return out


def _placement_notes(dlg: FormDialog) -> dict[str, str]:
    """Not a refusal: a URN the return needs but not yet known is saved and listed by the export."""
    place = str(dlg.field("place").currentData() or "")
    if place and record.urn_needed(place) and not dlg.text("urn"):
        return {
            "urn": f"not yet recorded: the return lists it as missing until you add the provider's "
            f"URN (or {record.URN_NONE} if it has none)"
        }
    return {}


def _placement(dlg: FormDialog, **extra: str | None) -> Placement:
    return Placement(
        ls=dlg.field("ls").currentData(),
        cin=dlg.field("cin").currentData(),
        place=str(dlg.field("place").currentData() or ""),
        place_provider=dlg.field("provider").currentData() or None,
        pl_post=dlg.text("pl_post"),
        home_post=dlg.text("home_post"),
        urn=dlg.text("urn"),
        host_la=dlg.text("host_la"),
        placement_name=dlg.text("placement_name"),
        **extra,
    )  # type: ignore[arg-type]


class StartCareDialog(FormDialog):
    """The child starts to be looked after (RNE S): the same checks as `care start`."""

    title = "Start care"

    @property
    def care(self) -> CareService:
        svc = self.ctx.service
        return CareService(svc.db, svc.actor, svc.clock)

    def build(self) -> None:
        eps = self.ctx.detail.care_episodes  # newest first: a child back in care keeps the home postcode
        self.add_field(
            "decom",
            "Date care &began:",
            DateEdit(local_date(self.now()), self),
            ("DECOM (start of episode)", "DECOM"),
            "DECOM: the first day the child is looked after",
        )
        _add_placement_fields(self, eps[0].home_post if eps else None)
        self.add_field("placement_name", "Placement &name:", QLineEdit(self), ("placement name",))
        self.add_field("address", "Placement a&ddress:", QLineEdit(self), ("placement address",))
        self.add_field("carer", "Ca&rer's name:", QLineEdit(self), ("carer name",))
        self.add_field("carer_phone", "Carer's phon&e:", QLineEdit(self), ("carer phone",))

    def check(self) -> dict[str, str]:
        d = self.ctx.detail
        on = self.field("decom").value()
        out = _placement_problems(self, on)
        if d.current_placement is not None:
            out["decom"] = f"the child is already looked after (since {d.current_placement.decom:%d/%m/%Y})"
        elif on > local_date(self.now()):
            out["decom"] = "cannot be in the future"
        elif on < d.dob:
            out["decom"] = "cannot be before the date of birth"
        place = str(self.field("place").currentData() or "")
        if place in record.TEMPORARY_PLACE:
            out["place"] = "a period of care cannot start with a temporary placement (T0-T4)"
        for key, name in (
            ("placement_name", "placement_name"),
            ("address", "placement_address"),
            ("carer", "carer_name"),
            ("carer_phone", "carer_phone"),
        ):
            try:
                fields.clean(f"care_episode.{name}", self.text(key))
            except ValidationError as exc:
                out[key] = exc.rule
        return out

    def notes(self) -> dict[str, str]:
        return _placement_notes(self)

    def save(self) -> Saved:
        p = _placement(
            self,
            placement_address=self.text("address"),
            carer_name=self.text("carer"),
            carer_phone=self.text("carer_phone"),
        )
        return self.care.start_care(self.ctx.detail.id, self.field("decom").value(), p)


class PlacementDialog(FormDialog):
    """A change of placement (or legal status): the open episode ends X1, the next begins."""

    title = "Change of placement"

    @property
    def care(self) -> CareService:
        svc = self.ctx.service
        return CareService(svc.db, svc.actor, svc.clock)

    def build(self) -> None:
        cur = self.ctx.detail.current_placement
        self.version = cur.version if cur else None
        self._ls: str | None = cur.ls if cur else None
        self._cin: str | None = cur.cin if cur else None
        self.add_field("on", "&Date of change:", DateEdit(local_date(self.now()), self), ("date of change",))
        self.add_field(
            "rne",
            "&Reason for new episode:",
            _combo(self, {k: v for k, v in codes.RNE.items() if k != "S"}, "P"),
            ("RNE",),
        )
        _add_placement_fields(self, cur.home_post if cur else None)
        self.add_field(
            "reason",
            "Reason for ch&ange:",
            _combo(self, codes.REASON_PLACE_CHANGE, None, "(none)"),
            ("REASON_PLACE_CHANGE",),
        )
        self.add_field("placement_name", "Placement &name:", QLineEdit(self), ("placement name",))

    def _place(self) -> str:
        return str(self.field("place").currentData() or "")

    def check(self) -> dict[str, str]:
        out = _placement_problems(self, self.field("on").value())
        if self.ctx.detail.current_placement is None:
            out["on"] = "the child has no open period of care"
        place = self._place()
        moves = self.field("rne").currentData() in {"P", "B", "T", "U"}
        cur = self.ctx.detail.current_placement
        temporary = place in codes.TEMPORARY_OR_OTHER_PLACE or (
            cur is not None and cur.place in codes.TEMPORARY_OR_OTHER_PLACE
        )
        if moves and not temporary and not self.field("reason").currentData():
            out["reason"] = "is required when the placement changes"
        return out

    def notes(self) -> dict[str, str]:
        return _placement_notes(self)

    def refresh(self, detail: ChildDetail) -> None:
        cur = self.ctx.detail.current_placement
        self.version = cur.version if cur else None

    def save(self) -> Saved:
        return self.care.change_placement(
            self.ctx.detail.id,
            self.version,
            self.field("on").value(),
            _placement(self),
            rne=self.field("rne").currentData(),
            reason_place_change=self.field("reason").currentData() or None,
        )


class RiskFlagDialog(FormDialog):
    """Set a risk flag from the council's list, with its since-date; with Ended ticked, end the flag
    that is set (or record a past one, for history)."""

    title = "Risk flag"

    @property
    def care(self) -> CareService:
        svc = self.ctx.service
        return CareService(svc.db, svc.actor, svc.clock)

    def build(self) -> None:
        flags = load_risk_flags(self.ctx.service.db)
        box = QComboBox(self)
        for code, label in flags.items():
            box.addItem(label, code)
        self.add_field("flag", "&Flag:", box, ("risk flag",))
        today = local_date(self.now())
        self.add_field("since", "S&ince:", DateEdit(today, self), ("since",))
        self.add_field(
            "end", "&Ended:", OptionalTime("Ended (ends a flag that is set, or a past one)", self.now(), self), ("end",)
        )
        self.add_field("note", "&Note:", QLineEdit(self), ("note",))

    def _open_flag(self) -> FlagView | None:
        code = self.field("flag").currentData()
        return next((f for f in self.ctx.detail.active_flags if f.flag == code), None)

    def check(self) -> dict[str, str]:
        out: dict[str, str] = {}
        today = local_date(self.now())
        since = self.field("since").value()
        end_at = self.field("end").value()
        current = self._open_flag()
        if current is not None and end_at is not None:
            # Ending the flag that is set: the same as `child flag CHILD FLAG --end DATE`.
            if local_date(end_at) < current.since:
                out["end"] = f"cannot be before the flag was set ({current.since:%d/%m/%Y})"
            elif end_at > self.now():
                out["end"] = "cannot be in the future"
        else:
            if since > today:
                out["since"] = "cannot be in the future"
            if end_at is not None and local_date(end_at) < since:
                out["end"] = "cannot be before since"
            if current is not None:
                out["flag"] = f"is already set for this child (since {current.since:%d/%m/%Y}): tick Ended to end it"
        if rule := self.too_long("note", 2000):
            out["note"] = rule
        return out

    def notes(self) -> dict[str, str]:
        current = self._open_flag()
        if current is not None and self.field("end").value() is not None:
            return {"end": f"Save ends the flag set since {current.since:%d/%m/%Y}"}
        return {}

    def save(self) -> Saved:
        end_at = self.field("end").value()
        if end_at is not None and self._open_flag() is not None:
            return self.care.end_risk_flag(self.ctx.detail.id, self.field("flag").currentData(), local_date(end_at))
        return self.care.set_risk_flag(
            self.ctx.detail.id,
            self.field("flag").currentData(),
            self.field("since").value(),
            self.text("note"),
            end=local_date(end_at) if end_at else None,
        )
