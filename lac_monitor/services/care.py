"""Periods of care (SSDA903 episodes), placement changes and risk flags."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select

from lac_monitor.domain import codes, fields, record
from lac_monitor.domain import validation as rules
from lac_monitor.domain.access import Permission
from lac_monitor.domain.changes import CareChanged, ChangeKind, FlagChanged
from lac_monitor.domain.errors import ConflictError, NotFoundError, ValidationError
from lac_monitor.domain.localtime import local_date
from lac_monitor.services.episodes import Saved
from lac_monitor.services.settings import load_risk_flags
from lac_monitor.services.uow import ActionService, UnitOfWork, snapshot
from lac_monitor.storage.schema import CareEpisode, Child, MissingEpisode, RiskFlagRow


@dataclass(frozen=True)
class Placement:
    """The SSDA903 fields of a new care episode plus where and with whom."""

    ls: str
    cin: str
    place: str
    place_provider: str | None = None
    pl_post: str | None = None
    home_post: str | None = None
    urn: str | None = None
    host_la: str | None = None
    placement_name: str | None = None
    placement_address: str | None = None
    carer_name: str | None = None
    carer_phone: str | None = None

    def cleaned(self) -> Placement:
        """Checked (codes, lengths, forms) and tidied (outer spaces, blanks as None), with the
        postcodes, URN and host authority in the return's form."""
        self.validate()
        text = fields.clean_all(
            "care_episode",
            {
                "placement_name": self.placement_name,
                "placement_address": self.placement_address,
                "carer_name": self.carer_name,
                "carer_phone": self.carer_phone,
            },
        )
        # Postcodes, URN and host authority: the return's own rules (domain/record.py).
        return replace(
            self,
            **text,  # type: ignore[arg-type]
            pl_post=record.normalise_postcode("placement postcode", self.pl_post),
            home_post=record.normalise_postcode("home postcode", self.home_post),
            urn=record.check_urn(self.place, self.urn),
            host_la=record.check_host_la(self.host_la),
        )

    def validate(self) -> None:
        rules.require_code("LS (legal status)", self.ls, codes.LS)
        rules.require_code("CIN (category of need)", self.cin, codes.CIN)
        rules.require_code("PLACE (placement type)", self.place, codes.PLACE)
        if self.place in codes.TEMPORARY_OR_OTHER_PLACE:
            if self.place_provider:
                raise ValidationError("PLACE_PROVIDER", f"must be blank for placement type {self.place}")
        else:
            rules.require_code("PLACE_PROVIDER", self.place_provider, codes.PLACE_PROVIDER)


class CareService(ActionService):
    """Periods of care, placement changes and risk flags."""

    requires = Permission.KEEP_REGISTER

    def start_care(self, child_id: str, decom: date, placement: Placement, rne: str = "S") -> Saved:
        rules.require_code("RNE (reason for new episode)", rne, codes.RNE)
        placement = placement.cleaned()
        fields.check_year("DECOM (start of episode)", decom)
        if placement.place in record.TEMPORARY_PLACE:
            raise ValidationError(
                "PLACE (placement type)", "a period of care cannot start with a temporary placement (T0-T4)"
            )
        with self._uow() as uow:
            s = uow.session
            child = s.get(Child, child_id)
            if child is None:
                raise NotFoundError("Child", child_id)
            rules.date_not_before("DECOM (start of episode)", decom, "date of birth", child.dob)
            record.check_age_for_place(placement.place, child.dob, decom)
            if decom > local_date(uow.now):
                raise ValidationError("DECOM (start of episode)", "cannot be in the future")
            prior = s.scalars(select(CareEpisode).where(CareEpisode.child_id == child_id)).all()
            for ce in prior:
                if ce.dec is None:
                    raise ValidationError(
                        "DECOM (start of episode)", f"child already has an open episode since {ce.decom:%d/%m/%Y}"
                    )
                if ce.decom <= decom < ce.dec:
                    raise ValidationError(
                        "DECOM (start of episode)", f"overlaps the episode {ce.decom:%d/%m/%Y}–{ce.dec:%d/%m/%Y}"
                    )
            ce = self._new_episode(child_id, decom, rne, placement)
            s.add(ce)
            s.flush()
            uow.audit("care.start", "care_episode", ce.id, child_id, after=snapshot(ce))
            uow.changed(ChangeKind.CARE_STARTED, CareChanged(ce.id, child_id))
            seqs = uow.commit()
            return Saved("care_episode", ce.id, child_id, ce.version, tuple(seqs))

    @staticmethod
    def _new_episode(child_id: str, decom: date, rne: str, p: Placement) -> CareEpisode:
        return CareEpisode(
            child_id=child_id,
            decom=decom,
            rne=rne,
            ls=p.ls,
            cin=p.cin,
            place=p.place,
            place_provider=p.place_provider,
            pl_post=p.pl_post,
            home_post=p.home_post,
            urn=p.urn,
            host_la=p.host_la,
            placement_name=p.placement_name,
            placement_address=p.placement_address,
            carer_name=p.carer_name,
            carer_phone=p.carer_phone,
            version=1,
        )

    def _open_episode(self, uow: UnitOfWork, child_id: str, expected_version: int | None) -> CareEpisode:
        ce = uow.session.scalars(
            select(CareEpisode).where(CareEpisode.child_id == child_id, CareEpisode.dec.is_(None)).with_for_update()
        ).first()
        if ce is None:
            raise ValidationError("care episode", "child has no open period of care")
        if expected_version is not None and ce.version != expected_version:
            raise ConflictError("The current placement", None, None)
        return ce

    def _check_missing_when_ending(self, uow: UnitOfWork, child_id: str, dec: date, rec: str) -> None:
        child = uow.session.get(Child, child_id)
        eighteen = child is not None and record.add_years(child.dob, 18) <= dec
        if rec != "E8" and child is not None and record.add_years(child.dob, 18) == dec:
            back_today = [
                m
                for m in uow.session.scalars(
                    select(MissingEpisode).where(
                        MissingEpisode.child_id == child_id, MissingEpisode.returned_at.is_not(None)
                    )
                )
                if m.returned_at is not None and local_date(m.returned_at) == dec
            ]
            if back_today:
                raise ValidationError(
                    "REC (reason episode ceased)",
                    "care ends on the 18th birthday, the day a missing period ended: the reason is E8",
                )
        open_ep = uow.session.scalars(
            select(MissingEpisode).where(MissingEpisode.child_id == child_id, MissingEpisode.returned_at.is_(None))
        ).first()
        if open_ep is None:
            return
        if rec == "E8" and eighteen:
            # DfE: a young person still missing at 18 leaves care (E8); the missing period
            # stays open here and is reported as ending the day care ended.
            return
        if open_ep is not None:
            raise ValidationError(
                "DEC (end of episode)",
                "the child is missing or away: record the return (or when the episode ended) before ending care",
            )

    def change_placement(
        self,
        child_id: str,
        expected_version: int | None,
        on: date,
        placement: Placement,
        rne: str = "P",
        reason_place_change: str | None = None,
    ) -> Saved:
        """Close the open episode with X1 and open the next one the same day."""
        rules.require_code("RNE (reason for new episode)", rne, {"L", "P", "T", "B", "U"})
        placement = placement.cleaned()
        with self._uow() as uow:
            s = uow.session
            ce = self._open_episode(uow, child_id, expected_version)
            child = s.get(Child, child_id)
            assert child is not None
            record.check_age_for_place(placement.place, child.dob, on)
            if on < ce.decom:
                raise ValidationError(
                    "date of change", f"cannot be before the current episode began ({ce.decom:%d/%m/%Y})"
                )
            if on > local_date(uow.now):
                raise ValidationError("date of change", "cannot be in the future")
            moves = rne in {"P", "B", "T", "U"}
            temporary = ce.place in codes.TEMPORARY_OR_OTHER_PLACE or placement.place in codes.TEMPORARY_OR_OTHER_PLACE
            if moves and not temporary:
                rules.require_code("REASON_PLACE_CHANGE", reason_place_change, codes.REASON_PLACE_CHANGE)
            else:
                reason_place_change = None
            before = snapshot(ce)
            ce.dec, ce.rec, ce.reason_place_change = on, "X1", reason_place_change
            ce.version += 1
            s.flush()  # the partial unique index allows only one open episode
            new = self._new_episode(child_id, on, rne, placement)
            s.add(new)
            s.flush()
            uow.audit("care.close", "care_episode", ce.id, child_id, before, snapshot(ce))
            uow.audit("care.start", "care_episode", new.id, child_id, after=snapshot(new))
            uow.changed(ChangeKind.CARE_PLACEMENT_CHANGED, CareChanged(new.id, child_id))
            seqs = uow.commit()
            return Saved("care_episode", new.id, child_id, new.version, tuple(seqs))

    def end_care(self, child_id: str, expected_version: int | None, on: date, rec: str) -> Saved:
        rules.require_code("REC (reason episode ceased)", rec, {k for k in codes.REC if k != "X1"})
        with self._uow() as uow:
            ce = self._open_episode(uow, child_id, expected_version)
            if on < ce.decom:
                raise ValidationError("DEC (end of episode)", f"cannot be before DECOM ({ce.decom:%d/%m/%Y})")
            if on > local_date(uow.now):
                raise ValidationError("DEC (end of episode)", "cannot be in the future")
            self._check_missing_when_ending(uow, child_id, on, rec)
            if ce.place in record.TEMPORARY_PLACE:
                raise ValidationError(
                    "REC (reason episode ceased)",
                    "a period of care cannot end in a temporary placement: record the move back first",
                )
            before = snapshot(ce)
            ce.dec, ce.rec = on, rec
            ce.version += 1
            uow.audit("care.end", "care_episode", ce.id, child_id, before, snapshot(ce))
            uow.changed(ChangeKind.CARE_ENDED, CareChanged(ce.id, child_id))
            seqs = uow.commit()
            return Saved("care_episode", ce.id, child_id, ce.version, tuple(seqs))

    def reopen_care(self, child_id: str, care_episode_id: int, reason: str) -> Saved:
        """Undo a mistaken end of care: the latest episode becomes open again."""
        rules.require_text("reason", reason)
        with self._uow() as uow:
            s = uow.session
            ce = s.get(CareEpisode, care_episode_id, with_for_update=True)
            if ce is None or ce.child_id != child_id:
                raise NotFoundError("Care episode", care_episode_id)
            later = s.scalars(
                select(CareEpisode).where(CareEpisode.child_id == child_id, CareEpisode.decom > ce.decom)
            ).first()
            if later is not None or ce.dec is None:
                raise ValidationError("care episode", "only the latest, ended episode can be reopened")
            before = snapshot(ce)
            ce.dec = ce.rec = ce.reason_place_change = None
            ce.version += 1
            uow.audit("care.reopen", "care_episode", ce.id, child_id, before, snapshot(ce), reason=reason)
            uow.changed(ChangeKind.CARE_REOPENED, CareChanged(ce.id, child_id))
            seqs = uow.commit()
            return Saved("care_episode", ce.id, child_id, ce.version, tuple(seqs))

    def set_risk_flag(
        self, child_id: str, flag: str, since: date, note: str | None = None, end: date | None = None
    ) -> Saved:
        """Set a flag from the council's list (settings "risk_flags"); `end` records one that is
        already over (for history)."""
        allowed = load_risk_flags(self.db)
        rules.require_code("risk flag", flag, allowed)
        fields.check_year("since", since)
        if end is not None:
            fields.check_year("end", end)
        rules.date_not_before("end", end, "since", since)
        note = fields.clean("risk_flag.note", note)
        with self._uow() as uow:
            s = uow.session
            if s.get(Child, child_id) is None:
                raise NotFoundError("Child", child_id)
            if since > local_date(uow.now):
                raise ValidationError("since", "cannot be in the future")
            if end is not None and end > local_date(uow.now):
                raise ValidationError("end", "cannot be in the future")
            existing = s.scalars(
                select(RiskFlagRow).where(
                    RiskFlagRow.child_id == child_id, RiskFlagRow.flag == flag, RiskFlagRow.ended_on.is_(None)
                )
            ).first()
            if existing is not None:
                if end is None:
                    raise ValidationError(
                        "risk flag", f"{allowed[flag]} is already set (since {existing.since:%d/%m/%Y})"
                    )
                if end >= existing.since:
                    raise ValidationError(
                        "end",
                        f"{allowed[flag]} is set since {existing.since:%d/%m/%Y}: a past period must end before that",
                    )
            row = RiskFlagRow(
                child_id=child_id,
                flag=flag,
                since=since,
                set_by=self.actor.label,
                set_at=uow.now,
                note=note,
                ended_on=end,
            )
            s.add(row)
            s.flush()
            uow.audit("flag.set", "risk_flag", row.id, child_id, after=snapshot(row))
            uow.changed(ChangeKind.FLAG_CHANGED, FlagChanged(row.id, child_id))
            seqs = uow.commit()
            return Saved("risk_flag", row.id, child_id, 1, tuple(seqs))

    def end_risk_flag(self, child_id: str, flag: str, on: date) -> Saved:
        with self._uow() as uow:
            s = uow.session
            row = s.scalars(
                select(RiskFlagRow).where(
                    RiskFlagRow.child_id == child_id, RiskFlagRow.flag == flag, RiskFlagRow.ended_on.is_(None)
                )
            ).first()
            if row is None:
                raise ValidationError("risk flag", f"{flag} is not set for this child")
            rules.date_not_before("ended on", on, "since", row.since)
            before = snapshot(row)
            row.ended_on = on
            uow.audit("flag.end", "risk_flag", row.id, child_id, before, snapshot(row))
            uow.changed(ChangeKind.FLAG_CHANGED, FlagChanged(row.id, child_id))
            seqs = uow.commit()
            return Saved("risk_flag", row.id, child_id, 1, tuple(seqs))
