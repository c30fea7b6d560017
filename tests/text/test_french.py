"""French agreement, "1er", lower-case days and "il y a …": the helpers every label goes through."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from jalon.text import ago, agree, gendered, long_date


def someone(gender):
    return SimpleNamespace(gender=gender)


@pytest.mark.parametrize(
    ("gender", "word"),
    [("M", "inscrit"), ("F", "inscrite"), ("X", "inscrit·e"), ("", "inscrit·e"), (None, "inscrit·e")],
)
def test_agree_follows_the_recorded_gender_and_is_inclusive_otherwise(gender, word):
    assert agree(someone(gender), "inscrit", "inscrite", "inscrit·e") == word
    assert agree(gender, "inscrit") == word  # a gender value works too; feminine and point form derived


def test_agree_derives_the_inclusive_form_inside_a_phrase():
    assert (
        agree(someone(""), "parti en cours d'étape", "partie en cours d'étape") == "parti·e en cours d'étape"
    )
    assert agree(someone(""), "Repéré par", "Repérée par") == "Repéré·e par"
    assert agree(someone("M"), "Repéré par", "Repérée par") == "Repéré par"


def test_agree_refuses_to_guess_a_point_form_it_cannot_derive():
    assert agree(someone("F"), "demandeur", "demandeuse") == "demandeuse"
    with pytest.raises(ValueError):
        agree(someone(""), "demandeur", "demandeuse")
    assert agree(someone(""), "demandeur", "demandeuse", "demandeur·se") == "demandeur·se"


def test_first_of_the_month_is_written_1er():
    assert long_date(date(2027, 2, 1), "l j F Y") == "lundi 1er février 2027"
    assert long_date(date(2027, 2, 2), "l j F Y") == "mardi 2 février 2027"
    assert long_date(date(2027, 3, 1), "j F") == "1er mars"
    # An escaped j stays a letter; d (two digits) is not long-hand.
    assert long_date(date(2027, 3, 1), "\\j j d/m") == "j 1er 01/03"


def test_long_date_of_an_aware_datetime_is_the_local_day():
    # 23:30 UTC on 31 January is 1 February in Paris.
    value = datetime(2027, 1, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert long_date(value, "l j F à H\\hi") == "lundi 1er février à 00h30"


def test_1er_is_french_only():
    with translation.override("en"):
        assert "1er" not in long_date(date(2027, 2, 1), "j F")


def test_ago_keeps_the_largest_unit_and_never_says_zero_minute():
    now = timezone.now()
    assert ago(now, now) == "à l'instant"
    assert ago(now - timedelta(seconds=40), now) == "à l'instant"
    assert ago(now - timedelta(days=23, hours=5), now) == "il y a 3\xa0semaines"
    assert ago(now - timedelta(hours=2, minutes=10), now) == "il y a 2\xa0heures"
    assert ago(now - timedelta(minutes=1), now) == "il y a 1\xa0minute"
    assert ago(now + timedelta(days=2, hours=1), now) == "dans 2\xa0jours"
    assert ago(None) == ""


def test_template_filters_are_built_in():
    """Every template can use them without {% load %}."""
    rendered = Template(
        '{{ him|agree:"inscrit" }}/{{ her|agree:"inscrit" }}/{{ them|agree:"inscrit" }}'
        '|{% agree her "demandeur" "demandeuse" "demandeur·se" %}'
        '|{{ day|date_fr:"l j F" }}|{{ moment|ago }}'
    ).render(
        Context(
            {
                "him": someone("M"),
                "her": someone("F"),
                "them": someone(""),
                "day": date(2027, 2, 1),
                "moment": timezone.now(),
            }
        )
    )
    assert rendered == "inscrit/inscrite/inscrit·e|demandeuse|lundi 1er février|à l&#x27;instant"


def test_gendered_turns_an_inclusive_label_into_the_person_s_word():
    assert gendered("présent·e", someone("M")) == "présent"
    assert gendered("Excusé·e", someone("F")) == "Excusée"
    assert gendered("vu·e", someone("")) == "vu·e"
    assert gendered("en retard", someone("F")) == "en retard"
    assert gendered("Demandeur·se d'emploi", someone("F")) == "Demandeuse d'emploi"
    assert gendered("Inactif·ve (ni en emploi)", someone("M")) == "Inactif (ni en emploi)"
    assert gendered("administrateur·rice", someone("F")) == "administratrice"
    assert gendered("Demandeur·se d'emploi", someone("X")) == "Demandeur·se d'emploi"
    # A point form it does not know stays inclusive: never the wrong word.
    assert gendered("pair·es", someone("M")) == "pair·es"
