"""Finding a commune from what a person types: a name, a postcode or an INSEE code."""

import re

from jalon.text import normalize

from .models import Commune


def label(commune: Commune) -> str:
    postcode = commune.postcodes.split(" ")[0] if commune.postcodes else commune.departement
    return f"{commune.name} ({postcode}) — {commune.code}"


def suggest(query: str, limit: int = 10) -> list[Commune]:
    query = (query or "").strip()
    if len(query) < 2:
        return []
    if re.fullmatch(r"\d{2,5}", query):
        return list(
            Commune.objects.filter(postcodes__contains=query).order_by("-population")[:limit]
            if len(query) == 5
            else Commune.objects.filter(code__startswith=query).order_by("-population")[:limit]
        )
    key = normalize(query)
    # Prefix range on the indexed normalised name: uses the index on every database.
    return list(
        Commune.objects.filter(search_name__gte=key, search_name__lt=key + "\uffff").order_by("-population")[
            :limit
        ]
    )


def resolve(text: str) -> Commune | None:
    """The single commune meant by `text`, or None when unknown or ambiguous."""
    text = (text or "").strip()
    if not text:
        return None
    match = re.search(r"(\d[\dAB]\d{3})\s*$", text)
    if match:
        commune = Commune.objects.filter(code=match.group(1)).first()
        if commune is not None:
            return commune
    if re.fullmatch(r"\d{5}", text):
        candidates = list(Commune.objects.filter(postcodes__contains=text)[:2])
        return candidates[0] if len(candidates) == 1 else None
    candidates = list(Commune.objects.filter(search_name=normalize(text))[:2])
    return candidates[0] if len(candidates) == 1 else None
