"""Demo data of the referrals area, loaded by jalon.demo.data.load() after structures and people."""


def load(tally, structures: dict) -> None:
    """Idempotent: keyed on natural keys, a second run creates nothing. Counts go to `tally`."""
