"""How the demo council is shaped: sizes, proportions and weights (plain data, no code).

Weights are relative (a dict of choice → weight, drawn with `Draw.weighted`); chances are
probabilities between 0 and 1. Every figure was chosen so that the register looks like an
English council's: the sources are the DfE's looked-after children statistics and the
missing-from-care reports of the sector, read roughly, never copied child by child.
"""

from __future__ import annotations

YEAR_DAYS = 365.25  # a year in days, on average
ADULT_AGE = 18  # care ends by this birthday

# -- the council's size -------------------------------------------------------------------
MAX_CHILDREN = 200_000
YEARS_SMALL, YEARS_LARGE, LARGE_COUNCIL = 1.0, 2.0, 2000  # history kept for a council of that size
CHILDREN_PER_TEAM = 95
LOCALITIES_FIRST, TEAMS_PER_EXTRA_LOCALITY = 8, 8
CHILDREN_PER_HEAD_OF_SERVICE, MIN_HEADS_OF_SERVICE = 2500, 2
DUTY_OFFICERS_MIN, DUTY_OFFICERS_MAX, CHILDREN_PER_DUTY_OFFICER = 4, 30, 120
CHILDREN_PER_SOCIAL_WORKER = 17
RHI_WORKERS_MIN, CHILDREN_PER_RHI_WORKER = 3, 200
POLICE_OFFICERS_MIN, CHILDREN_PER_POLICE_OFFICER = 6, 60
POLICE_NUMBER_RANGE = (1000, 9999)  # an officer's collar number
HOMES_MIN, CHILDREN_PER_HOME = 4, 40
SUPPORTED_MIN, CHILDREN_PER_SUPPORTED = 2, 150
PHONE_START = 1000  # the first demo phone number is drawn below this
PHONE_STEP_MAX = 37  # numbers are handed out in rising steps of 1..this
HOUSE_NUMBER_MAX = 180

# -- children ---------------------------------------------------------------------------------
CHILD_ID_RANGE = (100_000, 1_000_000)
LEFT_CARE_SHARE = 0.08  # of the register, children whose care ended during the history
BOY_SHARE = 0.55
# Age (0..17) of a child in care now, as weights: skewed to teenagers.
AGE_WEIGHTS = (4, 3, 3, 3, 3, 3.2, 3.2, 3.2, 3.2, 3.2, 5.5, 5.5, 5.5, 7.5, 7.5, 7.5, 13, 13)
LOCALITY_WEIGHT_RANGE = (0.7, 1.3)
LEFT_AT_18_CHANCE = 0.35
LEAVING_AGE_WEIGHTS = {"0": 6, "3": 6, "6": 6, "9": 6, "12": 8, "14": 10, "15": 10}  # + 0..2 years
LEAVING_AGE_SPREAD = 2
MIN_DAYS_IN_CARE_BEFORE_LEAVING = 90
LEFT_CARE_MARGIN_DAYS = (7, 9)  # leaving dates start this many days after the history starts / before today
NEWBORN_MIN_AGE_DAYS = 3
PREFERRED_CHANCE_OTHER_SCRIPT, PREFERRED_CHANCE_LATIN = 0.55, 0.3
UASC_ETHNICITIES, UASC_MIN_AGE, UASC_CHANCE = ("OOTH", "AOTH", "BAFR"), 15, 0.4
CIN_WEIGHTS = {"N1": 60, "N2": 4, "N3": 4, "N4": 8, "N5": 12, "N6": 3, "N7": 1, "N8": 8}
SCHOOL_AGE = 5
UPN_UNKNOWN_CHANCE, UPN_UNKNOWN_CODES = 0.02, ("UN3", "UN4", "UN5")
UPN_PRIMARY_ESTAB, UPN_SECONDARY_ESTAB, SECONDARY_AGE = (2000, 2999), (4000, 4999), 11
MOTHER_MIN_AGE, MOTHER_CHANCE, MOTHER_EARLIEST_AGE = 15, 0.03, 14
# Who goes missing: (youngest, oldest, chance of any pattern, the pattern's weights).
MISSING_CLASS_BY_AGE = (
    (13, 17, 0.115, {"occasional": 55, "regular": 27, "frequent": 18}),
    (10, 12, 0.035, {"occasional": 80, "regular": 20}),
)
AWAY_SHARES, AWAY_SHARE_WEIGHTS = (0.08, 0.25, 0.55), (50, 30, 20)  # a child's share of 'away' episodes

# -- placements ---------------------------------------------------------------------------------
HOME_PROVIDER_WEIGHTS = {"PR4": 70, "PR1": 20, "PR5": 10}
HOME_AWAY_CHANCE = 0.35  # an independent or voluntary home lies in a neighbour's area
HOME_URN_RANGE = (100_000, 999_999)
SUPPORTED_PROVIDER_WEIGHTS = {"PR4": 60, "PR5": 30, "PR1": 10}
SUPPORTED_URN_RANGE = (2_500_000, 2_599_999)
SCHOOL_PROVIDER_WEIGHTS = {"PR4": 60, "PR5": 40}
SCHOOL_URN_RANGE = (100_000, 149_999)
CARE_HOME_PROVIDER_WEIGHTS = {"PR4": 50, "PR3": 50}
ADOPTION_PROVIDER_WEIGHTS = {"PR1": 70, "PR5": 20, "PR2": 10}
PLACE_WEIGHTS_UASC = {"K3": 55, "U4": 20, "U6": 15, "K2": 10}
DISABLED_MIN_AGE, DISABLED_SPECIAL_CHANCE = 5, 0.5  # CIN N2: a care home or residential school
PLACE_WEIGHTS_DISABLED = {"R1": 40, "S1": 30, "K2": 30}
# (under this age, placement weights)
PLACE_WEIGHTS_BY_AGE = (
    (5, {"U4": 30, "U6": 35, "U5": 5, "U1": 6, "U2": 2, "U3": 12, "P1": 6}),
    (13, {"U4": 38, "U6": 25, "U1": 8, "U3": 10, "K2": 8, "P1": 5, "S1": 2}),
    (16, {"U4": 28, "U6": 20, "U3": 6, "U1": 4, "K2": 28, "P1": 5, "S1": 3, "R1": 1}),
    (99, {"U4": 20, "U6": 12, "U3": 4, "K2": 25, "K3": 30, "P1": 4, "S1": 2}),
)
RESIDENTIAL_BOOST = {"frequent": 2.5, "regular": 1.5}  # children who go missing often, 12 and over
RESIDENTIAL_BOOST_MIN_AGE = 12
SAME_PLACE_AGAIN = 0.5  # weight kept for the type of placement the child is leaving
KINSHIP_SAME_SURNAME_CHANCE = 0.6
FOSTER_COUNCIL_CHANCE = 0.6  # else an independent fostering agency
FOSTER_AWAY_CHANCE = 0.25  # an agency's carers in a neighbour's area
MOVE_RETRIES = 5  # draws for a placement different from the one left (rule 435)

# -- periods of care --------------------------------------------------------------------------
LEFT_CARE_DAYS_IN = (40, 365 * 4)
ENTRANT_CHANCE, ENTRANT_DAYS_IN = 0.3, (14, 330)  # a third of the register came in this year
SETTLED_MEAN_EXTRA_DAYS, SETTLED_MIN_DAYS = 3.5 * 365, 300
RECENT_ENTRY_DAYS = 300  # a child who came in this recently has a first legal status of a new entrant
LS_WEIGHTS_RECENT = {"C1": 45, "V2": 45, "C2": 8}
LS_J1_WEIGHT, LS_J1_MIN_AGE = 2, 12
LS_WEIGHTS_YOUNG, LS_YOUNG_MAX_AGE = {"C2": 80, "E1": 8, "V2": 12}, 6
LS_WEIGHTS_OLDER = {"C2": 68, "V2": 28, "C1": 4}
MOVES_PER_YEAR, TEEN_EXTRA_MOVES, TEEN_AGE = 0.25, 0.25, 13
MOVES_EXTRA_BY_CLASS = {"frequent": 0.9, "regular": 0.35}
MOVES_MAX, MOVES_HISTORY_DAYS = 7, 6 * 365
RNE_WEIGHTS = {"P": 70, "T": 8, "B": 8, "U": 4, "L": 10}
ADOPTED_BY_FOSTER_CARERS_CHANCE = 0.4
TEMPORARY_PLACEMENT_CHANCE, TEMPORARY_PLACEMENT_MAX_DAYS = 0.15, 30
REASON_PLACE_CHANGE_WEIGHTS = {
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
CUSTODY_MIN_AGE = 10  # rule 234
# Reason care ended, by age when it ended: (under this age, weights); 18 and over below.
REC_WEIGHTS_ADULT = {"E5": 35, "E6": 8, "E17": 30, "E7": 4, "E8": 23}
REC_WEIGHTS_BY_AGE = (
    (1, {"E4A": 50, "E13": 25, "E47": 25}),
    (7, {"E11": 25, "E12": 5, "E45": 10, "E46": 10, "E47": 10, "E4A": 25, "E41": 10, "E13": 5}),
)
REC_WEIGHTS_CHILD = {"E4A": 35, "E4B": 15, "E13": 15, "E41": 5, "E47": 8, "E8": 7, "E3": 5, "E16": 3}
REC_CUSTODY_WEIGHT, REC_CUSTODY_MIN_AGE = 5, 12  # E9: sentenced to custody
ADOPTION_RECS = ("E11", "E12")

# -- missing episodes -----------------------------------------------------------------------------
FREQUENT_MISSERS_SHARE, FREQUENT_MISSERS_MIN = 0.005, 2
# Children out right now / returned with an interview due / overdue: share of the register, least.
SCENARIO_SHARES = {"out": (0.012, 4), "due": (0.005, 2), "overdue": (0.0025, 2)}
SCENARIO_WEIGHT = {"frequent": 10.0, "regular": 6.0, "occasional": 3.0, "none": 0.15}
SCENARIO_MIN_AGE, SCENARIO_FALLBACK_AGE, SCENARIO_MIN_DAYS_IN_CARE = 11, 8, 14
YEARLY_EPISODES = {"occasional": (1, 3), "regular": (4, 9), "frequent": (10, 36)}
FIRST_MISSING_AGE = 10
HISTORY_GAP_BEFORE_NOW_DAYS, HISTORY_GAP_BEFORE_SCENARIO_HOURS = 4, 6
MIN_HISTORY_WINDOW_DAYS = 3
LONG_EPISODE_CHANCE, LONG_EPISODE_DAYS = 0.008, (7, 12)
MEDIAN_HOURS = {"M": 8.0, "A": 5.5}
DURATION_SPREAD = 0.95  # log-normal sigma
DURATION_HOURS_MIN, DURATION_HOURS_MAX = 0.5, 6 * 24
FALLBACK_EPISODE_MAX_HOURS = 20
FALLBACK_START_SHARE = 0.7
# Frequent missers go in bursts: this share of their gaps are short (mean in days).
BURST_SHARE, BURST_GAP_DAYS = 0.35, 1.5
GAP_AFTER_RETURN_HOURS = 2
GAP_SLACK_DAYS = 0.4
# When episodes start, by hour of the day (0..23): evenings and nights.
START_HOUR_WEIGHTS = (3, 2, 1, 1, 0.5, 0.5, 0.5, 1, 2, 3, 3, 3, 3, 3, 4, 6, 7, 7, 7, 7, 8, 8, 7, 5)
MINUTE_STEP = 5
DUE_RETURNED_HOURS_AGO = (2, 66)  # returned, interview not yet due
OVERDUE_RETURNED_HOURS_AGO = (76, 24 * 9)  # returned, interview overdue
SCENARIO_EPISODE_MAX_HOURS = 40
AWAY_NOW_SHARE = 0.3
AWAY_NOW_RISKS = ("low", "low", "none", "medium")
AWAY_NOW_HOURS, AWAY_NOW_REF_CHANCE = (3, 30), 0.5
HIGH_RISK_NOW_HOURS = (26, 60)  # the first missing child: high risk, over a day
NO_REF_NOW_MINUTES = (35, 55)  # the second: no police reference yet, nearing the hour
MISSING_NOW_RISK_WEIGHTS = {"medium": 45, "low": 30, "high": 15, "none": 10}
MISSING_NOW_HOURS = ((2, 12), (12, 30), (2, 8), (30, 80), (5, 20), (96, 192))

# -- an episode's record ----------------------------------------------------------------------
OWNER_WORKER_CHANCE_OUT_OF_HOURS = 0.5  # else a duty officer owns a report made out of hours
RISK_WEIGHTS: dict[str, dict[str, float]] = {
    "M": {"none": 4, "low": 44, "medium": 42, "high": 10},
    "A": {"none": 15, "low": 57, "medium": 24, "high": 4},
}
HIGH_RISK_BOOST = 1.6  # frequent missers and flagged children
POLICE_REF_CHANCE = {"M": 0.92, "A": 0.35}
REPORTED_AFTER_MINUTES, REPORTED_MAX_SHARE = (10, 150), 0.6
POLICE_AFTER_MINUTES, POLICE_MAX_SHARE = (15, 180), 0.7
POLICE_LOG_START, POLICE_LOG_STEP = (1200, 4800), (3, 90)
RECORDED_AFTER_MINUTES = (0, 25)
REGRADED_CHANCE, REGRADED_MIN_HOURS, REGRADED_AT_SHARE = 0.12, 2, (0.2, 0.7)
HIGH_NOW_WAS_MEDIUM_CHANCE, HIGH_NOW_REGRADED_AT_SHARE = 0.7, 0.4
UPDATES_FROM_HOURS, SEVERAL_UPDATES_FROM_HOURS, SEVERAL_UPDATES = 4, 18, (2, 4)
UPDATE_AT_SHARE, SIGHTING_CHANCE = (0.15, 0.95), 0.35
SAFE_WELL_CHANCE, SAFE_WELL_AFTER_HOURS, SAFE_WELL_BY_POLICE_CHANCE = 0.9, (0.5, 10), 0.6

# -- return-home interviews ----------------------------------------------------------------------
RHI_NOT_OFFERED_CHANCE, RHI_LATE_CHANCE = 0.06, 0.07  # compliance gaps, in the history only
RHI_LATE_HOURS = (75, 130)
RHI_OFFER_BASE_HOURS, RHI_OFFER_MEAN_EXTRA_HOURS, RHI_OFFER_MAX_HOURS = 4, 18, 60.0
RHI_WINDOW_HOURS = 72
RHI_COVERS_TWO_CHANCE = 0.5
RHI_ACCEPT_CHANCE, RHI_ANSWER_HOURS, RHI_DECLINE_HOURS = 0.65, (0, 30), (0, 48)
RHI_COMPLETE_HOURS = (20, 24 * 5)

# -- risk flags and Philomena profiles ------------------------------------------------------------
FLAG_MIN_AGE, FLAG_TEEN_AGE = 12, 13
FLAG_CHANCE = {"frequent": 0.9, "regular": 0.5, "occasional": 0.22}
FLAG_CHANCE_TEEN, FLAG_CHANCE_YOUNGER = 0.10, 0.02
FLAG_WEIGHTS_UASC = {"trafficking_nrm": 40, "mental_health": 30, "cce": 20, "county_lines": 10}
FLAG_WEIGHTS_GIRL = {
    "cse": 35,
    "mental_health": 30,
    "cce": 10,
    "county_lines": 8,
    "gangs": 5,
    "knife_crime": 4,
    "trafficking_nrm": 5,
}
FLAG_WEIGHTS_BOY = {
    "cce": 30,
    "county_lines": 25,
    "gangs": 18,
    "knife_crime": 18,
    "mental_health": 15,
    "cse": 5,
    "trafficking_nrm": 6,
}
SECOND_FLAG_CHANCE, SECOND_FLAG_CHANCE_FREQUENT, THIRD_FLAG_CHANCE = 0.3, 0.6, 0.15
FLAG_EARLIEST_AGE, FLAG_BEFORE_CARE_DAYS, FLAG_HISTORY_DAYS = 11, 200, 3 * 365
FLAG_ENDED_CHANCE, FLAG_ENDED_MIN_DAYS, FLAG_MIN_DAYS = 0.12, 60, 30
FLAG_SET_HOURS = (9, 16)
PROFILE_GAP_CHANCE = 0.03  # a missing child with no profile: a gap the alert engine points out
PROFILE_MIN_AGE, PROFILE_CHANCE = 13, 0.85
PROFILE_AGE_DAYS, PROFILE_BEFORE_EPISODE_DAYS = (3, 150), (1, 120)
PROFILE_PHONE_CHANCE = 0.85
PROFILE_HISTORY_DAYS = 365  # "episodes in the 12 months before this update"
HEIGHT_CM_BY_AGE = {13: 156, 14: 162, 15: 167, 16: 170, 17: 172}
HEIGHT_CM_YOUNGER, HEIGHT_BOY_CM, HEIGHT_GIRL_CM, HEIGHT_SPREAD_CM = 150, 4, -3, 6
ASSOCIATES_LISTED, PLACES_LISTED, SITES_LISTED = (1, 3), (2, 4), (1, 3)
NO_SOCIAL_MEDIA_CHANCE, HANDLE_NUMBER = 0.15, (1, 99)
