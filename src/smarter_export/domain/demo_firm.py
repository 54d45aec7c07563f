"""The vocabulary of the demo firms: names, places, roles, rates, tasks and hostile values.

Values only; `demo_data` decides how they combine. Phone numbers and e-mail domains are the
reserved fictional ones (555-01xx, 020 7946 0xxx, `.example`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal


@dataclass(frozen=True)
class FirmProfile:
    name: str
    subdomain: str
    timezone: str
    currency: str
    country: str
    tax_rate: Decimal  # VAT/GST on legal services; none in most US states
    rate_factor: Decimal  # hourly rates relative to the USD scale
    plan: str
    status: str


_PROFILES = (
    FirmProfile("Demo & Partners LLP", "demo", "America/New_York", "USD", "United States",
                Decimal(0), Decimal(1), "enterprise", "active"),
    FirmProfile("Whitfield Müller Rechtsanwälte PartG", "", "Europe/Berlin", "EUR", "Germany",
                Decimal("0.19"), Decimal("0.9"), "professional", "active"),
    FirmProfile("Okafor, Lindqvist & Hale LLP", "", "America/Chicago", "USD", "United States",
                Decimal(0), Decimal("0.85"), "standard", "trial"),
    FirmProfile("Hargreaves Ørsted Solicitors", "", "Europe/London", "GBP", "United Kingdom",
                Decimal("0.20"), Decimal("0.8"), "professional", "active"),
    FirmProfile("Nakamura O'Neill Lawyers", "", "Australia/Sydney", "AUD", "Australia",
                Decimal("0.10"), Decimal("1.4"), "standard", "inactive"),
    FirmProfile("Pacific Crest Legal Group", "", "America/Los_Angeles", "USD", "United States",
                Decimal(0), Decimal("1.1"), "standard", "active"),
)  # fmt: skip


def firm_profile(index: int) -> FirmProfile:
    """Tenant 0 is `demo`; the others are `firm-2`, `firm-3`..., cycling through the profiles."""
    base = _PROFILES[index % len(_PROFILES)]
    name = base.name if index < len(_PROFILES) else f"{base.name} ({index + 1})"
    subdomain = "demo" if index == 0 else f"firm-{index + 1}"
    return replace(base, name=name, subdomain=subdomain)


@dataclass(frozen=True)
class Role:
    name: str
    weight: int
    titles: tuple[str, ...]
    rate_range: tuple[int, int]  # USD per hour
    rate_step: int
    cost_share: tuple[float, float]  # cost rate as a share of the standard rate
    target_hours: int
    bar_years: tuple[int, int] | None  # lawyers only
    billable_share: float  # of their entries, the share that is billable


ROLES = {
    role.name: role
    for role in (
        Role("partner", 18, ("Partner", "Senior Partner", "Equity Partner"),
             (650, 1250), 25, (0.25, 0.40), 1800, (1984, 2012), 0.82),
        Role("associate", 34, ("Associate", "Senior Associate", "Junior Associate"),
             (300, 650), 25, (0.40, 0.55), 1800, (2012, 2024), 0.85),
        Role("of_counsel", 7, ("Of Counsel", "Senior Counsel"),
             (500, 900), 25, (0.35, 0.50), 1800, (1980, 2008), 0.80),
        Role("paralegal", 24, ("Paralegal", "Senior Paralegal", "Litigation Paralegal"),
             (150, 275), 5, (0.45, 0.60), 1500, None, 0.80),
        Role("staff", 17, ("Legal Secretary", "Docket Clerk", "Billing Specialist",
                           "Legal Assistant"), (75, 150), 5, (0.55, 0.70), 1200, None, 0.30),
    )
}  # fmt: skip
# The smallest firm still has every role, and two partners to lead its matters.
FIRST_ROLES = ("partner", "partner", "associate", "associate", "of_counsel", "paralegal",
               "paralegal", "staff")  # fmt: skip

FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "David", "Linda", "William",
    "Elizabeth", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Priya", "Wei",
    "Aisha", "Mateo", "Olivia", "Noah", "Emma", "Liam", "Sofia", "Ethan", "Chloé", "René",
    "Björn", "Ingrid", "Siobhán", "Seán", "Anaïs", "Dmitri", "Fatima", "Kwame", "Hiroshi",
    "Mei", "Rahul", "Ananya", "Carlos", "Lucía", "Grace", "Samuel", "Hannah", "Omar", "Leila",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernández", "Lopez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Lee",
    "O'Brien", "McAllister", "Nguyễn", "Kowalski", "Dvořák", "Schröder", "Gonçalves", "Søndergaard",
    "Patel", "Chen", "Kim", "Okafor", "Haddad", "Rossi", "Fischer", "Dubois", "Cohen", "Novak",
    "Andersson", "Van der Berg", "De la Cruz", "Whitfield", "Ashworth", "Pemberton", "Kaur",
)  # fmt: skip
# The first timekeepers and clients of every firm, so that small firms have them too.
NAMED_PEOPLE = (
    ("Zoë", "Müller"), ("José", "Núñez"), ("Łukasz", "Wiśniewski"), ("Ægir", "Ørsted"),
    ("太郎", "山田"), ("François", "Lefèvre"), ("Søren", "Kierkegård"), ("Renée", "O'Connor"),
)  # fmt: skip
_TRANSLITERATION = str.maketrans(
    {"ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ł": "l", "Ł": "L", "ß": "ss", "ð": "d", "'": ""}
)
_ROMAJI = {"太郎": "taro", "山田": "yamada"}


def ascii_slug(text: str) -> str:
    """A lower-case ASCII form of a name for e-mail addresses (Zoë Müller -> zoe.muller)."""
    text = _ROMAJI.get(text, text).translate(_TRANSLITERATION)
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum() or ch == " ").replace(" ", "-")


def person_name(first: str, last: str) -> str:
    """Family name first for CJK names, as they are written."""
    return f"{last}{first}" if last in _ROMAJI else f"{first} {last}"


COMPANY_WORDS = (
    "Northwind", "Bluewater", "Ironbridge", "Summit", "Harbor", "Keystone", "Redwood", "Meridian",
    "Cobalt", "Lakeshore", "Granite", "Silverline", "Evergreen", "Atlas", "Beacon", "Crescent",
    "Falcon", "Juniper", "Orchard", "Pioneer", "Quarry", "Sterling", "Tidewater", "Vantage",
)  # fmt: skip
COMPANY_TRADES = (
    "Logistics", "Capital", "Biotech", "Holdings", "Manufacturing", "Software", "Foods",
    "Construction", "Media", "Energy", "Realty", "Health", "Apparel", "Robotics", "Shipping",
)  # fmt: skip
COMPANY_SUFFIXES = {
    "United States": ("Inc.", "LLC", "Corp.", "LP", "Co."),
    "United Kingdom": ("Ltd", "PLC", "LLP"),
    "Germany": ("GmbH", "AG", "GmbH & Co. KG"),
    "Australia": ("Pty Ltd", "Ltd"),
}
GOVERNMENT_NAMES = (
    "City of {city}", "County of {city}", "{city} Transit Authority", "{city} School District",
    "{city} Port Authority", "{city} Housing Authority",
)  # fmt: skip
NONPROFIT_NAMES = (
    "{city} Food Bank", "Friends of the {city} Library", "{last} Family Foundation",
    "{city} Legal Aid Society", "{city} Youth Orchestra", "{city} Animal Rescue",
)  # fmt: skip
HOSTILE_CLIENT_NAME = '=HYPERLINK("http://x","y")'
HOSTILE_TIME_ENTRY_DESCRIPTION = 'Call re: "urgent" filing\nfollow-up'
HOSTILE_MATTER_DESCRIPTIONS = (
    "+1 claim for indemnity under the supply agreement",
    "-20% fee cap agreed with the client's general counsel",
    "@counsel: privileged strategy notes; do not circulate",
)

# (city, state, postcode pattern with # for digits, phone pattern); state None where unused.
PLACES = {
    "United States": (
        ("New York", "NY", "100##", "+1 212-555-01##"),
        ("Brooklyn", "NY", "112##", "+1 718-555-01##"),
        ("Boston", "MA", "021##", "+1 617-555-01##"),
        ("Chicago", "IL", "606##", "+1 312-555-01##"),
        ("Austin", "TX", "787##", "+1 512-555-01##"),
        ("Newark", "NJ", "071##", "+1 973-555-01##"),
        ("San Francisco", "CA", "941##", "+1 415-555-01##"),
        ("Miami", "FL", "331##", "+1 305-555-01##"),
    ),
    "United Kingdom": (
        ("London", None, "EC# #AB", "+44 20 7946 0###"),
        ("Manchester", None, "M# #QD", "+44 161 496 0###"),
        ("Leeds", None, "LS# #XY", "+44 113 496 0###"),
    ),
    "Germany": (
        ("Berlin", "Berlin", "10###", "+49 30 ########"),
        ("München", "Bayern", "80###", "+49 89 ########"),
        ("Köln", "Nordrhein-Westfalen", "50###", "+49 221 #######"),
    ),
    "Australia": (
        ("Sydney", "NSW", "2###", "+61 2 5550 ####"),
        ("Melbourne", "VIC", "3###", "+61 3 5550 ####"),
    ),
}
STREETS = (
    "Main Street", "Park Avenue", "High Street", "Elm Street", "Market Street", "Königstraße",
    "Church Road", "Harbour Parade", "Maple Avenue", "King Street",
)  # fmt: skip


@dataclass(frozen=True)
class PracticeArea:
    name: str
    weight: int
    description: str
    specialties: tuple[str, ...]
    task_families: tuple[str, ...]
    matter_names: tuple[str, ...]  # {client}, {other}, {year}, {city}
    billing_weights: tuple[int, int, int]  # hourly, fixed, contingency


PRACTICE_AREAS = (
    PracticeArea("Litigation", 25, "Commercial disputes before state and federal courts.",
                 ("Commercial litigation", "Appeals", "Class actions", "Arbitration"), ("L",),
                 ("{client} v. {other}", "{other} v. {client}", "{client} - breach of contract"),
                 (80, 5, 15)),
    PracticeArea("Corporate", 18, "Mergers, financings and company governance.",
                 ("Mergers & acquisitions", "Venture capital", "Securities", "Governance"), ("P",),
                 ("Acquisition of {other}", "{client} Series B financing",
                  "{client} - board advice"),
                 (75, 25, 0)),
    PracticeArea("Real Estate", 12, "Acquisitions, leasing and development of property.",
                 ("Commercial leasing", "Zoning & land use", "Construction"), ("P",),
                 ("Purchase of {city} warehouse", "{client} - office lease",
                  "{city} zoning appeal"),
                 (60, 40, 0)),
    PracticeArea("Intellectual Property", 10, "Patents, trademarks, copyright and trade secrets.",
                 ("Patent prosecution", "Trademarks", "Copyright", "Trade secrets"), ("P", "L"),
                 ("Trademark portfolio {year}", "{client} v. {other} (patent)",
                  "Licence to {other}"),
                 (70, 25, 5)),
    PracticeArea("Employment", 12, "Advice and disputes between employers and employees.",
                 ("Wrongful termination", "Wage & hour", "Immigration", "Non-competes"), ("L", "C"),
                 ("{client} - handbook review {year}", "{other} v. {client} (EEOC)",
                  "{client} - RIF advice"),
                 (75, 10, 15)),
    PracticeArea("Tax", 6, "Tax planning, audits and controversies.",
                 ("Tax controversy", "International tax", "Estate planning"), ("C",),
                 ("{client} - audit {year}", "{client} - restructuring tax advice"),
                 (70, 30, 0)),
    PracticeArea("Family", 9, "Divorce, custody, adoption and prenuptial agreements.",
                 ("Divorce", "Custody", "Adoption", "Prenuptial agreements"), ("L", "C"),
                 ("In re Marriage of {client}", "{client} - custody modification",
                  "{client} - adoption"),
                 (85, 15, 0)),
    PracticeArea("Bankruptcy", 8, "Restructurings, insolvency and creditors' rights.",
                 ("Chapter 11", "Creditors' rights", "Insolvency"), ("B",),
                 ("In re {other} (Chapter 11)", "{client} - claim in {other} bankruptcy"),
                 (85, 5, 10)),
)  # fmt: skip

# UTBMS codes with what a timekeeper writes; {contact} is the client's contact, {other} the
# other side. The A codes are activities used on every kind of matter.
TASKS = {
    "L": (
        ("L110", "Review client documents and prepare chronology of events"),
        ("L110", "Interview witness regarding timeline"),
        ("L120", "Analyze claims and defenses; strategy memo"),
        ("L130", "Conference with damages expert"),
        ("L160", "Prepare settlement proposal to {other}"),
        ("L210", "Draft complaint"), ("L210", "Revise answer and affirmative defenses"),
        ("L230", "Attend scheduling conference"), ("L240", "Draft motion for summary judgment"),
        ("L250", "Oppose motion to compel filed by {other}"),
        ("L310", "Draft interrogatories and requests for production"),
        ("L320", "Review {other} document production"), ("L330", "Take deposition of {other} CFO"),
        ("L330", "Prepare {contact} for deposition"), ("L440", "Prepare trial exhibits"),
    ),
    "P": (
        ("P100", "Update closing checklist"),
        ("P210", "Due diligence review of material contracts"),
        ("P240", "Review title commitment and survey"), ("P260", "Search and clearance report"),
        ("P300", "Structure transaction; tax and liability analysis"),
        ("P400", "Draft purchase agreement"), ("P500", "Revise agreement per {other} comments"),
        ("P500", "Negotiate indemnity caps with counsel for {other}"),
        ("P600", "Coordinate signing and closing"), ("P700", "Post-closing filings"),
    ),
    "C": (
        ("C100", "Gather facts from {contact}"), ("C200", "Research case law on enforceability"),
        ("C300", "Advise {contact} on options and risks"), ("C400", "Correspond with {other}"),
    ),
    "B": (
        ("B110", "Case administration; review docket"), ("B120", "Analyze preference claims"),
        ("B140", "Motion for relief from stay"), ("B150", "Attend 341 meeting of creditors"),
        ("B310", "Review and object to proofs of claim"),
        ("B320", "Review plan and disclosure statement"),
    ),
    "A": (
        ("A101", "Plan and prepare for hearing"), ("A102", "Research"),
        ("A103", "Draft correspondence to {contact}"), ("A104", "Review and analyze file"),
        ("A105", "Confer with team on next steps"), ("A106", "Telephone call with {contact}"),
        ("A106", "Email {contact} re: status"), ("A107", "Call with co-counsel"),
        ("A108", "Correspond with opposing counsel"), ("A109", "Attend meeting at {other}"),
        ("A110", "Organize and index file"),
    ),
}  # fmt: skip
# Durations in tenths of an hour (6-minute units), repeated by how often they occur.
DURATION_UNITS = (1,) * 10 + (2,) * 8 + (3,) * 10 + (4,) * 6 + (5,) * 10 + (6,) * 5 + (
    7, 8, 8, 9, 10, 10, 10, 10, 12, 12, 15, 15, 15, 18, 20, 20, 25, 30, 35, 40, 50, 60, 80,
)  # fmt: skip
EXPENSES = (
    ("Court filing fee", (Decimal("350.00"), Decimal("405.00"))),
    ("Courier", (Decimal("18.50"), Decimal("64.20"))),
    ("Deposition transcript", (Decimal("480.00"), Decimal("1890.75"))),
    ("Travel: airfare and hotel", (Decimal("412.30"), Decimal("1640.00"))),
    ("Expert witness retainer", (Decimal("2500.00"), Decimal("7500.00"))),
    ("E-discovery hosting", (Decimal("120.00"), Decimal("960.00"))),
)
# Each expense's UTBMS expense code.
EXPENSE_CODES = {
    "Court filing fee": "E112", "Courier": "E107", "Deposition transcript": "E115",
    "Travel: airfare and hotel": "E110", "Expert witness retainer": "E119",
    "E-discovery hosting": "E118", "Photocopies": "E101",
}  # fmt: skip
# A tax identifier's shape by country (# a digit): the firm's (LEDES's LAW_FIRM_ID) and a
# company client's.
TAX_ID_PATTERNS = {
    "United States": "##-#######", "Germany": "DE#########", "United Kingdom": "GB#########",
    "Australia": "## ### ### ###", "Canada": "#########RT0001", "France": "FR###########",
}  # fmt: skip
# The tax on legal services, by the firm's country, where there is one.
TAX_TYPES = {"Germany": "VAT", "United Kingdom": "VAT", "Australia": "GST"}
# Negotiated discounts on fees: most clients have none.
CLIENT_DISCOUNTS = (Decimal(0),) * 7 + (Decimal("0.05"), Decimal("0.10"), Decimal("0.15"))
PAYMENT_METHODS = (
    ("check",) * 6 + ("ach",) * 7 + ("wire",) * 3 + ("card",) * 3 + ("trust_transfer",)
)
