"""The default Dutch rule set against the labelled messages (tests/data/routing_labelled.jsonl).

Done-criterion of issue 5: at least 90 % of departments right and every threat flagged. The test
prints the accuracy per department and the misses, and fails below the bar.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests import factories as f
from tests.conftest import DATA_DIR
from webcare.demo_feed import load_corpus
from webcare.services import routing

LABELLED = [json.loads(line) for line in (DATA_DIR / "routing_labelled.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
DEPARTMENT_BAR = 0.90


def test_the_labelled_set_is_broad():
    assert len(LABELLED) >= 300
    assert {row["department"] for row in LABELLED} >= {"KCC", "OW", "VER", "GRN", "AFV", "RIO", "OVL", "HH", "VTH",
                                                       "DIER", "VB"}
    assert {row["platform"] for row in LABELLED} >= {"x", "facebook", "instagram", "mastodon", "bluesky", "linkedin",
                                                     "tiktok"}
    assert {row["kind"] for row in LABELLED} == {"mention", "comment", "dm"}
    assert sum(row["threat"] for row in LABELLED) >= 30


def test_default_rules_route_the_labelled_messages(session, capsys):
    f.seeded(session)
    session.commit()
    right, per_department, misses = Counter(), Counter(), []
    threats = flagged = false_alarms = 0
    for row in LABELLED:
        decision = routing.decide(session, routing.RouteInput(
            text=row["text"], platform=row["platform"], kind=row["kind"],
            visibility="private" if row["kind"] == "dm" else "public"))
        per_department[row["department"]] += 1
        if decision.department == row["department"]:
            right[row["department"]] += 1
        else:
            misses.append(f"  {row['department']:>4} -> {decision.department:<4} {row['text'][:90]}")
        threats += row["threat"]
        flagged += row["threat"] and decision.threat
        false_alarms += decision.threat and not row["threat"]
    accuracy = sum(right.values()) / len(LABELLED)
    with capsys.disabled():
        print(f"\nrouting accuracy: {accuracy:.1%} of {len(LABELLED)} departments right; "
              f"threats flagged {flagged}/{threats}; false threat flags {false_alarms}")
        print("  " + ", ".join(f"{d} {right[d]}/{n}" for d, n in sorted(per_department.items())))
        print("\n".join(misses))
    assert accuracy >= DEPARTMENT_BAR
    assert flagged == threats
    assert false_alarms == 0


@pytest.mark.parametrize("text", [
    "Ik word gek van die herrie, kunnen jullie iets doen?",
    "Ik ga dood van het lachen om die nieuwe borden",
    "Dat kost de gemeente een bom geld",
    "De kogel is door de kerk: het zwembad gaat dicht",
    "Kunnen jullie daar iets aandoen? De stoep is kapot",
    "Wanneer komen jullie het werk aan de weg afmaken?",
    "Er ligt een mes in de zandbak van de speeltuin, kunnen jullie het weghalen?",
    "Die wethouder moet echt opstappen na dit debacle",
    "De fietsen staan tegen de muur van het gemeentehuis",
    "Mijn aanslag voor de afvalstoffenheffing klopt niet",
    "Ze gaan het oude gemeentehuis slopen, jammer van dat mooie gebouw",
    "Mogen we een poster ophangen in de bibliotheek?",
    "Jullie vermoorden onze mooie oude bomen met die snoeiwoede",
    "Die container is een tijdbom, zo vol zit hij",
    "Jongeren intimideren voorbijgangers bij het station",
    "I'm dying to know when the new pool opens",
    "De ambtenaar gaat het formulier vandaag afmaken",
    "Kan de medewerker mijn aanvraag deze week nog afmaken?",
])
def test_threat_like_everyday_language_is_not_flagged(session, text):
    f.seeded(session)
    session.commit()
    assert routing.decide(session, routing.RouteInput(text=text)).threat is False


@pytest.mark.parametrize("text", [
    "Ik weet waar je woont",
    "Als ik die wethouder tegenkom sla ik hem verrot",
    "We steken het stadhuis in de fik",
    "De burgemeester verdient een kogel",
    "I know where you live, mayor",
])
def test_threats_are_flagged_urgent_for_vb(session, text):
    f.seeded(session)
    session.commit()
    decision = routing.decide(session, routing.RouteInput(text=text))
    assert (decision.threat, decision.department, decision.priority, decision.auto_ack) == (True, "VB", "urgent", False)


@pytest.mark.parametrize("text", [
    "ik ga de wethouder iets aandoen",
    "ik ga die wethouder wat aandoen",
    "ik ga de burgemeester iets aandoen",
    "ik ga jullie iets aandoen",
    "ik ga je iets aandoen",
    "Ik ga u iets aandoen",
    "ik zal die burgemeester eens wat aandoen",
    "we gaan dat raadslid echt iets aandoen",
    "als ik die ambtenaar zie doe ik hem wat aan",
    "ik doe die handhaver iets aan als hij nog een bon geeft",
    "die wethouder ga ik iets aandoen",
    "ik ben van plan om de klantmanager iets aan te doen",
    "ik maak de burgemeester af",
    "dan maken we die wethouders eens af",
    "die burgemeester maak ik af",
    "die wethouder wordt afgemaakt",
    "de burgemeester moet afgemaakt worden",
])
def test_harm_with_the_target_between_the_verbs_parts_is_a_threat(session, text):
    """"iets aandoen" and "afmaken" with an official or the addressee between the verb's parts."""
    f.seeded(session)
    session.commit()
    decision = routing.decide(session, routing.RouteInput(text=text))
    assert (decision.threat, decision.department) == (True, "VB")


@pytest.mark.parametrize("text", [
    "wat doet de gemeente mij aan",
    "wat heeft de wethouder ons aangedaan met die bomenkap",
    "dat kun je iemand toch niet aandoen",
    "ik maak het formulier af",
    "maak de melding af",
    "de burgemeester maakt de weg af",
    "Kunnen jullie daar iets aandoen?",
    "Ik ga de wethouder vragen wat hij eraan gaat doen",
    "Wij willen u iets aan de hand doen: een bankje bij de vijver",
    "Ik zou de wethouder nooit iets aandoen",
    "Het project van de wethouder wordt eindelijk afgemaakt",
    "De wethouder wordt afgemaakt door de oppositie",
    "De brief aan de burgemeester maak ik vanavond af",
    "Ik maak die ambtenaar af en toe gek met mijn vragen",
])
def test_harm_look_alikes_with_an_official_or_the_addressee_are_not_flagged(session, text):
    f.seeded(session)
    session.commit()
    assert routing.decide(session, routing.RouteInput(text=text)).threat is False


def test_the_demo_feeds_threats_are_flagged_and_only_those(session):
    """What a newcomer sees in `webcare run`: every threat in the demo corpus reaches the safety team."""
    f.seeded(session)
    session.commit()
    missed, false_alarms = [], []
    for row in load_corpus():
        decision = routing.decide(session, routing.RouteInput(
            text=row["text"], platform="mastodon", kind=row["kind"],
            visibility="private" if row["kind"] == "dm" else "public"))
        if row.get("threat") and not decision.threat:
            missed.append(row["text"])
        if decision.threat and not row.get("threat"):
            false_alarms.append(row["text"])
    assert not missed and not false_alarms


@pytest.mark.parametrize(("text", "category"), [
    ("overlast van een verwarde man bij het station, scheldt iedereen uit", "overlast-personen"),
    ("overlast van hangjongeren bij de supermarkt", "overlast-personen"),
    ("graffiti op de muur bij de school", "overlast-openbare-ruimte.graffiti"),
    ("bijennest in de spouwmuur bij ons, kan iemand kijken?", "overlast-dieren.wespen"),
    ("zwerm bijen bij de speeltuin", "overlast-dieren.wespen"),
])
def test_the_preposition_bij_is_not_a_bee(session, text, category):
    """"bij" ("at") is not the insect: "overlast ... bij het station" is no bee swarm."""
    f.seeded(session)
    session.commit()
    assert routing.decide(session, routing.RouteInput(text=text)).category == category


@pytest.mark.parametrize(("text", "department"), [
    ("wanneer wordt grofvuil opgehaald?", "KCC"),
    ("hoe kan ik grofvuil laten ophalen?", "KCC"),
    ("kan ik mijn grofvuil laten ophalen of moet ik zelf naar de milieustraat? wat kost dat?", "KCC"),
    ("grofvuil staat al 10 dagen aan de straat, is een afspraak gemaakt maar niemand is gekomen", "AFV"),
    ("wanneer wordt de bank die al een week op de stoep staat opgehaald?", "AFV"),
    ("iemand heeft grofvuil gedumpt achter de garages, hoe lang blijft dat liggen?", "AFV"),
])
def test_a_question_about_bulky_waste_is_answered_by_webcare(session, text, department):
    """A service question (when is bulky waste collected) stays with KCC; bulky waste on the street goes to AFV."""
    f.seeded(session)
    session.commit()
    assert routing.decide(session, routing.RouteInput(text=text)).department == department


@pytest.mark.parametrize(("text", "threat"), [
    ("jullie kinderen zitten toch op de Montessorischool? zou zonde zijn als er iets gebeurt", True),
    ("adres van de wethouder: Lindelaan 4. wie gaat er even langs om het uit te leggen 😉", True),
    ("Die wethouder van financien moet je gewoon afschieten, net als een hond", True),
    ("de raad heeft het voorstel van de wethouder afgeschoten", False),
    ("die burgemeester gaat bij de verkiezingen afgeschoten worden door de kiezer", False),
    ("mijn kinderen zitten op de Montessorischool en de oversteek ervoor is gevaarlijk", False),
    ("wat is het adres van het stadskantoor? ik wil langs voor mijn paspoort", False),
])
def test_veiled_threats_and_shot_down_proposals(session, text, threat):
    """Children's school and an official's address are threats (ROUTING.md); a proposal "afgeschoten" is politics."""
    f.seeded(session)
    session.commit()
    assert routing.decide(session, routing.RouteInput(text=text)).threat is threat


@pytest.mark.parametrize("text", [
    "ons tuin loopt elke keer onder sinds de nieuwe bestrating",
    "de achtertuin loopt bij elke bui onder",
])
def test_a_garden_that_floods_is_for_the_sewer_department(session, text):
    f.seeded(session)
    session.commit()
    assert routing.decide(session, routing.RouteInput(text=text)).category == "riolering.wateroverlast"


@pytest.mark.parametrize(("text", "category"), [
    ("de leuning van de brug over de singel is kapot", "wegen.brug"),
    ("het bankje in het park is kapot, de planken zijn eruit getrapt", "wegen.straatmeubilair"),
    ("een uitgebrande auto staat al 2 weken op de parkeerplaats", "overlast-openbare-ruimte.wrak"),
])
def test_the_sub_category_with_its_own_handling_target(session, text, category):
    """A bridge (21 days) is not street furniture (5 working days); a burnt-out car is a wreck, not parking."""
    f.seeded(session)
    session.commit()
    assert routing.decide(session, routing.RouteInput(text=text)).category == category
