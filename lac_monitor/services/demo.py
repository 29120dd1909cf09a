"""A believable, entirely synthetic council for demos, training and load tests.

Every person, place, phone number and reference here is invented (phone numbers are in
Ofcom's drama range). Postcodes are real postcode units (demo_places.py) so that the sector's
validator can place them; the streets at them are invented. The data obeys the rules the
services enforce and the DfE's SSDA903 rules, so the app behaves on it exactly as it would on recorded data. Rows go
in with Core `insert()` executemany in one transaction: 10,000 children in seconds.
"""

from __future__ import annotations

import json
import logging
import math
import random
import re
import time as _time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, func, insert, select, text

from lac_monitor.domain import codes, record
from lac_monitor.domain.access import APPEND_ONLY_TABLES
from lac_monitor.domain.codes import StaffRole
from lac_monitor.domain.errors import LacError, ValidationError
from lac_monitor.domain.ladder import Ladder
from lac_monitor.domain.localtime import council_tz, local_date
from lac_monitor.domain.patterns import episode_texts, profile_texts, value_rows
from lac_monitor.domain.status import age_on
from lac_monitor.services import demo_places
from lac_monitor.services.uow import os_username, translate_db_error
from lac_monitor.storage import audit_chain
from lac_monitor.storage.database import FEED_LOCK_KEY, NOTIFY_CHANNEL, Database
from lac_monitor.storage.schema import Base, Setting

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_CHILDREN = 200_000
BATCH = 10_000
CITY = "Brackenport"
LOCAL_AREA = demo_places.COUNCIL_LA  # placements in the council's own area
AWAY_AREA = "away"  # placements in a neighbouring council's area
PC_LA = {pc: la for la, pcs in demo_places.POSTCODES.items() for pc in pcs}
_AWAY_LAS = sorted(demo_places.NEIGHBOURS)
# Ofsted URNs of the fostering and adoption services the demo places through (invented numbers).
_SERVICE_URN = {
    "Brackenport Fostering": "SC048211",
    "Horizon Fostering Partners": "SC392114",
    "Kinfolk Fostering": "SC417730",
    "Bright Steps Fostering": "SC385566",
    "kinship": "SC048211",
    "adoption": "SC064418",
}
LA_NUMBER = "998"  # not a real local authority number (used inside UPNs)


@dataclass(frozen=True)
class DemoSummary:
    children: int
    staff: int
    teams: int
    care_episodes: int
    missing_episodes: int
    currently_missing: int
    currently_away: int
    rhis: int
    elapsed_seconds: float


# -- invented names -------------------------------------------------------------------------
# group: (boys' first names, girls' first names, family names)
_NAMES: dict[str, tuple[str, str, str]] = {
    "british": (
        "Oliver Harry Jack Charlie Callum Kieran Tyler Liam Connor Mason Riley Lewis Ethan Jordan "
        "Bradley Alfie Reece Kai Owen Jake Alexander",
        "Chloe Megan Jessica Amber Lacey Paige Demi Courtney Ellie Kayleigh Mia Poppy Sophie Leah "
        "Jade Holly Evie Caitlin Shannon Zoë Natasha",
        "Ashworth Bramley Catterall Dunmore Fenwick Gorton Hebden Ingleby Kershaw Lomax Marsden "
        "Nuttall Openshaw Pilling Rawcliffe Sowerby Thwaites Unsworth Whitlock Yardley Brindle "
        "Haworth Tattersall Greenhalgh Pickering Hartley",
    ),
    "irish": (
        "Cian Oisín Darragh Seán Ciarán Tadhg Eoin Padraig",
        "Aoife Niamh Saoirse Siobhán Róisín Caoimhe Orla Clodagh",
        "Keane Brennan Doherty Gallagher Kavanagh Mulligan Quinlan Dunne Flanagan O'Dwyer",
    ),
    "traveller": (
        "Johnjo Patrick Martin Michael Tom Bernard",
        "Bridget Margaret Winnie Kathleen Nora Mary-Ann",
        "McDonagh Ward Joyce Maughan Sweeney Furey Doran Connors",
    ),
    "roma": (
        "Marian Dezider Ladislav Kristián Roberto Vasile Florin Denis",
        "Kezia Mirela Ramona Jarmila Nikola Esmeralda Denisa Florentina",
        "Lakatoš Horváth Kováč Oláh Dudič Balog Stoica Čonka",
    ),
    "polish": (
        "Jakub Łukasz Wojciech Mikołaj Szymon Kacper Filip Bartłomiej Michał Paweł",
        "Zofia Katarzyna Małgorzata Zuzanna Wiktoria Julia Natalia Agnieszka Oliwia Maja",
        "Nowak Wójcik Kowalczyk Woźniak Mazur Krawczyk Kaczmarek Zieliński Grabowski Dąbrowski Sikora Pawłowski",
    ),
    "romanian": (
        "Ștefan Andrei Mihai Ionuț Răzvan Cosmin Alexandru",
        "Andreea Bianca Ioana Alexandra Mădălina Denisa Roxana",
        "Popescu Ionescu Dumitrescu Stănescu Munteanu Constantin Lungu Vasilescu",
    ),
    "ukrainian": (
        "Oleksandr Dmytro Bohdan Taras Mykola Artem Yaroslav",
        "Daryna Sofiia Anastasiia Yulia Oksana Khrystyna Viktoriia",
        "Shevchuk Kovalenko Bondarenko Tkachenko Melnyk Kravets Hnatiuk Lysenko",
    ),
    "portuguese": (
        "João Tiago Rodrigo Gonçalo Diogo Afonso",
        "Inês Beatriz Leonor Mariana Matilde Carolina",
        "Gonçalves Ferreira Sousa Antunes Magalhães Correia",
    ),
    "turkish": (
        "Emre Mehmet Burak Yusuf Can Kerem",
        "Elif Ayşe Zeynep Defne Ebru Selin",
        "Yılmaz Şahin Öztürk Çelik Aydın Doğan Kılıç",
    ),
    "greek": (
        "Nikolaos Giorgos Dimitris Kostas",
        "Eleni Katerina Dimitra Sofia",
        "Papadopoulos Georgiou Antoniou Christodoulou Pappas",
    ),
    "lithuanian": (
        "Jonas Lukas Matas Dominykas",
        "Emilija Gabija Austėja Ugnė",
        "Kazlauskas Petrauskas Jankauskas Žukauskas Vasiliauskas",
    ),
    "caribbean": (
        "Jayden Tyrese Kyle Jermaine Dwayne Marcus Andre Malachi Jaheim Shaquille",
        "Tianna Shanice Jada Kayla Aaliyah Chantelle Keisha Nia Tia Imani",
        "Campbell Gayle Morrison Bailey Clarke Forbes Grant Lindo McKenzie Reid Wint Thompson",
    ),
    "west_african": (
        "Chidera Emeka Kwame Kofi Tobi Femi Oluwaseun Ifeanyi Daniel Samuel",
        "Amara Chiamaka Ama Adaeze Folake Temitope Blessing Precious Abena Zainab",
        "Okafor Mensah Adeyemi Boateng Eze Okonkwo Asante Oduya Nwosu Bakare Owusu Adebayo",
    ),
    "somali": (
        "Abdi Mohamed Hassan Ahmed Abdirahman Yusuf",
        "Hodan Ayaan Fadumo Hibo Sagal Ifrah",
        "Warsame Farah Hirsi Jama Abdullahi Osman Ismail",
    ),
    "eritrean": (
        "Yonas Tesfay Dawit Biniam Filmon Samuel",
        "Selam Helen Saba Lidya Senait Rahwa",
        "Tesfaye Gebremedhin Haile Berhane Kidane Tekle",
    ),
    "indian": (
        "Arjun Rohan Vikram Aarav Harjit Gurpreet Karan Dev",
        "Priya Anjali Simran Kiran Nisha Harleen Pooja Riya",
        "Sharma Patel Gill Mistry Chauhan Rao Sandhu Dhillon Bains Parmar",
    ),
    "pakistani": (
        "Ayaan Hamza Bilal Zain Usman Imran Rehan Ali",
        "Zara Aisha Maryam Hafsa Noor Sana Iqra Amna",
        "Akhtar Hussain Iqbal Khan Mahmood Rashid Shah Aslam Qureshi Javed",
    ),
    "bangladeshi": (
        "Rahim Sabbir Tanvir Rafiq Shakil Mizanur",
        "Nusrat Taslima Sumaiya Farhana Ruksana Jannat",
        "Uddin Miah Rahman Ahmed Chowdhury Islam Hoque",
    ),
    "afghan": (
        "Ahmad Farid Mustafa Sohail Jawad Nasir",
        "Mursal Parwana Fereshta Shabnam Mahbooba Zahra",
        "Noori Rahimi Ahmadzai Safi Wardak Popal",
    ),
    "srilankan": (
        "Tharindu Kasun Nuwan Dinesh Sanjeev",
        "Tharushi Nimasha Dilani Kavya Shanthi",
        "Perera Fernando Jayasinghe Gunawardena Dissanayake Sivakumar",
    ),
    "vietnamese": (
        "Minh Tuấn Hùng Quang Đức Long",
        "Lan Thảo Linh Hương Ngọc Mai",
        "Nguyễn Trần Phạm Lê Hoàng Võ Đặng",
    ),
    "arab": (
        "Omar Yusuf Karim Khalid Tariq Sami Ibrahim Mahmoud",
        "Layla Amira Mariam Rana Noor Huda Salma Yasmin",
        "Haddad Al-Sayed Mansour Khalil Nasser Saleh Darwish Hamdan",
    ),
    "kurdish": (
        "Rebin Soran Aram Dilan Karwan Shvan",
        "Rojin Shilan Hana Dilnaz Avin Berivan",
        "Rasul Hama Kareem Salih Mirza Qadir",
    ),
    "iranian": (
        "Arash Reza Kian Dariush Babak",
        "Shirin Nasrin Parisa Maryam Roya",
        "Hosseini Rezaei Moradi Karimi Jafari Tehrani",
    ),
    "chinese": ("Wei Jun Hao Jie Ming Bo", "Mei Lihua Xin Yan Jing Hui", "Chen Wang Li Zhang Liu Huang Lin Zhou"),
}
_POOLS: dict[str, tuple[list[str], list[str], list[str]]] = {
    g: (m.split(), f.split(), last.split()) for g, (m, f, last) in _NAMES.items()
}

# Preferred names a child may give: non-Latin scripts and diminutives, so printing is exercised.
_PREFERRED: dict[str, str] = {
    "Omar": "عمر",
    "Yusuf": "يوسف",
    "Karim": "كريم",
    "Khalid": "خالد",
    "Tariq": "طارق",
    "Sami": "سامي",
    "Ibrahim": "إبراهيم",
    "Mahmoud": "محمود",
    "Layla": "ليلى",
    "Amira": "أميرة",
    "Mariam": "مريم",
    "Rana": "رنا",
    "Noor": "نور",
    "Huda": "هدى",
    "Salma": "سلمى",
    "Yasmin": "ياسمين",
    "Wei": "伟",
    "Jun": "俊",
    "Hao": "浩",
    "Jie": "杰",
    "Ming": "明",
    "Bo": "博",
    "Mei": "梅",
    "Lihua": "丽华",
    "Xin": "欣",
    "Yan": "燕",
    "Jing": "静",
    "Hui": "慧",
    "Oleksandr": "Саша",
    "Dmytro": "Дмитро",
    "Bohdan": "Богдан",
    "Taras": "Тарас",
    "Mykola": "Микола",
    "Artem": "Артем",
    "Yaroslav": "Ярослав",
    "Daryna": "Дарина",
    "Sofiia": "Софія",
    "Anastasiia": "Настя",
    "Yulia": "Юля",
    "Oksana": "Оксана",
    "Khrystyna": "Христина",
    "Viktoriia": "Віка",
    "Nikolaos": "Νίκος",
    "Giorgos": "Γιώργος",
    "Dimitris": "Δημήτρης",
    "Kostas": "Κώστας",
    "Eleni": "Ελένη",
    "Katerina": "Κατερίνα",
    "Dimitra": "Δήμητρα",
    "Katarzyna": "Kasia",
    "Małgorzata": "Gosia",
    "Wojciech": "Wojtek",
    "Jakub": "Kuba",
    "Bartłomiej": "Bartek",
    "Mikołaj": "Mikołajek",
    "Zuzanna": "Zuzia",
    "Ștefan": "Ștefănel",
    "Jayden": "Jay",
    "Tyrese": "Ty",
    "Oluwaseun": "Seun",
    "Temitope": "Tope",
    "Adaeze": "Ada",
    "Abdirahman": "Abdi",
    "Mohamed": "Mo",
    "Gurpreet": "Preet",
    "Natasha": "Tash",
    "Alexander": "Alex",
    "Callum": "Cal",
    "Jessica": "Jess",
    "Bradley": "Brad",
    "Siobhán": "Shiv",
    "Chidera": "Dera",
    "Dominykas": "Domas",
    "Tharindu": "Thari",
    "Đức": "Duc",
}

_ETHNIC_WEIGHTS: dict[str, float] = {
    "WBRI": 52,
    "WIRI": 1,
    "WOTH": 7,
    "WIRT": 0.8,
    "WROM": 1.2,
    "MWBC": 5,
    "MWBA": 2,
    "MWAS": 2,
    "MOTH": 4,
    "AIND": 1.5,
    "APKN": 3,
    "ABAN": 1.5,
    "AOTH": 2.5,
    "BCRB": 3,
    "BAFR": 5,
    "BOTH": 2.5,
    "CHNE": 0.5,
    "OOTH": 4.5,
    "REFU": 0.5,
    "NOBT": 1,
}
_ETHNIC_GROUPS: dict[str, dict[str, float]] = {
    "WBRI": {"british": 1},
    "WIRI": {"irish": 1},
    "WIRT": {"traveller": 1},
    "WROM": {"roma": 1},
    "WOTH": {
        "polish": 35,
        "romanian": 20,
        "ukrainian": 15,
        "portuguese": 10,
        "turkish": 10,
        "greek": 5,
        "lithuanian": 5,
    },
    "AIND": {"indian": 1},
    "APKN": {"pakistani": 1},
    "ABAN": {"bangladeshi": 1},
    "AOTH": {"afghan": 40, "srilankan": 30, "vietnamese": 30},
    "BCRB": {"caribbean": 1},
    "BAFR": {"west_african": 50, "somali": 25, "eritrean": 25},
    "BOTH": {"caribbean": 40, "west_african": 30, "british": 30},
    "CHNE": {"chinese": 1},
    "OOTH": {"arab": 40, "kurdish": 25, "iranian": 15, "vietnamese": 20},
}
_MIXED: dict[str, tuple[str, str]] = {
    "MWBC": ("british", "caribbean"),
    "MWBA": ("british", "west_african"),
    "MWAS": ("british", "pakistani"),
}
_LANGUAGE = {
    "polish": "Polish",
    "romanian": "Romanian",
    "ukrainian": "Ukrainian",
    "portuguese": "Portuguese",
    "turkish": "Turkish",
    "greek": "Greek",
    "lithuanian": "Lithuanian",
    "somali": "Somali",
    "eritrean": "Tigrinya",
    "afghan": "Pashto and Dari",
    "vietnamese": "Vietnamese",
    "arab": "Arabic",
    "kurdish": "Kurdish Sorani",
    "iranian": "Farsi",
    "chinese": "Cantonese",
    "roma": "Romani",
}
_ADULT_GROUPS: dict[str, float] = {
    "british": 45,
    "irish": 4,
    "caribbean": 7,
    "west_african": 8,
    "indian": 6,
    "pakistani": 7,
    "bangladeshi": 3,
    "polish": 5,
    "portuguese": 2,
    "somali": 2,
    "arab": 2,
    "chinese": 2,
    "greek": 1,
    "turkish": 2,
    "romanian": 2,
    "kurdish": 1,
    "srilankan": 1,
}

_DISTRICTS = [
    d.replace("~", " ")
    for d in (
        "Northfield Southbank Eastgate Westholme Riverside Fernhill Millbrook Oakleigh Saltmarsh Ashcombe "
        "Hollin~Park Kestrel~Heath Wyvern~Hill Larkspur Copperfield Quarry~Bank Elmstead Gorsebrook "
        "Linden~Vale Pennyfield Ravensholt Stonecross Tanners~Green Wharfside Underhill Beacon~Rise "
        "Cinder~Lane Marram~Dunes"
    ).split()
]
_AWAY_TOWNS = ["Harrowmere", "Cold Ashby Vale", "Dunsford Magna", "Port Kellan", "Ebbwick", "Fallowfield Cross"]
_STREETS = (
    "Alder Larch Rowan Hawthorn Sycamore Chestnut Linnet Kingfisher Heron Marlpit Tannery Cooper "
    "Foundry Weaver Bobbin Canal Quayside Orchard Beacon Priory Mill Spindle Lantern Barley"
).split()
_STREET_KINDS = ["Road", "Street", "Avenue", "Close", "Grove", "Way", "Lane", "Crescent", "Drive"]
_HOME_NAMES = (
    "Willow House|Harbour Lights|The Beeches|Rowan Lodge|Kestrel View|Meadowbank House|Lark Rise|"
    "Cedar Court|Ferncliffe|Brook House|The Hollies|Moorland View|Ashgrove|Elderberry House|"
    "Sandpiper Lodge|Thornfield|Maple Cottage|Ivy Bank|Juniper House|Foxglove Lodge"
).split("|")
_PROVIDERS_PRIVATE = [
    "Northstar Residential Care",
    "Evergreen Futures",
    "Beacon Pathways",
    "Harbourside Children's Services",
    "Compass Rose Care",
]
_PROVIDERS_VOLUNTARY = ["St Brigid's Children's Trust", "Brackenport Youth Foundation", "Lanterns Charity"]

# -- small helpers --------------------------------------------------------------------------
_FOLD = {ord("Ł"): "L", ord("ł"): "l", ord("Đ"): "D", ord("đ"): "d", ord("ı"): "i", ord("ß"): "ss"}


def _fold(s: str) -> str:
    """ASCII letters for usernames and handles."""
    s = s.translate(_FOLD)
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", s.lower())


def _phone(n: int) -> str:
    return f"07700 900{n % 1000:03d}"


def _floor_min(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def _local(d: date, hour: int, minute: int) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=council_tz()).astimezone(UTC)


def _upn_check(digits: str) -> str:
    total = sum(int(ch) * w for ch, w in zip(digits, range(2, 14), strict=True))
    return "ABCDEFGHJKLMNPQRTUVWXYZ"[total % 23]


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _prettify(username: str) -> str:
    parts = [p for p in re.split(r"[._\-\s\\@]+", username) if p]
    return " ".join(p[:1].upper() + p[1:] for p in parts) or username


def _chunks(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [rows[i : i + BATCH] for i in range(0, len(rows), BATCH)]


# -- the generator's working records ----------------------------------------------------------------
@dataclass
class _Place:
    place: str
    provider: str | None
    name: str
    address: str
    postcode: str
    urn: str | None
    carer: str
    phone: str


@dataclass
class _Care:
    id: int
    decom: date
    dec: date | None
    rne: str
    ls: str
    place: _Place
    rec: str | None = None
    reason: str | None = None


@dataclass
class _Kid:
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
    care: list[_Care] = field(default_factory=list)
    scenario: str | None = None  # out, due, overdue
    flags: list[str] = field(default_factory=list)
    missing: list[_Miss] = field(default_factory=list)


@dataclass
class _Miss:
    kid: _Kid
    start: datetime
    end: datetime | None
    category: str
    scenario: str | None = None
    risk: str | None = None
    has_ref: bool = True
    id: int = 0


class _Generator:
    def __init__(self, rng: random.Random, n: int, now: datetime, years: float, username: str) -> None:
        self.rng = rng
        self.n = n
        self.now = now
        self.today = local_date(now)
        self.years = years
        self.hist_start = now - timedelta(days=365.25 * years)
        self.username = username
        self.rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in Base.metadata.sorted_tables}
        self.staff_label: dict[int, str] = {}
        self.kids: list[_Kid] = []
        self.care_seq = 0
        self.event_seq = 0
        self.phone_seq = rng.randrange(1000)
        self.current_user_id = 0
        self.edt_ids: list[int] = []
        self.rhi_workers: list[str] = []
        self.police: list[str] = []
        self.ladder = Ladder()  # default office hours decide who owns a new report

    # -- random utilities ----------------------------------------------------------------
    def pick(self, seq: Sequence[T]) -> T:
        return seq[self.rng.randrange(len(seq))]

    def weighted(self, weights: Mapping[str, float]) -> str:
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def phone(self) -> str:
        self.phone_seq += self.rng.randint(1, 37)
        return _phone(self.phone_seq)

    def hours(self, lo: float, hi: float) -> timedelta:
        return timedelta(hours=self.rng.uniform(lo, hi))

    def name_in(self, group: str, sex: str) -> tuple[str, str]:
        boys, girls, last = _POOLS[group]
        firsts = boys if sex == "M" else girls if sex == "F" else self.pick((boys, girls))
        return self.pick(firsts), self.pick(last)

    def adult_name(self) -> str:
        first, last = self.name_in(self.weighted(_ADULT_GROUPS), self.pick("MF"))
        return f"{first} {last}"

    def street_address(self, district: str, postcode: str, town: str = CITY) -> str:
        place = f"{town} {postcode}" if town else postcode
        return f"{self.rng.randint(1, 180)} {self.pick(_STREETS)} {self.pick(_STREET_KINDS)}, {district}, {place}"

    def postcode(self, area: str = LOCAL_AREA) -> str:
        """A real postcode in the council's area, or (AWAY_AREA) in a neighbour's."""
        la = self.pick(_AWAY_LAS) if area == AWAY_AREA else area
        return self.pick(demo_places.POSTCODES[la])

    # -- council: localities, teams, staff ----------------------------------------------
    def build_council(self) -> None:
        n = self.n
        n_teams = max(1, round(n / 95))
        n_localities = min(n_teams, 8 + n_teams // 8, len(_DISTRICTS))
        self.localities = list(_DISTRICTS[:n_localities])
        self.teams: list[tuple[int, str, str]] = []  # id, name, locality
        per_loc: dict[str, int] = {}
        for i in range(n_teams):
            loc = self.localities[i % n_localities]
            per_loc[loc] = per_loc.get(loc, 0) + 1
            k = per_loc[loc]
            name = f"{loc} Children in Care" + (f" {k}" if k > 1 else "")
            self.teams.append((i + 1, name, loc))
        self.edt_team = n_teams + 1
        for tid, name, loc in self.teams:
            self.rows["team"].append({"id": tid, "name": name, "locality": loc})
        self.rows["team"].append({"id": self.edt_team, "name": "Emergency Duty Team (out of hours)", "locality": None})
        self.used_usernames = {self.username.lower()}
        self.staff_seq = 0

    def add_staff(
        self, role: StaffRole, team: int | None, prefix: str, username: str | None = None, display: str | None = None
    ) -> int:
        self.staff_seq += 1
        sid = self.staff_seq
        if display is None:
            display = self.adult_name()
        if username is None:
            base = f"{prefix}.{_fold(display.split(' ')[-1]) or 'staff'}"
            username, k = base, 1
            while username.lower() in self.used_usernames:
                k += 1
                username = f"{base}{k}"
            self.used_usernames.add(username.lower())
        self.rows["staff"].append(
            {
                "id": sid,
                "username": username,
                "display_name": display,
                "role": role.value,
                "team_id": team,
                "email": f"{re.sub(r'[^A-Za-z0-9._-]', '', username) or 'staff'}@brackenport.example",
                "phone": self.phone(),
                "active": True,
            }
        )
        self.staff_label[sid] = display
        return sid

    def add_partner_staff(self) -> None:
        """The police liaison and the auditor (fixed invented names: no draw from the seed)."""
        for role, prefix, name in (
            (StaffRole.POLICE_LIAISON, "pol", "Casey Partnerwell"),
            (StaffRole.AUDITOR, "ig", "Jordan Auditwright"),
        ):
            self.staff_seq += 1
            username = f"{prefix}.{name.split()[-1].lower()}"
            self.used_usernames.add(username)
            self.rows["staff"].append(
                {
                    "id": self.staff_seq,
                    "username": username,
                    "display_name": name,
                    "role": role.value,
                    "team_id": None,
                    "email": f"{username}@brackenport.example",
                    "phone": None,
                    "active": True,
                }
            )
            self.staff_label[self.staff_seq] = name

    def build_staff(self) -> None:
        """Managers first; social workers once the children are placed in teams."""
        self.managers: dict[int, int] = {}
        self.heads = [
            self.add_staff(StaffRole.HEAD_OF_SERVICE, None, "hos")
            for _ in range(2 if self.n <= 2000 else max(2, self.n // 2500))
        ]
        for tid, _, _ in self.teams:
            self.managers[tid] = self.add_staff(StaffRole.TEAM_MANAGER, tid, "tm")
        n_edt = max(4, min(30, self.n // 120))
        self.edt_ids = [self.add_staff(StaffRole.DUTY_OFFICER, self.edt_team, "edt") for _ in range(n_edt)]
        self.add_staff(StaffRole.ADMINISTRATOR, None, "admin")
        self.rhi_workers = [f"{self.adult_name()} (Safe Return Service)" for _ in range(max(3, self.n // 200))]
        self.police = [
            f"PC {self.rng.randint(1000, 9999)} {self.adult_name().split(' ')[-1]}" for _ in range(max(6, self.n // 60))
        ]

    def allocate_workers(self) -> None:
        by_team: dict[int, list[_Kid]] = {}
        for kid in self.kids:
            by_team.setdefault(kid.team, []).append(kid)
        for tid, _, _ in self.teams:
            kids = by_team.get(tid, [])
            n_workers = max(1, math.ceil(len(kids) / 17))
            workers: list[int] = []
            for w in range(n_workers):
                if tid == 1 and w == 0:
                    self.current_user_id = self.add_staff(
                        StaffRole.SOCIAL_WORKER, tid, "sw", username=self.username, display=_prettify(self.username)
                    )
                    workers.append(self.current_user_id)
                else:
                    workers.append(self.add_staff(StaffRole.SOCIAL_WORKER, tid, "sw"))
            self.rng.shuffle(kids)
            for i, kid in enumerate(kids):
                kid.worker = workers[i % n_workers]

    # -- children ---------------------------------------------------------------------------
    def build_children(self) -> None:
        n = self.n
        ids = self.rng.sample(range(100000, 1000000), n)
        n_left = round(n * 0.08)
        age_weights = {
            a: w for a, w in enumerate([4, 3, 3, 3, 3, 3.2, 3.2, 3.2, 3.2, 3.2, 5.5, 5.5, 5.5, 7.5, 7.5, 7.5, 13, 13])
        }
        loc_weights = {loc: self.rng.uniform(0.7, 1.3) for loc in self.localities}
        teams_by_loc: dict[str, list[int]] = {}
        for tid, _, loc in self.teams:
            teams_by_loc.setdefault(loc, []).append(tid)
        hist_day = local_date(self.hist_start)
        for i in range(n):
            sex = "M" if self.rng.random() < 0.55 else "F"
            ethnic = self.weighted(_ETHNIC_WEIGHTS)
            group, first, last = self.child_name(ethnic, sex)
            left = i < n_left
            dec_final: date | None = None
            if left:
                span = max(1, (self.today - hist_day).days - 9)
                dec_final = hist_day + timedelta(days=7 + self.rng.randrange(span))
                if self.rng.random() < 0.35:  # left care at 18
                    dob = _add_years(dec_final, -18)
                else:
                    leave_age = self.weighted({"0": 6, "3": 6, "6": 6, "9": 6, "12": 8, "14": 10, "15": 10})
                    years_old = int(leave_age) + self.rng.randint(0, 2)
                    dob = dec_final - timedelta(days=int((years_old + self.rng.random()) * 365.25))
                    dob = min(dob, dec_final - timedelta(days=90))  # in care for a while first
            else:
                age = int(self.weighted({str(a): w for a, w in age_weights.items()}))
                dob = self.today - timedelta(days=int((age + self.rng.random()) * 365.25))
            dob = min(dob, self.today - timedelta(days=3))
            loc = self.weighted(loc_weights)
            kid = _Kid(
                id=f"C{ids[i]}",
                group=group,
                first=first,
                last=last,
                preferred=None,
                dob=dob,
                sex=sex,
                ethnic=ethnic,
                locality=loc,
                team=self.pick(teams_by_loc[loc]),
            )
            kid.dec_final = dec_final
            age_now = age_on(dob, dec_final or self.today)
            pref = _PREFERRED.get(first)
            if pref and pref != first and self.rng.random() < (0.55 if not pref.isascii() else 0.3):
                kid.preferred = pref
            kid.uasc = ethnic in ("OOTH", "AOTH", "BAFR") and sex == "M" and age_now >= 15 and self.rng.random() < 0.4
            kid.cin = (
                "N8"
                if kid.uasc
                else self.weighted({"N1": 60, "N2": 4, "N3": 4, "N4": 8, "N5": 12, "N6": 3, "N7": 1, "N8": 8})
            )
            if age_on(dob, self.today) < 5:
                kid.upn = "UN1"  # not yet of school age: no UPN yet
            else:
                if kid.uasc:
                    kid.upn = "UN2"
                elif self.rng.random() < 0.02:
                    kid.upn = self.pick(["UN3", "UN4", "UN5"])
                else:
                    estab = self.rng.randint(2000, 2999) if age_now < 11 else self.rng.randint(4000, 4999)
                    digits = f"{LA_NUMBER}{estab}{(dob.year + 5) % 100:02d}{self.rng.randint(0, 999):03d}"
                    kid.upn = _upn_check(digits) + digits
            if sex == "F":
                kid.mother = False
                if age_now >= 15 and self.rng.random() < 0.03:
                    kid.mother = True
                    earliest = _add_years(dob, 14)
                    days = (self.today - earliest).days
                    kid.mc_dob = earliest + timedelta(days=self.rng.randint(0, max(0, days)))
            kid.home_post = self.postcode()
            self.miss_class(kid, age_on(dob, self.today))
            self.kids.append(kid)
        self.rng.shuffle(self.kids)

    def child_name(self, ethnic: str, sex: str) -> tuple[str, str, str]:
        if ethnic in _MIXED:
            a, b = _MIXED[ethnic]
            if self.rng.random() < 0.5:
                a, b = b, a
            first, _ = self.name_in(a, sex)
            _, last = self.name_in(b, sex)
            return a, first, last
        if ethnic in _ETHNIC_GROUPS:
            group = self.weighted(_ETHNIC_GROUPS[ethnic])
        else:  # MOTH, REFU, NOBT: anyone
            group = self.pick(list(_POOLS))
        first, last = self.name_in(group, sex)
        return group, first, last

    def miss_class(self, kid: _Kid, age_now: int) -> None:
        if kid.dec_final is not None and age_now >= 18:
            age_now = 17
        if 13 <= age_now <= 17:
            chance, split = 0.115, {"occasional": 55, "regular": 27, "frequent": 18}
        elif 10 <= age_now <= 12:
            chance, split = 0.035, {"occasional": 80, "regular": 20}
        else:
            return
        if self.rng.random() < chance:
            kid.cls = self.weighted(split)
        kid.p_away = self.rng.choices([0.08, 0.25, 0.55], weights=[50, 30, 20])[0]

    # -- care episodes -------------------------------------------------------------------------
    def build_homes(self) -> None:
        n_homes = max(4, self.n // 40)
        self.homes: list[_Place] = []
        for i in range(n_homes):
            provider = self.weighted({"PR4": 70, "PR1": 20, "PR5": 10})
            away = provider != "PR1" and self.rng.random() < 0.35
            rounds, k = divmod(i, len(_HOME_NAMES))
            base = _HOME_NAMES[k] + (f" {rounds + 1}" if rounds else "")
            owner = {
                "PR1": "Brackenport City Council",
                "PR4": self.pick(_PROVIDERS_PRIVATE),
                "PR5": self.pick(_PROVIDERS_VOLUNTARY),
            }[provider]
            pc = self.postcode(AWAY_AREA if away else LOCAL_AREA)
            district = self.pick(_AWAY_TOWNS) if away else self.pick(self.localities)
            self.homes.append(
                _Place(
                    "K2",
                    provider,
                    f"{base} ({owner})",
                    self.street_address(district, pc, "" if away else CITY),
                    pc,
                    f"SC{self.rng.randint(100000, 999999)}",
                    f"Registered manager: {self.adult_name()}",
                    self.phone(),
                )
            )
        self.supported = []
        for i in range(max(2, self.n // 150)):
            pc = self.postcode()
            provider = self.weighted({"PR4": 60, "PR5": 30, "PR1": 10})
            self.supported.append(
                _Place(
                    "K3",
                    provider,
                    f"{self.pick(['Lantern', 'Anchor', 'Keystone', 'Harbour', 'Compass'])} Court "
                    f"supported flats {i + 1}",
                    self.street_address(self.pick(self.localities), pc),
                    pc,
                    f"{self.rng.randint(2500000, 2599999)}",
                    f"Key worker: {self.adult_name()}",
                    self.phone(),
                )
            )
        self.schools = [
            _Place(
                "S1",
                self.weighted({"PR4": 60, "PR5": 40}),
                f"{nm} Residential School",
                self.street_address(self.pick(_AWAY_TOWNS), pc, ""),
                pc,
                f"{self.rng.randint(100000, 149999)}",
                f"Head of care: {self.adult_name()}",
                self.phone(),
            )
            for nm, pc in (("Oakridge", self.postcode(AWAY_AREA)), ("Heathervale", self.postcode(AWAY_AREA)))
        ]
        self.care_homes = [
            _Place(
                "R1",
                self.weighted({"PR4": 50, "PR3": 50}),
                f"{nm} Care Home",
                self.street_address(self.pick(self.localities), pc),
                pc,
                None,
                f"Manager: {self.adult_name()}",
                self.phone(),
            )
            for nm, pc in (("Cedar View", self.postcode()), ("Bluebell Lodge", self.postcode()))
        ]

    def new_place(self, kid: _Kid, on: date, prev: _Place | None, ls: str, adoption: bool = False) -> _Place:
        age = age_on(kid.dob, on)
        if adoption:
            place = "A6"  # placement order, new adopters (A5: adopted by the current foster carers)
            carer = self.adult_name()
            pc = self.postcode()
            return _Place(
                place,
                self.weighted({"PR1": 70, "PR5": 20, "PR2": 10}),
                f"Adoptive placement ({carer.split(' ')[-1]} family)",
                self.street_address(self.pick(self.localities), pc),
                pc,
                _SERVICE_URN["adoption"],
                f"{carer} and partner",
                self.phone(),
            )
        w: dict[str, float]
        if kid.uasc:
            w = {"K3": 55, "U4": 20, "U6": 15, "K2": 10}
        elif kid.cin == "N2" and age >= 5 and self.rng.random() < 0.5:
            w = {"R1": 40, "S1": 30, "K2": 30}
        elif age < 5:
            w = {"U4": 30, "U6": 35, "U5": 5, "U1": 6, "U2": 2, "U3": 12, "P1": 6}
        elif age < 13:
            w = {"U4": 38, "U6": 25, "U1": 8, "U3": 10, "K2": 8, "P1": 5, "S1": 2}
        elif age < 16:
            w = {"U4": 28, "U6": 20, "U3": 6, "U1": 4, "K2": 28, "P1": 5, "S1": 3, "R1": 1}
        else:
            w = {"U4": 20, "U6": 12, "U3": 4, "K2": 25, "K3": 30, "P1": 4, "S1": 2}
        if kid.cls in ("frequent", "regular") and age >= 12:
            boost = 2.5 if kid.cls == "frequent" else 1.5
            w = {k: v * (boost if k in ("K2", "K3") else 1) for k, v in w.items()}
        if prev is not None and prev.place in w and len(w) > 1:
            w[prev.place] = w[prev.place] * 0.5
        if ls not in ("C1", "C2"):
            w.pop("P1", None)  # placed with parents only under a care order
        if age < record.MIN_AGE_FOR_PLACE["K3"]:
            w.pop("K3", None)  # supported accommodation from 16 (DfE rule 371)
        place = self.weighted(w)
        if place == "K2":
            return self.pick(self.homes)
        if place == "K3":
            return self.pick(self.supported)
        if place == "S1":
            return self.pick(self.schools)
        if place == "R1":
            return self.pick(self.care_homes)
        if place == "P1":
            parent = f"{self.name_in(kid.group, self.pick('MF'))[0]} {kid.last}"
            return _Place(
                "P1",
                "PR0",
                f"Home with parent ({parent.split(' ')[0]})",
                self.street_address(kid.locality, kid.home_post),
                kid.home_post,
                None,
                parent,
                self.phone(),
            )
        if place in ("U1", "U2", "U3"):
            relation = self.pick(
                [
                    "maternal grandmother",
                    "paternal grandmother",
                    "aunt",
                    "uncle",
                    "family friend",
                    "older sibling",
                    "grandparents",
                ]
            )
            surname = kid.last if self.rng.random() < 0.6 else self.name_in(kid.group, "F")[1]
            carer = f"{self.name_in(kid.group, 'F')[0]} {surname}"
            pc = self.postcode()
            return _Place(
                place,
                "PR1",
                f"Kinship care with {relation}",
                self.street_address(self.pick(self.localities), pc),
                pc,
                _SERVICE_URN["kinship"],
                carer,
                self.phone(),
            )
        if place in ("T0", "T2"):
            carer = self.adult_name()
            pc = self.postcode()
            return _Place(
                place,
                None,
                "Temporary placement",
                self.street_address(self.pick(self.localities), pc),
                pc,
                None,
                carer,
                self.phone(),
            )
        provider = "PR1" if self.rng.random() < 0.6 else "PR4"
        away = provider == "PR4" and self.rng.random() < 0.25
        carer = self.adult_name()
        pc = self.postcode(AWAY_AREA if away else LOCAL_AREA)
        district = self.pick(_AWAY_TOWNS) if away else self.pick(self.localities)
        agency = (
            "Brackenport Fostering"
            if provider == "PR1"
            else self.pick(["Horizon Fostering Partners", "Kinfolk Fostering", "Bright Steps Fostering"])
        )
        return _Place(
            place,
            provider,
            f"{carer.split(' ')[-1]} foster home ({agency})",
            self.street_address(district, pc, "" if away else CITY),
            pc,
            _SERVICE_URN[agency],
            carer,
            self.phone(),
        )

    def first_ls(self, kid: _Kid, decom: date) -> str:
        age = age_on(kid.dob, decom)
        recent = (self.today - decom).days < 300
        if kid.uasc:
            return "V2"
        if recent:
            return self.weighted({"C1": 45, "V2": 45, "C2": 8, "J1": 2 if age >= 12 else 0})
        if age <= 6:
            return self.weighted({"C2": 80, "E1": 8, "V2": 12})
        return self.weighted({"C2": 68, "V2": 28, "C1": 4})

    def build_care(self, kid: _Kid) -> None:
        end = kid.dec_final or self.today
        age_end = age_on(kid.dob, end)
        # How long in care: entrants are a third of the register; the rest came in years ago.
        max_days = max(1, (end - kid.dob).days)
        if kid.dec_final is not None:
            days_in = min(max_days, int(self.rng.uniform(40, 365 * 4)))
        elif self.rng.random() < 0.3:
            days_in = min(max_days, self.rng.randint(14, 330))
        else:
            days_in = min(max_days, int(self.rng.expovariate(1 / (3.5 * 365))) + 300)
        if age_end == 0 and kid.dec_final is None:
            days_in = min(max_days, self.rng.randint(0, max(0, max_days - 1)))
        kid.first_decom = max(kid.dob, end - timedelta(days=days_in))
        total = (end - kid.first_decom).days
        rec = None
        if kid.dec_final is not None:
            rec = self.leaving_reason(kid, age_end)
        adoption = rec in ("E11", "E12")
        rate = 0.25 + (0.25 if age_end >= 13 else 0) + {"frequent": 0.9, "regular": 0.35}.get(kid.cls, 0)
        k = min(7, self.poisson(rate * min(total, 6 * 365) / 365.25), max(0, total - 1))
        if adoption and k == 0 and total >= 3:
            k = 1
        change_days = sorted(self.rng.sample(range(1, total), k)) if k else []
        ls = self.first_ls(kid, kid.first_decom)
        place = self.new_place(kid, kid.first_decom, None, ls)
        self.care_seq += 1
        chain = [_Care(self.care_seq, kid.first_decom, None, "S", ls, place)]
        back_to: _Place | None = None  # after a temporary placement the child goes back (rule 383)
        for j, offset in enumerate(change_days):
            on = kid.first_decom + timedelta(days=offset)
            cur = chain[-1]
            if back_to is not None:
                cur.dec, cur.rec = on, "X1"
                self.care_seq += 1
                chain.append(_Care(self.care_seq, on, None, "P", cur.ls, back_to))
                back_to = None
                continue
            last_move = adoption and j == len(change_days) - 1
            rne = "P" if last_move else self.weighted({"P": 70, "T": 8, "B": 8, "U": 4, "L": 10})
            new_ls = self.next_ls(cur.ls, age_on(kid.dob, on))
            if rne in ("B", "U", "L") and new_ls is None:
                rne = "P"
            if rne in ("T", "U") and cur.place.place not in ("U1", "U3", "U4", "U6"):
                rne = "P"
            ls = new_ls if rne in ("B", "U", "L") and new_ls else cur.ls
            if last_move:
                ls = "E1"
                rne = "B" if cur.ls != "E1" else "P"
                if cur.place.place in ("U1", "U3", "U4", "U6") and self.rng.random() < 0.4:
                    rne = "U" if cur.ls != "E1" else "T"  # adopted by the foster carers: A5, same carer
            if rne == "L":
                place = cur.place
            elif last_move and rne in ("T", "U"):
                place = _Place(
                    "A5",
                    cur.place.provider,
                    f"Adoption by foster carers ({cur.place.name})",
                    cur.place.address,
                    cur.place.postcode,
                    _SERVICE_URN["adoption"],
                    cur.place.carer,
                    cur.place.phone,
                )
            elif rne in ("T", "U"):
                swap = {"U1": "U3", "U3": "U1", "U4": "U6", "U6": "U4"}[cur.place.place]
                place = _Place(
                    swap,
                    cur.place.provider,
                    cur.place.name,
                    cur.place.address,
                    cur.place.postcode,
                    cur.place.urn,
                    cur.place.carer,
                    cur.place.phone,
                )
            else:
                nxt_day = change_days[j + 1] if j + 1 < len(change_days) else None
                temporary_ok = (
                    nxt_day is not None
                    and nxt_day - offset <= 30
                    and not last_move
                    and not (adoption and j + 2 == len(change_days))
                )
                if temporary_ok and self.rng.random() < 0.15 and rne == "P" and ls == cur.ls:
                    # A short temporary placement (T0: all types, up to the next change) and back.
                    place = self.new_place(kid, on, cur.place, ls)
                    place = _Place(
                        "T0", None, "Temporary placement", place.address, place.postcode, None, place.carer, place.phone
                    )
                    back_to = cur.place
                else:
                    place = self.new_place(kid, on, cur.place, ls, adoption=last_move)
                    for _ in range(5):  # a move is to a different placement (rule 435)
                        if place.postcode != cur.place.postcode or place.place != cur.place.place:
                            break
                        place = self.new_place(kid, on, cur.place, ls, adoption=last_move)
            cur.dec, cur.rec = on, "X1"
            moves = rne in ("P", "B", "T", "U")
            temporary = (
                cur.place.place in codes.TEMPORARY_OR_OTHER_PLACE or place.place in codes.TEMPORARY_OR_OTHER_PLACE
            )
            if moves and not temporary:
                cur.reason = self.weighted(
                    {
                        "CARPL": 25,
                        "CREQB": 18,
                        "CHILD": 10,
                        "LAREQ": 10,
                        "STAND": 5,
                        "ALLEG": 4,
                        "CLOSE": 4,
                        "APPRR": 2,
                        "CREQO": 8,
                        "PLACE": 8,
                        "CUSTOD": 1,
                        "OTHER": 5,
                    }
                )
                if last_move:
                    cur.reason = "CARPL"
                if cur.reason == "CUSTOD" and age_on(kid.dob, cur.decom) < 10:
                    cur.reason = "CARPL"  # custody is for 10 and over (rule 234)
            self.care_seq += 1
            chain.append(_Care(self.care_seq, on, None, rne, ls, place))
        if kid.dec_final is not None:
            chain[-1].dec, chain[-1].rec = kid.dec_final, rec
        used = {ce.place.postcode for ce in chain if ce.place.place != "P1"}
        while kid.home_post in used:  # home and placement postcodes differ unless placed with parents
            kid.home_post = self.postcode()
        kid.care = chain
        kid.rec = rec

    def next_ls(self, ls: str, age: int) -> str | None:
        options = {
            "C1": ["C2"],
            "V2": ["C1", "C2"],
            "C2": ["E1"] if age <= 6 else [],
            "J1": ["V2", "C1"],
            "E1": ["C2"] if age >= 7 else [],
        }.get(ls, [])
        return self.pick(options) if options else None

    def leaving_reason(self, kid: _Kid, age: int) -> str:
        if age >= 18:
            return self.weighted({"E5": 35, "E6": 8, "E17": 30, "E7": 4, "E8": 23})
        if age < 1:
            return self.weighted({"E4A": 50, "E13": 25, "E47": 25})
        if age < 7:
            return self.weighted({"E11": 25, "E12": 5, "E45": 10, "E46": 10, "E47": 10, "E4A": 25, "E41": 10, "E13": 5})
        w = {"E4A": 35, "E4B": 15, "E13": 15, "E41": 5, "E47": 8, "E8": 7, "E3": 5, "E16": 3}
        if age >= 12:
            w["E9"] = 5
        return self.weighted(w)

    def poisson(self, lam: float) -> int:
        limit, k, p = math.exp(-lam), 0, self.rng.random()
        while p > limit:
            k += 1
            p *= self.rng.random()
        return k

    def care_at(self, kid: _Kid, at: datetime) -> _Care | None:
        """The episode a report at `at` belongs to (the later one on a change day)."""
        day = local_date(at)
        found = None
        for ce in kid.care:
            if ce.decom <= day:
                found = ce
        if found is None or (found.dec is not None and day > found.dec):
            return None
        return found

    # -- missing episodes: history and "right now" -------------------------------------------
    def ensure_frequent_missers(self) -> None:
        """Every council has a handful of children who go missing again and again."""
        target = max(2, round(self.n * 0.005))
        settled = [
            k
            for k in self.kids
            if k.cls == "frequent" and k.dec_final is None and k.first_decom <= local_date(self.hist_start)
        ]
        if len(settled) >= target:
            return
        cands = [
            k
            for k in self.kids
            if k.cls != "frequent"
            and k.dec_final is None
            and 13 <= age_on(k.dob, self.today) <= 17
            and k.first_decom <= local_date(self.hist_start)
        ]
        for kid in self.rng.sample(cands, min(len(cands), target - len(settled))):
            kid.cls = "frequent"

    def choose_scenarios(self) -> None:
        n = self.n
        n_out = max(4, round(n * 0.012))
        n_due = max(2, round(n * 0.005))
        n_overdue = max(2, round(n * 0.0025))
        weight = {"frequent": 10.0, "regular": 6.0, "occasional": 3.0, "none": 0.15}
        cands = [
            k
            for k in self.kids
            if k.dec_final is None and age_on(k.dob, self.today) >= 11 and (self.today - k.first_decom).days >= 14
        ]
        if len(cands) < n_out + n_due + n_overdue:
            cands += [
                k
                for k in self.kids
                if k.dec_final is None
                and 8 <= age_on(k.dob, self.today) < 11
                and (self.today - k.first_decom).days >= 14
            ]
        # Weighted sampling without replacement (Efraimidis–Spirakis keys).
        keyed = sorted(cands, key=lambda k: -(self.rng.random() ** (1 / weight[k.cls])))
        chosen = keyed[: n_out + n_due + n_overdue]
        for i, kid in enumerate(chosen):
            kid.scenario = "out" if i < n_out else "due" if i < n_out + n_due else "overdue"
        outs = [k for k in chosen if k.scenario == "out"]
        # The person running the demo sees a missing child in their own caseload.
        if outs and not any(k.worker == self.current_user_id for k in outs):
            outs[0].team, outs[0].worker, outs[0].locality = 1, self.current_user_id, self.teams[0][2]

    def history_window(self, kid: _Kid, cap: datetime) -> tuple[datetime, datetime] | None:
        ws = max(
            self.hist_start, _local(kid.first_decom, 6, 0) + timedelta(days=1), _local(_add_years(kid.dob, 10), 12, 0)
        )
        we = cap
        if kid.dec_final is not None:
            we = min(we, _local(kid.dec_final, 0, 0) - timedelta(days=1))
        if we - ws < timedelta(days=3):
            return None
        return ws, we

    def category(self, kid: _Kid) -> str:
        return "A" if self.rng.random() < kid.p_away else "M"

    def duration(self, category: str) -> timedelta:
        if self.rng.random() < 0.008:
            return self.hours(7 * 24, 12 * 24)
        median = 8.0 if category == "M" else 5.5
        h = median * math.exp(self.rng.gauss(0, 0.95))
        return timedelta(hours=max(0.5, min(h, 6 * 24)))

    _HOURS = [3, 2, 1, 1, 0.5, 0.5, 0.5, 1, 2, 3, 3, 3, 3, 3, 4, 6, 7, 7, 7, 7, 8, 8, 7, 5]

    def start_after(self, t: datetime) -> datetime:
        d = local_date(t)
        hour = self.rng.choices(range(24), weights=self._HOURS)[0]
        start = _local(d, hour, self.rng.randrange(0, 60, 5))
        while start < t:
            d += timedelta(days=1)
            start = _local(d, hour, self.rng.randrange(0, 60, 5))
        return start

    def build_missing(self, kid: _Kid) -> None:
        rate = {
            "occasional": self.rng.uniform(1, 3),
            "regular": self.rng.uniform(4, 9),
            "frequent": self.rng.uniform(10, 36),
        }.get(kid.cls)
        scen: _Miss | None = None
        if kid.scenario is not None:
            scen = self.scenario_episode(kid)
        cap = (scen.start - timedelta(hours=6)) if scen else self.now - timedelta(days=4)
        eps: list[_Miss] = []
        window = self.history_window(kid, cap) if rate else None
        if rate and window:
            ws, we = window
            mean_gap = 365.25 / rate
            # Frequent missers go in bursts: a third of their gaps are short; the rest stretch so
            # that the yearly rate stays what was drawn.
            burst, burst_gap = (0.35, 1.5) if kid.cls == "frequent" else (0.0, 0.0)
            long_gap = max(1.0, (mean_gap - burst * burst_gap - 0.4) / (1 - burst))
            limit = round(rate * (we - ws).days / 365.25) + 1
            t = ws + timedelta(days=self.rng.uniform(0, min(mean_gap, (we - ws).days / 2)))
            while True:
                start = self.start_after(t)
                cat = self.category(kid)
                end = _floor_min(start + self.duration(cat))
                if end > we:
                    break
                eps.append(_Miss(kid, start, end, cat))
                if len(eps) >= limit:
                    break
                if self.rng.random() < burst:
                    gap = self.rng.expovariate(1 / burst_gap)
                else:
                    gap = self.rng.expovariate(1 / long_gap)
                t = end + timedelta(hours=2) + timedelta(days=gap)
            if not eps:
                span = (we - ws).total_seconds()
                start = self.start_after(ws + timedelta(seconds=self.rng.uniform(0, span * 0.7)))
                cat = self.category(kid)
                end = _floor_min(start + min(self.duration(cat), timedelta(hours=20)))
                if end <= we:
                    eps.append(_Miss(kid, start, end, cat))
        if scen is not None:
            eps.append(scen)
        kid.missing = eps

    def scenario_episode(self, kid: _Kid) -> _Miss:
        now = self.now
        if kid.scenario == "out":
            return _Miss(kid, now, None, "M", "out")  # times set in shape_current()
        if kid.scenario == "due":
            returned = _floor_min(now - self.hours(2, 66))
        else:
            returned = _floor_min(now - self.hours(76, 24 * 9))
        cat = self.category(kid)
        start = _floor_min(returned - min(self.duration(cat), timedelta(hours=40)))
        return _Miss(kid, start, returned, cat, kid.scenario)

    def shape_current(self) -> None:
        """Give the children missing or away right now a spread a duty officer would recognise."""
        outs = [k for k in self.kids if k.scenario == "out"]
        n_away = max(1, round(len(outs) * 0.3))
        for i, kid in enumerate(outs):
            cat = "A" if i < n_away else "M"
            j = i - n_away  # index among the M ones
            if cat == "A":
                risk = self.pick(["low", "low", "none", "medium"]) if i else "low"
                elapsed = self.hours(3, 30)
                has_ref = self.rng.random() < 0.5
            elif j == 0:
                risk, elapsed, has_ref = "high", self.hours(26, 60), True
            elif j == 1:
                risk, elapsed, has_ref = None, timedelta(minutes=self.rng.randint(35, 55)), False
            else:
                risk = self.weighted({"medium": 45, "low": 30, "high": 15, "none": 10})
                spread = [(2, 12), (12, 30), (2, 8), (30, 80), (5, 20), (96, 192)]
                elapsed = self.hours(*spread[(j - 2) % len(spread)])
                has_ref = True
            start = _floor_min(self.now - elapsed)
            ep = kid.missing[-1]
            ep.start, ep.category, ep.risk, ep.has_ref = start, cat, risk, has_ref
            # History stops well before this episode began.
            kid.missing = [e for e in kid.missing[:-1] if e.end is not None and e.end <= start - timedelta(hours=6)]
            kid.missing.append(ep)

    # -- rows ----------------------------------------------------------------------------------
    def child_rows(self) -> None:
        for kid in self.kids:
            self.rows["child"].append(
                {
                    "id": kid.id,
                    "first_name": kid.first,
                    "last_name": kid.last,
                    "preferred_name": kid.preferred,
                    "dob": kid.dob,
                    "sex": kid.sex,
                    "ethnicity": kid.ethnic,
                    "upn": kid.upn,
                    "mother": kid.mother,
                    "mc_dob": kid.mc_dob,
                    "photo": None,
                    "locality": kid.locality,
                    "social_worker_id": kid.worker,
                    "team_id": kid.team,
                    "version": 1,
                }
            )
            for ce in kid.care:
                p = ce.place
                self.rows["care_episode"].append(
                    {
                        "id": ce.id,
                        "child_id": kid.id,
                        "decom": ce.decom,
                        "rne": ce.rne,
                        "ls": ce.ls,
                        "cin": kid.cin,
                        "place": p.place,
                        "place_provider": p.provider,
                        "home_post": kid.home_post,
                        "pl_post": p.postcode,
                        "urn": p.urn if record.urn_needed(p.place) else None,
                        "host_la": PC_LA.get(p.postcode),
                        "dec": ce.dec,
                        "rec": ce.rec,
                        "reason_place_change": ce.reason,
                        "placement_name": p.name,
                        "placement_address": p.address,
                        "carer_name": p.carer,
                        "carer_phone": p.phone,
                        "version": 1,
                    }
                )

    def setting_rows(self) -> None:
        self.rows["setting"].append(
            {
                "key": "council",
                "value": json.dumps({"la_code": demo_places.COUNCIL_LA}),
                "updated_at": self.now,
                "updated_by": self.username,
            }
        )

    def flag_rows(self) -> None:
        seq = 0
        for kid in self.kids:
            age = age_on(kid.dob, kid.dec_final or self.today)
            if age < 12:
                continue
            chance = {"frequent": 0.9, "regular": 0.5, "occasional": 0.22}.get(kid.cls, 0.10 if age >= 13 else 0.02)
            if self.rng.random() >= chance:
                continue
            if kid.uasc:
                w = {"trafficking_nrm": 40, "mental_health": 30, "cce": 20, "county_lines": 10}
            elif kid.sex == "F":
                w = {
                    "cse": 35,
                    "mental_health": 30,
                    "cce": 10,
                    "county_lines": 8,
                    "gangs": 5,
                    "knife_crime": 4,
                    "trafficking_nrm": 5,
                }
            else:
                w = {
                    "cce": 30,
                    "county_lines": 25,
                    "gangs": 18,
                    "knife_crime": 18,
                    "mental_health": 15,
                    "cse": 5,
                    "trafficking_nrm": 6,
                }
            count = 1 + (self.rng.random() < (0.6 if kid.cls == "frequent" else 0.3)) + (self.rng.random() < 0.15)
            flags: list[str] = []
            while len(flags) < count:
                f = self.weighted(w)
                if f not in flags:
                    flags.append(f)
            earliest = max(
                _add_years(kid.dob, 11), kid.first_decom - timedelta(days=200), self.today - timedelta(days=3 * 365)
            )
            last_day = (kid.dec_final or self.today) - timedelta(days=1)
            if last_day <= earliest:
                continue
            for f in flags:
                since = earliest + timedelta(days=self.rng.randrange((last_day - earliest).days))
                ended = None
                if self.rng.random() < 0.12 and (last_day - since).days > 60:
                    ended = since + timedelta(days=self.rng.randint(30, (last_day - since).days))
                seq += 1
                set_at = _local(since, self.rng.randint(9, 16), self.rng.randrange(0, 60, 5))
                note = {
                    "cse": "Discussed at MACE panel; safety plan in place.",
                    "cce": "Found with unexplained cash and a second phone; CCE screening completed.",
                    "county_lines": "Police intelligence: linked to a line running to a coastal town.",
                    "gangs": "Associates with a local group known to police; youth worker involved.",
                    "knife_crime": "Found carrying a bladed article; referred to the violence reduction team.",
                    "trafficking_nrm": "NRM referral made; positive reasonable-grounds decision.",
                    "mental_health": "Open to CAMHS; self-harm risk assessment on file.",
                }[f]
                self.rows["risk_flag"].append(
                    {
                        "id": seq,
                        "child_id": kid.id,
                        "flag": f,
                        "since": since,
                        "set_by": self.staff_label[kid.worker],
                        "set_at": min(set_at, self.now),
                        "ended_on": ended,
                        "note": note,
                    }
                )
                if ended is None:
                    kid.flags.append(f)

    def profile_rows(self) -> None:
        for kid in self.kids:
            age = age_on(kid.dob, kid.dec_final or self.today)
            if kid.missing:
                if self.rng.random() < 0.03 and kid.scenario is None:
                    continue  # a gap the alert engine points out
            elif age < 13 or self.rng.random() > 0.85:
                continue
            updated = self.now - timedelta(days=self.rng.uniform(3, 150))
            if kid.missing:
                updated = min(self.now, kid.missing[-1].start - timedelta(hours=1)) - timedelta(
                    days=self.rng.uniform(1, 120)
                )
            updated = _floor_min(max(updated, _local(kid.first_decom, 12, 0)))
            if updated > self.now:
                updated = _floor_min(self.now)
            year_before = updated - timedelta(days=365)
            previous = sum(1 for e in kid.missing if year_before <= e.start < updated)
            self.rows["philomena_profile"].append(
                {
                    "child_id": kid.id,
                    "description": self.description(kid, age),
                    "associates": self.associates(kid),
                    "places_likely": self.places_likely(kid),
                    "phone": self.phone() if self.rng.random() < 0.85 else None,
                    "social_media": self.social(kid),
                    "medical_needs": self.medical(),
                    "other_info": (
                        f"Previous missing history: {previous} episode(s) in the 12 months before this update. "
                        if kid.missing
                        else ""
                    )
                    + self.pick(
                        [
                            "Responds well to calm, direct questions.",
                            "Likes football; often at the cage pitch near home.",
                            "May give a false name to police.",
                            "Anxious around uniformed officers; explain who you are.",
                            "Keeps in touch with an older sister by phone.",
                            "Usually returns once phone battery runs out.",
                        ]
                    ),
                    "updated_at": updated,
                    "updated_by": self.staff_label[kid.worker],
                    "version": 1,
                }
            )

    def pattern_rows(self) -> None:
        """Associates and places as structured values, as the services derive them."""
        rows = self.rows["pattern_value"]
        for ep in self.rows["missing_episode"]:
            rows += value_rows(
                ep["child_id"],
                ep["id"],
                ep["started_at"],
                episode_texts(ep["last_seen_with"], ep["last_seen_where"], ep["found_where"]),
            )
        for prof in self.rows["philomena_profile"]:
            rows += value_rows(
                prof["child_id"], None, prof["updated_at"], profile_texts(prof["associates"], prof["places_likely"])
            )
        for i, row in enumerate(rows, start=1):
            row["id"] = i

    def description(self, kid: _Kid, age: int) -> str:
        base_cm = {13: 156, 14: 162, 15: 167, 16: 170, 17: 172}.get(min(max(age, 13), 17), 150)
        cm = int(base_cm + (4 if kid.sex == "M" else -3) + self.rng.gauss(0, 6))
        feet, inches = divmod(round(cm / 2.54), 12)
        hair = self.pick(
            [
                "short black curly hair",
                "long dark brown hair, usually tied back",
                "short brown hair with shaved sides",
                "shoulder-length blonde hair",
                "black braids",
                "dyed red hair",
                "cropped fair hair",
                "black hair in a bun",
            ]
        )
        eyes = self.pick(["brown", "brown", "dark brown", "blue", "green", "hazel"])
        build = self.pick(["slim", "slight", "medium", "stocky", "tall and thin", "athletic"])
        marks = self.pick(
            [
                "scar above the left eyebrow",
                "pierced nose (small stud)",
                "tattoo of a star on the right wrist",
                "birthmark on the neck",
                "wears glasses",
                "braces on teeth",
                "no distinguishing marks",
                "burn scar on the back of the left hand",
            ]
        )
        lang = _LANGUAGE.get(kid.group)
        speech = f" Speaks {lang} and English." if lang else " Local accent."
        return f"{cm} cm ({feet}'{inches}\"), {build} build, {hair}, {eyes} eyes; {marks}.{speech}"

    def associates(self, kid: _Kid) -> str:
        def person() -> tuple[str, str]:
            return self.name_in(self.weighted(_ADULT_GROUPS), self.pick("MF"))

        (f1, l1), (f2, _), (f3, l3) = person(), person(), person()
        nickname = self.pick(["Smokey", "Tiny", "Dee", "Kash", "Jojo", "Red"])
        options = [
            f"{f1} {l1} (friend from school)",
            f"'{nickname}' — older male, about 19, drives a grey hatchback",
            f"{f2} (boyfriend/girlfriend, about 17)",
            f"{f3} {l3} (cousin, lives in {self.pick(self.localities)})",
        ]
        return "; ".join(self.rng.sample(options, self.rng.randint(1, 3)))

    def places_likely(self, kid: _Kid) -> str:
        places = [
            f"{kid.locality} shopping precinct",
            "Central bus station",
            f"{self.pick(self.localities)} Rec",
            f"mother's address ({self.postcode()})",
            "Riverside retail park",
            f"friend's house on {self.pick(_STREETS)} {self.pick(_STREET_KINDS)}",
            f"{self.pick(_AWAY_TOWNS)} (has family there)",
            "McKellan's chicken shop, High Street",
        ]
        self.rng.shuffle(places)
        return "; ".join(places[: self.rng.randint(2, 4)])

    def social(self, kid: _Kid) -> str | None:
        if self.rng.random() < 0.15:
            return None
        handle = f"{_fold(kid.first)[:5] or 'kid'}{self.rng.randint(1, 99)}_{self.pick(['x', 'xo', 'zz', 'bk'])}"
        sites = self.rng.sample(["Snapchat", "Instagram", "TikTok", "WhatsApp (same number)"], self.rng.randint(1, 3))
        return "; ".join(f"{s}: @{handle}" if "WhatsApp" not in s else s for s in sites)

    def medical(self) -> str:
        return self.weighted(
            {
                "None known.": 55,
                "Asthma — carries a blue inhaler.": 12,
                "ADHD — methylphenidate 18 mg each morning.": 10,
                "Type 1 diabetes — needs insulin; at risk if missing over 12 h.": 3,
                "Epilepsy — takes lamotrigine twice daily.": 3,
                "Severe nut allergy — carries an adrenaline pen.": 4,
                "Self-harm history; open to CAMHS.": 8,
                "Hearing impairment in the left ear.": 2,
                "Pregnant (about 20 weeks).": 1,
                "Autistic; may not respond to shouted questions.": 2,
            }
        )

    def episode_rows(self) -> tuple[int, int]:
        """Every missing episode, its timeline and its return-home interview."""
        all_eps = [ep for kid in self.kids for ep in kid.missing]
        all_eps.sort(key=lambda e: (e.start, e.kid.id))
        for i, ep in enumerate(all_eps, start=1):
            ep.id = i
        ref_seq: dict[int, int] = {}
        for ep in all_eps:
            self.one_episode(ep, ref_seq)
        rhis = 0
        for kid in self.kids:
            rhis += self.rhis_for(kid)
        missing_now = sum(1 for e in all_eps if e.end is None and e.category == "M")
        away_now = sum(1 for e in all_eps if e.end is None and e.category == "A")
        self.rhi_count = rhis
        return missing_now, away_now

    def event(
        self,
        ep: _Miss,
        kind: str,
        at: datetime,
        by: str,
        text: str | None = None,
        old: str | None = None,
        new: str | None = None,
    ) -> None:
        self.event_seq += 1
        recorded = min(self.now, at + timedelta(minutes=self.rng.randint(0, 25)))
        self.rows["episode_event"].append(
            {
                "id": self.event_seq,
                "episode_id": ep.id,
                "kind": kind,
                "at": at,
                "recorded_at": recorded,
                "recorded_by": by,
                "text": text,
                "old_value": old,
                "new_value": new,
            }
        )

    def one_episode(self, ep: _Miss, ref_seq: dict[int, int]) -> None:
        kid, now, rng = ep.kid, self.now, self.rng
        ce = self.care_at(kid, ep.start)
        if ce is None:  # cannot happen: windows are inside care; keep the rule explicit
            raise AssertionError(f"episode for {kid.id} outside care")
        end = ep.end
        live_end = end or now
        dur = live_end - ep.start
        worker = self.staff_label[kid.worker]
        owner = kid.worker if self.ladder.is_office_hours(ep.start) or rng.random() < 0.5 else self.pick(self.edt_ids)
        owner_label = self.staff_label[owner]
        if ep.scenario != "out":
            grades: dict[str, dict[str, float]] = {
                "M": {"none": 4, "low": 44, "medium": 42, "high": 10},
                "A": {"none": 15, "low": 57, "medium": 24, "high": 4},
            }
            base = grades[ep.category]
            if kid.cls == "frequent" or kid.flags:
                base = dict(base, high=base["high"] * 1.6)
            ep.risk = self.weighted(base)
            ep.has_ref = rng.random() < (0.92 if ep.category == "M" else 0.35)
        reported = _floor_min(min(now, ep.start + min(timedelta(minutes=rng.randint(10, 150)), dur * 0.6)))
        police_at: datetime | None = None
        ref: str | None = None
        if ep.has_ref:
            police_at = min(now, ep.start + min(timedelta(minutes=rng.randint(15, 180)), dur * 0.7))
            police_at = _floor_min(police_at)
            year = local_date(police_at).year
            ref_seq[year] = ref_seq.get(year, rng.randint(1200, 4800)) + rng.randint(3, 90)
            ref = f"LOG-{year}-{ref_seq[year]:06d}"
        reporter = {
            "K2": "residential staff",
            "K3": "supported accommodation staff",
            "P1": "parent",
            "S1": "school care staff",
            "R1": "care home staff",
            "U1": "kinship carer",
            "U2": "kinship carer",
            "U3": "kinship carer",
        }.get(ce.place.place, "foster carer")
        where, with_, wearing, circ = self.last_seen(ep)
        # Risk may have moved during the episode (the grade on the row is the latest).
        initial = ep.risk
        change_at: datetime | None = None
        if ep.risk is not None and rng.random() < 0.12 and dur > timedelta(hours=2):
            order = ["none", "low", "medium", "high"]
            k = order.index(ep.risk)
            initial = order[k - 1] if k > 0 else order[1]
            change_at = min(now, reported + (live_end - reported) * rng.uniform(0.2, 0.7))
        if ep.scenario == "out" and ep.risk == "high" and rng.random() < 0.7:
            initial, change_at = "medium", min(now, reported + (now - reported) * 0.4)
        self.event(ep, "reported", ep.start, owner_label, circ, new=ep.category)
        if initial is not None:
            self.event(ep, "risk", reported, owner_label, new=initial)
        if ref and police_at:
            self.event(ep, "police_ref", police_at, owner_label, new=ref)
        if change_at is not None and initial != ep.risk:
            self.event(
                ep,
                "risk",
                _floor_min(max(change_at, reported)),
                owner_label,
                "Police have reviewed the grading after new information.",
                old=initial,
                new=ep.risk,
            )
        n_updates = 0 if dur < timedelta(hours=4) else 1 if dur < timedelta(hours=18) else rng.randint(2, 4)
        for _ in range(n_updates):
            at = _floor_min(ep.start + dur * rng.uniform(0.15, 0.95))
            at = max(at, ep.start)
            sighting = rng.random() < 0.35
            self.event(
                ep,
                "sighting" if sighting else "update",
                at,
                self.pick([worker, owner_label]),
                self.sighting(kid) if sighting else self.update_text(kid),
            )
        version = 1 + (1 if change_at is not None and initial != ep.risk else 0)
        updated_at = max(reported, police_at or reported)
        found = method = sw_by = sw_notes = None
        sw_at: datetime | None = None
        if end is not None:
            found, method = self.return_details(ep)
            self.event(ep, "returned", end, owner_label, found)
            version += 1
            updated_at = max(updated_at, end)
            if rng.random() < 0.9:
                sw_at = _floor_min(end + self.hours(0.5, 10))
                if sw_at <= now:
                    sw_by = self.pick(self.police) if rng.random() < 0.6 else worker
                    sw_notes = self.pick(
                        [
                            "No injuries. Said she had been at a friend's; would not say more.",
                            "Tired and hungry, no injuries. Had a new phone and cash — shared with police.",
                            "Smelt of cannabis; no injuries seen. Went to bed.",
                            "Well. Apologised to carer and agreed a curfew plan.",
                            "Minor graze to hand from a fall; first aid given.",
                            "Would not engage with the officer; carer reports he seems fine.",
                        ]
                    )
                    self.event(ep, "safe_well", sw_at, worker, sw_notes)
                    version += 1
                    updated_at = max(updated_at, sw_at)
                else:
                    sw_at = None
        row = {
            "id": ep.id,
            "child_id": kid.id,
            "category": ep.category,
            "started_at": ep.start,
            "reported_at": reported,
            "reported_by": reporter,
            "police_reported_at": police_at,
            "police_ref": ref,
            "risk_grade": ep.risk,
            "last_seen_where": where,
            "last_seen_with": with_,
            "last_seen_wearing": wearing,
            "circumstances": circ,
            "returned_at": end,
            "found_where": found,
            "return_method": method,
            "safe_well_at": sw_at,
            "safe_well_by": sw_by,
            "safe_well_notes": sw_notes,
            "owner_id": owner,
            "care_episode_id": ce.id,
            "updated_at": min(now, updated_at),
            "updated_by": owner_label,
            "version": version,
        }
        self.rows["missing_episode"].append(row)

    def last_seen(self, ep: _Miss) -> tuple[str, str | None, str, str]:
        kid = ep.kid
        street = f"{self.pick(_STREETS)} {self.pick(_STREET_KINDS)}"
        colour = ["black", "grey", "navy", "white", "red", "khaki", "pink", "burgundy"]
        top = self.pick(["puffer jacket", "hoodie", "tracksuit top", "school blazer", "denim jacket"])
        bottoms = self.pick(["joggers", "jeans", "leggings", "school trousers", "shorts"])
        shoes = self.pick(["white trainers", "black trainers", "sliders", "school shoes", "boots"])
        extra = self.pick(["", "", ", black cross-body bag", ", rucksack", ", baseball cap"])
        wearing = f"{self.pick(colour)} {top}, {self.pick(colour)} {bottoms}, {shoes}{extra}"
        they = {"F": "she", "M": "he"}.get(kid.sex, "they")
        were = "were" if they == "they" else "was"
        if ep.category == "A":
            where = self.pick(
                [
                    f"at mother's address in {self.pick(self.localities)} (not authorised)",
                    f"at boyfriend's flat on {street}",
                    "staying at a friend's house; carer has the address",
                    f"with older sister in {self.pick(_AWAY_TOWNS)}",
                    "at grandmother's; refusing to come back",
                ]
            )
            circ = self.pick(
                [
                    f"Did not come back by the agreed time; told carer by text where {they} {were}.",
                    "Staying at family address against the care plan; carer has spoken to the adult there.",
                    "Went to see family after contact was cancelled; whereabouts confirmed by phone.",
                    "Refusing to return tonight; location known and checked by police.",
                ]
            )
        else:
            where = self.pick(
                [
                    f"leaving placement on foot towards {street}",
                    "Central bus station",
                    f"{kid.locality} shopping precinct",
                    f"outside {self.pick(self.localities)} Academy after school",
                    f"getting into a grey hatchback on {street}",
                    "at the 22:00 bedroom check",
                    "walking towards the railway station",
                    f"in the park at {self.pick(self.localities)} Rec",
                ]
            )
            circ = self.pick(
                [
                    "Did not return from school.",
                    "Left after an argument with staff about phone use.",
                    "Went to the shop and did not return by the agreed 21:00.",
                    "Missed curfew; phone switched off.",
                    "Climbed out of the bedroom window overnight.",
                    f"Said {they} {were} going to a friend's and stopped answering calls.",
                    "Believed to be with older associates; CCE concerns.",
                    "Upset after a phone call with a parent; left without a coat.",
                ]
            )
        with_ = self.pick(
            [
                None,
                "alone",
                "two older males, not known to carers",
                "a friend from school",
                "a group of 4–5 teenagers",
                "boyfriend (about 19)",
                "unknown adult in a car",
            ]
        )
        return where, with_, wearing, circ

    def update_text(self, kid: _Kid) -> str:
        return self.pick(
            [
                "Carer rang mobile — straight to voicemail. Message left.",
                "Police have checked known addresses; not found.",
                f"Snapchat map shows {self.pick(self.localities)}; passed to police.",
                "Friend's parent says they left about 22:00.",
                "Mother contacted; has not seen them today.",
                "Manager informed; strategy discussion being considered.",
                "EDT checked in with placement: no news.",
            ]
        )

    def sighting(self, kid: _Kid) -> str:
        return self.pick(
            [
                f"Seen by staff at the bus station in {self.pick(self.localities)} around {self.rng.randint(18, 23)}:"
                f"{self.pick(['05', '20', '40', '55'])}.",
                f"Seen by a school friend in {self.pick(self.localities)} park.",
                f"Police patrol saw them near {self.pick(_STREETS)} {self.pick(_STREET_KINDS)}; they ran off.",
                "Taxi driver reported dropping them at the retail park.",
            ]
        )

    def return_details(self, ep: _Miss) -> tuple[str, str]:
        if ep.category == "A":
            return (
                self.pick(
                    [
                        "Returned from mother's address",
                        "Brought back from friend's house",
                        "Returned from family address",
                    ]
                ),
                self.pick(["Collected by carer", "Brought back by family member", "Taxi arranged by placement"]),
            )
        found = self.pick(
            [
                "Returned to placement of own accord",
                "Returned to placement of own accord",
                f"Found by police at {self.pick(self.localities)} bus station",
                f"Located at a friend's address in {self.pick(self.localities)}",
                f"Presented at {self.pick(self.localities)} police station",
                "Found by police in a car stopped on the ring road",
                "Collected from A&E at Brackenport General Infirmary",
                f"Found in {self.pick(_AWAY_TOWNS)} by another police force",
            ]
        )
        method = (
            "Returned of own accord"
            if "own accord" in found
            else self.pick(
                ["Returned by police", "Collected by carer", "Collected by EDT worker", "Taxi arranged by placement"]
            )
        )
        return found, method

    def rhis_for(self, kid: _Kid) -> int:
        rng, now = self.rng, self.now
        eps = kid.missing
        made = 0
        pending: list[_Miss] = []
        for idx, ep in enumerate(eps):
            if ep.end is None or ep.scenario in ("due", "overdue"):
                continue
            nxt = eps[idx + 1] if idx + 1 < len(eps) else None
            latest = nxt is None or nxt.scenario is not None
            if not latest and not pending and rng.random() < 0.06:
                continue  # not offered: a compliance gap in the history
            late = not latest and rng.random() < 0.07
            delay = self.hours(75, 130) if late else timedelta(hours=min(60.0, 4 + rng.expovariate(1 / 18)))
            offered = _floor_min(ep.end + delay)
            if (
                nxt is not None
                and nxt.end is not None
                and nxt.scenario is None
                and not pending
                and nxt.start < ep.end + timedelta(hours=72)
                and rng.random() < 0.5
            ):
                pending.append(ep)  # one interview will cover this and the next episode
                continue
            covered = [*pending, ep]
            pending = []
            if offered > now:
                continue
            made += 1
            rid = len(self.rows["rhi"]) + 1
            offered_by = self.pick(self.rhi_workers)
            accepted = declined = completed = None
            completed_by = outcome = None
            version = 1
            if rng.random() < 0.65:
                t = _floor_min(offered + self.hours(0, 30))
                if t <= now:
                    accepted, version = t, version + 1
                    c = _floor_min(t + self.hours(20, 24 * 5))
                    if c <= now:
                        completed, completed_by, version = c, offered_by, version + 1
                        outcome = self.outcome(ep)
            else:
                t = _floor_min(offered + self.hours(0, 48))
                if t <= now:
                    declined, version = t, version + 1
            updated = max(x for x in (offered, accepted, declined, completed) if x is not None)
            self.rows["rhi"].append(
                {
                    "id": rid,
                    "child_id": kid.id,
                    "offered_at": offered,
                    "offered_by": offered_by,
                    "accepted_at": accepted,
                    "declined_at": declined,
                    "completed_at": completed,
                    "completed_by": completed_by,
                    "outcome": outcome,
                    "updated_at": updated,
                    "updated_by": offered_by,
                    "version": version,
                    "outcome_code": "accepted" if accepted else "declined" if declined else None,
                }
            )
            for c_ep in covered:
                self.rows["rhi_episode"].append({"rhi_id": rid, "episode_id": c_ep.id})
                self.event(c_ep, "rhi_offered", offered, offered_by, new=str(rid))
        return made

    def outcome(self, ep: _Miss) -> str:
        return self.pick(
            [
                "Said they went to a friend's in town; no harm disclosed. Curfew plan agreed with carer.",
                "Wanted to see mum after contact was cancelled. Contact plan to be reviewed at the next LAC review.",
                "Disclosed being given a phone and cash by older males. CCE referral made; shared with police.",
                "Would not say where they had been. Worker to try again with a familiar adult present.",
                "Argument with another young person in the home; mediation offered.",
                "Felt unsafe at placement after a new admission. Placement meeting booked.",
                "Talked about feeling low; CAMHS duty contacted the same day.",
                "Went to a party in another town; drank alcohol. Safety plan updated with the young person.",
            ]
        )


def _occupied(conn: Connection) -> LacError | None:
    """Refuse to mix invented people with a register that is already in use."""
    for name, what in (("child", "children"), ("staff", "staff records"), ("team", "teams")):
        table = Base.metadata.tables[name]
        count = int(conn.scalar(select(func.count()).select_from(table)) or 0)
        if count:
            return LacError(
                f"This database already holds {count} {what}, so no demo council was made. To wipe it "
                "and make a new demo council, run the demo again with --replace; or choose an empty "
                "database."
            )
    return None


DEMO_MARK = "demo_council"  # a `setting` row: this register is synthetic, --replace may wipe it


def _not_demo(conn: Connection) -> LacError | None:
    """--replace wipes only a demo council (or an empty register), never real records."""
    if conn.scalar(select(Setting.key).where(Setting.key == DEMO_MARK)) is not None:
        return None
    if _occupied(conn) is None:
        return None
    return LacError(
        "This database holds records that are not a demo council, so --replace refused to wipe "
        "it. Use an empty database for a demo; a live register is never replaced."
    )


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        conn.execute(insert(table), chunk)


_SERIAL_TABLES = (
    "team",
    "staff",
    "care_episode",
    "risk_flag",
    "missing_episode",
    "episode_event",
    "rhi",
    "pattern_value",
)


def generate(
    db: Database,
    *,
    children: int = 650,
    seed: int = 1,
    now: datetime | None = None,
    years: float | None = None,
    current_username: str | None = None,
    replace: bool = False,
) -> DemoSummary:
    """Fill `db` with a synthetic council of `children` looked-after children.

    Refuses a database that already holds children (or staff, or teams: their ids would
    clash) unless `replace`, which empties every table but alembic_version first. The same
    seed, `now` and username give the same council. Prints nothing.
    """
    started = _time.perf_counter()
    if not 1 <= children <= MAX_CHILDREN:
        raise ValidationError("children", f"must be between 1 and {MAX_CHILDREN}")
    if now is None:
        now = datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    if years is None:
        years = 1.0 if children <= 2000 else 2.0
    if not 0.1 <= years <= 10:
        raise ValidationError("years", "must be between 0.1 and 10")
    username = (current_username or os_username()).strip() or "demo.user"
    with db.engine.connect() as conn:
        refusal = _not_demo(conn) if replace else _occupied(conn)
    if refusal is not None:
        raise refusal

    gen = _Generator(random.Random(seed), children, now, years, username)
    gen.build_council()
    gen.build_children()
    gen.build_staff()
    gen.allocate_workers()
    gen.add_partner_staff()
    gen.build_homes()
    for kid in gen.kids:
        gen.build_care(kid)
    gen.ensure_frequent_missers()
    gen.choose_scenarios()
    for kid in gen.kids:
        gen.build_missing(kid)
    gen.shape_current()
    gen.child_rows()
    gen.setting_rows()
    gen.flag_rows()
    missing_now, away_now = gen.episode_rows()
    gen.profile_rows()
    gen.pattern_rows()

    audit_detail = {"children": children, "seed": seed, "years": years, "replace": replace, "at": now.isoformat()}
    t = Base.metadata.tables
    try:
        with db.write_engine.begin() as conn:
            last_seq = int(conn.scalar(select(func.coalesce(func.max(t["change_feed"].c.seq), 0))) or 0)
            refusal = (_not_demo if replace else _occupied)(conn)  # again, inside the write lock
            if refusal is not None:
                raise refusal
            if replace:
                for table in reversed(Base.metadata.sorted_tables):  # children before parents
                    if table.name not in APPEND_ONLY_TABLES:  # the audit trail and feed stay
                        conn.execute(table.delete())
            gen.rows["setting"].append(
                {"key": DEMO_MARK, "value": json.dumps(audit_detail), "updated_at": now, "updated_by": username}
            )
            for table in Base.metadata.sorted_tables:
                if table.name in APPEND_ONLY_TABLES:
                    continue
                _insert(conn, table, gen.rows[table.name])
            audit_chain.append(
                conn,
                [
                    dict(
                        at=now,
                        username=username,
                        staff_id=gen.current_user_id,
                        action="demo.generate",
                        entity="database",
                        entity_id=None,
                        child_id=None,
                        detail=json.dumps(audit_detail, ensure_ascii=False),
                    )
                ],
            )
            feed = {
                "at": now,
                "kind": "demo.generated",
                "entity": "database",
                "entity_id": None,
                "child_id": None,
                "username": username,
            }
            if db.is_postgresql:
                for name in _SERIAL_TABLES:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
                        )
                    )
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": FEED_LOCK_KEY})
                seq = int(
                    conn.execute(insert(t["change_feed"]).values(**feed).returning(t["change_feed"].c.seq)).scalar_one()
                )
                conn.execute(text("SELECT pg_notify(:ch, :payload)"), {"ch": NOTIFY_CHANNEL, "payload": str(seq)})
            else:
                # Keep the sequence rising after a wipe: desktops read the feed after the last seq they saw.
                seq = last_seq + 1
                conn.execute(insert(t["change_feed"]).values(seq=seq, **feed))
    except LacError:
        raise
    except Exception as exc:
        translated = translate_db_error(exc)
        if translated is not None:
            raise translated from exc
        raise
    db.publish([seq])
    elapsed = _time.perf_counter() - started
    log.info(
        "demo council: %d children, %d missing episodes in %.1f s", children, len(gen.rows["missing_episode"]), elapsed
    )
    return DemoSummary(
        children=len(gen.rows["child"]),
        staff=len(gen.rows["staff"]),
        teams=len(gen.rows["team"]),
        care_episodes=len(gen.rows["care_episode"]),
        missing_episodes=len(gen.rows["missing_episode"]),
        currently_missing=missing_now,
        currently_away=away_now,
        rhis=gen.rhi_count,
        elapsed_seconds=elapsed,
    )
