"""Small counts: a sensitive breakdown never shows fewer than 5 people outside the owning structure.

A count of 1 to 4 in a breakdown by health or disability (a departure "for health reasons", RQTH,
AAH…) can single someone out in a cohort everyone knows. Whoever sees such figures outside the
structure that follows the people (a co-runner of a programme, a funder, a network) gets:

- primary suppression: a sensitive cell of 1 to 4 shows "< 5" (0 stays 0: it tells nothing about
  anyone);
- secondary suppression: if the total is shown, the hidden cell could be recomputed by
  subtraction, so the smallest other non-zero cell of the same breakdown is hidden too
  ("masqué"); when there is no other cell to hide, the total is the hidden cell itself and shows
  "< 5".

The rule, its reasons and where it applies are in docs/decisions/0008-droits-partage-petits-effectifs.md.
This module imports no app: every layer may use it.
"""

from collections.abc import Hashable, Mapping

THRESHOLD = 5
HIDDEN = "< 5"
MASKED = "masqué"


def is_small(n: int) -> bool:
    return 0 < n < THRESHOLD


def protect(
    cells: Mapping[Hashable, int], sensitive, total: int | None = None
) -> tuple[dict[Hashable, int | str], int | str | None]:
    """`cells` with the small sensitive ones hidden, and `total` (the sum shown beside them, or
    None when none is shown) hidden when it would give a hidden cell away."""
    sensitive = set(sensitive)
    out: dict[Hashable, int | str] = dict(cells)
    primary = [key for key, n in cells.items() if key in sensitive and is_small(n)]
    if not primary:
        return out, total
    for key in primary:
        out[key] = HIDDEN
    others = sorted(
        ((n, str(key), key) for key, n in cells.items() if key not in primary and n > 0),
        key=lambda item: (item[0], item[1]),
    )
    if len(primary) == 1 and others:
        out[others[0][2]] = MASKED
    elif len(primary) == 1 and total is not None:
        # The hidden cell is the whole breakdown: the total would say it.
        total = HIDDEN if is_small(total) else total
    return out, total
