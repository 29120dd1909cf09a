"""Placements and periods of care: the homes of the council, and each child's chain of
care episodes from the day they came into care (SSDA903: DECOM, RNE, LS, PLACE, DEC, REC)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from lac_monitor.demo import phrases, rates
from lac_monitor.demo.draw import AWAY_AREA, LOCAL_AREA, days
from lac_monitor.demo.records import Care, Kid, Place, World
from lac_monitor.domain import codes, record
from lac_monitor.domain.localtime import local_date
from lac_monitor.domain.status import age_on

FOSTER_OR_KIN = ("U1", "U3", "U4", "U6")  # placements a change of carer status can keep (T, U)
_STATUS_SWAP = {"U1": "U3", "U3": "U1", "U4": "U6", "U6": "U4"}
_CHANGES_LEGAL_STATUS = ("B", "U", "L")
_CHANGES_CARER_STATUS = ("T", "U")
_MOVES = ("P", "B", "T", "U")


# -- the council's homes ------------------------------------------------------------------------
def build_homes(w: World) -> None:
    w.homes = [_children_home(w, i) for i in range(max(rates.HOMES_MIN, w.n // rates.CHILDREN_PER_HOME))]
    w.supported = [_supported(w, i) for i in range(max(rates.SUPPORTED_MIN, w.n // rates.CHILDREN_PER_SUPPORTED))]
    d = w.draw
    school_posts = [(name, d.postcode(AWAY_AREA)) for name in phrases.SCHOOLS]
    w.schools = [
        Place(
            "S1",
            d.weighted(rates.SCHOOL_PROVIDER_WEIGHTS),
            f"{name} Residential School",
            d.street_address(d.pick(phrases.AWAY_TOWNS), pc, ""),
            pc,
            f"{d.between(rates.SCHOOL_URN_RANGE)}",
            f"Head of care: {d.adult_name()}",
            d.phone(),
        )
        for name, pc in school_posts
    ]
    home_posts = [(name, d.postcode()) for name in phrases.CARE_HOMES]
    w.care_homes = [
        Place(
            "R1",
            d.weighted(rates.CARE_HOME_PROVIDER_WEIGHTS),
            f"{name} Care Home",
            d.street_address(d.pick(w.localities), pc),
            pc,
            None,
            f"Manager: {d.adult_name()}",
            d.phone(),
        )
        for name, pc in home_posts
    ]


def _children_home(w: World, i: int) -> Place:
    d = w.draw
    provider = d.weighted(rates.HOME_PROVIDER_WEIGHTS)
    away = provider != "PR1" and d.chance(rates.HOME_AWAY_CHANCE)
    rounds, k = divmod(i, len(phrases.HOME_NAMES))
    base = phrases.HOME_NAMES[k] + (f" {rounds + 1}" if rounds else "")
    owners = {
        "PR1": phrases.COUNCIL_NAME,
        "PR4": d.pick(phrases.PROVIDERS_PRIVATE),
        "PR5": d.pick(phrases.PROVIDERS_VOLUNTARY),
    }
    pc = d.postcode(AWAY_AREA if away else LOCAL_AREA)
    district = d.pick(phrases.AWAY_TOWNS) if away else d.pick(w.localities)
    return Place(
        "K2",
        provider,
        f"{base} ({owners[provider]})",
        d.street_address(district, pc, "" if away else phrases.CITY),
        pc,
        f"SC{d.between(rates.HOME_URN_RANGE)}",
        f"Registered manager: {d.adult_name()}",
        d.phone(),
    )


def _supported(w: World, i: int) -> Place:
    d = w.draw
    pc = d.postcode()
    provider = d.weighted(rates.SUPPORTED_PROVIDER_WEIGHTS)
    return Place(
        "K3",
        provider,
        f"{d.pick(phrases.SUPPORTED_NAMES)} Court supported flats {i + 1}",
        d.street_address(d.pick(w.localities), pc),
        pc,
        f"{d.between(rates.SUPPORTED_URN_RANGE)}",
        f"Key worker: {d.adult_name()}",
        d.phone(),
    )


# -- a new placement ------------------------------------------------------------------------------
def _place_weights(w: World, kid: Kid, age: int, prev: Place | None, ls: str) -> dict[str, float]:
    weights: dict[str, float]
    if kid.uasc:
        weights = dict(rates.PLACE_WEIGHTS_UASC)
    elif kid.cin == "N2" and age >= rates.DISABLED_MIN_AGE and w.draw.chance(rates.DISABLED_SPECIAL_CHANCE):
        weights = dict(rates.PLACE_WEIGHTS_DISABLED)
    else:
        weights = dict(next(ws for under, ws in rates.PLACE_WEIGHTS_BY_AGE if age < under))
    boost = rates.RESIDENTIAL_BOOST.get(kid.cls)
    if boost and age >= rates.RESIDENTIAL_BOOST_MIN_AGE:
        weights = {k: v * (boost if k in ("K2", "K3") else 1) for k, v in weights.items()}
    if prev is not None and prev.place in weights and len(weights) > 1:
        weights[prev.place] = weights[prev.place] * rates.SAME_PLACE_AGAIN
    if ls not in ("C1", "C2"):
        weights.pop("P1", None)  # placed with parents only under a care order
    if age < record.MIN_AGE_FOR_PLACE["K3"]:
        weights.pop("K3", None)  # supported accommodation from 16 (DfE rule 371)
    return weights


def new_place(w: World, kid: Kid, on: date, prev: Place | None, ls: str, adoption: bool = False) -> Place:
    if adoption:
        return _adoptive(w)
    place = w.draw.weighted(_place_weights(w, kid, age_on(kid.dob, on), prev, ls))
    shared = {"K2": w.homes, "K3": w.supported, "S1": w.schools, "R1": w.care_homes}.get(place)
    if shared is not None:
        return w.draw.pick(shared)
    if place == "P1":
        return _with_parent(w, kid)
    if place in ("U1", "U2", "U3"):
        return _kinship(w, kid, place)
    return _foster(w, place)


def _adoptive(w: World) -> Place:
    """A6: placement order, new adopters (A5, adopted by the foster carers, is in the chain)."""
    d = w.draw
    carer = d.adult_name()
    pc = d.postcode()
    return Place(
        "A6",
        d.weighted(rates.ADOPTION_PROVIDER_WEIGHTS),
        f"Adoptive placement ({carer.split(' ')[-1]} family)",
        d.street_address(d.pick(w.localities), pc),
        pc,
        phrases.SERVICE_URN["adoption"],
        f"{carer} and partner",
        d.phone(),
    )


def _with_parent(w: World, kid: Kid) -> Place:
    d = w.draw
    parent = f"{d.name_in(kid.group, d.pick('MF'))[0]} {kid.last}"
    return Place(
        "P1",
        "PR0",
        f"Home with parent ({parent.split(' ')[0]})",
        d.street_address(kid.locality, kid.home_post),
        kid.home_post,
        None,
        parent,
        d.phone(),
    )


def _kinship(w: World, kid: Kid, place: str) -> Place:
    d = w.draw
    relation = d.pick(phrases.KIN)
    surname = kid.last if d.chance(rates.KINSHIP_SAME_SURNAME_CHANCE) else d.name_in(kid.group, "F")[1]
    carer = f"{d.name_in(kid.group, 'F')[0]} {surname}"
    pc = d.postcode()
    return Place(
        place,
        "PR1",
        f"Kinship care with {relation}",
        d.street_address(d.pick(w.localities), pc),
        pc,
        phrases.SERVICE_URN["kinship"],
        carer,
        d.phone(),
    )


def _foster(w: World, place: str) -> Place:
    d = w.draw
    provider = "PR1" if d.chance(rates.FOSTER_COUNCIL_CHANCE) else "PR4"
    away = provider == "PR4" and d.chance(rates.FOSTER_AWAY_CHANCE)
    carer = d.adult_name()
    pc = d.postcode(AWAY_AREA if away else LOCAL_AREA)
    district = d.pick(phrases.AWAY_TOWNS) if away else d.pick(w.localities)
    agency = phrases.COUNCIL_FOSTERING if provider == "PR1" else d.pick(phrases.AGENCIES)
    return Place(
        place,
        provider,
        f"{carer.split(' ')[-1]} foster home ({agency})",
        d.street_address(district, pc, "" if away else phrases.CITY),
        pc,
        phrases.SERVICE_URN[agency],
        carer,
        d.phone(),
    )


# -- legal status and leaving care ---------------------------------------------------------------
def first_ls(w: World, kid: Kid, decom: date) -> str:
    age = age_on(kid.dob, decom)
    if kid.uasc:
        return "V2"
    if (w.today - decom).days < rates.RECENT_ENTRY_DAYS:
        j1 = rates.LS_J1_WEIGHT if age >= rates.LS_J1_MIN_AGE else 0
        return w.draw.weighted({**rates.LS_WEIGHTS_RECENT, "J1": j1})
    if age <= rates.LS_YOUNG_MAX_AGE:
        return w.draw.weighted(rates.LS_WEIGHTS_YOUNG)
    return w.draw.weighted(rates.LS_WEIGHTS_OLDER)


def next_ls(w: World, ls: str, age: int) -> str | None:
    """A legal status this one may change to at this age, or None."""
    options = {
        "C1": ["C2"],
        "V2": ["C1", "C2"],
        "C2": ["E1"] if age <= rates.LS_YOUNG_MAX_AGE else [],
        "J1": ["V2", "C1"],
        "E1": ["C2"] if age > rates.LS_YOUNG_MAX_AGE else [],
    }.get(ls, [])
    return w.draw.pick(options) if options else None


def leaving_reason(w: World, age: int) -> str:
    if age >= rates.ADULT_AGE:
        return w.draw.weighted(rates.REC_WEIGHTS_ADULT)
    for under, weights in rates.REC_WEIGHTS_BY_AGE:
        if age < under:
            return w.draw.weighted(weights)
    weights = dict(rates.REC_WEIGHTS_CHILD)
    if age >= rates.REC_CUSTODY_MIN_AGE:
        weights["E9"] = rates.REC_CUSTODY_WEIGHT
    return w.draw.weighted(weights)


# -- the chain of care episodes ------------------------------------------------------------------
def build_care(w: World, kid: Kid) -> None:
    end = kid.dec_final or w.today
    age_end = age_on(kid.dob, end)
    kid.first_decom = max(kid.dob, end - days(_days_in_care(w, kid, end, age_end)))
    total = (end - kid.first_decom).days
    rec = leaving_reason(w, age_end) if kid.dec_final is not None else None
    adoption = rec in rates.ADOPTION_RECS
    chain = _chain(w, kid, _change_days(w, kid, total, age_end, adoption), adoption)
    if kid.dec_final is not None:
        chain[-1].dec, chain[-1].rec = kid.dec_final, rec
    used = {ce.place.postcode for ce in chain if ce.place.place != "P1"}
    while kid.home_post in used:  # home and placement postcodes differ unless placed with parents
        kid.home_post = w.draw.postcode()
    kid.care = chain
    kid.rec = rec


def _days_in_care(w: World, kid: Kid, end: date, age_end: int) -> int:
    """How long in care: entrants are a third of the register; the rest came in years ago."""
    d = w.draw
    max_days = max(1, (end - kid.dob).days)
    if kid.dec_final is not None:
        days_in = int(d.uniform(rates.LEFT_CARE_DAYS_IN))
    elif d.chance(rates.ENTRANT_CHANCE):
        days_in = d.between(rates.ENTRANT_DAYS_IN)
    else:
        days_in = int(d.rng.expovariate(1 / rates.SETTLED_MEAN_EXTRA_DAYS)) + rates.SETTLED_MIN_DAYS
    if age_end == 0 and kid.dec_final is None:
        days_in = d.rng.randint(0, max(0, max_days - 1))
    return min(max_days, days_in)


def _change_days(w: World, kid: Kid, total: int, age_end: int, adoption: bool) -> list[int]:
    """Days (after the first) on which the child's care changed: moves, status changes."""
    rate = (
        rates.MOVES_PER_YEAR
        + (rates.TEEN_EXTRA_MOVES if age_end >= rates.TEEN_AGE else 0)
        + rates.MOVES_EXTRA_BY_CLASS.get(kid.cls, 0)
    )
    k = min(
        rates.MOVES_MAX,
        w.draw.poisson(rate * min(total, rates.MOVES_HISTORY_DAYS) / rates.YEAR_DAYS),
        max(0, total - 1),
    )
    if adoption and k == 0 and total >= 3:
        k = 1
    return sorted(w.draw.rng.sample(range(1, total), k)) if k else []


def _chain(w: World, kid: Kid, change_days: list[int], adoption: bool) -> list[Care]:
    ls = first_ls(w, kid, kid.first_decom)
    chain = [Care(w.next_care_id(), kid.first_decom, None, "S", ls, new_place(w, kid, kid.first_decom, None, ls))]
    back_to: Place | None = None  # after a temporary placement the child goes back (rule 383)
    for j, offset in enumerate(change_days):
        on = kid.first_decom + days(offset)
        cur = chain[-1]
        cur.dec, cur.rec = on, "X1"
        if back_to is not None:
            chain.append(Care(w.next_care_id(), on, None, "P", cur.ls, back_to))
            back_to = None
            continue
        last_move = adoption and j == len(change_days) - 1
        rne, ls = _change(w, kid, cur, on, last_move)
        temporary_ok = _room_for_temporary(change_days, j, adoption) and not last_move
        place, back_to = _next_place(w, kid, cur, on, rne, ls, last_move, temporary_ok)
        _reason_for_change(w, kid, cur, place, rne, last_move)
        chain.append(Care(w.next_care_id(), on, None, rne, ls, place))
    return chain


def _change(w: World, kid: Kid, cur: Care, on: date, last_move: bool) -> tuple[str, str]:
    """The reason for the new episode (RNE) and its legal status."""
    rne = "P" if last_move else w.draw.weighted(rates.RNE_WEIGHTS)
    new_ls = next_ls(w, cur.ls, age_on(kid.dob, on))
    if rne in _CHANGES_LEGAL_STATUS and new_ls is None:
        rne = "P"
    if rne in _CHANGES_CARER_STATUS and cur.place.place not in FOSTER_OR_KIN:
        rne = "P"
    ls = new_ls if rne in _CHANGES_LEGAL_STATUS and new_ls else cur.ls
    if last_move:  # adoption: a placement order, then adopted
        ls = "E1"
        rne = "B" if cur.ls != "E1" else "P"
        if cur.place.place in FOSTER_OR_KIN and w.draw.chance(rates.ADOPTED_BY_FOSTER_CARERS_CHANCE):
            rne = "U" if cur.ls != "E1" else "T"  # adopted by the foster carers: A5, same carer
    return rne, ls


def _room_for_temporary(change_days: list[int], j: int, adoption: bool) -> bool:
    """A short temporary placement fits before the next change (and not just before adoption)."""
    if j + 1 >= len(change_days):
        return False
    short = change_days[j + 1] - change_days[j] <= rates.TEMPORARY_PLACEMENT_MAX_DAYS
    return short and not (adoption and j + 2 == len(change_days))


def _next_place(
    w: World, kid: Kid, cur: Care, on: date, rne: str, ls: str, last_move: bool, temporary_ok: bool
) -> tuple[Place, Place | None]:
    """The new episode's placement, and where the child goes back to after a temporary one."""
    if rne == "L":
        return cur.place, None
    if rne in _CHANGES_CARER_STATUS:
        if last_move:
            name = f"Adoption by foster carers ({cur.place.name})"
            return replace(cur.place, place="A5", name=name, urn=phrases.SERVICE_URN["adoption"]), None
        return replace(cur.place, place=_STATUS_SWAP[cur.place.place]), None
    if temporary_ok and w.draw.chance(rates.TEMPORARY_PLACEMENT_CHANCE) and rne == "P" and ls == cur.ls:
        # A short temporary placement (T0: all types, up to the next change) and back.
        p = new_place(w, kid, on, cur.place, ls)
        return Place("T0", None, "Temporary placement", p.address, p.postcode, None, p.carer, p.phone), cur.place
    place = new_place(w, kid, on, cur.place, ls, adoption=last_move)
    for _ in range(rates.MOVE_RETRIES):  # a move is to a different placement (rule 435)
        if place.postcode != cur.place.postcode or place.place != cur.place.place:
            break
        place = new_place(w, kid, on, cur.place, ls, adoption=last_move)
    return place, None


def _reason_for_change(w: World, kid: Kid, cur: Care, place: Place, rne: str, last_move: bool) -> None:
    """REASON_PLACE_CHANGE on the episode that ends, when the child moved for real."""
    temporary = cur.place.place in codes.TEMPORARY_OR_OTHER_PLACE or place.place in codes.TEMPORARY_OR_OTHER_PLACE
    if rne not in _MOVES or temporary:
        return
    cur.reason = w.draw.weighted(rates.REASON_PLACE_CHANGE_WEIGHTS)
    if last_move:
        cur.reason = "CARPL"
    if cur.reason == "CUSTOD" and age_on(kid.dob, cur.decom) < rates.CUSTODY_MIN_AGE:
        cur.reason = "CARPL"  # custody is for 10 and over (rule 234)


def care_at(kid: Kid, at: datetime) -> Care | None:
    """The episode a report at `at` belongs to (the later one on a change day)."""
    day = local_date(at)
    found = None
    for ce in kid.care:
        if ce.decom <= day:
            found = ce
    if found is None or (found.dec is not None and day > found.dec):
        return None
    return found
