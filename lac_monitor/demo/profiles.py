"""Risk flags and Philomena profiles: what police are told about a child before any episode."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from lac_monitor.demo import names, phrases, rates
from lac_monitor.demo.draw import add_years, days, floor_min, fold, local
from lac_monitor.demo.records import Kid, World
from lac_monitor.domain.status import age_on

_CM_PER_INCH, _INCHES_PER_FOOT = 2.54, 12


def flag_rows(w: World) -> None:
    """Risk flags, gathered on the children who go missing most (and on older children)."""
    seq = 0
    for kid in w.kids:
        age = age_on(kid.dob, kid.dec_final or w.today)
        if age < rates.FLAG_MIN_AGE:
            continue
        teen = rates.FLAG_CHANCE_TEEN if age >= rates.FLAG_TEEN_AGE else rates.FLAG_CHANCE_YOUNGER
        if not w.draw.chance(rates.FLAG_CHANCE.get(kid.cls, teen)):
            continue
        flags = _draw_flags(w, kid)
        earliest = max(
            add_years(kid.dob, rates.FLAG_EARLIEST_AGE),
            kid.first_decom - days(rates.FLAG_BEFORE_CARE_DAYS),
            w.today - days(rates.FLAG_HISTORY_DAYS),
        )
        last_day = (kid.dec_final or w.today) - days(1)
        if last_day <= earliest:
            continue
        for flag in flags:
            seq += 1
            _flag_row(w, kid, seq, flag, earliest, last_day)


def _draw_flags(w: World, kid: Kid) -> list[str]:
    d = w.draw
    if kid.uasc:
        weights = rates.FLAG_WEIGHTS_UASC
    else:
        weights = rates.FLAG_WEIGHTS_GIRL if kid.sex == "F" else rates.FLAG_WEIGHTS_BOY
    second = rates.SECOND_FLAG_CHANCE_FREQUENT if kid.cls == "frequent" else rates.SECOND_FLAG_CHANCE
    count = 1 + d.chance(second) + d.chance(rates.THIRD_FLAG_CHANCE)
    flags: list[str] = []
    while len(flags) < count:
        flag = d.weighted(weights)
        if flag not in flags:
            flags.append(flag)
    return flags


def _flag_row(w: World, kid: Kid, seq: int, flag: str, earliest: date, last_day: date) -> None:
    d = w.draw
    since = earliest + days(d.rng.randrange((last_day - earliest).days))
    ended = None
    if d.chance(rates.FLAG_ENDED_CHANCE) and (last_day - since).days > rates.FLAG_ENDED_MIN_DAYS:
        ended = since + days(d.rng.randint(rates.FLAG_MIN_DAYS, (last_day - since).days))
    set_at = local(since, d.between(rates.FLAG_SET_HOURS), d.minute())
    w.rows["risk_flag"].append(
        {
            "id": seq,
            "child_id": kid.id,
            "flag": flag,
            "since": since,
            "set_by": w.staff_label[kid.worker],
            "set_at": min(set_at, w.now),
            "ended_on": ended,
            "note": phrases.FLAG_NOTES[flag],
        }
    )
    if ended is None:
        kid.flags.append(flag)


def profile_rows(w: World) -> None:
    """A Philomena profile for most teenagers and for nearly every child who goes missing."""
    d = w.draw
    for kid in w.kids:
        age = age_on(kid.dob, kid.dec_final or w.today)
        if kid.missing:
            if d.chance(rates.PROFILE_GAP_CHANCE) and kid.scenario is None:
                continue  # a gap the alert engine points out
        elif age < rates.PROFILE_MIN_AGE or not d.chance(rates.PROFILE_CHANCE):
            continue
        updated = _profile_updated(w, kid)
        year_before = updated - days(rates.PROFILE_HISTORY_DAYS)
        previous = sum(1 for e in kid.missing if year_before <= e.start < updated)
        w.rows["philomena_profile"].append(
            {
                "child_id": kid.id,
                "description": description(w, kid, age),
                "associates": associates(w),
                "places_likely": places_likely(w, kid),
                "phone": d.phone() if d.chance(rates.PROFILE_PHONE_CHANCE) else None,
                "social_media": social(w, kid),
                "medical_needs": d.weighted(phrases.MEDICAL),
                "other_info": (phrases.PREVIOUS_HISTORY.format(n=previous) if kid.missing else "")
                + d.pick(phrases.OTHER_INFO),
                "updated_at": updated,
                "updated_by": w.staff_label[kid.worker],
                "version": 1,
            }
        )


def _profile_updated(w: World, kid: Kid) -> datetime:
    """When the profile was last brought up to date: before the latest episode, if any."""
    d = w.draw
    updated = w.now - days(d.uniform(rates.PROFILE_AGE_DAYS))  # drawn for every profile
    if kid.missing:
        before = min(w.now, kid.missing[-1].start - timedelta(hours=1))
        updated = before - days(d.uniform(rates.PROFILE_BEFORE_EPISODE_DAYS))
    updated = floor_min(max(updated, local(kid.first_decom, 12, 0)))
    return floor_min(w.now) if updated > w.now else updated


def description(w: World, kid: Kid, age: int) -> str:
    d = w.draw
    ages = rates.HEIGHT_CM_BY_AGE
    base_cm = ages.get(min(max(age, min(ages)), max(ages)), rates.HEIGHT_CM_YOUNGER)
    sex_cm = rates.HEIGHT_BOY_CM if kid.sex == "M" else rates.HEIGHT_GIRL_CM
    cm = int(base_cm + sex_cm + d.rng.gauss(0, rates.HEIGHT_SPREAD_CM))
    feet, inches = divmod(round(cm / _CM_PER_INCH), _INCHES_PER_FOOT)
    hair, eyes = d.pick(phrases.HAIR), d.pick(phrases.EYES)
    build, marks = d.pick(phrases.BUILD), d.pick(phrases.MARKS)
    lang = names.LANGUAGE.get(kid.group)
    speech = phrases.SPEAKS.format(language=lang) if lang else phrases.LOCAL_ACCENT
    return phrases.DESCRIPTION.format(
        cm=cm, feet=feet, inches=inches, build=build, hair=hair, eyes=eyes, marks=marks, speech=speech
    )


def associates(w: World) -> str:
    d = w.draw
    (first1, last1), (first2, _), (first3, last3) = d.adult(), d.adult(), d.adult()
    slots = {"first1": first1, "last1": last1, "first2": first2, "first3": first3, "last3": last3}
    slots["nickname"] = d.pick(phrases.NICKNAMES)
    slots["district"] = d.pick(w.localities)
    options = [t.format(**slots) for t in phrases.ASSOCIATES]
    return "; ".join(d.rng.sample(options, d.between(rates.ASSOCIATES_LISTED)))


def places_likely(w: World, kid: Kid) -> str:
    d = w.draw
    slots = {"home_district": kid.locality, "district": d.pick(w.localities), "postcode": d.postcode()}
    slots["street"] = d.street()
    slots["town"] = d.pick(phrases.AWAY_TOWNS)
    places = [t.format(**slots) for t in phrases.PLACES_LIKELY]
    d.rng.shuffle(places)
    return "; ".join(places[: d.between(rates.PLACES_LISTED)])


def social(w: World, kid: Kid) -> str | None:
    d = w.draw
    if d.chance(rates.NO_SOCIAL_MEDIA_CHANCE):
        return None
    handle = f"{fold(kid.first)[:5] or 'kid'}{d.between(rates.HANDLE_NUMBER)}_{d.pick(phrases.HANDLE_ENDINGS)}"
    sites = d.rng.sample(phrases.SITES, d.between(rates.SITES_LISTED))
    return "; ".join(f"{s}: @{handle}" if "WhatsApp" not in s else s for s in sites)
