"""National (SSDA903) and local code lists. Labels are what the UI shows."""

from __future__ import annotations

import re
from enum import StrEnum


class MissingCategory(StrEnum):
    MISSING = "M"  # whereabouts unknown
    AWAY = "A"  # away from placement without authorisation, whereabouts known

    @property
    def label(self) -> str:
        return "Missing" if self is MissingCategory.MISSING else "Away"


class RiskGrade(StrEnum):
    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _RISK_RANK[self]

    @property
    def label(self) -> str:
        return RISK_LABELS[self]


def risk_urgency(code: str | None) -> int:
    """Order of attention for a child who is out: high first, then one not graded yet (the
    risk is unknown, so it is treated as nearly the highest), then medium, low, none.
    Part of the one "most urgent first" order (domain/urgency.py)."""
    return _URGENCY_OF_RISK.get(code, 1)


_URGENCY_OF_RISK: dict[str | None, int] = {"high": 0, None: 1, "": 1, "medium": 2, "low": 3, "none": 4}
_RISK_RANK = {RiskGrade.NONE: 0, RiskGrade.LOW: 1, RiskGrade.MEDIUM: 2, RiskGrade.HIGH: 3}
# Councils may relabel these (issue: settings screen); the codes stay stable.
RISK_LABELS: dict[RiskGrade, str] = {
    RiskGrade.NONE: "No apparent risk",
    RiskGrade.LOW: "Low",
    RiskGrade.MEDIUM: "Medium",
    RiskGrade.HIGH: "High",
}


class RiskFlag(StrEnum):
    CSE = "cse"
    CCE = "cce"
    COUNTY_LINES = "county_lines"
    GANGS = "gangs"
    KNIFE_CRIME = "knife_crime"
    TRAFFICKING = "trafficking_nrm"
    ONLINE = "online_exploitation"
    FINANCIAL = "financial_exploitation"
    MENTAL_HEALTH = "mental_health"

    @property
    def label(self) -> str:
        return RISK_FLAG_LABELS[self]


RISK_FLAG_LABELS: dict[RiskFlag, str] = {
    RiskFlag.CSE: "CSE",
    RiskFlag.CCE: "CCE",
    RiskFlag.COUNTY_LINES: "County lines",
    RiskFlag.GANGS: "Gang association",
    RiskFlag.KNIFE_CRIME: "Knife or weapon carrying",
    RiskFlag.TRAFFICKING: "Trafficking / NRM referral",
    RiskFlag.ONLINE: "Online exploitation",
    RiskFlag.FINANCIAL: "Financial exploitation",
    RiskFlag.MENTAL_HEALTH: "Mental health",
}


class StaffRole(StrEnum):
    SOCIAL_WORKER = "social_worker"
    TEAM_MANAGER = "team_manager"
    HEAD_OF_SERVICE = "head_of_service"
    DUTY_OFFICER = "duty_officer"  # out-of-hours emergency duty team
    ADMINISTRATOR = "administrator"
    POLICE_LIAISON = "police_liaison"  # partner agency: missing and recently returned children only
    AUDITOR = "auditor"  # information governance: the audit trail only


SEX = {"M": "Male", "F": "Female", "U": "Unknown / not stated"}

ETHNIC = {
    "WBRI": "White British",
    "WIRI": "White Irish",
    "WOTH": "Any other White background",
    "WIRT": "Traveller of Irish heritage",
    "WROM": "Gypsy/Roma",
    "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African",
    "MWAS": "White and Asian",
    "MOTH": "Any other mixed background",
    "AIND": "Indian",
    "APKN": "Pakistani",
    "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background",
    "BCRB": "Caribbean",
    "BAFR": "African",
    "BOTH": "Any other Black background",
    "CHNE": "Chinese",
    "OOTH": "Any other ethnic group",
    "REFU": "Refused",
    "NOBT": "Information not yet obtained",
}

RNE = {
    "S": "Started to be looked after",
    "L": "Change of legal status only",
    "P": "Change of placement and carer",
    "T": "Change of placement, same carer",
    "B": "Change of legal status and placement and carer",
    "U": "Change of legal status and placement, same carer",
}

LS = {
    "C1": "Interim care order",
    "C2": "Full care order",
    "D1": "Freeing order granted",
    "E1": "Placement order granted",
    "V2": "Accommodated under s20",
    "V3": "Short break, single placement",
    "V4": "Short breaks, series",
    "L1": "Police protection",
    "L2": "Emergency protection order",
    "L3": "Child assessment order",
    "J1": "Remanded to LA accommodation",
    "J2": "PACE transfer",
    "J3": "Youth rehabilitation order with residence requirement",
}

CIN = {
    "N1": "Abuse or neglect",
    "N2": "Child's disability",
    "N3": "Parental illness or disability",
    "N4": "Family in acute stress",
    "N5": "Family dysfunction",
    "N6": "Socially unacceptable behaviour",
    "N7": "Low income",
    "N8": "Absent parenting",
}

PLACE = {
    "A3": "Adoption: consent, with current foster carers",
    "A4": "Adoption: consent, not with current foster carers",
    "A5": "Adoption: placement order, with current foster carers",
    "A6": "Adoption: placement order, not with current foster carers",
    "K1": "Secure children's home",
    "K2": "Children's home",
    "K3": "Registered supported accommodation",
    "P1": "Placed with parents",
    "P3": "Residential employment",
    "R1": "Residential care home",
    "R2": "NHS / health provision",
    "R3": "Family centre or mother and baby unit",
    "R5": "Young offender institution",
    "S1": "Residential school",
    "T0": "Temporary: all types",
    "T1": "Temporary: residential school",
    "T2": "Temporary: with relative or friend",
    "T3": "Temporary: holiday",
    "T4": "Temporary: with other foster carer",
    "U1": "Foster, relative or friend: long term",
    "U2": "Foster, relative or friend: FFA",
    "U3": "Foster, relative or friend: other",
    "U4": "Foster carer: long term",
    "U5": "Foster carer: FFA / concurrent",
    "U6": "Foster carer: other",
    "Z11": "Other: private arrangement",
    "Z12": "Other: with parent(s) ",
    "Z13": "Other: independent living",
    "Z14": "Other placement",
}

PLACE_SHORT = {
    "K1": "Secure home",
    "K2": "Children's home",
    "K3": "Supported accomm.",
    "P1": "With parents",
    "R1": "Residential",
    "U1": "Kinship foster",
    "U2": "Kinship foster",
    "U3": "Kinship foster",
    "U4": "Foster",
    "U5": "Foster",
    "U6": "Foster",
    "S1": "Residential school",
    "R5": "YOI",
    "R2": "Health",
}

TEMPORARY_OR_OTHER_PLACE = {"T0", "T1", "T2", "T3", "Z11", "Z12", "Z13", "Z14"}

PLACE_PROVIDER = {
    "PR0": "Parents or person with parental responsibility",
    "PR1": "Own council",
    "PR2": "Other council",
    "PR3": "Other public sector",
    "PR4": "Private",
    "PR5": "Voluntary / third sector",
}

REC = {
    "X1": "Episode ceased, new episode begins same day",
    "E11": "Adopted (application unopposed)",
    "E12": "Adopted (application opposed)",
    "E2": "Died",
    "E3": "Care taken over by another council",
    "E4A": "Returned home (planned)",
    "E4B": "Returned home (not planned)",
    "E13": "Left care to live with relatives",
    "E41": "Residence / child arrangements order",
    "E45": "Special guardianship (former carers)",
    "E46": "Special guardianship (other)",
    "E47": "Special guardianship (relatives)",
    "E48": "Special guardianship (other)",
    "E5": "Moved to independent living (supportive)",
    "E6": "Moved to independent living (no support)",
    "E7": "Transferred to adult social care",
    "E8": "Period of care ended for another reason",
    "E9": "Sentenced to custody",
    "E14": "Remand ended",
    "E15": "Age assessed 18 or over",
    "E16": "Moved abroad",
    "E17": "Staying put",
}

REASON_PLACE_CHANGE = {
    "CARPL": "Change to/implementation of care plan",
    "CLOSE": "Resignation/closure of provision",
    "ALLEG": "Allegation (s47)",
    "STAND": "Standards of care concern",
    "APPRR": "Approval removed",
    "CREQB": "Carer request: child's behaviour",
    "CREQO": "Carer request: other",
    "CHILD": "Child requests",
    "LAREQ": "Council request",
    "PLACE": "Change in placement status",
    "CUSTOD": "Custody arrangement",
    "OTHER": "Other",
}

_UPN = re.compile(r"^(?:[A-HJ-NP-RT-Z]\d{12}|\d{11}[A-Z]|UN[1-5])$")


def is_valid_upn(upn: str) -> bool:
    return bool(_UPN.match(upn))
