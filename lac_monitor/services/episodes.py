"""Missing-episode actions: report, police reference, risk, updates, return, RHI.

Every public method is one transaction (UnitOfWork): the change, its audit row and a
change-feed row commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lac_monitor.domain import access, fields
from lac_monitor.domain import validation as rules
from lac_monitor.domain.access import Permission, may_see_restricted
from lac_monitor.domain.changes import ChangeKind, EpisodeChanged, ProfileChanged, RhiChanged
from lac_monitor.domain.codes import MissingCategory, RiskGrade
from lac_monitor.domain.errors import ConflictError, NotFoundError, ValidationError
from lac_monitor.domain.localtime import format_local, local_date
from lac_monitor.domain.patterns import check_steps
from lac_monitor.domain.record import RHI_OFFERED, RHI_OUTCOMES
from lac_monitor.domain.records import PROFILE_TEXT_FIELDS
from lac_monitor.services.settings import load_ladder
from lac_monitor.services.uow import ActionService, UnitOfWork, snapshot
from lac_monitor.storage.patterns import sync_episode_values, sync_profile_values
from lac_monitor.storage.schema import (
    CareEpisode,
    Child,
    EpisodeEvent,
    MissingEpisode,
    PhilomenaProfile,
    Rhi,
    RhiEpisode,
)


@dataclass(frozen=True)
class Saved:
    """What an action changed: enough for a caller to refresh just that."""

    entity: str
    id: int | str
    child_id: str
    version: int
    seqs: tuple[int, ...]
    at: datetime | None = None  # when it happened, where the action sets a time (a return)


AMENDABLE = {"started_at": "start", "returned_at": "returned", "police_reported_at": "reported to police"}
PROFILE_FIELDS = tuple(name for name, _label in PROFILE_TEXT_FIELDS)


class EpisodeService(ActionService):
    """Actions on missing episodes, RHIs and the Philomena profile."""

    requires = Permission.RECORD_EPISODES

    # -- helpers ---------------------------------------------------------------
    def _child(self, s: Session, child_id: str) -> Child:
        """The child, or NotFoundError: also for a restricted child this person may not see
        now (as row-level security answers on PostgreSQL)."""
        child = s.get(Child, child_id)
        if child is not None and child.restricted:
            office = load_ladder(self.db).is_office_hours(self.clock.now())
            if not may_see_restricted(
                self.actor.role, self.actor.staff_id, self.actor.team_id, child.social_worker_id, child.team_id, office
            ):
                child = None
        if child is None:
            raise NotFoundError("Child", child_id)
        return child

    @staticmethod
    def _episode(s: Session, episode_id: int, expected_version: int | None) -> MissingEpisode:
        ep = s.get(MissingEpisode, episode_id, with_for_update=True)
        if ep is None:
            raise NotFoundError("Missing episode", episode_id)
        if expected_version is not None and ep.version != expected_version:
            raise ConflictError(f"Missing episode {episode_id}", ep.updated_by, format_local(ep.updated_at))
        return ep

    def _touch(self, uow: UnitOfWork, ep: MissingEpisode) -> None:
        # Compare-and-set: a concurrent writer that read the same version loses.
        ep.updated_at = uow.now
        ep.updated_by = self.actor.label
        ep.version = ep.version + 1

    def _event(
        self,
        uow: UnitOfWork,
        ep: MissingEpisode,
        kind: str,
        at: datetime,
        text: str | None = None,
        old: str | None = None,
        new: str | None = None,
    ) -> None:
        uow.session.add(
            EpisodeEvent(
                episode_id=ep.id,
                kind=kind,
                at=at,
                recorded_at=uow.now,
                recorded_by=self.actor.label,
                text=text,
                old_value=old,
                new_value=new,
            )
        )

    def _care_episode_at(self, s: Session, child: Child, at: datetime, field: str) -> CareEpisode:
        day = local_date(at)
        rules.date_not_before(field, day, "date of birth", child.dob)
        eps = s.scalars(select(CareEpisode).where(CareEpisode.child_id == child.id)).all()
        for ce in eps:
            if ce.decom <= day and (ce.dec is None or day <= ce.dec):
                # Prefer the episode that continues (a same-day X1 change ends one, starts next).
                later = [e for e in eps if e.decom == day and e is not ce and e.decom > ce.decom]
                return later[0] if later else ce
        raise ValidationError(field, f"{day:%d/%m/%Y} is outside any period of care for this child")

    def _others(self, s: Session, child_id: str, exclude: int | None) -> list[tuple[datetime, datetime | None]]:
        q = select(MissingEpisode.started_at, MissingEpisode.returned_at).where(MissingEpisode.child_id == child_id)
        if exclude is not None:
            q = q.where(MissingEpisode.id != exclude)
        return [(a, b) for a, b in s.execute(q).all()]

    def _check_times(self, s: Session, ep: MissingEpisode, now: datetime) -> None:
        rules.not_in_future("start", ep.started_at, now)
        rules.not_in_future("returned", ep.returned_at, now)
        rules.not_in_future("reported to police", ep.police_reported_at, now)
        rules.not_before("returned", ep.returned_at, "start", ep.started_at)
        rules.not_before("reported to police", ep.police_reported_at, "start", ep.started_at)
        rules.no_overlap(ep.started_at, ep.returned_at, self._others(s, ep.child_id, ep.id))

    def _saved(self, uow: UnitOfWork, ep: MissingEpisode, seqs: list[int], at: datetime | None = None) -> Saved:
        return Saved("missing_episode", ep.id, ep.child_id, ep.version, tuple(seqs), at)

    # -- actions -------------------------------------------------------------
    def report(
        self,
        child_id: str,
        category: str,
        started_at: datetime | None = None,
        *,
        risk: str | None = None,
        police_ref: str | None = None,
        police_reported_at: datetime | None = None,
        reported_by: str | None = None,
        last_seen_where: str | None = None,
        last_seen_with: str | None = None,
        last_seen_wearing: str | None = None,
        circumstances: str | None = None,
        owner_id: int | None = None,
        steps_taken: Sequence[tuple[datetime, str]] = (),
    ) -> Saved:
        """Report a child missing (M) or away without authorisation (A).

        `steps_taken`: what the carers did to find the child before reporting, with times
        (Philomena protocol, supported and residential placements); kept on the timeline."""
        rules.require_code("category", category, {c.value for c in MissingCategory})
        rules.require_code("risk grade", risk, {r.value for r in RiskGrade}, required=False)
        if police_ref is not None and police_ref != "" and not police_ref.strip():
            raise ValidationError("police reference", "is blank: leave it out until the police give one")
        text = fields.clean_all(
            "missing_episode",
            {
                "police_ref": police_ref,
                "reported_by": reported_by,
                "last_seen_where": last_seen_where,
                "last_seen_with": last_seen_with,
                "last_seen_wearing": last_seen_wearing,
                "circumstances": circumstances,
            },
        )
        police_ref, reported_by = text["police_ref"], text["reported_by"]
        last_seen_where, last_seen_with = text["last_seen_where"], text["last_seen_with"]
        last_seen_wearing, circumstances = text["last_seen_wearing"], text["circumstances"]
        with self._uow() as uow:
            s = uow.session
            child = self._child(s, child_id)
            start = started_at or uow.now
            rules.not_in_future("start", start, uow.now)
            care = self._care_episode_at(s, child, start, "start")
            if police_ref and police_reported_at is None:
                police_reported_at = uow.now  # reported with a reference: police know by now
            ep = MissingEpisode(
                child_id=child.id,
                category=category,
                started_at=start,
                reported_at=uow.now,
                reported_by=reported_by,
                police_reported_at=police_reported_at,
                police_ref=(police_ref or None),
                risk_grade=risk,
                last_seen_where=last_seen_where,
                last_seen_with=last_seen_with,
                last_seen_wearing=last_seen_wearing,
                circumstances=circumstances,
                owner_id=owner_id or self.actor.staff_id or child.social_worker_id,
                care_episode_id=care.id,
                updated_at=uow.now,
                updated_by=self.actor.label,
                version=1,
            )
            self._check_times(s, ep, uow.now)
            s.add(ep)
            s.flush()
            self._event(uow, ep, "reported", start, text=circumstances, new=category)
            for step_at, step in check_steps(steps_taken, uow.now):
                self._event(uow, ep, "step_before_report", step_at, text=step)
            sync_episode_values(s, ep)
            if risk:
                self._event(uow, ep, "risk", uow.now, new=risk)
            if police_ref:
                self._event(uow, ep, "police_ref", police_reported_at or uow.now, new=police_ref)
            uow.audit("episode.report", "missing_episode", ep.id, child.id, after=snapshot(ep))
            uow.changed(ChangeKind.EPISODE_REPORTED, EpisodeChanged(ep.id, child.id))
            return self._saved(uow, ep, uow.commit())

    # -- the parts of an update: each changes, audits and feeds; the caller commits once --
    def _apply_police_ref(
        self, uow: UnitOfWork, ep: MissingEpisode, police_ref: str, reported_at: datetime | None
    ) -> None:
        before = snapshot(ep)
        old = ep.police_ref
        ep.police_ref = police_ref
        ep.police_reported_at = reported_at or ep.police_reported_at or uow.now
        self._check_times(uow.session, ep, uow.now)
        self._event(uow, ep, "police_ref", ep.police_reported_at, old=old, new=ep.police_ref)
        uow.audit("episode.police_ref", "missing_episode", ep.id, ep.child_id, before, snapshot(ep))
        uow.changed(ChangeKind.EPISODE_UPDATED, EpisodeChanged(ep.id, ep.child_id))

    def _apply_risk(self, uow: UnitOfWork, ep: MissingEpisode, risk: str, reason: str | None) -> None:
        if ep.risk_grade == risk:
            raise ValidationError("risk grade", f"is already {RiskGrade(risk).label}")
        before = snapshot(ep)
        old = ep.risk_grade
        ep.risk_grade = risk
        self._event(uow, ep, "risk", uow.now, text=reason, old=old, new=risk)
        uow.audit("episode.risk", "missing_episode", ep.id, ep.child_id, before, snapshot(ep))
        uow.changed(ChangeKind.EPISODE_RISK_CHANGED, EpisodeChanged(ep.id, ep.child_id))

    def _apply_category(self, uow: UnitOfWork, ep: MissingEpisode, category: str, reason: str) -> None:
        if ep.category == category:
            raise ValidationError("category", f"is already {MissingCategory(category).label}")
        before = snapshot(ep)
        old = ep.category
        ep.category = category
        self._event(uow, ep, "reclassified", uow.now, text=reason, old=old, new=category)
        uow.audit("episode.reclassify", "missing_episode", ep.id, ep.child_id, before, snapshot(ep))
        uow.changed(ChangeKind.EPISODE_RECLASSIFIED, EpisodeChanged(ep.id, ep.child_id))

    def _apply_note(self, uow: UnitOfWork, ep: MissingEpisode, text: str, sighting: bool, at: datetime | None) -> None:
        when = at or uow.now
        rules.not_in_future("time of update", when, uow.now)
        rules.not_before("time of update", when, "start", ep.started_at)
        kind = "sighting" if sighting else "update"
        self._event(uow, ep, kind, when, text=text)
        uow.audit(
            f"episode.{kind}",
            "missing_episode",
            ep.id,
            ep.child_id,
            after={"at": when.isoformat(), "text_length": len(text)},
        )
        uow.changed(ChangeKind.EPISODE_TIMELINE, EpisodeChanged(ep.id, ep.child_id))

    @staticmethod
    def _police_ref(value: str) -> str:
        ref = fields.clean("missing_episode.police_ref", value)
        if ref is None:
            raise ValidationError("police reference", "is required")
        return ref

    @staticmethod
    def _reason(value: str | None, required: bool) -> str | None:
        reason = fields.clean("episode.reason", value)
        if reason is None and required:
            raise ValidationError("reason", "is required")
        return reason

    @staticmethod
    def _note(value: str) -> str:
        text = fields.clean("episode_event.text", value)
        if text is None:
            raise ValidationError("update", "is required")
        return text

    def record_police_ref(
        self, episode_id: int, expected_version: int | None, police_ref: str, reported_at: datetime | None = None
    ) -> Saved:
        ref = self._police_ref(police_ref)
        with self._uow() as uow:
            ep = self._episode(uow.session, episode_id, expected_version)
            self._apply_police_ref(uow, ep, ref, reported_at)
            self._touch(uow, ep)
            return self._saved(uow, ep, uow.commit())

    def change_risk(self, episode_id: int, expected_version: int | None, risk: str, reason: str | None = None) -> Saved:
        rules.require_code("risk grade", risk, {r.value for r in RiskGrade})
        why = self._reason(reason, required=False)
        with self._uow() as uow:
            ep = self._episode(uow.session, episode_id, expected_version)
            self._apply_risk(uow, ep, risk, why)
            self._touch(uow, ep)
            return self._saved(uow, ep, uow.commit())

    def add_update(self, episode_id: int, text: str, *, sighting: bool = False, at: datetime | None = None) -> Saved:
        """Timeline entries never conflict: two people may add notes at once."""
        note = self._note(text)
        with self._uow() as uow:
            ep = self._episode(uow.session, episode_id, None)
            self._apply_note(uow, ep, note, sighting, at)
            return self._saved(uow, ep, uow.commit())

    def reclassify(self, episode_id: int, expected_version: int | None, category: str, reason: str) -> Saved:
        rules.require_code("category", category, {c.value for c in MissingCategory})
        why = self._reason(reason, required=True) or ""
        with self._uow() as uow:
            ep = self._episode(uow.session, episode_id, expected_version)
            self._apply_category(uow, ep, category, why)
            self._touch(uow, ep)
            return self._saved(uow, ep, uow.commit())

    def update(
        self,
        episode_id: int,
        expected_version: int | None,
        *,
        police_ref: str | None = None,
        risk: str | None = None,
        category: str | None = None,
        reason: str | None = None,
        note: str | None = None,
        sighting: str | None = None,
    ) -> Saved:
        """Several changes to one episode as ONE action: all are saved, or none is.

        Every input is checked before anything is written; a rule that only the database
        state can decide (risk already high) rolls the whole action back."""
        ref = self._police_ref(police_ref) if police_ref is not None else None
        if risk is not None:
            rules.require_code("risk grade", risk, {r.value for r in RiskGrade})
        if category is not None:
            rules.require_code("category", category, {c.value for c in MissingCategory})
        why = self._reason(reason, required=False)
        if category is not None and why is None:
            raise ValidationError("reason", "is required to change the category")
        note_text = self._note(note) if note is not None else None
        sighting_text = self._note(sighting) if sighting is not None else None
        if all(v is None for v in (ref, risk, category, note_text, sighting_text)):
            raise ValidationError(
                "update", "give at least one of police reference, risk grade, category, update, sighting"
            )
        with self._uow() as uow:
            ep = self._episode(uow.session, episode_id, expected_version)
            if ep.returned_at is not None and (ref or risk or category):
                raise ValidationError("episode", f"ended at {format_local(ep.returned_at)}: amend it instead")
            changed = False
            if ref is not None:
                self._apply_police_ref(uow, ep, ref, None)
                changed = True
            if risk is not None:
                self._apply_risk(uow, ep, risk, why)
                changed = True
            if category is not None:
                self._apply_category(uow, ep, category, why or "")
                changed = True
            if note_text is not None:
                self._apply_note(uow, ep, note_text, False, None)
            if sighting_text is not None:
                self._apply_note(uow, ep, sighting_text, True, None)
            if changed:
                self._touch(uow, ep)
            return self._saved(uow, ep, uow.commit())

    def amend_time(
        self, episode_id: int, expected_version: int | None, field: str, value: datetime, reason: str
    ) -> Saved:
        if field not in AMENDABLE:
            raise ValidationError("field", f"'{field}' cannot be amended (allowed: {', '.join(AMENDABLE)})")
        reason = self._reason(reason, required=True) or ""
        with self._uow() as uow:
            s = uow.session
            ep = self._episode(s, episode_id, expected_version)
            if field == "returned_at" and ep.returned_at is None:
                raise ValidationError("returned", "the episode is still open: record a return instead")
            before = snapshot(ep)
            old = getattr(ep, field)
            setattr(ep, field, value)
            if field == "started_at":
                child = self._child(s, ep.child_id)
                ep.care_episode_id = self._care_episode_at(s, child, value, "start").id
            self._check_times(s, ep, uow.now)
            self._touch(uow, ep)
            self._event(
                uow,
                ep,
                "amended",
                uow.now,
                text=f"{AMENDABLE[field]}: {reason}",
                old=old.isoformat() if old else None,
                new=value.isoformat(),
            )
            uow.audit("episode.amend", "missing_episode", ep.id, ep.child_id, before, snapshot(ep), reason=reason)
            uow.changed(ChangeKind.EPISODE_AMENDED, EpisodeChanged(ep.id, ep.child_id))
            return self._saved(uow, ep, uow.commit())

    def record_return(
        self,
        episode_id: int,
        expected_version: int | None,
        returned_at: datetime | None = None,
        *,
        found_where: str | None = None,
        return_method: str | None = None,
        safe_well_at: datetime | None = None,
        safe_well_by: str | None = None,
        safe_well_notes: str | None = None,
    ) -> Saved:
        text = fields.clean_all(
            "missing_episode",
            {
                "found_where": found_where,
                "return_method": return_method,
                "safe_well_by": safe_well_by,
                "safe_well_notes": safe_well_notes,
            },
        )
        found_where, return_method = text["found_where"], text["return_method"]
        safe_well_by, safe_well_notes = text["safe_well_by"], text["safe_well_notes"]
        with self._uow() as uow:
            s = uow.session
            ep = self._episode(s, episode_id, expected_version)
            if ep.returned_at is not None:
                raise ValidationError("returned", f"the episode already ended at {format_local(ep.returned_at)}")
            before = snapshot(ep)
            ep.returned_at = returned_at or uow.now
            ep.found_where = found_where
            ep.return_method = return_method
            ep.safe_well_at = safe_well_at
            ep.safe_well_by = safe_well_by
            ep.safe_well_notes = safe_well_notes
            self._check_times(s, ep, uow.now)
            rules.not_in_future("safe and well check", safe_well_at, uow.now)
            rules.not_before("safe and well check", safe_well_at, "returned", ep.returned_at)
            self._touch(uow, ep)
            self._event(uow, ep, "returned", ep.returned_at, text=found_where)
            sync_episode_values(s, ep)
            uow.audit("episode.return", "missing_episode", ep.id, ep.child_id, before, snapshot(ep))
            uow.changed(ChangeKind.EPISODE_RETURNED, EpisodeChanged(ep.id, ep.child_id))
            return self._saved(uow, ep, uow.commit(), ep.returned_at)

    def record_safe_and_well(
        self, episode_id: int, expected_version: int | None, at: datetime, by: str, notes: str | None = None
    ) -> Saved:
        by = fields.clean("missing_episode.safe_well_by", by) or ""
        if not by:
            raise ValidationError("safe and well by", "is required")
        notes = fields.clean("missing_episode.safe_well_notes", notes)
        with self._uow() as uow:
            s = uow.session
            ep = self._episode(s, episode_id, expected_version)
            rules.not_in_future("safe and well check", at, uow.now)
            if ep.returned_at is None:
                raise ValidationError("safe and well check", "record the return first")
            rules.not_before("safe and well check", at, "returned", ep.returned_at)
            before = snapshot(ep)
            ep.safe_well_at, ep.safe_well_by, ep.safe_well_notes = at, by, notes
            self._touch(uow, ep)
            self._event(uow, ep, "safe_well", at, text=notes)
            uow.audit("episode.safe_well", "missing_episode", ep.id, ep.child_id, before, snapshot(ep))
            uow.changed(ChangeKind.EPISODE_UPDATED, EpisodeChanged(ep.id, ep.child_id))
            return self._saved(uow, ep, uow.commit())

    # -- return-home interviews ---------------------------------------------------
    def offer_rhi(
        self, episode_ids: list[int], offered_at: datetime | None = None, offered_by: str | None = None
    ) -> Saved:
        """Offer one RHI covering one or more returned episodes of the same child."""
        if not episode_ids:
            raise ValidationError("episodes", "choose at least one returned episode")
        for i in episode_ids:
            fields.check_int("id", i, "episode")
        offered_by = fields.clean("rhi.offered_by", offered_by)
        with self._uow() as uow:
            s = uow.session
            eps = [self._episode(s, i, None) for i in episode_ids]
            children = {e.child_id for e in eps}
            if len(children) != 1:
                raise ValidationError("episodes", "an RHI covers episodes of one child only")
            when = offered_at or uow.now
            rules.not_in_future("offered at", when, uow.now)
            for e in eps:
                if e.returned_at is None:
                    raise ValidationError("episodes", f"episode {e.id} has no return recorded yet")
                rules.not_before("offered at", when, "returned", e.returned_at)
                taken = s.scalars(select(RhiEpisode).where(RhiEpisode.episode_id == e.id)).first()
                if taken is not None:
                    raise ValidationError("episodes", f"episode {e.id} is already covered by RHI {taken.rhi_id}")
            rhi = Rhi(
                child_id=eps[0].child_id,
                offered_at=when,
                offered_by=offered_by or self.actor.label,
                updated_at=uow.now,
                updated_by=self.actor.label,
                version=1,
            )
            s.add(rhi)
            s.flush()
            s.add_all([RhiEpisode(rhi_id=rhi.id, episode_id=e.id) for e in eps])
            for e in eps:
                self._event(uow, e, "rhi_offered", when, new=str(rhi.id))
            uow.audit("rhi.offer", "rhi", rhi.id, rhi.child_id, after=snapshot(rhi), episodes=list(episode_ids))
            uow.changed(ChangeKind.RHI_OFFERED, RhiChanged(rhi.id, rhi.child_id))
            seqs = uow.commit()
            return Saved("rhi", rhi.id, rhi.child_id, rhi.version, tuple(seqs))

    def _rhi(self, s: Session, rhi_id: int, expected_version: int | None) -> Rhi:
        rhi = s.get(Rhi, rhi_id, with_for_update=True)
        if rhi is None:
            raise NotFoundError("RHI", rhi_id)
        if expected_version is not None and rhi.version != expected_version:
            raise ConflictError(f"RHI {rhi_id}", rhi.updated_by, format_local(rhi.updated_at))
        return rhi

    def respond_rhi(
        self, rhi_id: int, expected_version: int | None, accepted: bool, at: datetime | None = None
    ) -> Saved:
        with self._uow() as uow:
            s = uow.session
            rhi = self._rhi(s, rhi_id, expected_version)
            when = at or uow.now
            rules.not_in_future("response at", when, uow.now)
            rules.not_before("response at", when, "offered at", rhi.offered_at)
            before = snapshot(rhi)
            if accepted:
                rhi.accepted_at, rhi.declined_at = when, None
            else:
                rhi.declined_at, rhi.accepted_at = when, None
            rhi.outcome_code = "accepted" if accepted else "declined"
            rhi.version += 1
            rhi.updated_at, rhi.updated_by = uow.now, self.actor.label
            uow.audit(
                "rhi.accepted" if accepted else "rhi.declined", "rhi", rhi.id, rhi.child_id, before, snapshot(rhi)
            )
            uow.changed(ChangeKind.RHI_UPDATED, RhiChanged(rhi.id, rhi.child_id))
            seqs = uow.commit()
            return Saved("rhi", rhi.id, rhi.child_id, rhi.version, tuple(seqs))

    def complete_rhi(
        self, rhi_id: int, expected_version: int | None, completed_by: str, outcome: str, at: datetime | None = None
    ) -> Saved:
        completed_by = fields.clean("rhi.completed_by", completed_by) or ""
        outcome = fields.clean("rhi.outcome", outcome) or ""
        if not completed_by:
            raise ValidationError("completed by", "is required")
        if not outcome:
            raise ValidationError("outcome", "is required")
        with self._uow() as uow:
            s = uow.session
            rhi = self._rhi(s, rhi_id, expected_version)
            when = at or uow.now
            rules.not_in_future("completed at", when, uow.now)
            rules.not_before("completed at", when, "offered at", rhi.offered_at)
            if rhi.declined_at is not None:
                raise ValidationError("completed at", "the child declined this RHI")
            before = snapshot(rhi)
            rhi.completed_at, rhi.completed_by, rhi.outcome = when, completed_by, outcome
            if rhi.accepted_at is None:
                rhi.accepted_at = rhi.offered_at
            rhi.version += 1
            rhi.updated_at, rhi.updated_by = uow.now, self.actor.label
            uow.audit("rhi.complete", "rhi", rhi.id, rhi.child_id, before, snapshot(rhi))
            uow.changed(ChangeKind.RHI_UPDATED, RhiChanged(rhi.id, rhi.child_id))
            seqs = uow.commit()
            return Saved("rhi", rhi.id, rhi.child_id, rhi.version, tuple(seqs))

    def record_rhi_not_offered(
        self, episode_ids: list[int], reason: str, note: str | None = None, at: datetime | None = None
    ) -> Saved:
        """No interview was offered (missing again, unable to make contact, other) or none
        applies: recorded as a closed RHI with that outcome, so the episode is no longer due."""
        rules.require_code("RHI outcome", reason, {k: v for k, v in RHI_OUTCOMES.items() if k not in RHI_OFFERED})
        rules.limit_text("note", note)
        if not episode_ids:
            raise ValidationError("episodes", "choose at least one returned episode")
        with self._uow() as uow:
            s = uow.session
            eps = [self._episode(s, i, None) for i in episode_ids]
            if len({e.child_id for e in eps}) != 1:
                raise ValidationError("episodes", "an RHI covers episodes of one child only")
            when = at or uow.now
            rules.not_in_future("recorded at", when, uow.now)
            for e in eps:
                if e.returned_at is None:
                    raise ValidationError("episodes", f"episode {e.id} has no return recorded yet")
                taken = s.scalars(select(RhiEpisode).where(RhiEpisode.episode_id == e.id)).first()
                if taken is not None:
                    raise ValidationError("episodes", f"episode {e.id} is already covered by RHI {taken.rhi_id}")
            rhi = Rhi(
                child_id=eps[0].child_id,
                offered_at=None,
                completed_at=when,
                completed_by=self.actor.label,
                outcome=note,
                outcome_code=reason,
                updated_at=uow.now,
                updated_by=self.actor.label,
                version=1,
            )
            s.add(rhi)
            s.flush()
            s.add_all([RhiEpisode(rhi_id=rhi.id, episode_id=e.id) for e in eps])
            for e in eps:
                self._event(uow, e, "rhi_not_offered", when, new=reason)
            uow.audit("rhi.not_offered", "rhi", rhi.id, rhi.child_id, after=snapshot(rhi), episodes=list(episode_ids))
            uow.changed(ChangeKind.RHI_UPDATED, RhiChanged(rhi.id, rhi.child_id))
            seqs = uow.commit()
            return Saved("rhi", rhi.id, rhi.child_id, rhi.version, tuple(seqs))

    # -- Philomena profile ----------------------------------------------------------
    def save_profile(self, child_id: str, expected_version: int | None, **values: str | None) -> Saved:
        unknown = set(values) - set(PROFILE_FIELDS)
        if unknown:
            raise ValidationError(sorted(unknown)[0], "is not a Philomena profile field")
        cleaned = {name: fields.clean(f"philomena_profile.{name}", value) for name, value in values.items()}
        with self._uow() as uow:
            s = uow.session
            self._child(s, child_id)
            prof = s.get(PhilomenaProfile, child_id, with_for_update=True)
            before = snapshot(prof) if prof else None
            if prof is None:
                if expected_version not in (None, 0):
                    raise ConflictError("Philomena profile", None, None)
                prof = PhilomenaProfile(child_id=child_id, version=0)
                s.add(prof)
            elif expected_version is not None and prof.version != expected_version:
                raise ConflictError("Philomena profile", prof.updated_by, format_local(prof.updated_at))
            for name, value in cleaned.items():
                setattr(prof, name, value)
            prof.version = (prof.version or 0) + 1
            prof.updated_at, prof.updated_by = uow.now, self.actor.label
            s.flush()
            sync_profile_values(s, prof)
            uow.audit("profile.save", "philomena_profile", child_id, child_id, before, snapshot(prof))
            uow.changed(ChangeKind.PROFILE_SAVED, ProfileChanged(child_id))
            seqs = uow.commit()
            return Saved("philomena_profile", child_id, child_id, prof.version, tuple(seqs))

    def record_view(self, child_id: str, what: str = "child record") -> None:
        """Opening a child's record on purpose is audited (special-category data): who, when,
        what (`child record`, `profile`, ...). Anyone who may read a record is audited reading it."""
        if not (
            access.may(self.actor.role, Permission.READ_REGISTER)
            or access.may(self.actor.role, Permission.READ_MISSING)
        ):
            self.require(Permission.READ_REGISTER)
        with UnitOfWork(self.db, self.actor, self.clock) as uow:
            uow.audit("child.view", "child", child_id, child_id, what=what)
            uow.commit()
