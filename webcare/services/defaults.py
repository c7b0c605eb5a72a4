"""The defaults of DOMAIN.md as data: departments, categories, SLA policy and calendar."""

from __future__ import annotations

# code, name, flags
DEPARTMENTS = [
    ("KCC", "Webcare / Klantcontactcentrum", {"is_front_office": True}),
    ("OW", "Openbare Werken", {}),
    ("VER", "Verkeer", {}),
    ("GRN", "Groen en Water", {}),
    ("AFV", "Afval en Reiniging", {}),
    ("RIO", "Riolering", {}),
    ("OVL", "Openbare Verlichting", {}),
    ("HH", "Handhaving en Toezicht", {}),
    ("VTH", "Vergunningen, Toezicht en Handhaving", {}),
    ("DIER", "Dieren", {}),
    ("VB", "Veiligheid en Weerbaar Bestuur", {"is_safety_team": True}),
    ("EXT", "Externe partijen", {"forward_only": True}),
]

WD, CD = "working_days", "calendar_days"

# main code, main name, [(sub code, sub name, department, target, unit)], or a main that is itself assignable
CATEGORIES = [
    ("afval", "Afval", [
        ("zwerfvuil", "Zwerfvuil", "AFV", 3, WD),
        ("container-vol", "Container vol", "AFV", 3, WD),
        ("container-kapot", "Container kapot", "AFV", 3, WD),
        ("prullenbak", "Prullenbak", "AFV", 3, WD),
        ("grofvuil-dumping", "Grofvuil / dumping", "AFV", 3, WD),
        ("overig", "Overig afval", "AFV", 3, WD),
    ]),
    ("wegen", "Wegen, verkeer en straatmeubilair", [
        ("straat-stoep-fietspad", "Straat, stoep of fietspad", "OW", 3, WD),
        ("verkeersbord-afzetting", "Verkeersbord of afzetting", "VER", 3, WD),
        ("gladheid", "Gladheid", "OW", 3, WD),
        ("straatmeubilair", "Straatmeubilair", "OW", 5, WD),
        ("speelvoorziening", "Speelvoorziening", "OW", 5, WD),
        ("verkeerslicht", "Verkeerslicht", "VER", 5, WD),
        ("verkeerssituatie", "Verkeerssituatie", "VER", 5, WD),
        ("belijning-omleiding", "Belijning of omleiding", "VER", 21, CD),
        ("brug", "Brug", "OW", 21, CD),
        ("straatverlichting", "Straatverlichting / lantaarnpaal", "OVL", 21, WD),
    ]),
    ("groen", "Openbaar groen en water", [
        ("boom", "Boom", "GRN", 5, WD),
        ("maaien-snoeien", "Maaien en snoeien", "GRN", 5, WD),
        ("onkruid", "Onkruid", "GRN", 5, WD),
        ("drijfvuil-oever", "Drijfvuil en oevers", "GRN", 5, WD),
    ]),
    ("riolering", "Riolering", [
        ("put-kolk-verstopt", "Put of kolk verstopt", "RIO", 5, WD),
        ("wateroverlast", "Wateroverlast", "RIO", 5, WD),
        ("rioollucht", "Rioollucht", "RIO", 5, WD),
    ]),
    ("overlast-openbare-ruimte", "Overlast in de openbare ruimte", [
        ("parkeeroverlast", "Parkeeroverlast", "HH", 3, WD),
        ("wrak", "Fiets- of autowrak", "HH", 21, CD),
        ("graffiti", "Graffiti", "OW", 5, WD),
        ("hondenpoep", "Hondenpoep", "HH", 21, CD),
        ("bouw-sloopoverlast", "Bouw- of sloopoverlast", "VTH", 21, CD),
    ]),
    ("overlast-dieren", "Overlast van dieren", [
        ("ratten-plaagdieren", "Ratten en plaagdieren", "DIER", 5, WD),
        ("wespen", "Wespen", "DIER", 5, WD),
        ("eikenprocessierups", "Eikenprocessierups", "DIER", 5, WD),
        ("dode-dieren", "Dode dieren", "DIER", 3, WD),
    ]),
    ("overlast-bedrijven-horeca", "Overlast bedrijven en horeca", [
        ("geluid", "Geluid", "VTH", 5, WD),
        ("stank", "Stank", "VTH", 5, WD),
        ("terrassen", "Terrassen", "VTH", 5, WD),
    ]),
    ("overlast-personen", "Overlast van personen", "HH", 3, WD),
    ("vragen-overig", "Vragen en overig", "KCC", 5, WD),
    ("bedreiging", "Bedreiging en intimidatie", "VB", 1, WD),
]

THREAT_CATEGORY = "bedreiging"
FALLBACK_CATEGORY = "vragen-overig"
FALLBACK_DEPARTMENT = "KCC"
DEFAULT_CALENDAR = "standaard"
DEFAULT_POLICY = "Standaard"

DEFAULT_PROMISE = ("Dank voor uw bericht. We hebben het doorgegeven aan {afdeling}. "
                   "U hoort uiterlijk {termijn} van ons.")


class _PromiseFields(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill_promise(template: str, *, afdeling: str, categorie: str, termijn: str) -> str:
    """A promise text with its fields filled in; an unknown {field} stays as it is written."""
    return template.format_map(_PromiseFields(afdeling=afdeling, categorie=categorie, termijn=termijn))

# Canned responses (title, category code or None for every category, text). Formal "u" towards citizens;
# {naam}, {afdeling} and {termijn} are filled in from the ticket in the composer.
CANNED_RESPONSES = [
    ("Ontvangstbevestiging", None,
     "Beste {naam}, dank voor uw bericht. We zoeken het voor u uit en komen er zo snel mogelijk bij u op terug."),
    ("Doorgezet naar afdeling", None,
     "Beste {naam}, dank voor uw melding. We hebben deze doorgegeven aan {afdeling}. U hoort uiterlijk {termijn} "
     "van ons."),
    ("Liever via privébericht", None,
     "Beste {naam}, wilt u ons een privébericht sturen met uw adres of telefoonnummer? Deel deze gegevens "
     "liever niet openbaar. Dan helpen we u verder."),
    ("Afgehandeld", None,
     "Beste {naam}, uw melding is afgehandeld. Dank dat u ons hierop wees. Heeft u nog vragen? Laat het ons weten."),
    ("Niet voor de gemeente", None,
     "Beste {naam}, dank voor uw bericht. Dit valt helaas niet onder de gemeente. U kunt hiervoor het beste "
     "contact opnemen met de betreffende organisatie."),
    ("Melding openbare ruimte", "wegen",
     "Beste {naam}, vervelend dat u hier last van heeft. We hebben uw melding doorgegeven aan {afdeling}; zij "
     "pakken het uiterlijk {termijn} op."),
    ("Lantaarnpaal defect", "wegen.straatverlichting",
     "Beste {naam}, dank voor uw melding van de kapotte lantaarnpaal. {afdeling} gaat ermee aan de slag. U hoort "
     "uiterlijk {termijn} van ons."),
    ("Container vol", "afval.container-vol",
     "Beste {naam}, dank voor het doorgeven. We vragen {afdeling} om de container zo snel mogelijk te legen, "
     "uiterlijk {termijn}."),
    ("Zwerfvuil", "afval",
     "Beste {naam}, dank voor uw melding. {afdeling} komt het afval opruimen, uiterlijk {termijn}."),
    ("Boom of groen", "groen",
     "Beste {naam}, dank voor uw melding. Een medewerker van {afdeling} komt kijken, uiterlijk {termijn}."),
    ("Wateroverlast", "riolering",
     "Beste {naam}, vervelend dat u last heeft van water. We hebben {afdeling} gevraagd dit te bekijken; u hoort "
     "uiterlijk {termijn} van ons. Is er direct gevaar? Bel dan 112."),
    ("Overlast", "overlast-openbare-ruimte",
     "Beste {naam}, dank voor uw melding. We hebben deze doorgegeven aan {afdeling}. U hoort uiterlijk {termijn} "
     "wat er met uw melding gebeurt."),
    ("Dieren", "overlast-dieren",
     "Beste {naam}, dank voor uw melding. {afdeling} neemt deze in behandeling, uiterlijk {termijn}."),
    ("Bedreiging", "bedreiging",
     "Beste {naam}, we hebben uw bericht ontvangen en nemen het serieus. Voelt u zich direct bedreigd? Bel dan 112."),
]
