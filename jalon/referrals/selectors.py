"""Reads of referrals that the inbox page and the API share: the keyset on (created_at, id)."""

import base64
from datetime import datetime

from django.db.models import Q


def keyset_cursor(referral) -> str:
    raw = f"{referral.created_at.isoformat()}|{referral.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def keyset_after(queryset, raw: str):
    """Keyset on (created_at, id) descending: page 400 costs what page 1 costs."""
    if not raw:
        return queryset
    try:
        at, pk = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode().split("|")
        at, pk = datetime.fromisoformat(at), int(pk)
    except (ValueError, UnicodeDecodeError):
        return queryset
    return queryset.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
