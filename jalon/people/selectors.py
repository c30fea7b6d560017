"""Reads of person files that the pages and the API share: search, filters, keyset pages."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from jalon.pagination import keyset_page, merged_keyset_page
from jalon.structures.phones import to_e164
from jalon.text import normalize

from .models import AgeBand


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _name_prefix(query: str) -> str | None:
    """The normalised prefix when `query` searches a name (not an e-mail, not a phone number)."""
    query = (query or "").strip()
    if not query or "@" in query:
        return None
    digits = "".join(c for c in query if c.isdigit())
    if len(digits) >= 6 and len(digits) >= len(query.replace(" ", "")) - 1:
        return None
    return normalize(query)


def _name_ranges(key: str) -> tuple[Q, Q]:
    """Last name first, or first name first, starting with `key` (both are indexed)."""
    return (
        Q(search_name__gte=key, search_name__lt=key + "\uffff"),
        Q(search_name_alt__gte=key, search_name_alt__lt=key + "\uffff"),
    )


def search_people(queryset, query: str):
    query = (query or "").strip()
    if not query:
        return queryset
    key = _name_prefix(query)
    if key is not None:
        last, first = _name_ranges(key)
        return queryset.filter(last | first)
    if "@" in query:
        return queryset.filter(email=query.lower())
    try:
        return queryset.filter(phone=to_e164(query))
    except ValidationError:
        return queryset.none()


def people_page(queryset, query: str, *, after: str = "", before: str = "", size: int = 25):
    """One page of `queryset` searched by `query`, at the same cost on 1,000 or 1 million people.

    A name search is paged as two arms (last-name matches by last name, first-name matches by
    first name, merged), each a bounded range scan on its own index; see merged_keyset_page.
    """
    query = (query or "").strip()
    key = _name_prefix(query)
    if not query or "@" in query:
        return keyset_page(search_people(queryset, query), after=after, before=before, size=size)
    if key is None:
        # A phone number matches a row or two: ordered by phone (then id), the (structure, phone)
        # index answers alone. Ordered by name, SQLite without statistics walks the whole
        # structure's name index instead (2.4 s at 1 million people).
        return keyset_page(search_people(queryset, query), after=after, before=before, size=size, key="phone")
    last, first = _name_ranges(key)
    arms = [(queryset.filter(last), "search_name"), (queryset.filter(first).exclude(last), "search_name_alt")]
    return merged_keyset_page(arms, after=after, before=before, size=size)


def filter_situation(queryset, data: dict, user):
    if data.get("status"):
        queryset = queryset.filter(employment_status=data["status"])
    today = timezone.localdate()
    if data.get("age") == AgeBand.UNDER_25:
        queryset = queryset.filter(birth_date__gt=_years_ago(today, 25))
    elif data.get("age") == AgeBand.FROM_25_TO_54:
        queryset = queryset.filter(
            birth_date__lte=_years_ago(today, 25), birth_date__gt=_years_ago(today, 55)
        )
    elif data.get("age") == AgeBand.OVER_54:
        queryset = queryset.filter(birth_date__lte=_years_ago(today, 55))
    if data.get("mine"):
        queryset = queryset.filter(referent=user)
    return queryset
