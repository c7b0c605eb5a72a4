"""The lexicons of the default "danger" rules: acute danger (urgent) and unsafe situations (high).

Both rules only raise the priority and add a label ("continue"); a later rule decides the department.
A danger is usually a thing with what is wrong with it ("boom" + "omgewaaid", "putdeksel" + "weg"), so
the conditions combine word groups instead of listing sentences. Threats are in `default_threats`.
"""

from __future__ import annotations

from webcare.services.routing.default_words import ALL, ANY, W

GAS = ["gaslucht*", "gaslek*", "gas lek", "gaslekkage", "gasgeur", "ruik gas", "ruiken gas", "ruik hier gas",
       "ruikt naar gas", "ruikt hier naar gas", "stinkt naar gas", "lucht van gas", "naar gas", "gas ruiken",
       "gas smell", "smell gas", "smells like gas", "smell of gas", "smells of gas", "gas leak"]
TREES = ["boom", "bomen", "*boom", "*bomen", "tak", "takken", "boomtak*", "*takken", "tree", "trees", "branch",
         "branches"]
FALLEN = ["omgevallen", "omgewaaid", "omgewaaide", "omgevallen", "ontworteld", "afgeknapt", "afgebroken",
          "dreigt om te vallen", "dreigt te vallen", "kan elk moment vallen", "op de weg", "over de weg", "op straat",
          "op het fietspad", "over het fietspad", "dwars over", "blokkeert", "versperd", "op een auto",
          "op de auto", "op het huis", "hangt boven", "fell", "fallen", "down", "blocking", "came down"]
CABLES = ["stroomkabel*", "loshangende kabel*", "kabels hangen", "kabel hangt", "kabel ligt", "kabels liggen",
          "elektriciteitskabel*", "hoogspanning*", "draden hangen", "stroomdraad", "stroomdraden", "onder stroom",
          "blote draden", "draden steken", "draden eruit", "kabels steken", "schok gekregen", "live wire*",
          "power line*", "bare wires", "exposed wires"]
COVERS = ["putdeksel*", "*putdeksel", "rioolputdeksel*", "drain cover", "manhole cover*"]
MISSING = ["weg", "ontbreekt", "mist", "ernaast", "verdwenen", "gestolen", "open", "missing", "gone"]
OPEN_DRAINS = ["open put", "put ligt open", "put staat open", "put zonder deksel", "zonder putdeksel",
               "open manhole", "open drain"]
COLLAPSE = ["zinkgat", "instortingsgevaar", "dreigt in te storten", "stort in", "sinkhole"]
FIRE = ["staat in brand", "in brand", "brand", "brandje", "uitslaande brand", "staat in de fik", "staan in de fik",
        "vlammen", "rookontwikkeling", "on fire"]

DANGER_HIGH = [
    "gevaarlijk*", "levensgevaarlijk*", "onveilig*", "bijna een ongeluk", "bijna ongeluk", "bijna aangereden",
    "bijna overreden", "bijna geschept", "ongeluk", "ongelukken", "aanrijding*", "gestruikeld", "struikel*",
    "gevallen", "onderuit", "gewond*", "valgevaar", "dodelijk*", "dangerous", "unsafe", "accident*", "hazard*",
    "death trap",
]


def danger_urgent_condition() -> dict:
    """Gas, fallen trees, loose live cables, open drains, sinkholes, fire."""
    return ANY(
        W(*GAS, *CABLES, *COLLAPSE, *FIRE, *OPEN_DRAINS),
        ALL(W(*TREES), W(*FALLEN)),
        ALL(W(*COVERS), W(*MISSING)),
    )
