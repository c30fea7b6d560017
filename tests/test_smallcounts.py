"""The small-count rule: primary and secondary suppression (jalon/smallcounts.py)."""

from hypothesis import given
from hypothesis import strategies as st

from jalon.smallcounts import HIDDEN, MASKED, protect


def test_a_small_sensitive_cell_and_the_next_smallest_are_hidden():
    cells, total = protect({"sante": 2, "emploi": 7, "famille": 5}, {"sante"}, 14)
    assert cells == {"sante": HIDDEN, "emploi": 7, "famille": MASKED}
    assert total == 14


def test_large_or_zero_or_non_sensitive_cells_are_shown():
    assert protect({"sante": 5, "famille": 1}, {"sante"}, 6) == ({"sante": 5, "famille": 1}, 6)
    assert protect({"sante": 0, "famille": 3}, {"sante"}, 3) == ({"sante": 0, "famille": 3}, 3)


def test_a_breakdown_made_of_the_hidden_cell_only_hides_the_total():
    assert protect({"sante": 3}, {"sante"}, 3) == ({"sante": HIDDEN}, HIDDEN)
    assert protect({"sante": 3, "emploi": 0}, {"sante"}, None) == ({"sante": HIDDEN, "emploi": 0}, None)


@given(
    st.dictionaries(st.sampled_from(["sante", "handicap", "emploi", "famille", "autre"]), st.integers(0, 12)),
)
def test_no_hidden_cell_can_be_recomputed_from_what_is_shown(cells):
    total = sum(cells.values())
    shown, shown_total = protect(cells, {"sante", "handicap"}, total)
    hidden = [k for k, v in shown.items() if v == HIDDEN]
    for key in hidden:
        assert 0 < cells[key] < 5
    if hidden and isinstance(shown_total, int):
        # Total minus the shown cells leaves at least two unknown cells: none is singled out.
        unknown = [k for k, v in shown.items() if not isinstance(v, int)]
        assert len(unknown) >= 2
    assert all(v in (HIDDEN, MASKED) or v == cells[k] for k, v in shown.items())
