"""Tests of the multilabel torch losses against NumPy references written from
the papers' formulas: class-balanced focal BCE (Cui et al., 2019), asymmetric
loss (Ridnik et al., 2021) and distribution-balanced loss (Wu et al., 2020)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")
F = torch.nn.functional

from balancekit.torch.losses import (  # noqa: E402
    AsymmetricLoss,
    ClassBalancedLoss,
    DistributionBalancedLoss,
    FocalLoss,
)

COUNTS = [120.0, 40.0, 9.0, 3.0]
N_SAMPLES = 200
IGNORE = -1
REDUCTIONS = ("mean", "sum", "none")


# ------------------------------------------------------------- NumPy references


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _log1pexp(x):
    """log(1 + e^x) without overflow."""
    return np.logaddexp(0.0, x)


def ref_class_balanced(x, y, counts, beta, gamma):
    """Cui et al.: w_j = (1 - beta) / (1 - beta^n_j), sum(w) = L; focal BCE."""
    counts = np.asarray(counts, dtype=np.float64)
    w = (1 - beta) / (1 - beta**counts)
    w = w * len(counts) / w.sum()
    bce = y * _log1pexp(-x) + (1 - y) * _log1pexp(x)
    p = _sigmoid(x)
    p_t = y * p + (1 - y) * (1 - p)
    return w * bce * (1 - p_t) ** gamma


def ref_asymmetric(x, y, gamma_pos, gamma_neg, clip, eps):
    """Ridnik et al. Eq. (1)-(4): L+ = (1-p)^g+ log p, L- = p_m^g- log(1-p_m)."""
    p = _sigmoid(x)
    p_m = np.maximum(p - clip, 0.0)
    l_pos = (1 - p) ** gamma_pos * np.log(np.maximum(p, eps))
    l_neg = p_m**gamma_neg * np.log(np.maximum(1 - p_m, eps))
    return -(y * l_pos + (1 - y) * l_neg)


def ref_distribution_balanced(x, y, counts, n, *, alpha, beta, mu, lam, kappa, gamma):
    """Wu et al. Sec. 3, sample by sample: P^C_i = 1/C 1/n_i, P^I = 1/C sum_{y=1}
    1/n, r = P^C / P^I, r_hat = alpha + sigmoid(beta (r - mu)); NTR with
    nu_i = kappa log(1/p_i - 1), p_i = n_i / N; DB-Focal factor (1 - p_t)^gamma."""
    counts = np.asarray(counts, dtype=np.float64)
    n_labels = counts.shape[0]
    lead = x.shape[:-1]
    x2 = x.reshape(-1, n_labels)
    y2 = y.reshape(-1, n_labels)
    nu = kappa * np.log(1.0 / (counts / n) - 1.0)
    out = np.zeros_like(x2)
    for k in range(x2.shape[0]):
        positives = y2[k] == 1
        p_inst = np.sum(1.0 / counts[positives]) / n_labels
        for i in range(n_labels):
            p_class = (1.0 / n_labels) * (1.0 / counts[i])
            if positives.any():
                r_hat = alpha + _sigmoid(beta * (p_class / p_inst - mu))
            else:  # r -> inf
                r_hat = alpha + 1.0
            z = x2[k, i] - nu[i]
            if positives[i]:
                term = _log1pexp(-z)
                p_t = _sigmoid(z)
            else:
                term = _log1pexp(lam * z) / lam
                p_t = _sigmoid(-lam * z)
            out[k, i] = r_hat * (1 - p_t) ** gamma * term
    return out.reshape(*lead, n_labels)


def _inputs(shape=(16, 4), seed=0, scale=3.0, ignore_frac=0.0, positive=0.3):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * scale
    y = (rng.random(shape) < positive).astype(np.float64)
    mask = np.ones(shape)
    if ignore_frac:
        mask = (rng.random(shape) >= ignore_frac).astype(np.float64)
    return x, y, mask


def _torch_target(y, mask):
    return torch.from_numpy(np.where(mask == 1, y, IGNORE))


def _reduce(per_element, mask, reduction):
    per_element = per_element * mask
    if reduction == "none":
        return per_element
    if reduction == "sum":
        return per_element.sum()
    return per_element.sum() / mask.sum()


DB_DEFAULTS = {"alpha": 0.1, "beta": 10.0, "mu": 0.2, "lam": 5.0, "kappa": 0.05}


def _db_kwargs(ref):
    kwargs = {k: v for k, v in ref.items() if k != "lam"}
    kwargs["neg_scale"] = ref["lam"]
    return kwargs


# ------------------------------------------------------------ equal to the papers


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(16, 4), (3, 5, 4)])
@pytest.mark.parametrize("ignore_frac", [0.0, 0.25])
def test_asymmetric_matches_paper(reduction, shape, ignore_frac):
    x, y, mask = _inputs(shape, ignore_frac=ignore_frac)
    for params in [
        (0.0, 4.0, 0.05, 1e-8),
        (1.0, 2.5, 0.2, 1e-3),
        (0.5, 0.0, 0.0, 1e-8),
    ]:
        loss = AsymmetricLoss(*params, reduction=reduction, ignore_index=IGNORE)
        actual = loss(torch.from_numpy(x), _torch_target(y, mask))
        expected = _reduce(ref_asymmetric(x, y, *params), mask, reduction)
        np.testing.assert_allclose(actual.numpy(), expected, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(16, 4), (3, 5, 4)])
@pytest.mark.parametrize("ignore_frac", [0.0, 0.25])
@pytest.mark.parametrize("gamma", [0.0, 2.0])
def test_distribution_balanced_matches_paper(reduction, shape, ignore_frac, gamma):
    x, y, mask = _inputs(shape, ignore_frac=ignore_frac)
    y[0] = 0  # a sample without positive labels: r_hat = alpha + 1
    y_counted = y * mask  # ignored elements are not positives
    loss = DistributionBalancedLoss(
        COUNTS,
        N_SAMPLES,
        neg_scale=DB_DEFAULTS["lam"],
        gamma=gamma,
        reduction=reduction,
        ignore_index=IGNORE,
    )
    actual = loss(torch.from_numpy(x), _torch_target(y, mask))
    per = ref_distribution_balanced(
        x, y_counted, COUNTS, N_SAMPLES, gamma=gamma, **DB_DEFAULTS
    )
    expected = _reduce(per, mask, reduction)
    np.testing.assert_allclose(actual.numpy(), expected, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("loss_name", "gamma"), [("sigmoid", 0.0), ("focal", 1.5)])
@pytest.mark.parametrize("ignore_frac", [0.0, 0.25])
def test_class_balanced_multilabel_matches_paper(
    reduction, loss_name, gamma, ignore_frac
):
    x, y, mask = _inputs((5, 3, 4), ignore_frac=ignore_frac)
    loss = ClassBalancedLoss(
        COUNTS,
        beta=0.99,
        loss=loss_name,
        gamma=1.5,
        reduction=reduction,
        ignore_index=IGNORE,
        multilabel=True,
    )
    actual = loss(torch.from_numpy(x), _torch_target(y, mask))
    expected = _reduce(ref_class_balanced(x, y, COUNTS, 0.99, gamma), mask, reduction)
    np.testing.assert_allclose(actual.numpy(), expected, rtol=1e-6, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    n_labels=st.integers(1, 5),
    n_rows=st.integers(1, 6),
    alpha=st.floats(0.0, 1.0),
    beta=st.floats(0.0, 20.0),
    mu=st.floats(-1.0, 1.0),
    lam=st.floats(0.5, 8.0),
    kappa=st.floats(0.0, 0.5),
    gamma=st.sampled_from([0.0, 0.5, 2.0]),
    clip=st.floats(0.0, 0.5),
    gamma_neg=st.floats(0.0, 5.0),
)
def test_property_references(
    seed, n_labels, n_rows, alpha, beta, mu, lam, kappa, gamma, clip, gamma_neg
):
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 50, n_labels).astype(np.float64)
    n = float(counts.max() + rng.integers(1, 100))
    x, y, _ = _inputs((n_rows, n_labels), seed=seed, positive=0.4)
    params = {"alpha": alpha, "beta": beta, "mu": mu, "lam": lam, "kappa": kappa}
    db = DistributionBalancedLoss(
        counts, n, gamma=gamma, reduction="none", **_db_kwargs(params)
    )
    expected = ref_distribution_balanced(x, y, counts, n, gamma=gamma, **params)
    actual = db(torch.from_numpy(x), torch.from_numpy(y)).numpy()
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-12)
    asl = AsymmetricLoss(gamma, gamma_neg, clip, reduction="none")
    expected = ref_asymmetric(x, y, gamma, gamma_neg, clip, 1e-8)
    actual = asl(torch.from_numpy(x), torch.from_numpy(y)).numpy()
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-12)


# ------------------------------------------------------------- equivalences


def test_special_cases_are_known_losses():
    x, y, _ = _inputs((10, 4))
    logits, target = torch.from_numpy(x), torch.from_numpy(y)
    bce = F.binary_cross_entropy_with_logits(logits, target)
    torch.testing.assert_close(AsymmetricLoss(0.0, 0.0, 0.0)(logits, target), bce)
    focal = FocalLoss(2.0, activation="sigmoid")(logits, target)
    torch.testing.assert_close(AsymmetricLoss(2.0, 2.0, 0.0)(logits, target), focal)
    # beta = 0: every label weighs 1.
    cb = ClassBalancedLoss(COUNTS, beta=0.0, loss="sigmoid", multilabel=True)
    torch.testing.assert_close(cb(logits, target), bce)
    cb_focal = ClassBalancedLoss(COUNTS, beta=0.0, loss="focal", multilabel=True)
    torch.testing.assert_close(cb_focal(logits, target), focal)
    # No bias, lam = 1, no focal term, beta = 0: r_hat = alpha + 1/2 on rows
    # with a positive label, alpha + 1 on rows without.
    db = DistributionBalancedLoss(
        COUNTS, N_SAMPLES, alpha=0.25, beta=0.0, neg_scale=1.0, kappa=0.0, gamma=0.0
    )
    target[:, 0] = 1.0
    bce = F.binary_cross_entropy_with_logits(logits, target)
    torch.testing.assert_close(db(logits, target), 0.75 * bce)
    target[:] = 0.0
    bce = F.binary_cross_entropy_with_logits(logits, target)
    torch.testing.assert_close(db(logits, target), 1.25 * bce)


def test_class_balanced_multilabel_weights_are_cui():
    loss = ClassBalancedLoss(COUNTS, beta=0.999, loss="focal", multilabel=True)
    counts = np.asarray(COUNTS)
    expected = (1 - 0.999) / (1 - 0.999**counts)
    expected *= counts.size / expected.sum()
    np.testing.assert_allclose(loss.weight.numpy(), expected, rtol=1e-6)
    # Integer-index behaviour of the same class is untouched by the new option.
    logits = torch.randn(6, 4, dtype=torch.float64)
    labels = torch.tensor([0, 1, 2, 3, 0, 1])
    plain = ClassBalancedLoss(COUNTS, beta=0.999, loss="focal")
    assert torch.isfinite(plain(logits, labels))


def test_rare_labels_weigh_more_in_distribution_balanced():
    """r_i is largest for the rarest positive label of a sample (Wu et al.)."""
    loss = DistributionBalancedLoss(COUNTS, N_SAMPLES, gamma=0.0, reduction="none")
    logits = torch.zeros(1, 4, dtype=torch.float64)
    per = loss(logits, torch.tensor([[1.0, 0.0, 0.0, 1.0]]))
    ref = ref_distribution_balanced(
        np.zeros((1, 4)),
        np.array([[1.0, 0.0, 0.0, 1.0]]),
        COUNTS,
        N_SAMPLES,
        gamma=0.0,
        **DB_DEFAULTS,
    )
    np.testing.assert_allclose(per.numpy(), ref, rtol=1e-6)
    assert per[0, 3] > per[0, 0]


# ----------------------------------------------------------- shapes and dtypes


@pytest.mark.parametrize(
    "make",
    [
        lambda: AsymmetricLoss(),
        lambda: DistributionBalancedLoss(COUNTS, N_SAMPLES),
        lambda: ClassBalancedLoss(COUNTS, 0.99, loss="focal", multilabel=True),
    ],
    ids=["asl", "db", "cb"],
)
def test_float32_inputs_untouched_and_grad_finite(make):
    loss = make()
    x, y, _ = _inputs((8, 4), scale=1e4)
    logits = torch.tensor(x, dtype=torch.float32, requires_grad=True)
    target = torch.from_numpy(y).to(torch.int64)  # integer 0/1 indicators work
    before = (logits.detach().clone(), target.clone())
    value = loss(logits, target)
    value.backward()
    assert value.dtype == torch.float32
    assert torch.isfinite(value)
    assert torch.all(torch.isfinite(logits.grad))
    torch.testing.assert_close(logits.detach(), before[0])
    torch.testing.assert_close(target, before[1])
    # At the boundaries of the floors (p = clip, 1 - p_t = 0) too.
    for fill in (0.0, float(np.log(0.05 / 0.95)), 50.0, -50.0):
        edge = torch.full((2, 4), fill, requires_grad=True)
        loss(edge, torch.tensor([[1, 0, 1, 0], [0, 1, 0, 1]])).backward()
        assert torch.all(torch.isfinite(edge.grad))


def test_all_ignored_and_none_shape():
    x, y, _ = _inputs((3, 2, 4))
    target = torch.full((3, 2, 4), IGNORE)
    loss = AsymmetricLoss(reduction="sum", ignore_index=IGNORE)
    assert loss(torch.from_numpy(x), target).item() == 0.0
    none = DistributionBalancedLoss(COUNTS, N_SAMPLES, reduction="none")
    assert none(torch.from_numpy(x), torch.from_numpy(y)).shape == (3, 2, 4)


def test_module_moves_and_casts():
    loss = DistributionBalancedLoss(COUNTS, N_SAMPLES).to(torch.float64)
    assert loss.bias.dtype == torch.float64
    x, y, _ = _inputs((4, 4))
    assert loss(torch.from_numpy(x), torch.from_numpy(y)).dtype == torch.float64
    assert "neg_scale=5.0" in repr(loss)


# -------------------------------------------------------------------- pickle


@pytest.mark.parametrize(
    "loss",
    [
        AsymmetricLoss(1.0, 3.0, 0.1, reduction="sum"),
        DistributionBalancedLoss(COUNTS, N_SAMPLES, mu=0.3, gamma=0.0),
        ClassBalancedLoss(COUNTS, 0.99, loss="sigmoid", multilabel=True),
    ],
    ids=["asl", "db", "cb"],
)
def test_pickle_round_trip(loss):
    clone = pickle.loads(pickle.dumps(loss))
    x, y, _ = _inputs((6, 4))
    logits, target = torch.from_numpy(x), torch.from_numpy(y)
    torch.testing.assert_close(clone(logits, target), loss(logits, target))
    assert repr(clone) == repr(loss)


# -------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: AsymmetricLoss(gamma_pos=-1), ValueError, "`gamma_pos`"),
        (lambda: AsymmetricLoss(gamma_neg="4"), TypeError, "`gamma_neg`"),
        (lambda: AsymmetricLoss(clip=1.0), ValueError, "`clip`"),
        (lambda: AsymmetricLoss(eps=0.0), ValueError, "`eps`"),
        (lambda: AsymmetricLoss(reduction="avg"), ValueError, "`reduction`"),
        (lambda: DistributionBalancedLoss([3, 0], 10), ValueError, "`class_counts`"),
        (lambda: DistributionBalancedLoss(COUNTS, 120), ValueError, "`n_samples`"),
        (lambda: DistributionBalancedLoss(COUNTS, "200"), TypeError, "`n_samples`"),
        (
            lambda: DistributionBalancedLoss(COUNTS, N_SAMPLES, neg_scale=0),
            ValueError,
            "`neg_scale`",
        ),
        (
            lambda: DistributionBalancedLoss(COUNTS, N_SAMPLES, kappa=-1),
            ValueError,
            "`kappa`",
        ),
        (
            lambda: ClassBalancedLoss(COUNTS, multilabel=True),
            ValueError,
            "loss='sigmoid' or loss='focal'",
        ),
        (
            lambda: ClassBalancedLoss(COUNTS, loss="focal", multilabel=1),
            TypeError,
            "`multilabel`",
        ),
        (
            lambda: AsymmetricLoss()(torch.zeros(2, 3), torch.zeros(2, 4)),
            ValueError,
            "`target` must be a 0/1 tensor of the logits' shape",
        ),
        (
            lambda: AsymmetricLoss()(torch.zeros(2, 3, dtype=torch.int64), None),
            TypeError,
            "`input` must be a floating point",
        ),
        (
            lambda: AsymmetricLoss()(torch.zeros(1, 2), torch.tensor([[0.0, 2.0]])),
            ValueError,
            r"values in \[0, 1\]",
        ),
        (
            lambda: DistributionBalancedLoss(COUNTS, N_SAMPLES)(
                torch.zeros(2, 3), torch.zeros(2, 3)
            ),
            ValueError,
            "`class_counts` has 4 entries but the logits have 3 labels",
        ),
        (
            lambda: ClassBalancedLoss(COUNTS, loss="sigmoid", multilabel=True)(
                torch.zeros(2, 3), torch.zeros(2, 3)
            ),
            ValueError,
            "`class_counts` has 4 entries",
        ),
    ],
)
def test_errors_name_the_parameter(make, error, match):
    with pytest.raises(error, match=match):
        make()
