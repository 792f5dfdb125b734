"""Ids in full or short as the figures show them; ambiguity and typos named."""

import pytest

from topics.analysis.ids import resolve_id, short_id
from topics.errors import InputError
from topics.plots.labels import short_article_id

IDS = ["000_786013f1ef10bced#1", "000_786013f1ef10bced#1/p002", "003_c52d0679af3027a5#1/p032",
       "007_aaaa#1", "007_bbbb#1"]  # fmt: skip


def test_short_ids_are_what_the_figures_show():
    assert [short_id(i) for i in IDS[:3]] == ["000#1", "000#1/p002", "003#1/p032"]
    assert short_article_id("000_786013f1ef10bced#2") == short_id("000_786013f1ef10bced#2")
    assert short_id("005_f00d") == "005"  # a page without 第N篇 is one article


@pytest.mark.parametrize(
    ("given", "full"),
    [("000#1", IDS[0]), ("000#1/p002", IDS[1]), ("003#1/p032", IDS[2]), (IDS[1], IDS[1])],
)
def test_full_and_short_ids_resolve(given, full):
    assert resolve_id(given, IDS) == full


def test_an_ambiguous_short_id_lists_the_candidates():
    with pytest.raises(InputError, match=r"id '007#1' is ambiguous \(it fits 007_aaaa#1, 007_bbbb#1\)"):  # fmt: skip
        resolve_id("007#1", IDS)


def test_unknown_ids_get_a_hint():
    with pytest.raises(InputError, match=r"no article or paragraph '003#1/p033' \(did you mean '003#1/p032'\?\)"):  # fmt: skip
        resolve_id("003#1/p033", IDS)
    with pytest.raises(InputError, match=r"no article or paragraph 'report 7' \(ids look like"):
        resolve_id("report 7", IDS)
    with pytest.raises(InputError, match=r"no article or paragraph 'x'$"):
        resolve_id("x", [])
