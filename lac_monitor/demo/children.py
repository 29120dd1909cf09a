"""The children: who they are, how old, where they live, and whether they go missing."""

from __future__ import annotations

from datetime import date, timedelta

from lac_monitor.demo import names, rates
from lac_monitor.demo.draw import POOLS, add_years, days, upn_check
from lac_monitor.demo.phrases import LA_NUMBER
from lac_monitor.demo.records import Kid, World
from lac_monitor.domain.localtime import local_date
from lac_monitor.domain.status import age_on

_AGE_WEIGHTS = {str(age): weight for age, weight in enumerate(rates.AGE_WEIGHTS)}
_YEAR = rates.YEAR_DAYS


def build_children(w: World) -> None:
    d = w.draw
    ids = d.rng.sample(range(*rates.CHILD_ID_RANGE), w.n)
    n_left = round(w.n * rates.LEFT_CARE_SHARE)
    loc_weights = {loc: d.uniform(rates.LOCALITY_WEIGHT_RANGE) for loc in w.localities}
    teams_by_loc: dict[str, list[int]] = {}
    for tid, _, loc in w.teams:
        teams_by_loc.setdefault(loc, []).append(tid)
    for i in range(w.n):
        w.kids.append(_new_child(w, f"C{ids[i]}", i < n_left, loc_weights, teams_by_loc))
    d.rng.shuffle(w.kids)


def _new_child(
    w: World, child_id: str, left: bool, loc_weights: dict[str, float], teams_by_loc: dict[str, list[int]]
) -> Kid:
    d = w.draw
    sex = "M" if d.chance(rates.BOY_SHARE) else "F"
    ethnic = d.weighted(names.ETHNIC_WEIGHTS)
    group, first, last = child_name(w, ethnic, sex)
    dob, dec_final = _left_care_dates(w) if left else (_dob_in_care(w), None)
    dob = min(dob, w.today - timedelta(days=rates.NEWBORN_MIN_AGE_DAYS))
    loc = d.weighted(loc_weights)
    kid = Kid(child_id, group, first, last, None, dob, sex, ethnic, loc, d.pick(teams_by_loc[loc]))
    kid.dec_final = dec_final
    age_now = age_on(dob, dec_final or w.today)
    _preferred_name(w, kid)
    kid.uasc = (
        ethnic in rates.UASC_ETHNICITIES
        and sex == "M"
        and age_now >= rates.UASC_MIN_AGE
        and d.chance(rates.UASC_CHANCE)
    )
    kid.cin = "N8" if kid.uasc else d.weighted(rates.CIN_WEIGHTS)
    kid.upn = _upn(w, kid, age_now)
    if sex == "F":
        _motherhood(w, kid, age_now)
    kid.home_post = d.postcode()
    miss_class(w, kid, age_on(dob, w.today))
    return kid


def _dob_in_care(w: World) -> date:
    age = int(w.draw.weighted(_AGE_WEIGHTS))
    return w.today - timedelta(days=int((age + w.draw.rng.random()) * _YEAR))


def _left_care_dates(w: World) -> tuple[date, date]:
    """Date of birth and the day care ended, for a child who left during the history."""
    d = w.draw
    hist_day = local_date(w.hist_start)
    after, before = rates.LEFT_CARE_MARGIN_DAYS
    span = max(1, (w.today - hist_day).days - before)
    dec_final = hist_day + days(after + d.rng.randrange(span))
    if d.chance(rates.LEFT_AT_18_CHANCE):
        return add_years(dec_final, -rates.ADULT_AGE), dec_final
    years_old = int(d.weighted(rates.LEAVING_AGE_WEIGHTS)) + d.rng.randint(0, rates.LEAVING_AGE_SPREAD)
    dob = dec_final - days(int((years_old + d.rng.random()) * _YEAR))
    return min(dob, dec_final - days(rates.MIN_DAYS_IN_CARE_BEFORE_LEAVING)), dec_final  # in care a while first


def _preferred_name(w: World, kid: Kid) -> None:
    pref = names.PREFERRED.get(kid.first)
    if not pref or pref == kid.first:
        return
    chance = rates.PREFERRED_CHANCE_OTHER_SCRIPT if not pref.isascii() else rates.PREFERRED_CHANCE_LATIN
    if w.draw.chance(chance):
        kid.preferred = pref


def _upn(w: World, kid: Kid, age_now: int) -> str:
    d = w.draw
    if age_on(kid.dob, w.today) < rates.SCHOOL_AGE:
        return "UN1"  # not yet of school age: no UPN yet
    if kid.uasc:
        return "UN2"
    if d.chance(rates.UPN_UNKNOWN_CHANCE):
        return d.pick(rates.UPN_UNKNOWN_CODES)
    estab = d.between(rates.UPN_PRIMARY_ESTAB if age_now < rates.SECONDARY_AGE else rates.UPN_SECONDARY_ESTAB)
    digits = f"{LA_NUMBER}{estab}{(kid.dob.year + rates.SCHOOL_AGE) % 100:02d}{d.rng.randint(0, 999):03d}"
    return upn_check(digits) + digits


def _motherhood(w: World, kid: Kid, age_now: int) -> None:
    kid.mother = False
    if age_now >= rates.MOTHER_MIN_AGE and w.draw.chance(rates.MOTHER_CHANCE):
        kid.mother = True
        earliest = add_years(kid.dob, rates.MOTHER_EARLIEST_AGE)
        span = (w.today - earliest).days
        kid.mc_dob = earliest + days(w.draw.rng.randint(0, max(0, span)))


def child_name(w: World, ethnic: str, sex: str) -> tuple[str, str, str]:
    """(name group, first name, family name) for a child of this ethnicity."""
    d = w.draw
    if ethnic in names.MIXED:
        a, b = names.MIXED[ethnic]
        if d.chance(0.5):  # either parent's side gives the first name
            a, b = b, a
        first, _ = d.name_in(a, sex)
        _, last = d.name_in(b, sex)
        return a, first, last
    if ethnic in names.ETHNIC_GROUPS:
        group = d.weighted(names.ETHNIC_GROUPS[ethnic])
    else:  # MOTH, REFU, NOBT: anyone
        group = d.pick(list(POOLS))
    first, last = d.name_in(group, sex)
    return group, first, last


def miss_class(w: World, kid: Kid, age_now: int) -> None:
    """Whether (and how often) this child goes missing, and how often 'away' rather than missing."""
    if kid.dec_final is not None and age_now >= rates.ADULT_AGE:
        age_now = rates.ADULT_AGE - 1
    band = next((b for b in rates.MISSING_CLASS_BY_AGE if b[0] <= age_now <= b[1]), None)
    if band is None:
        return
    _, _, chance, split = band
    if w.draw.chance(chance):
        kid.cls = w.draw.weighted(split)
    kid.p_away = w.draw.rng.choices(rates.AWAY_SHARES, weights=rates.AWAY_SHARE_WEIGHTS)[0]
