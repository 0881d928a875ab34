import pytest

from portal.kb import rules


def test_popularity_weighs_helpful_votes_over_views():
    assert rules.popularity(10, 0, 0) == 10
    assert rules.popularity(10, 2, 0) == 20
    assert rules.popularity(0, 0, 5) == 0  # never negative


def test_popularity_bucket_moves_on_noticeable_changes_only():
    assert rules.popularity_bucket(100) == rules.popularity_bucket(101)
    assert rules.popularity_bucket(10) < rules.popularity_bucket(100)


@pytest.mark.parametrize(
    "visibility,published,authenticated,curator,expected",
    [
        ("public", True, False, False, True),
        ("internal", True, False, False, False),
        ("internal", True, True, False, True),
        ("public", False, True, False, False),
        ("public", False, True, True, True),
    ],
)
def test_can_read(visibility, published, authenticated, curator, expected):
    assert (
        rules.can_read(visibility=visibility, published=published, authenticated=authenticated, is_curator=curator)
        is expected
    )
