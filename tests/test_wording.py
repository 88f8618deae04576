"""Messages list the first few items, then how many more."""

from imscheck.wording import first_few


def test_first_few_lists_three_then_counts_the_rest() -> None:
    assert first_few(["a", "b"]) == "a, b"
    assert first_few(["a", "b", "c", "d", "e"]) == "a, b, c and 2 more"
    assert first_few(["a", "b", "c", "d"], "; ") == "a; b; c; and 1 more"
    assert first_few([]) == ""
