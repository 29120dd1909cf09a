"""Small synthetic registers for tests. Invented names only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lac_monitor.domain.clock import FixedClock
from lac_monitor.services.care import CareService, Placement
from lac_monitor.services.episodes import EpisodeService
from lac_monitor.services.uow import Actor
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import Child, Staff, Team

FOSTER = Placement(
    ls="C2",
    cin="N1",
    place="U4",
    place_provider="PR1",
    placement_name="Test foster home",
    carer_name="Testcarer One",
    carer_phone="07700 900001",
)


@dataclass
class World:
    db: Database
    clock: FixedClock
    actor: Actor
    manager: Actor

    @property
    def episodes(self) -> EpisodeService:
        return EpisodeService(self.db, self.actor, self.clock)

    @property
    def care(self) -> CareService:
        return CareService(self.db, self.actor, self.clock)

    def as_(self, actor: Actor, db: Database | None = None) -> EpisodeService:
        return EpisodeService(db or self.db, actor, self.clock)

    def add_child(
        self,
        child_id: str,
        first: str = "Testa",
        last: str = "Childone",
        dob: date = date(2010, 5, 1),
        in_care_since: date | None = date(2024, 1, 1),
        team_id: int = 1,
        worker_id: int = 1,
        preferred: str | None = None,
        locality: str = "Northfield",
    ) -> str:
        with self.db.write_session() as s:
            s.add(
                Child(
                    id=child_id,
                    first_name=first,
                    last_name=last,
                    preferred_name=preferred,
                    dob=dob,
                    sex="F",
                    ethnicity="WBRI",
                    team_id=team_id,
                    social_worker_id=worker_id,
                    locality=locality,
                    version=1,
                )
            )
            s.commit()
        if in_care_since is not None:
            self.care.start_care(child_id, in_care_since, FOSTER)
        return child_id


def make_world(db: Database, clock: FixedClock) -> World:
    with db.write_session() as s:
        s.add_all(
            [
                Team(id=1, name="Northfield Children in Care", locality="Northfield"),
                Team(id=2, name="Southbank Children in Care", locality="Southbank"),
            ]
        )
        s.flush()
        s.add_all(
            [
                Staff(id=1, username="sw.one", display_name="Sasha Workerone", role="social_worker", team_id=1),
                Staff(id=2, username="tm.one", display_name="Morgan Managerone", role="team_manager", team_id=1),
                Staff(id=3, username="sw.two", display_name="Robin Workertwo", role="social_worker", team_id=2),
                Staff(id=4, username="edt.one", display_name="Dana Dutyone", role="duty_officer", team_id=None),
                Staff(id=5, username="hos.one", display_name="Alex Headone", role="head_of_service", team_id=None),
            ]
        )
        s.commit()
    if db.is_postgresql:
        with db.engine.begin() as c:
            c.exec_driver_sql("SELECT setval('team_id_seq', 10), setval('staff_id_seq', 10)")
    return World(
        db,
        clock,
        Actor("sw.one", 1, "Sasha Workerone", "social_worker", 1),
        Actor("tm.one", 2, "Morgan Managerone", "team_manager", 1),
    )
