import re
import unicodedata


def normalize(value: str) -> str:
    """Lower-case, accent-free, single-spaced: the form names are searched in."""
    value = unicodedata.normalize("NFKD", value or "")
    value = "".join(c for c in value if not unicodedata.combining(c))
    value = re.sub(r"[^\w@.+]+", " ", value.lower())
    return " ".join(value.split())


# --- French agreement and dates -------------------------------------------------------------------
# The person's gender is recorded as "F", "M", or "X"/"" (other or not said). A label about one person
# takes their gender when it is known, an inclusive form otherwise — never the wrong one.

FEMALE = "F"
MALE = "M"


def _inclusive(masculine: str, feminine: str) -> str:
    """ "inscrit"/"inscrite" → "inscrit·e"; "parti en cours"/"partie en cours" → "parti·e en cours"."""
    start = 0
    while start < min(len(masculine), len(feminine)) and masculine[start] == feminine[start]:
        start += 1
    end = 0
    while (
        end < min(len(masculine), len(feminine)) - start
        and masculine[len(masculine) - 1 - end] == feminine[len(feminine) - 1 - end]
    ):
        end += 1
    if masculine[start : len(masculine) - end]:
        # "demandeur"/"demandeuse": the point form is a convention ("demandeur·se"), not derivable.
        raise ValueError(f"Donnez la forme inclusive de « {masculine} » / « {feminine} ».")
    added = feminine[start : len(feminine) - end]
    return f"{masculine[:start]}·{added}{masculine[start:]}" if added else masculine


def gender_of(who) -> str:
    """A gender value ("F", "M", …) from a person, a participant or the value itself."""
    if who is None or isinstance(who, str):
        return who or ""
    return getattr(who, "gender", "") or ""


def agree(who, masculine: str, feminine: str | None = None, inclusive: str | None = None) -> str:
    """The word for this person: agree(person, "inscrit", "inscrite", "inscrit·e").

    The feminine defaults to the masculine + "e", the inclusive form to the two merged with a middle
    dot ("inscrit·e"). `who` is a person (anything with a `gender`) or a gender value."""
    if feminine is None:
        feminine = masculine + "e"
    gender = gender_of(who)
    if gender == FEMALE:
        return feminine
    if gender == MALE:
        return masculine
    return inclusive if inclusive is not None else _inclusive(masculine, feminine)


# Point forms whose two words are certain: (inclusive ending, masculine, feminine).
_POINT_FORMS = [
    ("eur·se", "eur", "euse"),
    ("teur·rice", "teur", "trice"),
    ("if·ve", "if", "ive"),
    ("·e", "", "e"),
]
_POINT = re.compile(r"(\w+?)(" + "|".join(re.escape(f[0]) for f in _POINT_FORMS) + r")\b")


def gendered(phrase: str, who) -> str:
    """A label written in the inclusive form, for one person: "présent·e" → "présent" or "présente",
    "Demandeur·se d'emploi" → "Demandeur d'emploi" or "Demandeuse d'emploi".

    Only the endings listed above change; any other point form stays inclusive, never wrong."""

    def one(match) -> str:
        stem, ending = match.groups()
        _, masculine, feminine = next(f for f in _POINT_FORMS if f[0] == ending)
        return agree(who, stem + masculine, stem + feminine, match.group(0))

    return _POINT.sub(one, str(phrase))


def _is_french() -> bool:
    from django.utils import translation

    return (translation.get_language() or "fr").startswith("fr")


def long_date(value, format_string: str = "j F Y") -> str:
    """Django's date format, with "1er" for the first of the month in French ("lundi 1er février").

    Day and month names stay lower-case, as French writes them mid-sentence; capitalise only at the
    start of a sentence (|capfirst in a template)."""
    from datetime import date, datetime

    from django.utils import formats, timezone

    if value in (None, ""):
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    if not isinstance(value, date):
        return ""
    if value.day == 1 and _is_french():
        escaped, rewritten = False, []
        for char in format_string:
            if escaped:
                rewritten.append("\\" + char)
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == "j":
                rewritten.append("\\1\\e\\r")
            else:
                rewritten.append(char)
        if escaped:
            rewritten.append("\\")
        format_string = "".join(rewritten)
    return formats.date_format(value, format_string)


def ago(value, now=None) -> str:
    """ "il y a 3 semaines", "il y a 2 heures", "à l'instant": the largest unit only, never "0 minute"."""
    from datetime import date, datetime, timedelta

    from django.utils import timezone
    from django.utils.timesince import timesince, timeuntil

    if value in (None, ""):
        return ""
    if not isinstance(value, datetime):
        if not isinstance(value, date):
            return ""
        value = timezone.make_aware(datetime(value.year, value.month, value.day))
    now = now or timezone.now()
    if timezone.is_naive(value) and timezone.is_aware(now):
        value = timezone.make_aware(value)
    if abs(now - value) < timedelta(minutes=1):
        return "à l'instant"
    if value > now:
        return f"dans {timeuntil(value, now, depth=1)}"
    return f"il y a {timesince(value, now, depth=1)}"


# Before a vowel or a mute h, "de" elides: "le dossier d'Antoinette", "le parcours de Karim".
# Not before y: "de Yann", "de Yasmine" (Yves would elide; the rarer case is left).
_ELIDES = set("aeiouhàâäéèêëîïôöùûüœæAEIOUHÀÂÄÉÈÊËÎÏÔÖÙÛÜŒÆ")


def of(name) -> str:
    """ "de Karim" / "d'Antoinette" (a name starting with h is taken as mute, as most are)."""
    name = str(name)
    return f"d'{name}" if name[:1] in _ELIDES else f"de {name}"
