import numpy as np
import pytest

from micfp.voting import vote_by_group


def test_soft_vote_is_the_normalized_geometric_mean():
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(4), size=10)
    groups = np.array([3, 1, 3, 2, 1, 1, 2, 3, 3, 2])
    ids, out = vote_by_group(proba, groups, voting="soft")
    assert ids.tolist() == [1, 2, 3]
    for row, g in zip(out, ids, strict=True):
        geo = np.exp(np.log(proba[groups == g]).mean(axis=0))
        np.testing.assert_allclose(row, geo / geo.sum())


def test_hard_vote_counts_argmax():
    proba = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.5, 0.4, 0.1]])
    ids, out = vote_by_group(proba, ["a", "a", "a"], voting="hard")
    assert ids.tolist() == ["a"]
    np.testing.assert_allclose(out, [[2 / 3, 1 / 3, 0.0]])


def test_soft_vote_is_not_vetoed_by_one_zero():
    proba = np.array([[0.0, 1.0], [0.9, 0.1], [0.9, 0.1], [0.9, 0.1]])
    _, out = vote_by_group(proba, np.zeros(4), voting="soft")
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out.sum(axis=1), 1.0)


def test_soft_and_hard_can_disagree():
    # one very confident clip outweighs two lukewarm ones in the product rule
    proba = np.array([[0.99, 0.01], [0.4, 0.6], [0.4, 0.6]])
    groups = np.zeros(3)
    assert vote_by_group(proba, groups, voting="soft")[1].argmax() == 0
    assert vote_by_group(proba, groups, voting="hard")[1].argmax() == 1


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"voting": "mean"}, "voting must be one of"),
        ({"groups": np.zeros((3, 1))}, "groups must be 1-D"),
        ({"groups": np.zeros(2)}, "inconsistent numbers of samples"),
    ],
)
def test_bad_input(kwargs, match):
    args = {"proba": np.full((3, 2), 0.5), "groups": np.zeros(3)}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        vote_by_group(**args)
