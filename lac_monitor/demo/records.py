"""The generator's working records: the council as it is being made, before it is rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from lac_monitor.demo import rates
from lac_monitor.demo.draw import Draw
from lac_monitor.domain.ladder import Ladder
from lac_monitor.domain.localtime import local_date
from lac_monitor.storage.schema import Base

Rows = dict[str, list[dict[str, Any]]]


@dataclass
class Place:
    place: str
    provider: str | None
    name: str
    address: str
    postcode: str
    urn: str | None
    carer: str
    phone: str


@dataclass
class Care:
    id: int
    decom: date
    dec: date | None
    rne: str
    ls: str
    place: Place
    rec: str | None = None
    reason: str | None = None


@dataclass
class Kid:
    id: str
    group: str
    first: str
    last: str
    preferred: str | None
    dob: date
    sex: str
    ethnic: str
    locality: str
    team: int
    worker: int = 0
    upn: str | None = None
    mother: bool | None = None
    mc_dob: date | None = None
    cin: str = "N1"
    uasc: bool = False
    cls: str = "none"  # none, occasional, regular, frequent (missing pattern)
    p_away: float = 0.2
    home_post: str = ""
    first_decom: date = date(2000, 1, 1)
    dec_final: date | None = None
    rec: str | None = None
    care: list[Care] = field(default_factory=list)
    scenario: str | None = None  # out, due, overdue
    flags: list[str] = field(default_factory=list)
    missing: list[Miss] = field(default_factory=list)


@dataclass
class Miss:
    kid: Kid
    start: datetime
    end: datetime | None
    category: str
    scenario: str | None = None
    risk: str | None = None
    has_ref: bool = True
    id: int = 0


@dataclass
class World:
    """Everything the steps share: the clock, the draws, the people so far, the rows."""

    draw: Draw
    n: int
    now: datetime
    years: float
    username: str
    rows: Rows = field(default_factory=lambda: {t.name: [] for t in Base.metadata.sorted_tables})
    kids: list[Kid] = field(default_factory=list)
    localities: list[str] = field(default_factory=list)
    teams: list[tuple[int, str, str]] = field(default_factory=list)  # id, name, locality
    edt_team: int = 0
    staff_label: dict[int, str] = field(default_factory=dict)
    used_usernames: set[str] = field(default_factory=set)
    staff_seq: int = 0
    current_user_id: int = 0
    edt_ids: list[int] = field(default_factory=list)
    rhi_workers: list[str] = field(default_factory=list)
    police: list[str] = field(default_factory=list)
    homes: list[Place] = field(default_factory=list)
    supported: list[Place] = field(default_factory=list)
    schools: list[Place] = field(default_factory=list)
    care_homes: list[Place] = field(default_factory=list)
    care_seq: int = 0
    event_seq: int = 0
    rhi_count: int = 0
    ladder: Ladder = field(default_factory=Ladder)  # default office hours decide who owns a new report

    today: date = field(init=False)
    hist_start: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.today = local_date(self.now)
        self.hist_start = self.now - timedelta(days=rates.YEAR_DAYS * self.years)

    def next_care_id(self) -> int:
        self.care_seq += 1
        return self.care_seq
