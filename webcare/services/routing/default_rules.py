"""The default Dutch rule set (seeded by `webcare seed-defaults`), in evaluation order.

Order matters (first match wins): threats first; then danger and safety rules that only raise the
priority and add a label ("continue"); compliments and service questions that webcare answers itself;
then the categories, specific before generic (a dead animal before a tree, a traffic light before a
lamp, rats before waste). Unmatched messages stay with KCC ("Vragen en overig"). Each category rule
asks for the automatic acknowledgement. Keywords cover synonyms, compounds (`*lamp`, `container*`),
common misspellings (lantarenpaal, prullebak, kontainer) and English for expats.
"""

from __future__ import annotations

from webcare.services import defaults
from webcare.services.routing import default_lexicon as lex
from webcare.services.routing import default_vocab as v
from webcare.services.routing.default_rules_categories import CATEGORY_RULES
from webcare.services.routing.default_threats import threat_condition
from webcare.services.routing.default_words import ALL, ANY, NONE, W
from webcare.services.routing.engine import Catalog, CategoryInfo, DepartmentInfo


def _rule(key: str, name: str, when: dict, *, description: str = "", cont: bool = False, **actions) -> dict:
    return {"key": key, "name": name, "description": description, "conditions": when,
            "actions": actions, "continue_matching": cont}


COMPLIMENTS = ["complimenten", "compliment*", "pluim*", "goed gedaan", "goed bezig", "lekker bezig", "top geholpen",
               "snel geholpen", "snel opgelost", "snel gemaakt", "snel geregeld", "snel gerepareerd", "dank jullie wel",
               "dankjewel", "dank je wel", "dank u wel", "bedankt", "dank voor", "fijn dat", "top dat", "super dat",
               "welkom", "chapeau", "hulde", "toppers", "mooi werk", "netjes opgeruimd", "keurig", "mooi geworden",
               "prachtig*", "genoten", "wat mooi", "wat een mooie", "fijne gasten", "heel aardig", "zo aardig",
               "vriendelijk", "behulpzaam", "thanks", "thank you", "well done", "great job", "love the", "beautiful"]
NOT_A_COMPLIMENT = ["kapot*", "stuk", "niet", "geen", "nog steeds", "weer", "alweer", "nooit", "niks", "niets",
                    "weken", "maanden", "sinds", "waarom", "maar", "helaas", "jammer", "zonde", "slecht", "ramp",
                    "belachelijk", "schande", "klacht", "gekapt", "still", "again", "not", "but", "why"]
SERVICES = [
    "paspoort", "rijbewijs", "id kaart", "idkaart", "identiteitskaart", "afspraak", "afspraak maken", "openingstijd*",
    "afvalkalender", "afvalapp", "afvalwijzer", "ophaaldag*", "ophaalschema", "milieustraat", "verhuisd",
    "verhuizing", "verhuizen", "adres doorgeven", "nieuwe adres", "inschrijven", "inschrijving", "ingeschreven",
    "woz*", "belastingaanslag", "gemeentelijke belasting*", "ozb", "onroerendezaakbelasting", "afvalstoffenheffing",
    "kwijtschelding", "bezwaar maken", "bezwaarschrift", "in bezwaar", "*uitkering", "bijstand*", "toeslag*", "*toeslag",
    "subsidie*", "schuldhulp*", "wmo", "vergunning nodig", "vergunning voor nodig", "vergunning aanvragen",
    "parkeervergunning*", "*parkeerkaart", "digid", "vacature*", "inloopavond", "informatieavond", "inspraakavond",
    "raadsvergadering*", "gemeenteraadsvergadering*", "mantelzorg*", "uittreksel", "trouwen", "huwelijk",
    "geboorteaangifte", "naturalisatie", "starterslening", "burgerzaken", "telefoonmenu", "in de wacht",
    "wachttijd", "website", "formulier*", "permit", "register my", "register as", "new resident", "city tax",
    "municipal tax", "residence", "appointment",
]
TAX = ["belasting*", "*belasting", "*belastingen", "ozb", "heffing", "*heffing", "woz*", "betalen", "bedrag", "euro",
       "klopt niet", "bezwaar", "ontvangen", "gekregen", "kwijtschelding", "termijn*", "incasso"]
BULKY_WASTE = ["grofvuil", "grof vuil", "grofafval", "bulky waste"]
BULKY_QUESTION = ["wanneer", "hoe", "welke dag", "kan ik", "kunnen jullie", "moet ik", "mag ik", "waar kan", "waar moet",
                  "wat kost*", "kosten", "aanmelden", "afspraak maken", "laten ophalen", "when", "how"]
NOT_A_BULKY_QUESTION = ["staat", "staan", "stond", "stonden", "al dagen", "al weken", "niemand", "gekomen",
                        "op de stoep", "aan de straat", "naast"]
NOT_A_QUESTION = ["kapot*", "stuk", "vol", "overvol", "propvol", "bomvol", "puilt uit", "geparkeerd", "parkeert",
                  "gedumpt", "ligt", "liggen", "gat", "gaten", "niet opgehaald", "vergeten", "overgeslagen",
                  "verstopt", "stinkt", "lekt", "donker", "gevaarlijk*"]

FIRST_RULES = [
    _rule("bedreiging", "Bedreiging en intimidatie", threat_condition(),
          description="Bedreigingen en intimidatie van medewerkers, bestuurders, raadsleden en hun naasten, en "
                      "dreiging tegen gemeentelijke gebouwen: naar Veiligheid en Weerbaar Bestuur, urgent, "
                      "gemarkeerd als dreiging. Nooit een automatische bevestiging.",
          category=defaults.THREAT_CATEGORY, department="VB", priority="urgent", threat=True,
          labels=["bedreiging"], auto_ack=False),
    _rule("gevaar", "Acuut gevaar (urgent)", lex.danger_urgent_condition(), cont=True,
          description="Gaslucht, omgevallen boom, loshangende kabels, open put, brand: urgent; de categorie "
                      "volgt uit de regels hierna.",
          priority="urgent", labels=["gevaar"]),
    _rule("veiligheid", "Onveilige situatie (hoog)", W(*lex.DANGER_HIGH), cont=True,
          description="Gevaarlijk, (bijna) ongeluk, gevallen: prioriteit hoog.",
          priority="high", labels=["veiligheid"]),
    _rule("compliment", "Compliment", ALL(W(*COMPLIMENTS), NONE(W(*NOT_A_COMPLIMENT))),
          description="Complimenten en bedankjes: webcare reageert zelf.",
          category=defaults.FALLBACK_CATEGORY, department="KCC", priority="low", labels=["compliment"]),
    _rule("vraag", "Vraag over dienstverlening", ANY(ALL(ANY(
        W(*SERVICES),
        ALL(W("aanslag", "aanslagen"), W(*TAX)),
        ALL(W("boete", "bekeuring", "parkeerboete", "fine"), W("bezwaar", "onterecht", "beroep", "klopt niet")),
        ALL(W("wanneer", "hoe laat", "tot hoe laat", "when", "what time"),
            W("open", "geopend", "gesloten", "openingstijd*", "opening hours")),
        ALL(W("wanneer wordt", "wanneer worden", "wanneer komt", "welke dag", "hoe laat", "when is", "when are"),
            W("opgehaald", "ophalen", "geleegd", "inzameling", "collected", "collection"))),
        NONE(W(*NOT_A_QUESTION, *v.BULKY, *v.DUMPED, "op de stoep"))),
        ALL(W(*BULKY_WASTE), W(*BULKY_QUESTION), NONE(W(*NOT_A_QUESTION, *v.DUMPED, *NOT_A_BULKY_QUESTION)))),
          description="Vragen die webcare zelf beantwoordt (paspoort, belastingen, vergunning aanvragen, ...).",
          category=defaults.FALLBACK_CATEGORY, department="KCC", labels=["vraag"]),
]


def all_rules() -> list[dict]:
    """The default rules in order; each has a stable `key` (used to seed each rule only once)."""
    return FIRST_RULES + CATEGORY_RULES


def offline_catalog() -> Catalog:
    """The default departments and categories without a database (benchmarks, quick checks)."""
    departments = {code: DepartmentInfo(i, code, name) for i, (code, name, _flags) in enumerate(defaults.DEPARTMENTS, 1)}
    categories: dict[str, CategoryInfo] = {}
    for main_code, main_name, *rest in defaults.CATEGORIES:
        if isinstance(rest[0], list):
            categories[main_code] = CategoryInfo(len(categories) + 1, main_code, main_name, None)
            for sub_code, name, dept, target, unit in rest[0]:
                code = f"{main_code}.{sub_code}"
                categories[code] = CategoryInfo(len(categories) + 1, code, name, dept, None, None, False, target, unit)
        else:
            dept, target, unit = rest
            threat = main_code == defaults.THREAT_CATEGORY
            categories[main_code] = CategoryInfo(len(categories) + 1, main_code, main_name, dept,
                                                 "urgent" if threat else None, None, threat, target, unit)
    return Catalog(categories, departments, {})
