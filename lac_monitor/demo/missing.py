"""Missing episodes: each child's history, and the children missing, away or just back now."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from lac_monitor.demo import rates
from lac_monitor.demo.draw import add_years, days, floor_min, local
from lac_monitor.demo.records import Kid, Miss, World
from lac_monitor.domain.localtime import local_date
from lac_monitor.domain.status import age_on

_SCENARIOS = tuple(rates.SCENARIO_SHARES)  # out, due, overdue
_DAY_HOURS = 24


def ensure_frequent_missers(w: World) -> None:
    """Every council has a handful of children who go missing again and again."""
    target = max(rates.FREQUENT_MISSERS_MIN, round(w.n * rates.FREQUENT_MISSERS_SHARE))
    hist_day = local_date(w.hist_start)
    settled = [k for k in w.kids if k.cls == "frequent" and k.dec_final is None and k.first_decom <= hist_day]
    if len(settled) >= target:
        return
    cands = [
        k
        for k in w.kids
        if k.cls != "frequent"
        and k.dec_final is None
        and rates.TEEN_AGE <= age_on(k.dob, w.today) < rates.ADULT_AGE
        and k.first_decom <= hist_day
    ]
    for kid in w.draw.rng.sample(cands, min(len(cands), target - len(settled))):
        kid.cls = "frequent"


def _scenario_candidates(w: World, youngest: int, below: int | None) -> list[Kid]:
    """Children in care for a fortnight or more, `youngest` or older (and under `below`)."""

    def fits(k: Kid) -> bool:
        age = age_on(k.dob, w.today)
        return age >= youngest and (below is None or age < below)

    return [
        k
        for k in w.kids
        if k.dec_final is None and fits(k) and (w.today - k.first_decom).days >= rates.SCENARIO_MIN_DAYS_IN_CARE
    ]


def choose_scenarios(w: World) -> None:
    """Who is out now, who is back with an interview due, who is back with it overdue."""
    counts = [max(least, round(w.n * share)) for share, least in rates.SCENARIO_SHARES.values()]
    cands = _scenario_candidates(w, rates.SCENARIO_MIN_AGE, None)
    if len(cands) < sum(counts):
        cands += _scenario_candidates(w, rates.SCENARIO_FALLBACK_AGE, rates.SCENARIO_MIN_AGE)
    # Weighted sampling without replacement (Efraimidis–Spirakis keys).
    rng = w.draw.rng
    keyed = sorted(cands, key=lambda k: -(rng.random() ** (1 / rates.SCENARIO_WEIGHT[k.cls])))
    chosen = keyed[: sum(counts)]
    bounds = [sum(counts[: i + 1]) for i in range(len(counts))]
    for i, kid in enumerate(chosen):
        kid.scenario = next(s for s, bound in zip(_SCENARIOS, bounds, strict=True) if i < bound)
    outs = [k for k in chosen if k.scenario == "out"]
    # The person running the demo sees a missing child in their own caseload.
    if outs and not any(k.worker == w.current_user_id for k in outs):
        outs[0].team, outs[0].worker, outs[0].locality = 1, w.current_user_id, w.teams[0][2]


def _history_window(w: World, kid: Kid, cap: datetime) -> tuple[datetime, datetime] | None:
    ws = max(
        w.hist_start,
        local(kid.first_decom, 6, 0) + days(1),
        local(add_years(kid.dob, rates.FIRST_MISSING_AGE), 12, 0),
    )
    we = cap
    if kid.dec_final is not None:
        we = min(we, local(kid.dec_final, 0, 0) - days(1))
    if we - ws < days(rates.MIN_HISTORY_WINDOW_DAYS):
        return None
    return ws, we


def _category(w: World, kid: Kid) -> str:
    return "A" if w.draw.chance(kid.p_away) else "M"


def _duration(w: World, category: str) -> timedelta:
    if w.draw.chance(rates.LONG_EPISODE_CHANCE):
        lo, hi = rates.LONG_EPISODE_DAYS
        return w.draw.hours(lo * _DAY_HOURS, hi * _DAY_HOURS)
    h = rates.MEDIAN_HOURS[category] * math.exp(w.draw.rng.gauss(0, rates.DURATION_SPREAD))
    return timedelta(hours=max(rates.DURATION_HOURS_MIN, min(h, rates.DURATION_HOURS_MAX)))


def _start_after(w: World, t: datetime) -> datetime:
    """A start time at or after `t`, at an hour children usually go missing."""
    d = local_date(t)
    hour = w.draw.rng.choices(range(24), weights=rates.START_HOUR_WEIGHTS)[0]
    start = local(d, hour, w.draw.minute())
    while start < t:
        d += days(1)
        start = local(d, hour, w.draw.minute())
    return start


def _episode(w: World, kid: Kid, t: datetime, max_length: timedelta | None = None) -> Miss:
    start = _start_after(w, t)
    cat = _category(w, kid)
    length = _duration(w, cat)
    return Miss(kid, start, floor_min(start + (length if max_length is None else min(length, max_length))), cat)


def build_missing(w: World, kid: Kid) -> None:
    """The child's missing history, then (if chosen) the episode of their scenario."""
    # Drawn for every child, whatever their pattern, so that the draws stay in step.
    drawn = {cls: w.draw.uniform(span) for cls, span in rates.YEARLY_EPISODES.items()}
    rate = drawn.get(kid.cls)
    scen = scenario_episode(w, kid) if kid.scenario is not None else None
    if scen is not None:
        cap = scen.start - timedelta(hours=rates.HISTORY_GAP_BEFORE_SCENARIO_HOURS)
    else:
        cap = w.now - days(rates.HISTORY_GAP_BEFORE_NOW_DAYS)
    window = _history_window(w, kid, cap) if rate else None
    eps = _history(w, kid, rate, *window) if rate and window else []
    if scen is not None:
        eps.append(scen)
    kid.missing = eps


def _history(w: World, kid: Kid, rate: float, ws: datetime, we: datetime) -> list[Miss]:
    """Episodes at about `rate` a year between `ws` and `we`; at least one if any fits."""
    d = w.draw
    mean_gap = rates.YEAR_DAYS / rate
    # Frequent missers go in bursts: some of their gaps are short; the rest stretch so that
    # the yearly rate stays what was drawn.
    burst, burst_gap = (rates.BURST_SHARE, rates.BURST_GAP_DAYS) if kid.cls == "frequent" else (0.0, 0.0)
    long_gap = max(1.0, (mean_gap - burst * burst_gap - rates.GAP_SLACK_DAYS) / (1 - burst))
    limit = round(rate * (we - ws).days / rates.YEAR_DAYS) + 1
    t = ws + days(d.rng.uniform(0, min(mean_gap, (we - ws).days / 2)))
    eps: list[Miss] = []
    while True:
        ep = _episode(w, kid, t)
        if ep.end is None or ep.end > we:
            break
        eps.append(ep)
        if len(eps) >= limit:
            break
        gap = d.rng.expovariate(1 / burst_gap) if d.chance(burst) else d.rng.expovariate(1 / long_gap)
        t = ep.end + timedelta(hours=rates.GAP_AFTER_RETURN_HOURS) + days(gap)
    if not eps:
        span = (we - ws).total_seconds()
        t = ws + timedelta(seconds=d.rng.uniform(0, span * rates.FALLBACK_START_SHARE))
        ep = _episode(w, kid, t, timedelta(hours=rates.FALLBACK_EPISODE_MAX_HOURS))
        if ep.end is not None and ep.end <= we:
            eps.append(ep)
    return eps


def scenario_episode(w: World, kid: Kid) -> Miss:
    if kid.scenario == "out":
        return Miss(kid, w.now, None, "M", "out")  # times set in shape_current()
    span = rates.DUE_RETURNED_HOURS_AGO if kid.scenario == "due" else rates.OVERDUE_RETURNED_HOURS_AGO
    returned = floor_min(w.now - w.draw.hours(*span))
    cat = _category(w, kid)
    start = floor_min(returned - min(_duration(w, cat), timedelta(hours=rates.SCENARIO_EPISODE_MAX_HOURS)))
    return Miss(kid, start, returned, cat, kid.scenario)


def _current(w: World, i: int, n_away: int) -> tuple[str, str | None, timedelta, bool]:
    """Category, risk, time out so far and whether police gave a reference, for the i-th child
    out now: a spread a duty officer would recognise."""
    d = w.draw
    if i < n_away:
        risk = d.pick(rates.AWAY_NOW_RISKS) if i else "low"
        return "A", risk, d.hours(*rates.AWAY_NOW_HOURS), d.chance(rates.AWAY_NOW_REF_CHANCE)
    j = i - n_away  # index among the missing ones
    if j == 0:
        return "M", "high", d.hours(*rates.HIGH_RISK_NOW_HOURS), True
    if j == 1:
        return "M", None, timedelta(minutes=d.between(rates.NO_REF_NOW_MINUTES)), False
    risk = d.weighted(rates.MISSING_NOW_RISK_WEIGHTS)
    spread = rates.MISSING_NOW_HOURS
    return "M", risk, d.hours(*spread[(j - 2) % len(spread)]), True


def shape_current(w: World) -> None:
    """Give the children missing or away right now their times, grades and references."""
    outs = [k for k in w.kids if k.scenario == "out"]
    n_away = max(1, round(len(outs) * rates.AWAY_NOW_SHARE))
    for i, kid in enumerate(outs):
        cat, risk, elapsed, has_ref = _current(w, i, n_away)
        start = floor_min(w.now - elapsed)
        ep = kid.missing[-1]
        ep.start, ep.category, ep.risk, ep.has_ref = start, cat, risk, has_ref
        # History stops well before this episode began.
        gap = timedelta(hours=rates.HISTORY_GAP_BEFORE_SCENARIO_HOURS)
        kid.missing = [e for e in kid.missing[:-1] if e.end is not None and e.end <= start - gap]
        kid.missing.append(ep)
