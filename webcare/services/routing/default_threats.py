"""The default lexicon of threats and intimidation (Dutch, with English), built from how threats are made.

A threat is recognised by its structure rather than by a list of example sentences:

- **explicit statements** that are threats on their own ("ik maak je af", "je bent dood", "ik weet waar
  je woont", "dit is geen dreigement maar een belofte"), with the Dutch word orders generated
  (`ik sla je verrot`, `sla ik hem verrot`, `hem verrot slaan`);
- **violence against a person**: a violent act (unambiguous verbs and nouns: vermoorden, neersteken,
  wurgen, kogel, in elkaar slaan) together with a target: an official, "je/jij/u/jullie", "hem/haar"
  or a family member. Past participles ("neergestoken") only count with an official and a wish or
  modal ("moet", "hoop", "verdient"), so news about a stabbing is not a threat;
- **harm with the target between the verb's parts**: "ik ga de wethouder iets aandoen", "ik zal die
  burgemeester eens wat aandoen", "ik doe je wat aan", "ik maak de burgemeester af", "die wethouder ga ik
  iets aandoen", "de burgemeester wordt afgemaakt" (`split_verb_threats`). The targets (officials,
  "je/jullie/u", "hem/haar", "iemand") are written into regular expressions that allow only a
  determiner and a few adverbs in between, so "kunnen jullie daar iets aandoen", "wat doet de gemeente
  mij aan", "ik maak het formulier af" and "de wethouder werd in het debat afgemaakt" are left alone;
- **arson, bombs and damage** aimed at the town hall, an office, or someone's house or car;
- **veiled threats**: knowledge of someone's private life (address, children's school, daily routine,
  car) with a menacing remark; home visits; grudges ("onthoud mijn naam", "je gaat het merken");
  warnings ("pas maar op") aimed at someone; vigilantism ("dan doe ik het zelf");
- **doxxing**: an official's private address or phone number with a call to act on it;
- **calls to violence**: "wie doet er mee", "iemand moet", "met z'n allen" with a violent act;
- **weapons** with intent and a target, and **death wishes** aimed at someone;
- **two independent menace cues and a target** (`CUE_PAIRS`): a harm outcome, a menacing remark,
  private information, an insult, a visit, damage or intent. This catches wordings that no list
  foresaw, while one cue alone (an angry complaint) is not enough.

Measured on held-out messages before the rules were changed for them, this recognises about 40-45 %
of threats in new wording (veiled and creative ones are missed) with no false flags; see
docs/ROUTING.md. Every missed threat should be added here by kind, not by sentence.

Figurative speech is left alone: "moord op de natuur", "jullie vermoorden onze bomen", "ik ga dood van
het lachen", "een bom geld", "de boel ontploft bijna", "schieten jullie een beetje op", "bommetje",
"de aanslag van de belastingen", political pressure ("jullie gaan het merken bij de verkiezingen").
"""

from __future__ import annotations

from webcare.services.routing import default_threat_words as t
from webcare.services.routing.conditions import MAX_REGEX_LENGTH
from webcare.services.routing.default_words import (
    ALL,
    ANY,
    NONE,
    W,
    phrases,
    pronoun_variants,
    regexes_over,
    unique,
)

WARNINGS = ["pas maar op", "pas jij maar op", "pas jullie maar op", "pas u maar op", "kijk maar uit",
            "moet maar oppassen", "moeten maar oppassen", "kan maar beter oppassen", "kunnen maar beter oppassen",
            "mogen wel oppassen", "mag wel oppassen", "mogen wel uitkijken", "mag wel uitkijken",
            "moet maar uitkijken", "wacht maar tot het donker", "wacht maar tot ik", "wacht maar tot we",
            "wacht maar tot ik je", "wacht maar tot we je", "better watch", "better be careful",
            "zul je zien wat er gebeurt", "zullen jullie zien wat er gebeurt", "you ll see what happens",
            "kijk jij maar uit", "je zult het merken", "jullie zullen het merken", "je weet niet wat er komt",
            "je hebt geen idee wat", "weet niet wat je te wachten", "jullie weten niet wat", "laatste waarschuwing",
            "je bent gewaarschuwd", "jullie zijn gewaarschuwd", "u bent gewaarschuwd", "dit is je laatste kans",
            "watch out"]
HAZARDS = [  # warnings about things, not people: "pas op, losse tegels"
    "tegel*", "gat", "gaten", "glad", "gladheid", "kuil*", "stoep", "fietspad*", "drempel*", "flitser*", "flitspaal",
    "boete", "bekeuring", "nepmail*", "oplichters", "oplichting", "phishing", "gevaarlijk*", "auto s", "verkeer",
    "hardrij*", "oversteek*", "kruising", "kruispunt", "rotonde", "pothole*", "ice", "road", "traffic", "bike",
    "verkiezing*", "stembus", "rechter", "rechtszaak", "advocaat", "bezwaar", "petitie", "handtekening*",
]
GRUDGES = pronoun_variants(["gaat het merken", "gaat het nog merken", "gaat het nog wel merken", "gaan het merken",
           "gaan het nog merken", "zal het merken", "zullen het merken", "ga je merken", "gaan jullie merken",
           "ga je nog merken", "spijt van krijgen", "spijt krijgen", "spijt gaan krijgen", "zal je berouwen",
           "gaan boeten", "ga je boeten", "gaat boeten", "zullen boeten", "zal boeten", "onthoud mijn naam",
           "onthou mijn naam", "onthoud mijn gezicht", "ik onthoud je", "ik onthou je", "ik ken je gezicht",
           "gezicht vergeet ik niet", "gezicht vergeet ik nooit", "dat ga je voelen", "dat gaan jullie voelen",
           "zul je voelen", "ga je nog voelen", "will regret", "ll regret", "gonna regret",
           "remember my name", "nog wat te vereffenen", "iets te vereffenen", "rekening te vereffenen",
           "appeltje te schillen", "score to settle"])
MEMORY = ["ik vergeet niks", "ik vergeet niets", "wij vergeten niks", "wij vergeten niets", "we vergeten niks",
          "we vergeten niets", "vergeet ik niet", "vergeten we niet", "vergeet ik nooit", "never forget"]
POLITICAL = ["verkiezing*", "stembus", "stemmen", "stem", "kiezer*", "gemeenteraadsverkiezing*", "rechter",
             "rechtszaak", "advocaat", "bezwaar", "ombudsman", "petitie", "handtekening*", "krant", "media",
             "portemonnee", "belasting*", "geen spijt", "niet spijt", "election*", "vote", "votes", "polls",
             "court", "lawyer", "no regret*", "won t regret", "dank*", "bedankt", "thanks"]
KNOWS_WHERE = ["weet waar", "weten waar", "weet precies waar", "weten precies waar", "weet in welke straat",
               "weten in welke straat", "weet welk huis", "weet in welk huis", "know where", "knows where"]
LIVES = ["woont", "wonen", "slaapt", "slapen", "werkt", "je kinderen", "school", "parkeert", "je auto",
         "je auto staat", "fietst", "sport", "traint", "boodschappen doet", "uitgaat", "naar school", "live",
         "lives", "sleep", "park", "work"]
LIVES_EXCLUDE = ["waar ik woon", "waar wij wonen", "waar we wonen", "waar ik werk", "waar ik slaap"]
PRIVATE_INFO = ["huisadres", "woonadres", "thuisadres", "prive adres", "priveadres", "privenummer", "prive nummer",
                "06 nummer", "woont in", "woont aan", "woont op", "woont naast", "woont toch", "kenteken van",
                "home address", "lives at", "lives on"]
DOXX_CALL = ["laat hem maar", "laat haar maar", "laat ze maar", "weten wat we ervan vinden", "met stenen", "liefst",
             "ga maar", "gaan maar", "ga eens", "langs", "langsgaan", "bezoekje", "op bezoek", "doe er wat mee",
             "doe ermee", "weet iedereen", "iedereen", "deel", "delen", "verspreid", "verspreiden", "bel", "bellen",
             "wakker", "welkom", "opgezocht", "gevonden", "kijk maar", "gezellig", "tot snel", "groetjes",
             "succes ermee", "pay a visit", "visit", "share", "go see", "everyone"]
DOXX_EXCLUDE = ["mijn adres", "nieuwe adres", "adres doorgeven", "adreswijziging", "verhuis*", "postadres",
                "ons adres", "afspraak"]
FAMILY_MENACE = ["i know", "we know", "be smart", "go to school", "go to the school", "wise", "careful",
                 "gedag", "groetjes", "de groeten", "doe de groeten", "welke school", "op welke school", "kennen",
                 "ken", "wees voorzichtig", "voorzichtig", "pas goed op", "let goed op", "niet veilig meer",
                 "zit op de", "niet veilig", "nergens veilig", "zou zonde zijn", "zou jammer zijn", "als er iets",
                 "iets overkomt", "iets gebeurt", "weet waar", "weten waar", "ik weet", "we weten", "wij weten",
                 "safe", "say hi", "be a shame"]
TRAFFIC_CONTEXT = ["hardrij*", "verkeer", "oversteek*", "kruising", "kruispunt", "fiets*", "spelen", "speeltuin",
                   "drempel*", "zebrapad", "auto s", "te hard", "gevaarlijk*", "straat", "road", "traffic"]
PROPERTY_MENACE = ["zou zonde zijn", "zou jammer zijn", "zonde zijn als", "jammer zijn als", "als daar iets",
                   "mee gebeurt", "iets overkomt", "zonde als", "jammer als", "be a shame", "be a pity"]
SURVEILLANCE = ["iemand achter je", "achter je aan", "achter je fietst", "achter je loopt", "achter je rijdt",
                "volgt je", "achtervolgt je", "someone following you", "following you home","ik zie je elke", "ik zie jou elke", "ik heb je gezien", "ik heb jou gezien", "ik volg je",
                "we volgen je", "ik weet hoe laat je", "ik weet hoe laat jij", "we weten hoe laat je",
                "precies hoe laat", "foto s van je", "foto s van jouw", "foto s van uw", "fotos van je",
                "je auto gezien", "jouw auto gezien", "uw auto gezien", "je huis gezien", "i see you every",
                "i know when you", "photos of your"]
SURVEILLANCE_MENACE = ["tot binnenkort", "tot de volgende keer", "see you soon", "tot snel", "tot gauw", "klopt toch", "zou zonde", "zou jammer", "zonde", "jammer", "mooie",
                       "mooi", "banden", "in de gaten", "wees maar", "pas op", "gezellig", "nice", "shame"]
HOME_VISIT = ["bij hem thuis", "bij haar thuis", "bij je thuis", "bij jou thuis", "bij u thuis", "bij hun thuis",
              "thuis opzoeken", "thuis langs", "thuis op de stoep", "voor je deur", "voor jouw deur",
              "voor uw deur", "voor zijn deur", "voor haar deur", "aan je deur", "at your door", "at your house"]
VISIT_INTENT = ["ik sta", "sta ik", "we staan", "staan we", "ik kom", "kom ik", "we komen", "komen we", "ga ik",
                "gaan we", "tot snel", "doe maar open", "op mijn manier", "oplossen", "regelen", "eens zien",
                "i ll be", "we ll be", "coming"]
VIGILANTE = ["doe ik het zelf", "doe ik het wel zelf", "los ik het zelf op", "regel ik het zelf",
             "recht in eigen hand", "recht in eigen handen", "eigen rechter", "niet netjes"]
CALLS = ["roep iedereen op", "ik roep op", "oproep", "iedereen oproepen", "kom allemaal", "allemaal naar",
         "wie doet er mee", "wie doet mee", "wie gaat er mee", "wie gaat mee", "wie gaan er mee", "wie helpt",
         "met z n allen", "met zn allen", "met zijn allen", "met ons allen", "iemand moet", "iemand zou",
         "mensen moeten", "moeten we", "laten we", "kom op mensen", "tijd om", "tijd voor", "wie durft",
         "ik doe mee", "someone should", "somebody should", "let s", "we should", "who s in", "who is in"]
CALL_ACTS = unique(t.VIOLENCE, t.ARSON, t.DAMAGE, t.HANGING, ["te grazen", "uit hun huis", "opwachten", "knuppels",
                                                             "stenen", "fakkels", "wapens", "hooivorken"])
WEAPONS = ["mes", "messen", "keukenmes", "stanleymes", "slagersmes", "vleesmes", "zakmes", "kapmes", "machete",
           "geweer*", "jachtgeweer*", "pistool*", "vuurwapen*", "wapen", "wapens", "honkbalknuppel*", "knuppel*",
           "bijl", "hakbijl", "zwaard", "boksbeugel", "taser", "gun", "guns", "knife", "knives", "rifle",
           "shotgun", "baseball bat", "axe", "acid"]
WEAPON_INTENT = ["afspraak", "gesprek", "sociale dienst", "dan luisteren", "te gebruiken op", "gebruiken op", "gebruiken tegen", "op jullie", "op je", "tegen jullie", "tegen je",
                 "niet bang", "ik kom", "kom ik", "we komen", "komen we", "ik neem", "neem ik", "meenemen", "mee naar",
                 "meebrengen", "naar het loket", "naar de balie", "naar jullie", "naar het gemeentehuis",
                 "langskomen", "desnoods", "ga ik", "gaan we", "trekken", "ik sta", "sta ik", "bring", "coming",
                 "i ll", "i will"]
DEATH_WISH = ["hoop dat", "hopelijk", "ik wens", "wens je", "wens ik", "verdient", "verdienen", "zou verdiend zijn",
              "i hope", "hope you", "hope he", "hope she"]
HARM = ["dood", "pijnlijke dood", "lange dood", "de dood", "doodgaat", "dood gaat", "doodgaan", "dood neervalt", "sterft", "sterven", "creperen", "crepeert",
        "verrekt", "verrekken", "kanker", "ongelukje", "verongelukt", "in je slaap", "in zijn slaap",
        "overreden wordt", "gewurgd", "verdrinkt", "verzuipt", "dies", "dead", "cancer"]
HARM_EXCLUDE = ["eerst", "voordat", "voor er", "voor dat", "niet", "geen", "wachten", "iemand", "niemand",
                "bijna", "kinderen", "fietser*", "voetganger*"]

# --- more ways of saying it
NOTHING_TO_LOSE = ["niks meer te verliezen", "niets meer te verliezen", "niks te verliezen", "niets te verliezen",
                   "nothing to lose", "nothing left to lose"]
LIST_OF_NAMES = ["lijstje", "lijst", "namenlijst", "zwarte lijst", "list", "hit list", "kill list"]
ON_THE_LIST = ["bovenaan", "staat op", "sta je op", "staan op", "namen", "de eerste", "the top", "on it", "you re on"]
RAMMING = ["met mijn auto", "met de auto", "met mn auto", "met m n auto", "met een auto", "met mijn busje",
           "met een vrachtwagen", "met mijn truck", "with my car", "with a truck", "with my truck"]
RAM_INTO = ["kantoor in", "gemeentehuis in", "stadhuis in", "pui in", "gebouw in", "naar binnen", "rij ik", "vlieg ik",
            "ram ik", "inrijden", "in rijden", "invliegen", "in vliegen", "rammen", "doorheen", "drive into",
            "drive through", "ram"]
SEEK_OUT = ["opzoeken", "op te zoeken", "opwachten", "op te wachten", "achterna", "stalken", "volgen naar huis",
            "een bezoekje brengen", "langsgaan bij", "hunt down", "track down"]
SEEK_INTENT = ["ik ga", "we gaan", "ga ik", "gaan we", "ik kom", "we komen", "persoonlijk", "i ll", "i will", "we will"]
SEEK_EXCLUDE = ["spreekuur", "inloopspreekuur", "afspraak", "gesprek", "praten", "spreken", "vragen", "bedanken",
                "uitnodigen", "koffie", "uitleggen", "uit te leggen", "bespreken", "vertellen", "laten zien"]
GOING_HOME_EXCLUDE = ["donker", "*donker", "verlichting", "lamp*", "licht", "hangjongeren", "jongeren", "dieven", "inbrekers",
                      "zakkenrollers", "fietsendieven", "overvallen", "ongeluk*", "auto s", "dark", "lights"]
GOING_HOME = ["naar huis gaan", "naar huis gaat", "naar huis fietst", "naar huis fietsen", "naar huis loopt",
              "naar huis lopen", "naar huis rijdt", "naar huis rijden", "s avonds", "als het donker is",
              "in het donker", "tot het donker", "walk home", "after dark"]
CAREFUL = ["oppassen", "uitkijken", "opletten", "voorzichtig", "wacht maar", "pas op", "careful", "watch out"]
LIFE_PAY = ["met zijn leven", "met je leven", "met haar leven", "met jullie leven", "met uw leven", "with your life",
            "with his life", "with her life"]
PAY = ["bekopen", "betalen", "boeten", "pay"]
LIFE_END = ["in een kist", "in een lijkzak", "lijkzak", "zes voet onder", "het niet overleven", "overleeft het niet",
            "overleef je niet", "overleven jullie niet", "niet levend", "kopje kleiner", "in a body bag", "body bag"]
SHOT_IN_HEAD = ["door zijn kop", "door je kop", "door z n kop", "door zn kop", "door haar kop", "door de kop",
                "door zijn hoofd", "door je hoofd", "door het hoofd", "in zijn kop", "in je kop", "tussen de ogen",
                "in the head"]
SHOOT = ["schiet", "schieten", "knal", "knallen", "kogel", "kogels", "jaag", "jagen", "pistool", "geweer", "shoot",
         "bullet", "gun"]
LITERALLY = ["letterlijk", "echt waar", "ik meen het", "geen grap", "no joke", "literally", "serieus"]
FIGURATIVE_VIOLENCE = ["koppen rollen", "kop eraf", "koppen eraf", "afmaken", "kapot", "dood", "opknopen",
                       "knallen", "bloed", "ophangen", "tegen de muur", "heads will roll", "kill"]
ESCALATION = ["gaat het knallen", "gaat het los", "dan knalt het", "dan gebeurt er wat", "dan gebeurt er iets",
              "vallen er klappen", "rollen er koppen", "wordt het oorlog", "is het oorlog", "dan is het oorlog",
              "dan zul je wat beleven", "dan krijg je wat", "dan krijgen jullie wat", "dan zwaait er wat",
              "zwaait er wat", "dan ontploft er", "gaat er iets gebeuren", "all hell", "things will get ugly",
              "gets ugly"]
ARRIVAL = ["ik kom", "we komen", "kom ik", "komen we", "sta ik", "ik sta", "ga ik langs", "ik ga langs", "ik ga naar",
           "we gaan naar", "i m coming", "we re coming", "i ll come"]
FEAR = ["angst aanjagen", "bang maken", "wat angst is", "laten voelen wat", "doodsbang maken", "laten schrikken",
        "terroriseren", "wegpesten", "het leven zuur maken", "het leven onmogelijk maken", "laten sidderen",
        "make them afraid", "scare"]
FIGHT = ["regelen we het als mannen", "als mannen regelen", "kom maar naar buiten", "kom maar eens naar buiten",
         "kom maar buiten", "kom naar buiten als je durft", "man tegen man", "1 tegen 1", "een tegen een",
         "uitvechten", "buiten uitvechten", "dan knokken we", "je bent een dode man", "jij bent een dode man",
         "u bent een dode man", "ben je een dode man", "you re a dead man", "dead man walking",
         "je uur is gekomen", "jouw uur is gekomen", "zijn uur is gekomen", "je laatste uur", "ik bedreig je", "dit is een bedreiging", "meet me outside",
         "step outside"]

# --- two independent menace cues and a target ("dat ga je voelen" + "klootzak"; "genoteerd" + "we zien
# elkaar nog"): catches wordings that no list foresaw, while one cue alone (an angry complaint) is not enough
CUE_HARM = ["pijn doen", "pijn gaan doen", "pijn lijden", "eindig je", "eindigt hij", "eindigt ze", "eindigen jullie",
            "beland je", "belandt hij", "lig je in", "lig jij in", "ligt hij in", "kom je in het", "niet meer herkent",
            "niet meer herkennen", "herkent je niet meer", "bloeden", "helm", "kogelvrij*", "iets overkomt",
            "niks overkomt", "niets overkomt", "wat overkomt", "ongelukje", "ongelukjes", "letsel", "gewond raken",
            "vervelend aflopen", "slecht aflopen", "niet goed aflopen", "spijt dat je geboren", "nooit meer rustig",
            "niet meer rustig", "niet meer veilig", "nergens meer veilig", "niet thuis slapen", "nachtje niet thuis",
            "ongeluk krijgen", "ongelukje krijgen", "in elkaar laten slaan", "laten slaan", "laten aftuigen",
            "dood zien", "vervelende tijd", "moeilijke tijd", "een lesje", "a lesson", "end up in hospital",
            "hurt", "pain", "regret being born", "bloody", "ugly"]
CUE_WARNING_STRONG = ["ik zeg het maar alvast", "zeg het maar alvast", "ik waarschuw", "ik waarschuw je",
                      "dit is een waarschuwing", "we zien elkaar nog", "zien elkaar nog", "zien we elkaar nog",
                      "luister goed", "luister maar goed", "als je snapt wat ik bedoel", "snap je wat ik bedoel",
                      "je snapt wat ik bedoel", "weet je wat ik bedoel", "begrijp je wat ik bedoel",
                      "begrijp je me", "dat ga je voelen", "ga je voelen", "gaan jullie voelen", "zul je voelen",
                      "dat beloof ik", "beloof ik je", "dit is nog niet voorbij", "het is nog niet voorbij",
                      "nog niet klaar met je", "nog niet klaar met jou", "nog niet klaar met jullie",
                      "als je begrijpt wat ik bedoel", "begrijp je", "snap je", "denk er maar over na",
                      "denk daar maar over na", "denk er goed over na", "bedenk je goed", "maak je borst maar nat",
                      "zet je schrap", "hou je vast", "niet voor koffie", "niet om te praten", "vervelende tijd",
                      "moeilijke tijd tegemoet", "hiermee wegkomt", "ermee wegkomt", "hier niet mee weg",
                      "kom je niet mee weg", "daar kom je niet mee weg", "persoonlijk", "daar zorg ik voor",
                      "dat garandeer ik", "get away with", "won t forget", "nooit vergeten", "iets anders dan",
                      "zorg dat de deur open", "zorg maar dat", "niet met een brief",
                      "you know what i mean", "if you know what i mean", "mark my words", "personally", "make sure",
                      "i promise", "this isn t over", "not over yet"]
CUE_WHEN = ["de volgende keer", "volgende keer", "binnenkort", "vanaf nu", "straks", "vandaag nog", "deze week nog",
            "vannacht", "tot binnenkort",
            "zomaar eens", "op een dag", "een dezer dagen", "vanavond", "next time", "soon", "one day"]
CUE_INFO = ["nummerbord", "kenteken", "welke auto", "welke straat", "in welke straat", "welk huis", "welke school",
            "je adres", "jouw adres", "uw adres", "zijn adres", "haar adres", "huisnummer", "genoteerd",
            "opgeschreven", "opgezocht", "gefotografeerd", "je gezicht", "zijn gezicht", "weet waar", "weten waar",
            "where you live", "your address", "your car", "license plate", "your plate"]
CUE_INSULT = ["klootzak*", "kankerlijer*", "kanker*", "tyfus*", "tering*", "lul", "eikel", "hoer", "landverrader*",
              "verrader*", "zakkenvuller*", "klojo", "schoft", "smeerlap*", "tuig", "fuck*", "bitch", "bastard*",
              "scum", "motherfucker*", "cunt"]
CUE_VISIT = ["bezoeken", "bezoekje", "op bezoek", "langskomen", "langs komen", "kom ik langs", "komen we langs",
             "opzoeken", "bij je thuis", "bij jou thuis", "bij hem thuis", "voor je deur", "voor de deur",
             "aan de deur", "aan je deur", "voor je neus", "staat er iemand", "staan er mensen", "ik vind je wel",
             "we vinden je wel", "opwachten", "visit", "pay a visit", "drop by", "at your door", "at your home"]
CUE_DAMAGE = ["verrassing", "verrassinkje", "onder de auto", "onder zijn auto", "onder je auto", "ontploft", "ontploffen", "ontploffing", "explodeert", "de lucht in", "fik", "in brand", "vlammen",
              "er gebeurt iets", "gebeurt er iets", "gaat er iets gebeuren", "zal er iets gebeuren",
              "er gaat iets gebeuren", "er gebeuren dingen", "boze mensen", "blow", "explode", "something will happen",
              "something bad"]
CUE_INTENT = ["ik ga", "ik zal", "we gaan", "wij gaan", "ik zorg", "we zorgen", "ik ken mensen", "ik ken iemand",
              "ik heb vrienden", "i will", "i ll", "we will", "we ll", "gonna", "going to", "i know people"]
CUE_WARNING = ["pas op", "pas maar op", "kijk uit", "uitkijken", "oppassen", "opletten", "als ik jou was",
               "zou ik maar", "watch out", "better watch", "careful"]
CUE_HOME = ["bij je langs", "bij jou langs", "bij u langs", "bij hem langs", "bij haar langs", "bij je thuis",
            "bij jou thuis", "bij hem thuis", "bij haar thuis", "voor je deur", "aan je deur", "your house",
            "your door", "your place"]
CUE_TARGETS = ["je", "jij", "jou", "jouw", "u", "uw", "jullie", "hem", "haar", "you", "your", "him", "her"]
CUE_EXCLUDE = ["voordat", "voor er", "eerst", "ongeluk*", "slachtoffer*", "rijden", "rijdt", "racen", "parkeert",
               "geparkeerd", "parkeren", "ziekenhuisbezoek", "bezoekuur"]
CUE_HAZARDS = ["tegel*", "gat", "gaten", "glad", "gladheid", "kuil*", "drempel*", "gevaarlijk*", "verkeer",
               "oversteek*", "kruising", "kruispunt", "rotonde", "fietspad*", "hardrij*", "te hard", "auto s",
               "zebrapad", "pothole*", "ice", "traffic"]
CUE_PAIRS = [  # (first cue, second cue, targets)
    ("HARM", "WARNING_STRONG", "person"), ("HARM", "WHEN", "person"), ("HARM", "INTENT", "person"),
    ("HARM", "INFO", "person"), ("HARM", "INSULT", "person"), ("HARM", "VISIT", "person"),
    ("HARM", "WARNING", "person"), ("DAMAGE", "WARNING_STRONG", "place"), ("DAMAGE", "WHEN", "place"),
    ("DAMAGE", "INTENT", "place"), ("DAMAGE", "VISIT", "place"), ("VISIT", "WARNING_STRONG", "person"),
    ("VISIT", "INFO", "person"), ("VISIT", "INSULT", "person"), ("INFO", "WARNING_STRONG", "person"),
    ("INFO", "INSULT", "person"), ("INFO", "WARNING", "person"), ("INSULT", "WARNING_STRONG", "person"),
    ("HARM", "HARM", "person"), ("HOME", "WHEN", "person"), ("HOME", "WARNING_STRONG", "person"),
    ("HOME", "INSULT", "person"), ("HOME", "HARM", "person"), ("HOME", "INFO", "person"),
]


def _cue_pairs() -> list[dict]:
    cues = {name[4:]: value for name, value in globals().items() if name.startswith("CUE_") and name[4:] in {
        "HARM", "WARNING_STRONG", "WHEN", "INFO", "INSULT", "VISIT", "DAMAGE", "INTENT", "WARNING", "HOME"}}
    targets = {"person": unique(t.OFFICIALS, CUE_TARGETS),
               "place": unique(t.BUILDINGS, t.OFFICIALS, t.PROPERTY)}
    exclude = NONE(W(*CUE_HAZARDS, *CUE_EXCLUDE, *t.FIGURATIVE, *POLITICAL), t.HYPERBOLE)
    return [ALL(W(*cues[a]), W(*cues[b]), W(*targets[who]), exclude) for a, b, who in CUE_PAIRS]


def _either(words) -> str:
    return "(?:" + "|".join(r"\W+".join(word.split()) for word in words) + ")"


def split_verb_threats() -> list[dict]:
    """"iets aandoen" and "afmaken" with the target between the verb's parts (see `t.SPLIT_TARGETS`): the
    target is written into regular expressions, so it must stand where the verb's object stands; each
    is checked only when its keywords are in the message."""
    subject, verb = _either(t.SPLIT_SUBJECTS), _either(t.SPLIT_VERBS)
    adverbs = r"(?:" + _either(t.SPLIT_ADVERBS) + r"\W+)*"
    # the target, perhaps with what it is of or has: "die ambtenaar van de sociale dienst", "die handhaver
    # met zijn bonnenboekje"
    target = (r"(?:" + _either(t.SPLIT_DETERMINERS) + r"\W+)?(?:{terms})(?:\s+" + _either(t.SPLIT_TARGET_OF)
              + r"(?:\s+\w+){1,3})?\W+")
    harm = (_either(t.SPLIT_HARM) + r"(?:\W+" + _either(t.SPLIT_HARM_ADJECTIVES) + r")?\W+aan(?:\W*doen\b|\W+te\W+doen\b|"
            r"(?=\W*$|\s*[^\w\s]|\W+" + _either(t.SPLIT_CLAUSE_END) + r"\b))")
    no_preposition = r"(?<!\b(?:van|voor|door|met|aan|bij|over|naar|om|tegen|namens)\W+(?:" + _either(
        t.SPLIT_DETERMINERS) + r"\W+)?)"
    af = r"af\b(?!\W+en\W+toe)"  # "ik maak die ambtenaar af en toe gek met mijn vragen"
    # the keywords a message needs before a regular expression is tried: the verb, and the harm or "af"
    harm_words = W(*phrases(t.SPLIT_HARM + t.SPLIT_HARM_ADJECTIVES, ["aan", "aandoen"]))
    inverted = phrases(t.SPLIT_VERBS, t.SPLIT_SUBJECTS)
    templates = [  # (regex, the keywords it needs, what rules it out)
        # "ik ga de wethouder iets aandoen", "dan doe ik hem wat aan", "om die ambtenaar iets aan te doen"
        (rf"\b(?:{subject}\W+{verb}|{verb}\W+{subject}|om)\W+{adverbs}{target}{adverbs}{harm}",
         [W(*phrases(t.SPLIT_SUBJECTS, t.SPLIT_VERBS), *inverted, "om"), harm_words], []),
        # "ik maak de burgemeester af", "dan maken we die wethouder eens af"
        (rf"\b(?:maak|maken)\W+(?:{subject}\W+)?{adverbs}{target}{adverbs}{af}", [W("maak", "maken"), W("af")],
         [NONE(W(*t.FINISH_IN_WORDS))]),
        # "die wethouder ga ik iets aandoen", "jou doe ik wat aan"
        (rf"\b{target}{verb}\W+{subject}\W+{adverbs}{harm}", [W(*inverted), harm_words], []),
        # "die burgemeester maak ik af", "de wethouder wordt afgemaakt"; not "het plan van de wethouder wordt afgemaakt"
        (rf"{no_preposition}\b{target}(?:(?:maak|maken)\W+{subject}\W+{adverbs}{af}|(?:wordt|worden|gaat|gaan|zal|"
         rf"zullen|moet|moeten)\W+{adverbs}afgemaakt)\b", [W(*phrases(["maak", "maken"], t.SPLIT_SUBJECTS), "afgemaakt")],
         [NONE(W(*t.FINISH_IN_WORDS))]),
    ]
    parts = []
    for template, verb_words, exclude in templates:
        for terms, pattern in regexes_over(template, t.SPLIT_TARGETS, MAX_REGEX_LENGTH):
            parts.append(ALL(W(*terms), *verb_words, {"regex": pattern}, *exclude))
    return parts


def threat_condition() -> dict:
    """Any of the ways a threat is made (see the module docstring)."""
    officials_or_you = unique(t.OFFICIALS, t.SECOND_PERSON)
    return ANY(
        *_cue_pairs(),
        *split_verb_threats(),
        W(*t.STANDALONE, *t.OBJECT_PHRASES, *FIGHT),
        ALL(W(*t.BODY), W(*t.BODY_ACTS), W(*t.PERSON_TARGETS), W(*CUE_INTENT, *t.SEPARATED_STEMS, "ik", "we", "i",
                                                                "sla", "breek", "trap"),
            NONE(W(*t.BODY_EXCLUDE, *t.FIGURATIVE), t.HYPERBOLE)),
        ALL(W("dagen", "days"), W("geteld", "numbered"), W(*t.PERSON_TARGETS)),
        ALL(W(*LIFE_PAY), W(*PAY)),
        ALL(W(*LIFE_END), W(*t.PERSON_TARGETS), NONE(W(*t.FIGURATIVE), t.HYPERBOLE)),
        ALL(W(*SHOT_IN_HEAD), W(*SHOOT)),
        ALL(W(*LITERALLY), W(*FIGURATIVE_VIOLENCE), W(*t.PERSON_TARGETS, *t.BUILDINGS, "er")),
        ALL(W(*ESCALATION), W(*ARRIVAL, *t.BUILDINGS, *t.OFFICIALS), NONE(W(*HAZARDS, *TRAFFIC_CONTEXT, *POLITICAL))),
        ALL(W(*FEAR), W(*t.OFFICIALS), NONE(W(*POLITICAL))),
        ALL(W(*NOTHING_TO_LOSE), W("jullie wel", "jij wel", "u wel", "jullie nog wel", "jij nog wel", "maar jullie",
                                   "maar jij", "you do", "but you", "let op", "pas op", "pas maar op", "wacht maar",
                                   "zal wel zien", "zullen wel zien", "je zal", "je zult", "zul je")),
        ALL(W(*LIST_OF_NAMES), W(*ON_THE_LIST), W(*t.OFFICIALS, "jij", "je", "jullie", "you"), NONE(W(*POLITICAL))),
        ALL(W(*RAMMING), W(*RAM_INTO), W(*t.BUILDINGS, *t.OFFICIALS)),
        ALL(W(*SEEK_OUT), W(*t.OFFICIALS, "hem", "haar"), W(*SEEK_INTENT), NONE(W(*SEEK_EXCLUDE))),
        ALL(W(*GOING_HOME), W(*CAREFUL), W(*t.OFFICIALS, "je", "jij", "jullie", "you"),
            NONE(W(*HAZARDS, *GOING_HOME_EXCLUDE))),
        ALL(W("zou zonde zijn", "zou toch zonde zijn", "zou jammer zijn", "zou toch jammer zijn", "would be a shame"),
            W("dochter*", "zoon", "zoontje", "kleinkind*", "gezin", "vrouw", "daughter", "son", "wife"),
            NONE(W(*TRAFFIC_CONTEXT, "mijn dochter*", "mijn zoon*", "onze dochter*", "onze zoon*", "mijn vrouw",
                   "ons gezin", "mijn gezin", "mijn kleinkind*", "my daughter", "my son", "my wife"))),
        ALL(W(*t.DEATH_SAYING), NONE(W(*t.DEATH_SAYING_EXCLUDE))),
        ALL(W(*KNOWS_WHERE), W(*LIVES), NONE(W(*LIVES_EXCLUDE))),
        ALL(W(*t.VIOLENCE), W(*t.PERSON_TARGETS), NONE(W(*t.FIGURATIVE), t.HYPERBOLE)),
        ALL(W(*t.SHOOT_DOWN), W(*t.PERSON_TARGETS), NONE(W(*t.FIGURATIVE, *t.SHOT_DOWN_THINGS), t.HYPERBOLE)),
        ALL(W(*t.VIOLENCE_WEAK), W(*t.OFFICIALS), NONE(W(*t.FIGURATIVE, *POLITICAL), t.STREET_NAME, t.HYPERBOLE)),
        ALL(W(*t.FINISH), W(*t.OFFICIALS, "hem", "haar", "jou"), NONE(W(*t.FINISH_EXCLUDE, *t.FIGURATIVE), t.STREET_NAME)),
        ALL(W(*t.SEPARATED_STEMS), W(*t.SEPARATED_PARTICLES), W(*t.OFFICIALS), NONE(t.STREET_NAME)),
        ALL(W(*t.MENACE_TO_OFFICIALS), W(*t.OFFICIALS, *t.BUILDINGS, "jullie", "hem", "haar"), NONE(W(*POLITICAL),
                                                                                             t.STREET_NAME)),
        ALL(W(*t.IF_I_WERE_YOU), W(*t.ADVICE), NONE(W(*HAZARDS))),
        ALL(W(*t.PERSONAL_OUTCOME), NONE(W(*HAZARDS))),
        ALL(W(*t.HANGING), W(*t.POLITICAL_OFFICIALS, "hem", "haar", "ze", "hen", "allemaal")),
        ALL(W(*t.PAST_VIOLENCE), W(*t.OFFICIALS), W(*t.STRONG_WISH)),
        ALL(W(*t.PAST_VIOLENCE), W(*t.WISH_YOU), NONE(W(*HARM_EXCLUDE))),
        ALL(W(*t.ARSON, *t.DAMAGE), W(*t.BUILDINGS, *t.OFFICIALS, *t.PROPERTY)),
        ALL(W(*t.BOMB), W(*t.BOMB_ACTS), W(*t.BUILDINGS, *t.OFFICIALS, *t.PROPERTY, *t.SECOND_PERSON), NONE(W(*t.BOMB_EXCLUDE))),
        ALL(W(*WARNINGS), W(*officials_or_you), NONE(W(*HAZARDS))),
        ALL(W(*GRUDGES), W(*officials_or_you, "hem", "haar"), NONE(W(*POLITICAL))),
        ALL(W(*MEMORY), W(*GRUDGES, *WARNINGS, "je tijd komt", "wacht maar", "onthoud", "gezicht"),
            NONE(W(*POLITICAL))),
        ALL(ANY(W(*PRIVATE_INFO), ALL(W("adres", "adresje", "address"), t.HOUSE_NUMBER)), W(*t.OFFICIALS, "hem", "haar"),
            W(*DOXX_CALL), NONE(W(*DOXX_EXCLUDE))),
        ALL(W(*t.FAMILY), W(*FAMILY_MENACE), NONE(W(*TRAFFIC_CONTEXT))),
        ALL(W(*t.FAMILY_THIRD), W(*t.OFFICIALS), W(*FAMILY_MENACE)),
        ALL(W(*t.PROPERTY), W(*PROPERTY_MENACE), W(*t.OFFICIALS, *t.SECOND_PERSON)),
        ALL(W(*PROPERTY_MENACE), W(*t.OFFICIALS), W("huis", "woning", "auto", "ramen", "tuin", "kinderen", "gezin")),
        ALL(W(*SURVEILLANCE), W(*SURVEILLANCE_MENACE, *VISIT_INTENT, *t.PROPERTY, "je werk", "naar je werk",
                                "op je werk", "bus", "school", "naar huis", "heb je al gemerkt", "heb je gemerkt"),
            NONE(W("top", "dank*", "bedankt", "goed werk", "leuk", "fijn", "complimenten", "thanks", "great"))),
        ALL(W(*HOME_VISIT), W(*VISIT_INTENT)),
        ALL(W("voor de deur van", "bij de deur van", "thuis"), W(*t.OFFICIALS), W(*VISIT_INTENT, "zal hij wel zien",
                                                                                 "zal zij wel zien", "wel zien")),
        ALL(W(*VIGILANTE), W(*t.OFFICIALS, "hem", "haar", "niet netjes", "op mijn manier", "geweld")),
        ALL(W(*CALLS), W(*CALL_ACTS), NONE(W(*t.FIGURATIVE), t.HYPERBOLE)),
        ALL(W(*WEAPONS), W(*WEAPON_INTENT), W(*officials_or_you, *t.BUILDINGS)),
        ALL(W(*t.SEPARATED_ARSON), W(*t.ARSON_PARTICLES), W(*t.BUILDINGS, *t.PROPERTY, *t.OFFICIALS)),
        ALL(W("erin", "er nog in", "inside"), W(*t.ARSON, *t.DAMAGE, *t.BOMB, "slopen", "platbranden"),
            W(*t.BUILDINGS), NONE(W(*t.FIGURATIVE))),
        ALL(W(*t.BURNS_WELL), W(*t.PROPERTY, *t.BUILDINGS, "huis", "huisje", "woning", "auto", "house", "car")),
        ALL(W(*WEAPONS), W("ik heb", "heb ik", "thuis", "liggen", "i have", "i own", "got a"), W(*t.OFFICIALS)),
        ALL(W("jij bent de volgende", "je bent de volgende", "u bent de volgende", "jullie zijn de volgende",
              "you re next", "you are next"),
            NONE(W("wachtrij", "in de rij", "aan de beurt", "wachttijd", "telefoon", "in de wacht", "queue", "line"))),
        ALL(W(*DEATH_WISH), W(*HARM), W(*officials_or_you, "hij", "zij"), NONE(W(*HARM_EXCLUDE))),
    )
