"""Default category rules (Dutch, with English for expats), in the order in which they are evaluated.

A problem is usually "a thing" plus "what is wrong with it" (`ALL(W(things), W(problems))`), so that the
many messages that merely mention a street or a lamp are not routed on that word alone; names that
only occur in reports ("lantaarnpaal", "hondenpoep", "wespennest") route on their own. Order, first
match wins: specific before generic. Animals before waste (unless the animals come for the waste);
enforcement; traffic lights before street lighting; broken containers before lamps ("pasje werkt niet,
rood lampje"); sewers before water and streets; objects that are broken before litter around them;
businesses; signs, bridges, street furniture, pavements, traffic; green maintenance and the
playground as a place last (they are often mentioned next to the real problem).
"""

from __future__ import annotations

from webcare.services.routing import default_vocab as v
from webcare.services.routing.default_words import ALL, ANY, NONE, W


def _cat(key: str, name: str, category: str, department: str, when: dict, description: str = "") -> dict:
    return {"key": key, "name": name, "description": description, "conditions": when, "continue_matching": False,
            "actions": {"category": category, "department": department, "auto_ack": True}}


DOGS = ["hond", "honden", "hondje", "hondjes", "*hond", "*honden", "hondenbezitter*", "hondenbaas*", "baasjes",
        "baasje", "dog", "dogs"]
VEHICLES = ["fiets", "fietsen", "*fiets", "scooter*", "brommer*", "auto", "auto s", "*auto", "wagen", "busje",
            "bestelbus*", "motor", "boot", "bootje", "car", "cars", "bike", "bikes"]
PEOPLE = ["jongeren", "jongens", "jongelui", "jeugd", "tieners", "pubers", "jochies", "groepje*", "hangjongeren",
          "*jongens", "*jongeren", "mannen", "figuren", "toeristen", "feestgangers", "dronkaards", "brommers", "scooters", "scooterrijders",
          "verward*", "youths", "teenagers", "lads"]
BEHAVIOUR = ["overlast", "herrie", "lawaai", "geschreeuw", "schreeuwen", "brullen", "rondhangen", "hangen rond",
             "hangen er", "hangen elke", "hangen hier", "intimider*", "lastigvallen", "lastig vallen", "drinken",
             "blowen", "vechten", "dealen", "gedeald", "muziek", "tot laat", "s nachts", "elke avond", "vernielen",
             "vernielingen", "joyriden", "gooien met", "stenen", "op het dak", "vuurwerk*", "lachgas*", "rommel",
             "scheld*", "uitschelden", "bedreigen", "toeteren", "rondjes", "harassing", "shouting", "noise",
             "fighting", "drinking"]


CATEGORY_RULES = [
    # --- animals (before waste, trees and water: the animal is what needs acting on)
    _cat("dode-dieren", "Dode dieren", "overlast-dieren.dode-dieren", "DIER", ANY(
        W("kadaver*", "dood dier", "dode dieren", "dode vogel*", "dode vis*", "dode eend*",
          "dead animal*", "roadkill", "dead bird*", "dead fish"),
        ALL(W(*v.DEAD), W(*v.ANIMALS), NONE(W("dode hoek", "dood van", "doodziek", "morsdood"))))),
    _cat("zieke-dieren", "Zieke, gewonde of agressieve dieren", "overlast-dieren", "DIER", ANY(
        ALL(W(*v.ANIMALS), W(*v.HURT_ANIMAL)),
        ALL(W(*v.ANIMALS), W("vallen aan", "valt aan", "vallen mensen aan", "aangevallen", "agressief", "agressieve",
                             "gebeten", "bijt", "pikken", "attack*", "aggressive"),
            NONE(W(*DOGS))))),  # a biting dog is for enforcement (HH)
    _cat("eikenprocessierups", "Eikenprocessierups", "overlast-dieren.eikenprocessierups", "DIER", ANY(
        W("*processierups*", "processie rups*", "eikenprocessie*", "brandharen", "oak processionary*"),
        ALL(W("rups", "rupsen", "rupsje*", "*rupsen", "caterpillar*"),
            W("eik", "eiken", "eikenboom", "*eiken", "brandharen", "jeuk", "uitslag", "nest*", "bult*", "oak")))),
    _cat("wespen", "Wespen en hoornaars", "overlast-dieren.wespen", "DIER", ANY(W(
        "wesp*", "*wespen", "*wespennest*", "hoornaar*", "*hoornaar", "*hoornaars", "bijenzwerm", "zwerm bijen",
        "bijennest*", "zwerm wespen", "wasp*", "hornet*"),
        ALL(W("bijen", "*bijen", "hommels", "bees"),
            W("nest*", "zwerm", "schoorsteen", "muur", "spouwmuur", "dak", "gevel", "overlast", "nest", "swarm")))),
    _cat("plaagdieren", "Ratten en plaagdieren", "overlast-dieren.ratten-plaagdieren", "DIER", ANY(
        W(*v.PLAGUE),
        ALL(W(*v.PESTS), NONE(W(*v.WASTE_CONTEXT))))),  # gulls ripping bin bags: a waste problem
    # --- a named street lamp before the enforcement rules that combine weaker words
    _cat("straatverlichting", "Straatverlichting", "wegen.straatverlichting", "OVL", W(*v.LIGHT_NAMES)),
    # --- enforcement (dogs, wrecks, parking, people)
    _cat("hondenpoep", "Hondenpoep", "overlast-openbare-ruimte.hondenpoep", "HH", ANY(
        W("hondenpoep", "*hondenpoep", "hondenpoepje*", "hondendrol*", "hondenstront", "hondenuitwerpselen", "hondenkak",
          "hondenshit", "poepende hond*", "drollen", "drol", "poep op de stoep", "poep op het", "dog poo*", "dog poop", "dog mess", "dog shit", "dog fouling"),
        ALL(W(*DOGS), W("poep*", "gepoept", "drol", "drollen", "drolletje*", "kak", "kakken", "schijt*", "gescheten",
                        "uitwerpselen", "stront", "behoefte", "ruimen", "opruimen", "poo", "poop", "mess", "shit")))),
    _cat("loslopende-honden", "Loslopende honden", "overlast-personen", "HH", ANY(
        W("loslopende hond*", "los lopende hond*", "aanlijnplicht", "aanlijngebod", "losloopgebied", "dogs off leash",
          "off the leash", "off leash"),
        ALL(W(*DOGS), W("los", "loslopend*", "lopen los", "loopt los", "liep los", "niet aangelijnd", "zonder lijn",
                        "onaangelijnd*", "aanlijn*", "bijt", "gebeten", "beet", "besprongen", "aangevallen",
                        "agressie*", "vloog", "bit", "attacked")))),
    _cat("wrak", "Fiets- of autowrak", "overlast-openbare-ruimte.wrak", "HH", ANY(
        W("fietswrak*", "*wrak", "wrak", "wrakken", "*wrakken", "weesfiets*", "zonder kenteken*", "geen kenteken",
          "zonder nummerplaat*", "abandoned bike*", "abandoned car*", "abandoned scooter*", "bike wreck*"),
        ALL(W(*VEHICLES), W("verlaten", "achtergelaten", "uitgebrand*", "verroest*", "roest", "zonder zadel", "zonder wielen",
                            "zonder wiel", "geen zadel", "zonder banden", "geen banden", "roestig*", "staat al weken", "staat al maanden", "staan al weken",
                            "staan al maanden", "staat hier al", "banden lek", "lekke banden", "abandoned", "rusty",
                            "rusting")),
        )),
    _cat("parkeeroverlast", "Parkeeroverlast", "overlast-openbare-ruimte.parkeeroverlast", "HH", ANY(
        W("geparkeerd", "parkeert", "parkeren", "parkeerd", "foutparkeer*", "fout geparkeerd*", "dubbel geparkeerd*",
          "invalidenparkeer*", "invalidenplek*", "invalidenplaats*", "gehandicaptenparkeerplaats*",
          "gehandicaptenplek*", "parkeeroverlast", "laad en loszone", "laad en los*", "stationair",
          "draaiende motor*", "motor laten draaien", "motor laat draaien", "parked", "parking on", "park on",
          "illegally parked", "blocking the"),
        ALL(W("auto", "auto s", "busje", "busjes", "bestelbus*", "taxi s", "wagen", "vrachtwagen*", "car", "cars"),
            W("op de stoep", "half op de stoep", "op het trottoir", "op het fietspad", "op het gras", "on the pavement"),
            NONE(W("omver", "omgereden", "aangereden", "geraakt", "ligt", "liggen", *v.LIGHT_NAMES))),
        ALL(W("auto", "auto s", "busje", "busjes", "bestelbus*", "taxi s", "wagen", "vrachtwagen*", "car", "cars"),
            W("staat", "staan", "stond", "stonden", "zet", "zetten", "gezet", "neergezet", "parkeer*", "stilstaan",
              "parks"),
            W("op de stoep", "half op de stoep", "op het trottoir", "op het fietspad", "op het voetpad", "in de berm",
              "op het gras", "voor de uitrit", "voor mijn uitrit", "oprit", "op mijn oprit", "voor mijn oprit",
              "staat al", "staan al", "on the pavement", "driveway")),
        ALL(W("fietsen", "fietsers", "scooters"), W("gevel", "voor de deur", "voor de ingang", "gestald", "tegen de",
                                                    "stallen", "staan in de weg", "kriskras", "niet door",
                                                    "niet langs")),
        ALL(W("camper*", "aanhanger*", "aanhangwagen*", "caravan*", "busje", "boottrailer*", "trailer*",
              "oplegger*", "boot", "bootje", "vouwwagen*", "motorhome"),
            W("staat", "staan", "gezet", "parkeerplek*", "parkeerplaats*", "weken", "maanden", "mnd", "wkn")))),
    _cat("overlast-personen", "Overlast van personen", "overlast-personen", "HH", ANY(
        W("hangjongeren", "hangjeugd", "hangplek", "lachgas", "lachgassen", "dealen", "gedeald", "dealer*", "drugsdeal*", "drugsoverlast",
          "drugs", "dronken", "gedronken", "drinkgelag*", "zuipen", "zuipend*", "geschreeuw", "geschreeuwd",
          "zwerver*", "dakloze*", "bedelen", "bedelaar*", "vechtpartij*", "vuurwerk*", "lastig vallen", "lastigvallen", "intimideren", "intimiderend", "uitschelden",
          "youths", "drunk*", "drug dealing", "fireworks"),
        ALL(W(*PEOPLE), W(*BEHAVIOUR)),
        ALL(W("slaapt", "slapen", "overnacht*", "bivakkeert", "sleeping", "sleeps"),
            W("portiek", "park", "straat", "bankje", "tent", "tentje", "station", "onder de brug", "parkeerterrein",
              "parkeergarage", "strand", "camper*", "bieb", "bibliotheek", "doorway", "street")))),
    # --- traffic lights before street lighting (both have "licht")
    _cat("verkeerslicht", "Verkeerslicht", "wegen.verkeerslicht", "VER", ANY(
        W("verkeerslicht*", "*verkeerslicht*", "stoplicht*", "*stoplicht*", "voetgangerslicht*", "fietserslicht*",
          "drukknop*", "*drukknop", "verkeersregelinstallatie", "vri", "traffic light*", "altijd op rood",
          "staat op rood", "staan op rood", "op rood", "op groen", "oranje knipper*", "knippert oranje",
          "staan op knipperen", "staat op knipperen", "flashing orange", "stuck on red"),
        ALL(W("licht", "lichten", "lights", "light"),
            W("kruispunt*", "kruising*", "rotonde*", "oversteek*", "*oversteek", "junction*", "crossing*",
              "rood", "groen", "red", "green")))),
    # --- a broken container before lamps ("pasje werkt niet, rood lampje")
    _cat("container-kapot", "Container kapot", "afval.container-kapot", "AFV", ALL(
        W(*v.CONTAINERS), W(*v.CONTAINER_BROKEN), NONE(W("vol", "overvol*", "propvol", "bomvol", "puilt uit")))),
    _cat("verlichting", "Lamp of licht kapot", "wegen.straatverlichting", "OVL", ALL(
        W(*v.LIGHTS), ANY(W(*v.LIGHT_PROBLEMS), ALL(W(*v.LIGHT_VERBS), W(*v.NEGATED))),
        NONE(W("kerstverlichting", "fietslamp*", "fietsverlichting", "achterlicht", "koplamp*", "kerstboom")))),
    # --- sewers before water and streets
    _cat("rioollucht", "Rioollucht", "riolering.rioollucht", "RIO", ANY(
        W("rioollucht", "riool stinkt", "stinkt naar riool", "naar riool", "rioolstank", "stank uit de put",
          "sewer smell", "smells of sewage", "smell of sewage"),
        ALL(W(*v.DRAINS, *v.WELLS, "pompgemaal", "gemaal", "rioolgemaal"), W(*v.SMELL)))),
    _cat("put-kolk", "Put of kolk verstopt", "riolering.put-kolk-verstopt", "RIO", ANY(
        ALL(W(*v.DRAINS, *v.WELLS), W(*v.DRAIN_PROBLEMS)),
        W("putje*", "*putje", "*putjes", "kolk", "kolken", "*kolk", "*kolken", "rioolput*", "rioolpomp*", "riooloverstort",
          "putdeksel*", "drain", "drains", "gully", "sewer", "sewage", "verstopte put*", "verstopt riool"),
        W("borrelt", "borrelen", "zakt niet weg", "loopt niet weg"))),
    _cat("wateroverlast", "Wateroverlast", "riolering.wateroverlast", "RIO", ANY(
        W(*v.FLOODING),
        ALL(W(*v.WATER), W(*v.WATER_STAYS)),
        ALL(W(*v.WATER, "straat", "kelder", "tunnel*", "weg", "tuin", "*tuin", "garage", "souterrain", "schuur"),
            W("blijft", "blijven", "loopt", "lopen", "liep"),
            W("staan", "liggen", "onder", "vol")))),
    # --- water and trees
    _cat("drijfvuil-oever", "Drijfvuil en oevers", "groen.drijfvuil-oever", "GRN", ANY(
        W("drijfvuil", "kroos", "blauwalg", "walkant", "*beschoeiing*"),
        ALL(W(*v.BANKS), W(*v.BROKEN, "ingestort", "ingezakt", "zakt weg", "kalft", "afgekalfd", "weggespoeld",
                           "rot", "verrot")),
        ALL(W(*v.WATERS), W(*v.FLOATING)))),
    _cat("verkeersbord-kapot", "Verkeersbord kapot of verdwenen", "wegen.verkeersbord-afzetting", "VER", ANY(
        ALL(W(*v.SIGNS), W(*v.SIGN_PROBLEMS)),
        ALL(W(*v.SIGN_WORDS), W(*v.SIGN_PROBLEMS)))),
    _cat("boom", "Boom", "groen.boom", "GRN", ALL(W(*v.TREE_WORDS), NONE(W(*v.NOT_TREES)))),
    # --- play equipment, broken street furniture: before the litter around them
    _cat("speelvoorziening", "Speelvoorziening", "wegen.speelvoorziening", "OW", W(*v.PLAY)),
    _cat("straatmeubilair-kapot", "Straatmeubilair kapot", "wegen.straatmeubilair", "OW", ALL(
        W(*v.FURNITURE), W(*v.BROKEN), NONE(ALL(W("leuning*", "reling", "railing*"), W(*v.BRIDGES))))),
    # --- building and demolition before waste (building sites make waste too)
    _cat("bouwoverlast", "Bouw- en sloopoverlast", "overlast-openbare-ruimte.bouw-sloopoverlast", "VTH", ALL(
        W(*v.BUILDING), NONE(W("gedumpt", "gedropt", "achtergelaten", "illegaal gestort", "dumping", "dumped")))),
    _cat("bouwen-vergunning", "Bouwen zonder vergunning", "overlast-openbare-ruimte.bouw-sloopoverlast", "VTH", ALL(
        W("vergunning*", "permit"),
        W("buurman", "buurvrouw", "buren", "bouwt", "zet", "plaatst", "geplaatst", "achtertuin", "schuur", "garage",
          "schutting", "aanbouw", "neighbour*", "neighbor*"))),
    _cat("illegale-bewoning", "Illegale bewoning of gebruik", "overlast-openbare-ruimte.bouw-sloopoverlast", "VTH",
         W(*v.HOUSING)),
    # --- businesses and hospitality
    _cat("geluid-bedrijven", "Geluid van bedrijven en horeca", "overlast-bedrijven-horeca.geluid", "VTH", ALL(
        W(*v.NOISE), W(*v.VENUES))),
    _cat("stank-bedrijven", "Stank", "overlast-bedrijven-horeca.stank", "VTH", ALL(
        ANY(W(*v.STENCH), ALL(W("lucht", "geur", "luchtje", "smell"), W(*v.SMELL_SOURCES))),
        NONE(W("gas", "gaslucht", "gaslek", "gasgeur", *v.CONTAINERS, *v.WASTE, *v.BINS)))),
    _cat("terrassen", "Terrassen", "overlast-bedrijven-horeca.terrassen", "VTH", ANY(
        W("terras", "terrassen", "terrasje*", "terrasoverlast", "*terras", "*terrassen", "terrace", "terraces"),
        ALL(W(*v.VENUES), W("tafels", "tafeltjes", "stoelen", "parasols", "statafels", "reclamebord*")))),
    # --- waste
    _cat("container-vol", "Container vol", "afval.container-vol", "AFV", ALL(W(*v.CONTAINERS), W(*v.FULL))),
    _cat("prullenbak", "Prullenbak", "afval.prullenbak", "AFV", W(*v.BINS)),
    _cat("grofvuil-dumping", "Grofvuil en dumping", "afval.grofvuil-dumping", "AFV", ANY(
        W("grofvuil", "grof vuil", "grofafval", "dumping", "gedumpt", "dumpen", "dumpt", "illegaal gestort",
          "bouwafval", "asbest*", "fly tipping", "fly tipped", "dumped"),
        ALL(W(*v.BULKY), W(*v.DUMPED, "ligt", "liggen", "staat", "staan", "op straat", "op de stoep", "naast",
                           "bij de", "in de berm", "in het bos")),
        ALL(W(*v.DUMPED), W("bos", "bosje", "bosjes", "berm", "sloot", "natuur", "weiland", "park", "duinen",
                            "heide", "woods")))),
    _cat("afval-overig", "Afval niet opgehaald", "afval.overig", "AFV", ANY(
        W("afvalinzameling", "vuilnisophaal*", "not collected", "weren t collected", "were not collected",
          "wasn t collected"),
        ALL(W(*v.NOT_COLLECTED), W(*v.WASTE, *v.CONTAINERS, *v.WASTE_COLLECTION, "zakken", "straat")),
        ALL(W(*v.WASTE_COLLECTION), W(*v.CONTAINERS, *v.WASTE, "zakken"),
            W("smijten", "smijt", "gesmeten", "gooien", "gegooid", "kapot*", "laten staan", "laten liggen", "vergeten",
              "overgeslagen", "midden op", "op straat", "niet", "te vroeg", "te laat", "herrie", "rommel", "morsen",
              "gemorst", "throw*", "left")))),
    _cat("zwerfvuil", "Zwerfvuil", "afval.zwerfvuil", "AFV", W(*v.WASTE)),
    _cat("plaagdieren-overig", "Ratten en plaagdieren (overig)", "overlast-dieren.ratten-plaagdieren", "DIER",
         W(*v.PESTS)),
    # --- roads and street furniture
    _cat("gladheid", "Gladheid", "wegen.gladheid", "OW", ANY(
        W(*v.SLIPPERY),
        ALL(W("ijsbaan", "glijbaan", "schaatsbaan", "glibberig"), W(*v.ROADS, "wijk", "buurt")))),
    _cat("graffiti", "Graffiti", "overlast-openbare-ruimte.graffiti", "OW", W(*v.GRAFFITI)),
    _cat("verkeersbord", "Verkeersbord of afzetting", "wegen.verkeersbord-afzetting", "VER", W(*v.SIGNS)),
    _cat("belijning-omleiding", "Belijning of omleiding", "wegen.belijning-omleiding", "VER", W(*v.MARKINGS)),
    _cat("brug", "Brug", "wegen.brug", "OW", W(*v.BRIDGES)),
    _cat("onkruid", "Onkruid", "groen.onkruid", "GRN", W(*v.WEEDS)),
    _cat("straat-stoep-fietspad", "Straat, stoep of fietspad", "wegen.straat-stoep-fietspad", "OW", ANY(
        ALL(W(*v.ROAD_STANDALONE), NONE(W("in de gaten", "gat in de markt", "gat in de begroting"))),
        ALL(W(*v.ROADS), W(*v.ROAD_DAMAGE)),
        ALL(W(*v.PAVED), W(*v.PAVED_PROBLEMS, *v.ROAD_DAMAGE)))),
    _cat("verkeerssituatie", "Verkeerssituatie", "wegen.verkeerssituatie", "VER", ANY(
        W(*v.SPEED),
        ALL(W(*v.JUNCTIONS), W(*v.DANGER_WORDS)))),
    _cat("donker", "Donkere straat", "wegen.straatverlichting", "OVL", ALL(
        W(*v.DARK), W(*v.STREET_PLACES), NONE(W("donkere dagen", "zonder licht", "fietsers zonder")))),
    _cat("riolering", "Riolering overig", "riolering.put-kolk-verstopt", "RIO", W(
        "riool", "riolen", "riolering", "rioolwater", "rioolbuis", "rioolbuizen", "afvoer")),
    # --- green maintenance and the playground as a place last (often mentioned next to the real problem)
    _cat("maaien-snoeien", "Maaien en snoeien", "groen.maaien-snoeien", "GRN", W(*v.GREEN)),
    _cat("straatmeubilair", "Straatmeubilair", "wegen.straatmeubilair", "OW", W(*v.FURNITURE)),
    _cat("speelplek", "Speelplek", "wegen.speelvoorziening", "OW", W(*v.PLAY_PLACES)),
]
