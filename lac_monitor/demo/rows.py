"""The register's rows that need no draw: children and their care, the council setting,
and the structured associates and places the services derive from text."""

from __future__ import annotations

import json

from lac_monitor.demo import places
from lac_monitor.demo.records import World
from lac_monitor.domain import record
from lac_monitor.domain.patterns import episode_texts, profile_texts, value_rows

PC_LA = {pc: la for la, pcs in places.POSTCODES.items() for pc in pcs}


def child_rows(w: World) -> None:
    for kid in w.kids:
        w.rows["child"].append(
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
            w.rows["care_episode"].append(
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


def setting_rows(w: World) -> None:
    w.rows["setting"].append(
        {
            "key": "council",
            "value": json.dumps({"la_code": places.COUNCIL_LA}),
            "updated_at": w.now,
            "updated_by": w.username,
        }
    )


def pattern_rows(w: World) -> None:
    """Associates and places as structured values, as the services derive them."""
    rows = w.rows["pattern_value"]
    for ep in w.rows["missing_episode"]:
        texts = episode_texts(ep["last_seen_with"], ep["last_seen_where"], ep["found_where"])
        rows += value_rows(ep["child_id"], ep["id"], ep["started_at"], texts)
    for prof in w.rows["philomena_profile"]:
        texts = profile_texts(prof["associates"], prof["places_likely"])
        rows += value_rows(prof["child_id"], None, prof["updated_at"], texts)
    for i, row in enumerate(rows, start=1):
        row["id"] = i
