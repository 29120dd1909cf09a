"""The demo council's invented places and free text (plain data: no code, no randomness).

Streets, homes, providers and everything said about a child are invented. Text that speaks
of the child uses `{they}`, `{were}`, `{seems}` so that it matches the child's sex
(`Draw.pronouns`); other `{slots}` are filled with places drawn for the sentence.
"""

from __future__ import annotations

CITY = "Brackenport"
COUNCIL_NAME = "Brackenport City Council"
EMAIL_DOMAIN = "brackenport.example"
DUTY_TEAM = "Emergency Duty Team (out of hours)"
TEAM_NAME = "{locality} Children in Care"
LA_NUMBER = "998"  # not a real local authority number (used inside UPNs)
RHI_SERVICE = "Safe Return Service"
# The police liaison and the auditor: fixed invented people (role, username prefix, name).
PARTNERS = (("police_liaison", "pol", "Casey Partnerwell"), ("auditor", "ig", "Jordan Auditwright"))

DISTRICTS = [
    d.replace("~", " ")
    for d in (
        "Northfield Southbank Eastgate Westholme Riverside Fernhill Millbrook Oakleigh Saltmarsh Ashcombe "
        "Hollin~Park Kestrel~Heath Wyvern~Hill Larkspur Copperfield Quarry~Bank Elmstead Gorsebrook "
        "Linden~Vale Pennyfield Ravensholt Stonecross Tanners~Green Wharfside Underhill Beacon~Rise "
        "Cinder~Lane Marram~Dunes"
    ).split()
]
AWAY_TOWNS = ["Harrowmere", "Cold Ashby Vale", "Dunsford Magna", "Port Kellan", "Ebbwick", "Fallowfield Cross"]
STREETS = (
    "Alder Larch Rowan Hawthorn Sycamore Chestnut Linnet Kingfisher Heron Marlpit Tannery Cooper "
    "Foundry Weaver Bobbin Canal Quayside Orchard Beacon Priory Mill Spindle Lantern Barley"
).split()
STREET_KINDS = ["Road", "Street", "Avenue", "Close", "Grove", "Way", "Lane", "Crescent", "Drive"]
HOME_NAMES = (
    "Willow House|Harbour Lights|The Beeches|Rowan Lodge|Kestrel View|Meadowbank House|Lark Rise|"
    "Cedar Court|Ferncliffe|Brook House|The Hollies|Moorland View|Ashgrove|Elderberry House|"
    "Sandpiper Lodge|Thornfield|Maple Cottage|Ivy Bank|Juniper House|Foxglove Lodge"
).split("|")
PROVIDERS_PRIVATE = [
    "Northstar Residential Care",
    "Evergreen Futures",
    "Beacon Pathways",
    "Harbourside Children's Services",
    "Compass Rose Care",
]
PROVIDERS_VOLUNTARY = ["St Brigid's Children's Trust", "Brackenport Youth Foundation", "Lanterns Charity"]
# Ofsted URNs of the fostering and adoption services the demo places through (invented numbers).
SERVICE_URN = {
    "Brackenport Fostering": "SC048211",
    "Horizon Fostering Partners": "SC392114",
    "Kinfolk Fostering": "SC417730",
    "Bright Steps Fostering": "SC385566",
    "kinship": "SC048211",
    "adoption": "SC064418",
}
COUNCIL_FOSTERING = "Brackenport Fostering"
AGENCIES = ["Horizon Fostering Partners", "Kinfolk Fostering", "Bright Steps Fostering"]
SUPPORTED_NAMES = ["Lantern", "Anchor", "Keystone", "Harbour", "Compass"]
SCHOOLS = ("Oakridge", "Heathervale")
CARE_HOMES = ("Cedar View", "Bluebell Lodge")
KIN = [
    "maternal grandmother",
    "paternal grandmother",
    "aunt",
    "uncle",
    "family friend",
    "older sibling",
    "grandparents",
]
# Who reports a child missing, by placement type (anyone else: the foster carer).
REPORTER = {
    "K2": "residential staff",
    "K3": "supported accommodation staff",
    "P1": "parent",
    "S1": "school care staff",
    "R1": "care home staff",
    "U1": "kinship carer",
    "U2": "kinship carer",
    "U3": "kinship carer",
}
REPORTER_OTHER = "foster carer"

# -- risk flags and Philomena profiles ---------------------------------------------------------
FLAG_NOTES = {
    "cse": "Discussed at MACE panel; safety plan in place.",
    "cce": "Found with unexplained cash and a second phone; CCE screening completed.",
    "county_lines": "Police intelligence: linked to a line running to a coastal town.",
    "gangs": "Associates with a local group known to police; youth worker involved.",
    "knife_crime": "Found carrying a bladed article; referred to the violence reduction team.",
    "trafficking_nrm": "NRM referral made; positive reasonable-grounds decision.",
    "mental_health": "Open to CAMHS; self-harm risk assessment on file.",
}
PREVIOUS_HISTORY = "Previous missing history: {n} episode(s) in the 12 months before this update. "
OTHER_INFO = [
    "Responds well to calm, direct questions.",
    "Likes football; often at the cage pitch near home.",
    "May give a false name to police.",
    "Anxious around uniformed officers; explain who you are.",
    "Keeps in touch with an older sister by phone.",
    "Usually returns once phone battery runs out.",
]
HAIR = [
    "short black curly hair",
    "long dark brown hair, usually tied back",
    "short brown hair with shaved sides",
    "shoulder-length blonde hair",
    "black braids",
    "dyed red hair",
    "cropped fair hair",
    "black hair in a bun",
]
EYES = ["brown", "brown", "dark brown", "blue", "green", "hazel"]
BUILD = ["slim", "slight", "medium", "stocky", "tall and thin", "athletic"]
MARKS = [
    "scar above the left eyebrow",
    "pierced nose (small stud)",
    "tattoo of a star on the right wrist",
    "birthmark on the neck",
    "wears glasses",
    "braces on teeth",
    "no distinguishing marks",
    "burn scar on the back of the left hand",
]
DESCRIPTION = "{cm} cm ({feet}'{inches}\"), {build} build, {hair}, {eyes} eyes; {marks}.{speech}"
SPEAKS = " Speaks {language} and English."
LOCAL_ACCENT = " Local accent."
NICKNAMES = ["Smokey", "Tiny", "Dee", "Kash", "Jojo", "Red"]
ASSOCIATES = [
    "{first1} {last1} (friend from school)",
    "'{nickname}' — older male, about 19, drives a grey hatchback",
    "{first2} (boyfriend/girlfriend, about 17)",
    "{first3} {last3} (cousin, lives in {district})",
]
PLACES_LIKELY = [
    "{home_district} shopping precinct",
    "Central bus station",
    "{district} Rec",
    "mother's address ({postcode})",
    "Riverside retail park",
    "friend's house on {street}",
    "{town} (has family there)",
    "McKellan's chicken shop, High Street",
]
HANDLE_ENDINGS = ["x", "xo", "zz", "bk"]
SITES = ["Snapchat", "Instagram", "TikTok", "WhatsApp (same number)"]
MEDICAL = {  # what a profile says, and how often
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

# -- a missing episode's record --------------------------------------------------------------------
COLOURS = ["black", "grey", "navy", "white", "red", "khaki", "pink", "burgundy"]
TOPS = ["puffer jacket", "hoodie", "tracksuit top", "school blazer", "denim jacket"]
BOTTOMS = ["joggers", "jeans", "leggings", "school trousers", "shorts"]
SHOES = ["white trainers", "black trainers", "sliders", "school shoes", "boots"]
EXTRAS = ["", "", ", black cross-body bag", ", rucksack", ", baseball cap"]
WEARING = "{colour1} {top}, {colour2} {bottoms}, {shoes}{extra}"
AWAY_WHERE = [
    "at mother's address in {district} (not authorised)",
    "at boyfriend's flat on {street}",
    "staying at a friend's house; carer has the address",
    "with older sister in {town}",
    "at grandmother's; refusing to come back",
]
AWAY_CIRCUMSTANCES = [
    "Did not come back by the agreed time; told carer by text where {they} {were}.",
    "Staying at family address against the care plan; carer has spoken to the adult there.",
    "Went to see family after contact was cancelled; whereabouts confirmed by phone.",
    "Refusing to return tonight; location known and checked by police.",
]
MISSING_WHERE = [
    "leaving placement on foot towards {street}",
    "Central bus station",
    "{home_district} shopping precinct",
    "outside {school_district} Academy after school",
    "getting into a grey hatchback on {street}",
    "at the 22:00 bedroom check",
    "walking towards the railway station",
    "in the park at {park_district} Rec",
]
MISSING_CIRCUMSTANCES = [
    "Did not return from school.",
    "Left after an argument with staff about phone use.",
    "Went to the shop and did not return by the agreed 21:00.",
    "Missed curfew; phone switched off.",
    "Climbed out of the bedroom window overnight.",
    "Said {they} {were} going to a friend's and stopped answering calls.",
    "Believed to be with older associates; CCE concerns.",
    "Upset after a phone call with a parent; left without a coat.",
]
LAST_SEEN_WITH = [
    None,
    "alone",
    "two older males, not known to carers",
    "a friend from school",
    "a group of 4–5 teenagers",
    "boyfriend (about 19)",
    "unknown adult in a car",
]
REGRADED = "Police have reviewed the grading after new information."
UPDATES = [
    "Carer rang mobile — straight to voicemail. Message left.",
    "Police have checked known addresses; not found.",
    "Snapchat map shows {district}; passed to police.",
    "Friend's parent says they left about 22:00.",
    "Mother contacted; has not seen them today.",
    "Manager informed; strategy discussion being considered.",
    "EDT checked in with placement: no news.",
]
SIGHTING_HOURS, SIGHTING_MINUTES = (18, 23), ["05", "20", "40", "55"]
SIGHTINGS = [
    "Seen by staff at the bus station in {district} around {hour}:{minute}.",
    "Seen by a school friend in {park_district} park.",
    "Police patrol saw them near {street}; they ran off.",
    "Taxi driver reported dropping them at the retail park.",
]
AWAY_RETURNS = ["Returned from mother's address", "Brought back from friend's house", "Returned from family address"]
AWAY_RETURN_METHODS = ["Collected by carer", "Brought back by family member", "Taxi arranged by placement"]
OWN_ACCORD = "own accord"  # a return of the child's own accord: the method says so too
FOUND = [
    "Returned to placement of own accord",
    "Returned to placement of own accord",
    "Found by police at {district} bus station",
    "Located at a friend's address in {friend_district}",
    "Presented at {police_district} police station",
    "Found by police in a car stopped on the ring road",
    "Collected from A&E at Brackenport General Infirmary",
    "Found in {town} by another police force",
]
OWN_ACCORD_METHOD = "Returned of own accord"
RETURN_METHODS = ["Returned by police", "Collected by carer", "Collected by EDT worker", "Taxi arranged by placement"]
SAFE_AND_WELL = [
    "No injuries. Said {they} had been at a friend's; would not say more.",
    "Tired and hungry, no injuries. Had a new phone and cash — shared with police.",
    "Smelt of cannabis; no injuries seen. Went to bed.",
    "Well. Apologised to carer and agreed a curfew plan.",
    "Minor graze to hand from a fall; first aid given.",
    "Would not engage with the officer; carer reports {they} {seems} fine.",
]
RHI_OUTCOMES = [
    "Said they went to a friend's in town; no harm disclosed. Curfew plan agreed with carer.",
    "Wanted to see mum after contact was cancelled. Contact plan to be reviewed at the next LAC review.",
    "Disclosed being given a phone and cash by older males. CCE referral made; shared with police.",
    "Would not say where they had been. Worker to try again with a familiar adult present.",
    "Argument with another young person in the home; mediation offered.",
    "Felt unsafe at placement after a new admission. Placement meeting booked.",
    "Talked about feeling low; CAMHS duty contacted the same day.",
    "Went to a party in another town; drank alcohol. Safety plan updated with the young person.",
]
# Pronouns for text about a child, by SSDA903 sex code (anything else: they).
PRONOUNS = {
    "F": {"they": "she", "were": "was", "seems": "seems"},
    "M": {"they": "he", "were": "was", "seems": "seems"},
}
PRONOUNS_OTHER = {"they": "they", "were": "were", "seems": "seem"}
