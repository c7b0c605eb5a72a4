"""Word groups of the default category rules: things, what is wrong with them, and places.

Every group lists the forms people actually write: singular, plural and diminutive (`*lantaarn*` covers
lantaarnpaal, lantaarnpalen, straatlantaarntje and #lantaarnpaalkapot), compounds (`*container*`:
ondergrondse-container, containertje, restafvalcontainers), inflections of problem words (`kapot*`:
kapotte, kapotgeslagen, kapottt), common misspellings (lantarenpaal, lantaarpaal, kappot, prullebak,
kontainer) and the English of expats. Word groups that are only meaningful together ("lamp" + "uit")
are combined in the rules, so that a message that merely mentions a lamp is not routed on that word.
"""

from __future__ import annotations

BROKEN = [
    "kapot*", "kappot*", "kaput", "kapoet", "stuk", "stukk*", "defect*", "verniel*", "beschadig*", "*gebroken",
    "gebroke", "afgebroken", "brak", "breekt", "gesloopt", "ingegooid", "ingetrapt", "ingeslagen", "ingeschopt",
    "omgereden", "omver*", "omgevallen", "omgegooid", "omgetrapt", "omgewaaid", "scheef", "verbogen", "eruit",
    "eraf", "los", "losgeraakt", "loszitten", "opengebroken", "open gebroken", "doormidden", "gebarsten",
    "werkt niet", "werken niet", "doet het niet", "doen het niet", "doet niks", "broken", "damaged", "smashed",
    "vandalised", "vandalized", "not working", "doesn t work", "out of order",
]
ANIMALS = [
    "dier", "dieren", "diertje*", "*dier", "beest", "beesten", "beestje*", "kat", "katten", "kater", "poes",
    "poezen", "poesje", "kitten*", "hond", "honden", "vos", "vossen", "vosje", "egel", "egels", "egeltje*", "das",
    "dassen", "hert", "herten", "hertje", "ree", "reeen", "reetje", "haas", "hazen", "konijn", "konijnen",
    "konijntje*", "eend", "eenden", "eendje*", "*eend", "zwaan", "zwanen", "zwaantje*", "gans", "ganzen",
    "gansje*", "reiger", "reigers", "meeuw", "meeuwen", "duif", "duiven", "duifje", "vogel", "vogels", "vogeltje*",
    "*vogel", "*vogels", "vis", "vissen", "visjes", "rat", "ratten", "muis", "muizen", "mol", "mollen", "kraai",
    "kraaien", "kauw", "kauwen", "merel", "merels", "uil", "uilen", "uiltje", "bunzing", "wezel", "marter",
    "marters", "kikker", "kikkers", "padden", "schildpad*", "slang", "slangen", "zeehond*", "koe", "koeien",
    "schaap", "schapen", "paard", "paarden",
    "badger", "fox", "cat", "dog", "deer", "bird", "birds", "swan", "duck", "ducks", "goose", "geese", "animal*",
    "hedgehog*", "rabbit*", "fish", "heron", "pigeon*", "seagull*",
]
DEAD = ["dood", "dode", "doodgereden", "doodgebeten", "aangereden", "overreden", "platgereden", "overleden",
        "gestorven", "sterft", "creperend", "kadaver*", "karkas*", "lijk", "leeft niet meer", "niet meer leeft",
        "ligt dood", "liggen dood", "dead", "roadkill", "run over"]
HURT_ANIMAL = ["ziek", "zieke", "gewond", "gewonde", "verwond*", "vishaak", "verstrikt", "zit vast", "zitten vast",
               "vastgelopen", "kreupel", "in nood", "bloedt", "kan niet vliegen", "kan niet meer lopen", "mank",
               "verzwakt", "uitgehongerd", "verwaarloosd", "kan niet eten", "om zijn nek", "om haar nek", "vast", "injured", "sick", "hurt", "stuck", "trapped"]
PLAGUE = ["rattenplaag", "rattenoverlast", "rattennest*", "muizenplaag", "muizenoverlast", "ongedierte",
          "plaagdier*", "kakkerlak*",
          "mierenplaag", "bedwants*", "vlooien", "kakkerlakken", "steenmarter*", "marter*", "everzwijn*",
          "wilde zwijnen", "halsbandparkiet*", "vermin", "cockroach*", "infestation"]
PESTS = ["rat", "ratten", "ratje", "ratjes", "muis", "muizen", "mol", "mollen", "molshopen", "molshoop", "duiven",
         "duivenpoep", "duivenoverlast", "meeuwen", "meeuwenoverlast", "ganzen", "ganzenpoep", "ganzenoverlast",
         "kraaien", "kauwen", "konijnen", "konijnenplaag", "mieren", "vossen", "wasberen", "rats", "mice", "foxes",
         "pigeons", "seagulls", "gulls", "crows", "geese", "moles"]
WASTE_CONTEXT = ["container*", "*container", "*containers", "kliko*", "vuilniszak*", "*vuilniszakken",
                 "afvalzak*", "zakken", "afval", "*afval", "vuilnis", "huisvuil", "grofvuil", "afvalbak*",
                 "*afvalbak", "prullenbak*", "*prullenbak", "vuilnisbak*", "rubbish", "bin bags", "bins"]
CONTAINERS = [
    "*container*", "*kontainer*", "*contianer*", "kliko*", "*kliko", "*klikos", "minicontainer*", "glasbak*",
    "*glasbak", "papierbak*", "ondergrondse", "ondergrondse*", "verzamelcontainer*", "grijze bak", "groene bak",
    "blauwe bak", "oranje bak", "gft bak", "pmd bak", "plasticbak*", "gftbak*", "pmdbak*", "restafvalbak*",
    "papierbak*", "*bins", "bin", "wheelie bin*", "recycling bin*", "textielbak*", "kledingbak*",
]
CONTAINER_BROKEN = BROKEN + [
    "klep", "klepje", "deksel", "dekseltje", "scharnier*", "wiel", "wielen", "wieltje*", "handvat",
    "gaat niet open", "niet open", "krijg m niet open", "krijg hem niet open", "klemt", "zit klem", "zit vast",
    "afvalpas*", "pasje*", "toegangspas*", "milieupas*", "pas werkt niet", "trommel", "lampje", "rood lampje", "lid",
    "handle", "wheel*",
    "won t open", "stuck", "gestolen", "kwijt", "verdwenen", "vervangen", "vervanging", "nieuwe", "missing",
    "stolen", "replace*", "scheur*", "gescheurd", "lek", "lekt", "bodem", "barst*",
]
FULL = ["vol", "volle", "voller", "*vol", "overvol*", "propvol", "tjokvol", "bomvol", "stampvol", "zit vol",
        "zitten vol", "puilt uit", "puilen uit", "uitpuilen", "uitpuilende", "loopt over", "lopen over", "overloopt",
        "niet geleegd", "nooit geleegd", "niet geleegd", "niet leeg", "ernaast", "naast", "full", "overflowing",
        "overflow*"]
BINS = ["*prullenbak*", "prullebak*", "*prullebak*", "*afvalbak*", "*vuilnisbak*", "afvalemmer*", "*afvalemmer*",
        "peukenpaal*", "hondenpoepbak*", "vuilbak*", "litter bin*", "trash can*", "rubbish bin*", "public bin*"]
BULKY = ["*puin", "grofvuil", "grof vuil", "grofafval", "bankstel*", "matras*", "koelkast*", "vriezer*", "wasmachine*",
         "oude meubels", "meubel*", "asbest*", "bouwafval", "puin", "tuinafval", "snoeiafval", "kasten", "kast",
         "bank", "stoelen", "tapijt*", "vloerbedekking", "autobanden", "banden", "verfblikken", "chemisch afval",
         "kartonnen dozen", "dozen", "fridge", "sofa", "couch", "mattress*", "furniture", "tyres"]
DUMPED = ["gedumpt", "dump*", "illegaal gestort", "gestort", "achtergelaten", "neergezet", "neergegooid",
          "gegooid", "gedropt", "gelost", "weggegooid", "neergekwakt", "gekieperd", "gekiept", "gesmeten",
          "gedeponeerd", "buiten gezet", "dumped", "fly tipping",
          "fly tipped", "left"]
NOT_COLLECTED = ["niet opgehaald", "nog niet opgehaald", "niet meegenomen", "niet geleegd", "vergeten",
                 "overgeslagen", "laten staan", "blijven staan", "vergeten te legen", "not collected",
                 "weren t collected", "were not collected", "wasn t collected", "was not collected", "missed",
                 "skipped", "not been emptied", "haven t been emptied", "hasn t been emptied", "weren t emptied",
                 "not emptied"]
WASTE = ["afval", "*afval", "vuil", "vuilnis", "huisvuil", "restafval", "gft", "pmd", "plastic", "papier",
         "oud papier", "karton", "glas", "textiel", "vuilniszak*", "*vuilniszakken", "afvalzak*", "zwerf*",
         "rommel", "troep", "zooi", "viezigheid", "peuk", "peuken", "blikje*", "flesjes", "scherven",
         "chipszak*", "recycling", "lachgaspatronen", "lachgascilinders", "lachgasflessen", "hondenpoepzak*", "litter", "littering", "rubbish", "trash", "garbage", "waste", "bin bags"]
WASTE_COLLECTION = ["vuilniswagen*", "vuilnisman*", "vuilnismannen", "afvalinzameling", "ophaaldienst",
                    "reinigingsdienst", "garbage truck", "bin men", "bin lorry"]

LIGHT_NAMES = [
    "*lantaar*", "*lantare*", "*lanteer*", "*lantarn*", "*lantaren*", "lantr*", "*lantaa*", "straatlamp*", "*straatlamp*", "lichtpunt*",
    "straatverlichting", "*straatverlichting", "openbare verlichting", "straatlicht*", "lichtmast*",
    "*lichtmast*", "lichtpaal*", "lichtpalen", "ledlamp*", "street light*", "streetlight*", "lamp post*",
    "lamppost*", "street lamp*",
]
LIGHTS = ["lamp", "lampen", "lampje", "lampjes", "*lamp", "*lampen", "licht", "lichten", "verlichting",
          "*verlichting", "paal", "palen", "armatuur", "lights", "light", "lamps", "lighting"]
LIGHT_PROBLEMS = BROKEN + [
    "uit", "gaat uit", "gaan uit", "uitgevallen", "uitgevallen*", "brandt niet", "brand niet", "branden niet",
    "brandt nooit", "brandt overdag", "nooit aan", "niet aan", "gaat niet aan", "gaan niet aan", "flikker*",
    "knipper*", "aan en uit", "donker", "pikdonker", "pikkedonker", "aardedonker", "stikdonker", "overdag",
    "geen licht", "geeft geen licht", "dood", "doet het niet meer", "niet meer", "niks meer", "nooit meer",
    "geeft niks", "geeft geen", "dark", "pitch dark", "pitch black",
    "flickering", "out", "off", "not on",
]
DARK = ["donker", "pikdonker", "pikkedonker", "aardedonker", "stikdonker", "geen licht", "pitch dark",
        "pitch black"]
STREET_PLACES = ["straat", "*straat", "weg", "laan", "*laan", "fietspad*", "*fietspad", "pad", "park", "wijk",
                 "buurt", "steeg", "steegje", "plein", "tunnel*", "hofje", "dijk", "street", "path", "park"]

DRAINS = ["kolk", "kolken", "*kolk", "*kolken", "straatkolk*", "putje*", "*putje", "*putjes", "rioolput*",
          "*rioolput", "putdeksel*", "*riool*", "riolering", "afvoer*", "*afvoer", "gootje*", "goot", "goten",
          "regenpijp*", "drain", "drains", "gully", "gullies", "sewer*", "sewage"]
WELLS = ["put", "putten"]
DRAIN_PROBLEMS = ["verstopt*", "verstopping*", "zit dicht", "zitten dicht", "dicht", "dichtgeslibd", "vol",
                  "vol blad", "vol bladeren", "zakt", "ingezakt", "verzakt", "rammel*", "klappert", "klepper*",
                  "kapot*", "stinkt", "loopt over", "lopen over", "overstroomt", "slikt niet", "slikken niet",
                  "slikt niks", "slikken niks", "borrel*", "loopt niet weg", "blijft staan", "werkt niet",
                  "werken niet", "doet het niet", "omhoog", "komt eruit", "spuit", "bruin water", "vies water",
                  "blocked", "clogged"]
FLOODING = ["wateroverlast", "water op straat", "onder water", "onderwater", "ondergelopen", "onderloopt",
            "loopt onder", "lopen onder", "staat blank", "stond blank", "staan blank", "blank", "overstroom*",
            "staat vol water", "vol water", "staat het water", "water staat", "meer op straat", "plas op straat",
            "kelder loopt vol", "water in de kelder", "afwatering", "flooding", "floods", "flooded",
            "turns into a lake", "turns into a river", "river"]
WATER = ["water", "plassen", "plas", "regen", "regenwater", "bui", "buien", "regenbui", "hoosbui", "onweersbui",
         "rain", "water"]
WATER_STAYS = ["blijft staan", "tuin in", "huis in", "kelder in", "naar binnen", "kelder", "garage in", "blijft liggen", "blank", "kan nergens heen", "kan niet weg", "loopt niet weg",
               "zakt niet weg", "stroomt", "loopt naar binnen", "loopt de tuin in", "komt omhoog", "won t drain"]
SMELL = ["lucht", "stank", "stink*", "ruikt", "ruiken", "rotte eieren", "geur", "smell*", "stinks", "stench"]

WATERS = ["sloot", "sloten", "*sloot", "slootje", "vijver", "vijvers", "vijvertje", "*vijver", "gracht",
          "grachten", "*gracht", "kanaal", "vaart", "singel", "singels", "*singel", "haven", "plas", "het meer", "beek", "rivier", "water", "waterkant", "canal", "pond", "lake",
          "river", "ditch"]
FLOATING = ["drijft", "drijven", "drijvend*", "drijfvuil", "rommel", "afval", "vuil", "plastic", "troep", "flessen",
            "blikjes", "winkelwagen*", "fiets", "fietsen", "kroos", "algen", "blauwalg", "dichtgegroeid", "groene soep",
            "kalft", "afgekalfd", "weggespoeld", "ingezakt", "ingestort", "stinkt", "litter", "rubbish", "floating"]
BANKS = ["beschoeiing*", "oever*", "walkant", "kademuur*", "damwand*", "steiger"]
TREE_WORDS = ["boom", "bomen", "boompje*", "*boom", "*bomen", "boomstam*", "boomstronk*", "boomtak*", "*takken",
              "tak", "takken", "kastanje", "kastanjes", "populier", "populieren", "wilg", "wilgen", "beuk",
              "beuken", "eik", "eiken", "esdoorn", "esdoorns", "berk", "berken", "linde", "linden", "iep", "iepen", "plataan", "platanen",
              "elzen", "dennen", "dennenboom", "conifeer", "coniferen", "bomenkap", "gekapt", "omgezaagd",
              "tree", "trees", "branch", "branches"]
NOT_TREES = ["slagboom*", "kerstboom*", "boomgaard", "stamboom", "*slagboom"]

PLAY = ["schommel*", "glijbaan*", "wipwap*", "wipkip*", "wip", "klimrek*", "klimtoestel*", "klimrekje",
        "zandbak*", "trampoline*", "kabelbaan*", "voetbalkooi*", "pannakooi*", "speelhuisje*", "duikelrek*",
        "draaimolen*", "speeltoestel*", "*speeltoestel", "*speeltoestellen", "speelkussen", "swing*", "slide",
        "climbing frame", "sandpit"]
PLAY_PLACES = ["speeltuin*", "*speeltuin*", "speelplaats*", "speelplek*", "*speelplek", "speelweide",
               "speelveld*", "*speelveld", "speelterrein*", "playground*", "play area"]

BUILDING = ["bouwoverlast", "sloopoverlast", "bouwlawaai", "heien", "heiwerk*", "heipalen", "bouwplaats*",
            "bouwverkeer", "bouwput", "bouwhek*", "bouwvakker*", "bouwbedrijf*", "bouwkraan", "bouwterrein",
            "bouwproject", "sloop", "sloopbedrijf*", "sloopwerk*", "slopen", "slopers", "nieuwbouw*", "verbouwing*",
            "verbouwen", "bouwt", "bouwen", "gebouwd", "bouwwerk*", "schuur", "erfgrens*", "steiger", "steigers", "uitbouw", "aanbouw", "dakkapel*", "opbouw", "zonder vergunning",
            "illegale bouw", "illegaal gebouwd", "bouwvergunning*", "omgevingsvergunning*",
            "schutting*", "erfafscheiding*", "overkapping*", "tuinhuis*", "carport", "construction*",
            "building site", "demolition", "building work*"]
HOUSING = ["illegale bewoning", "illegaal bewoond", "illegaal verhuurd", "kamerverhuur", "kamers verhuurd",
           "kamers verhuren", "onderverhuur", "verhuurd zonder", "omgebouwd", "bedrijfsruimte", "bestemmingsplan",
           "strijdig met", "huisjesmelker*", "arbeidsmigranten", "bewoond als", "als woning", "airbnb",
           "te veel mensen", "overbewoning"]
NOISE = ["muziek", "herrie", "lawaai*", "*lawaai", "geluid*", "*geluid", "*geluiden", "bas", "bassen", "bass",
         "beats",
         "dreun*", "gedreun", "bromt", "brommen", "brommend", "gebrom", "bromtoon", "gejoel", "feest*", "zoem*", "gezoem", "compressor*", "knal*",
         "piep*", "gepiep", "house", "techno", "dj", "draait tot", "draaien tot", "wakker", "niet slapen",
         "kunnen niet slapen", "uit bed", "noise", "noisy", "loud", "music"]
VENUES = ["cafe*", "*cafe", "kroeg*", "bar", "bars", "cocktailbar*", "strandbar*", "club", "*club", "disco*",
          "discotheek*", "restaurant*", "brasserie*", "snackbar*", "horeca*", "horecazaak", "zaak", "terras*", "*terras", "lounge*", "*lounge",
          "strandtent*", "*strandtent", "feesttent*", "evenement*", "festival*", "vereniging*", "*vereniging",
          "sportclub*", "kantine", "*kantine", "supermarkt*", "bedrijf*", "*bedrijf", "fabriek*", "*fabriek",
          "garage*", "werkplaats*", "afzuiging*", "afzuiginstallatie", "bakkerij*", "winkel*", "*winkel",
          "ventilator*", "airco*", "warmtepomp*", "koelinstallatie*", "koelsysteem", "koelcel", "laad en los*",
          "industrieterrein", "bedrijventerrein", "tankstation*", "wasstraat", "autowasstraat", "*bar", "kermis", "braderie", "concert*", "optreden", "podium", "carnaval",
          "pub", "pubs", "factory", "shop", "venue", "fair"]
STENCH = ["stank*", "stink*", "stankoverlast", "houtstook", "houtkachel*", "rookoverlast", "rook",
          "ruikt naar rook", "smell", "stench", "stinks", "smoke", "fumes", "odour", "odor"]
SMELL_SOURCES = ["fabriek*", "*fabriek", "bedrijf*", "*bedrijf", "restaurant*", "afzuiging*", "frituur*",
                 "snackbar*", "bakkerij*", "industrieterrein", "bedrijventerrein", "chemisch*", "chemicalien",
                 "mest", "varkens*", "kwekerij"]

SLIPPERY = ["glad", "gladheid", "spekglad", "spiegelglad", "ijzel", "ijzig", "ijs", "bevroren", "sneeuw*",
            "strooi*", "gestrooid", "strooiwagen*", "strooizout", "zout", "pekel", "icy", "ice", "gritting",
            "gritted", "snow", "black ice"]
GRAFFITI = ["graffiti*", "beklad*", "bekladding*", "gekliederd", "geklad", "kliederen", "met verf", "verf op",
            "bespoten", "bekrast", "gekrast", "tags", "getagd", "gespoten", "spuitbus*",
            "hakenkruis*", "spray paint*", "spray painted", "sprayed", "wildplak*", "stickers geplakt", "posters geplakt", "beschilderd", "vandalisme"]
SIGNS = ["verkeersbord*", "*verkeersbord", "*verkeersborden", "stopbord*", "voorrangsbord*", "straatnaambord*",
         "*naambord*", "wegwijzer*", "richtingbord*", "bewegwijzering", "bebording", "afzethek*", "*afzethek*",
         "dranghek*", "afzetting*", "wegafzetting*", "slagboom*", "*slagboom", "road sign*", "street sign*"]
SIGN_WORDS = ["bord", "borden", "bordje", "*bord", "*borden", "hekken", "paal van het bord"]
SIGN_PROBLEMS = BROKEN + ["omgewaaid", "verdraaid", "gedraaid", "weg", "verdwenen", "weggehaald", "verkeerd",
                          "onleesbaar", "verbleekt", "ontbreekt", "staan er nog", "staat er nog", "staan nog",
                          "staat nog", "overgroeid", "verstopt achter", "niet te zien", "missing", "wrong"]
MARKINGS = ["belijning", "wegmarkering*", "markering*", "strepen", "witte lijnen", "lijnen op de weg",
            "haaientanden", "zebrapad*", "*zebrapad", "fietssymbool", "omleiding*", "omleidingsbord*", "omrijden",
            "omgeleid", "detour*", "diversion*", "road markings", "zebra crossing"]
BRIDGES = ["brug", "bruggen", "bruggetje*", "*brug", "*bruggen", "*bruggetje", "brugdek", "brugwachter",
           "brugleuning*", "ophaalbrug*", "bridge", "bridges"]
FURNITURE = ["straatmeubilair", "bank", "bankje*", "*bankje", "*bankjes", "parkbank*", "zitbank*", "picknicktafel*",
             "hek", "hekken", "hekje", "hekwerk*", "paaltje*", "*paaltje*", "poller*", "fietsenrek*",
             "*fietsenrek*", "fietsenstalling*", "fietsnietje*", "nietjes", "bushokje*", "*bushokje", "abri*",
             "wachthuisje*", "bloembak*", "plantenbak*", "leuning*", "reling", "muurtje*", "bench*", "railing*",
             "bollard*", "bike rack*", "bus shelter*"]
ROADS = ["straat", "straten", "*straat", "weg", "wegen", "stoep*", "*stoep", "trottoir*", "fietspad*", "*fietspad*",
         "voetpad*", "*voetpad", "pad", "paden", "*pad", "asfalt*", "rijbaan", "rijweg", "klinker*", "kinderkopje*",
         "tegel*", "*tegel*", "bestrating*", "wegdek*", "stoeprand*", "trottoirband*", "parkeerplaats*", "plein",
         "pleintje", "brug", "oprit", "inrit", "road", "roads", "pavement*", "sidewalk*", "cycle path*",
         "bike path*", "bike lane*", "cycle lane*", "street"]
ROAD_DAMAGE = [
    "gat", "gaten", "gaatje*", "kuil*", "*kuil", "*kuilen", "scheur*", "verzak*", "hobbel*", "bult*", "bobbel*",
    "bol", "los", "losse", "losliggend*", "loszittend*", "scheef", "scheve", "omhoog", "opgebroken", "opgedrukt",
    "kapot*", "kappot*", "steekt*", "uitsteken*", "uitstekend*", "struikel*", "gestruikeld", "afgebrokkeld",
    "brokkel*", "afbrokkel*", "opstaand*", "gleuf*", "spoorvorming", "ingezakt", "zand", "ongelijk*",
    "wiebel*", "wortels", "boomwortels", "hole*", "crack*", "uneven", "loose", "broken", "damaged",
]
PAVED = ["stoep*", "*stoep", "trottoir*", "fietspad*", "*fietspad*", "voetpad*", "*voetpad", "asfalt*", "wegdek*",
         "klinker*", "kinderkopje*", "tegel*", "*tegel*", "bestrating*", "stoeprand*", "trottoirband*", "rijbaan",
         "trap", "treden", "trede", "traptrede*", "pavement*", "sidewalk*", "cycle path*", "bike path*", "bike lane*",
         "cycle lane*"]
PAVED_PROBLEMS = ["dichtgemaakt", "niet dichtgemaakt", "grind", "zand", "open", "ligt open", "opgebroken", "slecht*",
                  "slordig", "niet netjes", "teruggelegd", "terugleggen", "herstraten", "gevaarlijk*", "gevallen",
                  "valt", "vallen", "onderuit", "golfbaan", "hobbelig", "oneffen*", "erbarmelijk*", "onbegaanbaar",
                  "glad", "modder*", "slagveld", "mijn nek", "puinhoop", "drama", "bad state", "terrible"]
NEGATED = ["niet", "niks", "nooit", "not", "never"]
LIGHT_VERBS = ["brandt", "branden", "brand", "doet", "doen", "werkt", "werken", "gaat aan", "gaan aan", "geeft",
               "geven", "work", "works"]
ROAD_STANDALONE = ["stoeptegel*", "*stoeptegel*", "gat", "gaten", "enorm gat", "groot gat", "kuil", "diepe kuil",
                   "kuiltje*", "gat in de weg", "gaten in de weg", "gat in de straat", "gat in het wegdek", "gat in de stoep",
                   "gat in het fietspad", "pothole*", "gatenkaas", "hobbelpiste", "losse stoeptegel*", "losse tegel*",
                   "losliggende tegel*", "scheve tegel*", "scheve stoeptegel*", "verzakking*", "kuilen", "sinkhole",
                   "boomwortels", "kademuur*", "traptrede*", "stoeprand*"]
SPEED = ["gescheurd", "scheurende", "te hard", "hard gereden", "keihard", "hardrij*", "hard rijden", "hard rijdende", "racen", "racend*",
         "scheuren", "scheurt", "gescheurd met", "race*", "geracet", "racet", "snelheid*", "snelheidsbeperking", "70 waar", "80 waar",
         "50 waar", "door het rode licht", "rode licht", "door het rood", "30 km*", "30 zone*", "30 zone", "flitspaal", "flitser*", "drempel*", "*drempel*",
         "sluipverkeer", "sluiproute*", "vrachtverkeer", "vrachtwagens", "inrijverbod", "eenrichtingsverkeer",
         "tegen het verkeer in", "spookrij*", "spookfiets*", "onoverzichtelijk*", "verkeersveiligheid",
         "verkeersonveilig*", "oversteekplaats*", "voorrang", "doorrijden", "doorrijdt", "door rood", "speed*",
         "speeding", "rat run", "zebrapad", "death trap"]
JUNCTIONS = ["moordkuil", "kruising*", "kruispunt*", "oversteek*", "*oversteek", "rotonde*", "*rotonde", "junction*",
             "crossing*", "roundabout*", "t splitsing"]
DANGER_WORDS = ["gevaarlijk*", "levensgevaarlijk", "onveilig*", "veiliger", "ongeluk*", "aanrijding*",
                "aangereden", "bijna", "moord*", "dodelijk*", "russische roulette", "dangerous", "unsafe",
                "accident*"]
GREEN = ["maaien", "gemaaid", "maai*", "weggemaaid", "ongemaaid", "gras", "*gras", "grasveld*", "grasstrook*",
         "grasmat", "snoei*", "gesnoeid", "*snoeid", "heg", "heggen", "*heg", "haag", "hagen", "*haag", "struik*",
         "*struiken", "overgroei*", "overwoekerd", "begroeiing", "groenstrook*", "plantsoen*", "perk", "perken",
         "bloemperk*", "bosschages", "bosjes", "struikgewas", "berm", "bermen", "blad", "bladeren", "herfstblad",
         "bladblazer*", "groeit dicht", "dichtgegroeid", "mow*", "hedge*", "overgrown", "grass", "bushes",
         "leaves", "verge"]
WEEDS = ["onkruid*", "wied*", "gewied", "brandnetel*", "*berenklauw", "berenklauw", "duizendknoop",
         "*duizendknoop", "distels", "ambrosia", "woekert", "woekeren", "weeds", "weed", "knotweed", "hogweed"]
