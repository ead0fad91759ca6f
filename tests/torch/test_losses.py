"""Tests of balancekit.torch.losses: equivalences, hand values, shapes, errors."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")
F = torch.nn.functional

from balancekit.torch.losses import (  # noqa: E402
    BalancedSoftmaxLoss,
    ClassBalancedLoss,
    FocalLoss,
    LDAMLoss,
    LogitAdjustedLoss,
)
from balancekit.weighting import compute_class_weight  # noqa: E402

COUNTS = [50, 20, 5]
REDUCTIONS = ["mean", "sum", "none"]


def _close(actual, expected, atol=1e-10, rtol=1e-7):
    torch.testing.assert_close(actual, expected, atol=atol, rtol=rtol)


def _logits(*shape, seed=0, scale=2.0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=torch.float64) * scale


def _target(shape, n_classes=3, seed=1, ignore_frac=0.0):
    g = torch.Generator().manual_seed(seed)
    target = torch.randint(0, n_classes, shape, generator=g)
    if ignore_frac:
        mask = torch.rand(shape, generator=g) < ignore_frac
        target = torch.where(mask, torch.full_like(target, -100), target)
    return target


def _all_losses():
    return [
        FocalLoss(gamma=2.0, alpha=[0.2, 0.3, 0.5]),
        ClassBalancedLoss(COUNTS, beta=0.99, loss="softmax"),
        ClassBalancedLoss(COUNTS, beta=0.99, loss="focal"),
        ClassBalancedLoss(COUNTS, beta=0.99, loss="sigmoid"),
        LogitAdjustedLoss(COUNTS, tau=1.5),
        BalancedSoftmaxLoss(COUNTS),
        LDAMLoss(COUNTS, weight=[1.0, 2.0, 3.0]),
    ]


def _with_reduction(loss, reduction, **kwargs):
    """A copy of ``loss`` (from ``_all_losses``) with another reduction."""
    clone = type(loss).__new__(type(loss))
    clone.__dict__ = {**loss.__dict__}
    clone._buffers = dict(loss._buffers)
    clone.reduction = reduction
    for key, value in kwargs.items():
        setattr(clone, key, value)
    return clone


# --------------------------------------------------------------------------- CE


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
@pytest.mark.parametrize("weighted", [False, True])
def test_focal_gamma0_is_cross_entropy(reduction, label_smoothing, weighted):
    logits = _logits(12, 3)
    target = _target((12,), ignore_frac=0.3)
    weight = torch.tensor([0.5, 2.0, 3.0], dtype=torch.float64) if weighted else None
    loss = FocalLoss(
        gamma=0.0,
        alpha=weight,
        reduction=reduction,
        label_smoothing=label_smoothing,
    ).double()
    expected = F.cross_entropy(
        logits,
        target,
        weight=weight,
        reduction=reduction,
        label_smoothing=label_smoothing,
    )
    _close(loss(logits, target), expected)


@settings(max_examples=30, deadline=None)
@given(
    n_classes=st.integers(2, 5),
    spatial=st.lists(st.integers(1, 3), max_size=2),
    seed=st.integers(0, 2**16),
    label_smoothing=st.sampled_from([0.0, 0.05, 0.5]),
    weighted=st.booleans(),
    reduction=st.sampled_from(REDUCTIONS),
)
def test_focal_gamma0_is_cross_entropy_property(
    n_classes, spatial, seed, label_smoothing, weighted, reduction
):
    logits = _logits(3, n_classes, *spatial, seed=seed)
    target = _target((3, *spatial), n_classes, seed=seed + 1, ignore_frac=0.2)
    target[0].view(-1)[0] = 0  # at least one position counts
    weight = None
    if weighted:
        weight = torch.rand(n_classes, dtype=torch.float64) + 0.1
    loss = FocalLoss(
        0.0, weight, reduction=reduction, label_smoothing=label_smoothing
    ).double()
    expected = F.cross_entropy(
        logits,
        target,
        weight=weight,
        reduction=reduction,
        label_smoothing=label_smoothing,
    )
    _close(loss(logits, target), expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_focal_gamma0_soft_targets_is_cross_entropy(reduction, label_smoothing):
    logits = _logits(4, 3, 2, 2)
    probs = torch.softmax(_logits(4, 3, 2, 2, seed=5), dim=1)
    weight = torch.tensor([0.5, 2.0, 3.0], dtype=torch.float64)
    loss = FocalLoss(
        0.0, weight, reduction=reduction, label_smoothing=label_smoothing
    ).double()
    expected = F.cross_entropy(
        logits,
        probs,
        weight=weight,
        reduction=reduction,
        label_smoothing=label_smoothing,
    )
    _close(loss(logits, probs), expected)


def test_focal_one_hot_equals_index_targets():
    logits = _logits(10, 3)
    target = _target((10,))
    one_hot = F.one_hot(target, 3).double()
    loss = FocalLoss(gamma=1.5, reduction="none")
    _close(loss(logits, one_hot), loss(logits, target))


def test_focal_hand_values():
    logits = torch.tensor([[2.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    target = torch.tensor([0, 1])
    p0 = 1 / (1 + math.exp(-2.0))
    p1 = 1 / (1 + math.exp(-1.0))
    expected = torch.tensor(
        [
            -0.25 * (1 - p0) ** 2 * math.log(p0),
            -0.75 * (1 - p1) ** 2 * math.log(p1),
        ],
        dtype=torch.float64,
    )
    loss = FocalLoss(2.0, [0.25, 0.75], reduction="none")
    _close(loss(logits, target), expected)
    mean = FocalLoss(2.0, [0.25, 0.75])(logits, target)
    _close(mean, expected.sum() / (0.25 + 0.75))


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0])
@pytest.mark.parametrize("alpha", [None, 0.25])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_sigmoid_focal_matches_torchvision_formula(gamma, alpha, reduction):
    inputs = _logits(6, 4)
    g = torch.Generator().manual_seed(3)
    targets = (torch.rand(6, 4, generator=g) < 0.4).double()
    # torchvision.ops.sigmoid_focal_loss, verbatim.
    p = torch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    expected = ce_loss * ((1 - p_t) ** gamma)
    if alpha is not None:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        expected = alpha_t * expected
    if reduction == "mean":
        expected = expected.mean()
    elif reduction == "sum":
        expected = expected.sum()
    loss = FocalLoss(gamma, alpha, activation="sigmoid", reduction=reduction)
    _close(loss(inputs, targets), expected)


def test_sigmoid_focal_gamma0_is_bce_and_ignores():
    inputs = _logits(5, 3)
    targets = torch.softmax(_logits(5, 3, seed=2), dim=1)
    loss = FocalLoss(0.0, activation="sigmoid")
    _close(loss(inputs, targets), F.binary_cross_entropy_with_logits(inputs, targets))
    ignored = targets.clone()
    ignored[0] = -100
    expected = F.binary_cross_entropy_with_logits(inputs[1:], targets[1:])
    _close(loss(inputs, ignored), expected)
    smoothed = FocalLoss(0.0, activation="sigmoid", label_smoothing=0.2)
    expected = F.binary_cross_entropy_with_logits(inputs, targets * 0.8 + 0.1)
    _close(smoothed(inputs, targets), expected)


# ------------------------------------------------------------ class-balanced


@pytest.mark.parametrize("beta", [0.0, 0.9, 0.999, 0.9999])
def test_class_balanced_weights_match_compute_class_weight(beta):
    counts = np.array([500, 40, 3, 1200])
    y = np.repeat(np.arange(4), counts)
    expected = compute_class_weight(
        y, "effective_number", beta=beta, normalize="classes"
    )
    weight = ClassBalancedLoss(counts, beta=beta).weight
    np.testing.assert_allclose(weight.double().numpy(), expected, rtol=1e-6)
    assert weight.sum().item() == pytest.approx(4.0)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_class_balanced_softmax_and_focal(reduction):
    logits = _logits(9, 3)
    target = _target((9,), ignore_frac=0.2)
    cb = ClassBalancedLoss(COUNTS, 0.99, reduction=reduction).double()
    expected = F.cross_entropy(logits, target, weight=cb.weight, reduction=reduction)
    _close(cb(logits, target), expected)
    focal = ClassBalancedLoss(
        COUNTS, 0.99, loss="focal", gamma=1.0, reduction=reduction
    )
    reference = FocalLoss(1.0, focal.weight, reduction=reduction)
    _close(focal.double()(logits, target), reference.double()(logits, target))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_class_balanced_sigmoid_hand(reduction):
    logits = _logits(7, 3)
    target = _target((7,), ignore_frac=0.3)
    cb = ClassBalancedLoss(COUNTS, 0.99, loss="sigmoid", reduction=reduction)
    w = cb.weight.double()
    rows = []
    for i in range(7):
        y = int(target[i])
        if y == -100:
            rows.append(torch.zeros((), dtype=torch.float64))
            continue
        one_hot = F.one_hot(torch.tensor(y), 3).double()
        bce = F.binary_cross_entropy_with_logits(logits[i], one_hot, reduction="sum")
        rows.append(w[y] * bce)
    expected = torch.stack(rows)
    valid = target != -100
    if reduction == "mean":
        expected = expected.sum() / w[target[valid]].sum()
    elif reduction == "sum":
        expected = expected.sum()
    _close(cb.double()(logits, target), expected)


# ------------------------------------------------------- logit adjustment


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_logit_adjusted_tau0_is_cross_entropy(reduction):
    logits = _logits(8, 3)
    target = _target((8,), ignore_frac=0.25)
    loss = LogitAdjustedLoss(COUNTS, tau=0.0, reduction=reduction)
    _close(loss(logits, target), F.cross_entropy(logits, target, reduction=reduction))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_balanced_softmax_equals_logit_adjusted_tau1(reduction):
    logits = _logits(3, 3, 4, 5)
    target = _target((3, 4, 5), ignore_frac=0.2)
    balanced = BalancedSoftmaxLoss(COUNTS, reduction=reduction).double()
    adjusted = LogitAdjustedLoss(COUNTS, tau=1.0, reduction=reduction).double()
    _close(balanced(logits, target), adjusted(logits, target))


def test_logit_adjusted_hand_value():
    logits = torch.tensor([[0.5, -0.5, 1.0]], dtype=torch.float64)
    prior = np.array(COUNTS) / sum(COUNTS)
    z = logits[0].numpy() + 2.0 * np.log(prior)
    expected = -(z[2] - np.log(np.exp(z).sum()))
    loss = LogitAdjustedLoss(COUNTS, tau=2.0).double()
    assert loss(logits, torch.tensor([2])).item() == pytest.approx(expected)


# --------------------------------------------------------------------- LDAM


def test_ldam_margins_and_hand_value():
    loss = LDAMLoss([16, 81, 1], max_m=0.6, s=2.0).double()
    expected_m = np.array([16, 81, 1]) ** -0.25
    expected_m = expected_m * 0.6 / expected_m.max()
    np.testing.assert_allclose(loss.margins.numpy(), expected_m, rtol=1e-6)
    logits = torch.tensor([[0.3, -0.2, 0.9], [1.0, 0.0, -1.0]], dtype=torch.float64)
    target = torch.tensor([2, 0])
    m = loss.margins
    shifted = logits.clone()
    shifted[0, 2] -= m[2]
    shifted[1, 0] -= m[0]
    _close(loss(logits, target), F.cross_entropy(2.0 * shifted, target))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_ldam_zero_margin_weighted_is_scaled_cross_entropy(reduction):
    logits = _logits(10, 3)
    target = _target((10,), ignore_frac=0.3)
    weight = torch.tensor([1.0, 2.0, 0.5], dtype=torch.float64)
    loss = LDAMLoss(COUNTS, max_m=0.0, s=3.0, weight=weight, reduction=reduction)
    expected = F.cross_entropy(3.0 * logits, target, weight=weight, reduction=reduction)
    _close(loss.double()(logits, target), expected)


# ------------------------------------------------------ shared behaviour


@pytest.mark.parametrize("loss", _all_losses(), ids=lambda m: type(m).__name__)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_segmentation_shape_equals_flattened(loss, reduction):
    loss = _with_reduction(loss, reduction).double()
    logits = _logits(2, 3, 4, 5)
    target = _target((2, 4, 5), ignore_frac=0.2)
    flat_logits = logits.movedim(1, -1).reshape(-1, 3)
    flat_target = target.reshape(-1)
    out = loss(logits, target)
    expected = loss(flat_logits, flat_target)
    if reduction == "none":
        assert out.shape == (2, 4, 5)
        out = out.reshape(-1)
    _close(out, expected)


@pytest.mark.parametrize("loss", _all_losses(), ids=lambda m: type(m).__name__)
def test_reductions_and_ignore_index(loss):
    logits = _logits(11, 3)
    target = _target((11,), ignore_frac=0.4)
    valid = target != -100
    assert 0 < int(valid.sum()) < 11
    per_item = _with_reduction(loss, "none").double()(logits, target)
    assert per_item.shape == (11,)
    assert torch.all(per_item[~valid] == 0)
    total = _with_reduction(loss, "sum").double()(logits, target)
    _close(total, per_item.sum())
    # Ignored positions contribute nothing: same as dropping them.
    mean = _with_reduction(loss, "mean").double()
    _close(mean(logits, target), mean(logits[valid], target[valid]))
    other_ignore = _with_reduction(loss, "mean", ignore_index=7).double()
    relabelled = torch.where(valid, target, torch.full_like(target, 7))
    _close(other_ignore(logits, relabelled), mean(logits, target))


@pytest.mark.parametrize("loss", _all_losses(), ids=lambda m: type(m).__name__)
def test_gradients_finite_for_huge_logits_and_absent_classes(loss):
    logits = torch.tensor(
        [[1e4, -1e4, 0.0], [-1e4, 1e4, 5e3], [1e4, 1e4, -1e4]],
        dtype=torch.float32,
        requires_grad=True,
    )
    target = torch.tensor([1, 0, 0])  # class 2 absent; confident mistakes
    out = loss(logits, target)
    out.backward()
    assert torch.isfinite(out)
    assert torch.all(torch.isfinite(logits.grad))
    logits.grad = None
    easy = torch.tensor([0, 1, 1])  # confident correct answers
    loss(logits, easy).backward()
    assert torch.all(torch.isfinite(logits.grad))


@pytest.mark.parametrize("gamma", [0.0, 0.3])
@pytest.mark.parametrize("alpha", [None, 0.25])
def test_sigmoid_focal_gradients_finite(gamma, alpha):
    logits = torch.tensor([[1e4, -1e4], [-1e4, 1e4]], requires_grad=True)
    targets = torch.tensor([[1.0, 0.0], [1.0, 0.0]])
    loss = FocalLoss(gamma, alpha, activation="sigmoid")(logits, targets)
    loss.backward()
    assert torch.isfinite(loss)
    assert torch.all(torch.isfinite(logits.grad))


def test_small_gamma_gradient_finite_when_p_is_one():
    logits = torch.tensor([[1e4, 0.0, 0.0]], requires_grad=True)
    FocalLoss(gamma=0.5)(logits, torch.tensor([0])).backward()
    assert torch.all(torch.isfinite(logits.grad))


@pytest.mark.parametrize("loss", _all_losses(), ids=lambda m: type(m).__name__)
def test_buffers_follow_module_and_dtype_follows_input(loss):
    for name, buffer in loss.named_buffers():
        assert buffer.dtype == torch.get_default_dtype(), name
    moved = copy.deepcopy(loss).to(device="meta")
    assert all(b.device.type == "meta" for b in moved.buffers())
    doubled = copy.deepcopy(loss).to(torch.float64)
    assert all(b.dtype == torch.float64 for b in doubled.buffers())
    target = _target((4,))
    out64 = loss(_logits(4, 3), target)
    assert out64.dtype == torch.float64
    out32 = loss(_logits(4, 3).float(), target)
    assert out32.dtype == torch.float32
    _close(out32.double(), out64, atol=1e-5, rtol=1e-5)
    assert {n for n, _ in loss.named_buffers()} <= set(loss.state_dict())


def test_class_counts_accept_list_array_tensor():
    for counts in (COUNTS, np.array(COUNTS), torch.tensor(COUNTS)):
        loss = LogitAdjustedLoss(counts)
        assert loss.class_counts.tolist() == [float(c) for c in COUNTS]


# ------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("factory", "name", "exc"),
    [
        (lambda: FocalLoss(gamma=-1.0), "gamma", ValueError),
        (lambda: FocalLoss(gamma=float("nan")), "gamma", ValueError),
        (lambda: FocalLoss(alpha=[1.0, -0.5]), "alpha", ValueError),
        (lambda: FocalLoss(alpha=[1.0, float("nan")]), "alpha", ValueError),
        (lambda: FocalLoss(alpha=0.25), "alpha", TypeError),
        (lambda: FocalLoss(alpha=1.5, activation="sigmoid"), "alpha", ValueError),
        (lambda: FocalLoss(activation="relu"), "activation", ValueError),
        (lambda: FocalLoss(reduction="avg"), "reduction", ValueError),
        (lambda: FocalLoss(ignore_index=1.5), "ignore_index", TypeError),
        (lambda: FocalLoss(label_smoothing=1.5), "label_smoothing", ValueError),
        (lambda: ClassBalancedLoss([3, 0]), "class_counts", ValueError),
        (lambda: ClassBalancedLoss([3, -1]), "class_counts", ValueError),
        (lambda: ClassBalancedLoss([[3, 1]]), "class_counts", ValueError),
        (lambda: ClassBalancedLoss(["a", "b"]), "class_counts", TypeError),
        (lambda: ClassBalancedLoss([3, 1], beta=1.0), "beta", ValueError),
        (lambda: ClassBalancedLoss([3, 1], beta=-0.1), "beta", ValueError),
        (lambda: ClassBalancedLoss([3, 1], loss="hinge"), "loss", ValueError),
        (lambda: ClassBalancedLoss([3, 1], gamma=-2), "gamma", ValueError),
        (lambda: LogitAdjustedLoss([3, 1], tau=-1), "tau", ValueError),
        (lambda: BalancedSoftmaxLoss([3, float("nan")]), "class_counts", ValueError),
        (lambda: LDAMLoss([3, 1], max_m=-0.1), "max_m", ValueError),
        (lambda: LDAMLoss([3, 1], s=0.0), "s", ValueError),
        (lambda: LDAMLoss([3, 1], weight=[1.0, -1.0]), "weight", ValueError),
        (lambda: LDAMLoss([3, 1], weight=[1.0, 1.0, 1.0]), "weight", ValueError),
    ],
)
def test_init_errors_name_the_parameter(factory, name, exc):
    with pytest.raises(exc, match=f"`{name}`"):
        factory()


@pytest.mark.parametrize("loss", _all_losses(), ids=lambda m: type(m).__name__)
def test_forward_errors(loss):
    logits = _logits(4, 3)
    with pytest.raises(ValueError, match=r"`target`.*got 3"):
        loss(logits, torch.tensor([0, 1, 3, 0]))
    with pytest.raises(ValueError, match=r"`target`.*got -1"):
        loss(logits, torch.tensor([0, 1, -1, 0]))
    with pytest.raises(ValueError, match="`target`"):
        loss(logits, torch.tensor([0, 1]))
    name = "alpha" if isinstance(loss, FocalLoss) else "class_counts"
    with pytest.raises(ValueError, match=f"`{name}` has 3 entries"):
        loss(_logits(4, 4), torch.tensor([0, 1, 2, 3]))


def test_sigmoid_target_errors():
    loss = FocalLoss(activation="sigmoid")
    with pytest.raises(ValueError, match="`target`"):
        loss(_logits(4, 3), torch.full((4, 3), 2.0, dtype=torch.float64))
    with pytest.raises(ValueError, match="`target`"):
        loss(_logits(4, 3), torch.zeros(4, dtype=torch.float64))


# ------------------------------------------------------------------ training


def _toy_problem():
    rng = np.random.default_rng(0)
    majority = rng.normal([0.0, 0.0], 1.0, size=(1900, 2))
    minority = rng.normal([2.0, 2.0], 0.5, size=(100, 2))
    X = torch.tensor(np.vstack([majority, minority]), dtype=torch.float32)
    y = torch.tensor(np.r_[np.zeros(1900), np.ones(100)], dtype=torch.int64)
    return X, y


def _minority_recall(criterion, X, y):
    torch.manual_seed(0)
    model = torch.nn.Linear(2, 2)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(200):
        optimizer.zero_grad()
        criterion(model(X), y).backward()
        optimizer.step()
    with torch.no_grad():
        predicted = model(X).argmax(dim=1)
    return float(((predicted == 1) & (y == 1)).sum() / (y == 1).sum())


@pytest.fixture
def one_thread():
    # Tiny tensors: threads only contend with the other xdist worker.
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.mark.usefixtures("one_thread")
def test_training_improves_minority_recall():
    X, y = _toy_problem()
    counts = [1900, 100]
    baseline = _minority_recall(torch.nn.CrossEntropyLoss(), X, y)
    criteria = {
        "focal": FocalLoss(gamma=2.0, alpha=[0.25, 0.75]),
        "cb_softmax": ClassBalancedLoss(counts, beta=0.999),
        "cb_focal": ClassBalancedLoss(counts, beta=0.999, loss="focal"),
        "cb_sigmoid": ClassBalancedLoss(counts, beta=0.999, loss="sigmoid"),
        "logit_adjusted": LogitAdjustedLoss(counts),
        "balanced_softmax": BalancedSoftmaxLoss(counts),
        "ldam": LDAMLoss(counts, max_m=1.0, s=5.0),
    }
    assert baseline < 0.85
    for name, criterion in criteria.items():
        recall = _minority_recall(criterion, X, y)
        assert recall >= baseline + 0.08, (name, recall, baseline)
