"""The council's localities, teams and staff, and each child's social worker."""

from __future__ import annotations

import math
import re

from lac_monitor.demo import phrases, rates
from lac_monitor.demo.draw import fold, prettify
from lac_monitor.demo.records import Kid, World
from lac_monitor.domain.codes import StaffRole


def build_teams(w: World) -> None:
    n_teams = max(1, round(w.n / rates.CHILDREN_PER_TEAM))
    n_localities = min(
        n_teams, rates.LOCALITIES_FIRST + n_teams // rates.TEAMS_PER_EXTRA_LOCALITY, len(phrases.DISTRICTS)
    )
    w.localities = list(phrases.DISTRICTS[:n_localities])
    per_loc: dict[str, int] = {}
    for i in range(n_teams):
        loc = w.localities[i % n_localities]
        per_loc[loc] = per_loc.get(loc, 0) + 1
        k = per_loc[loc]
        name = phrases.TEAM_NAME.format(locality=loc) + (f" {k}" if k > 1 else "")
        w.teams.append((i + 1, name, loc))
    w.edt_team = n_teams + 1
    for tid, name, loc in w.teams:
        w.rows["team"].append({"id": tid, "name": name, "locality": loc})
    w.rows["team"].append({"id": w.edt_team, "name": phrases.DUTY_TEAM, "locality": None})
    w.used_usernames = {w.username.lower()}


def _free_username(w: World, prefix: str, display: str) -> str:
    base = f"{prefix}.{fold(display.split(' ')[-1]) or 'staff'}"
    username, k = base, 1
    while username.lower() in w.used_usernames:
        k += 1
        username = f"{base}{k}"
    w.used_usernames.add(username.lower())
    return username


def _staff_row(w: World, role: StaffRole, team: int | None, username: str, display: str, phone: str | None) -> int:
    w.staff_seq += 1
    email_user = re.sub(r"[^A-Za-z0-9._-]", "", username) or "staff"
    w.rows["staff"].append(
        {
            "id": w.staff_seq,
            "username": username,
            "display_name": display,
            "role": role.value,
            "team_id": team,
            "email": f"{email_user}@{phrases.EMAIL_DOMAIN}",
            "phone": phone,
            "active": True,
        }
    )
    w.staff_label[w.staff_seq] = display
    return w.staff_seq


def add_staff(
    w: World, role: StaffRole, team: int | None, prefix: str, username: str | None = None, display: str | None = None
) -> int:
    if display is None:
        display = w.draw.adult_name()
    if username is None:
        username = _free_username(w, prefix, display)
    return _staff_row(w, role, team, username, display, w.draw.phone())


def add_partner_staff(w: World) -> None:
    """The police liaison and the auditor (fixed invented names: no draw from the seed)."""
    for role, prefix, name in phrases.PARTNERS:
        username = f"{prefix}.{name.split()[-1].lower()}"
        w.used_usernames.add(username)
        _staff_row(w, StaffRole(role), None, username, name, None)


def build_staff(w: World) -> None:
    """Managers, duty officers and partners; social workers once the children are in teams."""
    d, n = w.draw, w.n
    n_heads = rates.MIN_HEADS_OF_SERVICE
    if n > rates.LARGE_COUNCIL:
        n_heads = max(n_heads, n // rates.CHILDREN_PER_HEAD_OF_SERVICE)
    for _ in range(n_heads):
        add_staff(w, StaffRole.HEAD_OF_SERVICE, None, "hos")
    for tid, _, _ in w.teams:
        add_staff(w, StaffRole.TEAM_MANAGER, tid, "tm")
    n_edt = max(rates.DUTY_OFFICERS_MIN, min(rates.DUTY_OFFICERS_MAX, n // rates.CHILDREN_PER_DUTY_OFFICER))
    w.edt_ids = [add_staff(w, StaffRole.DUTY_OFFICER, w.edt_team, "edt") for _ in range(n_edt)]
    add_staff(w, StaffRole.ADMINISTRATOR, None, "admin")
    n_rhi = max(rates.RHI_WORKERS_MIN, n // rates.CHILDREN_PER_RHI_WORKER)
    w.rhi_workers = [f"{d.adult_name()} ({phrases.RHI_SERVICE})" for _ in range(n_rhi)]
    n_police = max(rates.POLICE_OFFICERS_MIN, n // rates.CHILDREN_PER_POLICE_OFFICER)
    w.police = [f"PC {d.between(rates.POLICE_NUMBER_RANGE)} {d.adult_name().split(' ')[-1]}" for _ in range(n_police)]


def allocate_workers(w: World) -> None:
    """Social workers for each team's children; the person running the demo is the first
    team's first worker."""
    by_team: dict[int, list[Kid]] = {}
    for kid in w.kids:
        by_team.setdefault(kid.team, []).append(kid)
    for tid, _, _ in w.teams:
        kids = by_team.get(tid, [])
        n_workers = max(1, math.ceil(len(kids) / rates.CHILDREN_PER_SOCIAL_WORKER))
        workers: list[int] = []
        for i in range(n_workers):
            if tid == 1 and i == 0:
                w.current_user_id = add_staff(
                    w, StaffRole.SOCIAL_WORKER, tid, "sw", username=w.username, display=prettify(w.username)
                )
                workers.append(w.current_user_id)
            else:
                workers.append(add_staff(w, StaffRole.SOCIAL_WORKER, tid, "sw"))
        w.draw.rng.shuffle(kids)
        for i, kid in enumerate(kids):
            kid.worker = workers[i % n_workers]
