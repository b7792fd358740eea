"""The model's maths: a stable sigmoid, every gradient against finite differences."""

import warnings

import numpy as np
import pytest

from ganmath.model import (
    MINIMAX,
    NON_SATURATING,
    discriminator_forward,
    discriminator_gradients,
    discriminator_loss,
    generator_forward,
    generator_gradients,
    generator_loss,
    sigmoid,
)


def test_sigmoid_is_stable_at_extremes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = sigmoid(np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0]))
    assert out[0] == 0.0 and out[-1] == 1.0
    assert out[2] == 0.5
    assert np.all(np.diff(out) >= 0)


def test_sigmoid_matches_its_definition():
    x = np.linspace(-30, 30, 121)
    np.testing.assert_allclose(sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-14, atol=0)


def _central_difference(f, w, h=1e-6):
    grad = np.empty_like(w)
    for i in range(len(w)):
        up, down = w.copy(), w.copy()
        up[i] += h
        down[i] -= h
        grad[i] = (f(up) - f(down)) / (2 * h)
    return grad


def _random_problem(seed):
    rng = np.random.default_rng(seed)
    n, B = int(rng.integers(1, 6)), int(rng.integers(1, 12))
    w_g = rng.normal(0, 1.5, n + 1)
    w_d = rng.normal(0, 1.5, n + 1)
    L1 = rng.uniform(0.4, 1.0, B)
    I = rng.normal(0.5, 0.6, (2 * B, n))
    y = np.concatenate([np.ones(B), np.zeros(B)])
    return w_g, w_d, L1, I, y


@pytest.mark.parametrize("seed", range(12))
def test_discriminator_gradients_match_finite_differences(seed):
    _, w_d, _, I, y = _random_problem(seed)
    numeric = _central_difference(lambda w: discriminator_loss(I, y, w), w_d)
    np.testing.assert_allclose(
        discriminator_gradients(I, y, w_d), numeric, rtol=1e-6, atol=1e-8
    )


@pytest.mark.parametrize("loss", [NON_SATURATING, MINIMAX])
@pytest.mark.parametrize("seed", range(12))
def test_generator_gradients_match_finite_differences(seed, loss):
    w_g, w_d, L1, _, _ = _random_problem(seed)
    numeric = _central_difference(lambda w: generator_loss(L1, w, w_d, loss), w_g)
    np.testing.assert_allclose(
        generator_gradients(L1, w_g, w_d, loss), numeric, rtol=1e-6, atol=1e-8
    )


def test_losses_are_the_textbook_formulas():
    w_g, w_d, L1, I, y = _random_problem(99)
    p = 1 / (1 + np.exp(-(I @ w_d[:-1] + w_d[-1])))
    bce = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert discriminator_loss(I, y, w_d) == pytest.approx(bce, rel=1e-12)

    fake = 1 / (1 + np.exp(-(np.outer(L1, w_g[:-1]) + w_g[-1])))
    d_fake = 1 / (1 + np.exp(-(fake @ w_d[:-1] + w_d[-1])))
    assert generator_loss(L1, w_g, w_d, NON_SATURATING) == pytest.approx(
        -np.mean(np.log(d_fake)), rel=1e-12
    )
    assert generator_loss(L1, w_g, w_d, MINIMAX) == pytest.approx(
        np.mean(np.log(1 - d_fake)), rel=1e-12
    )


def test_minimax_gradient_vanishes_where_non_saturating_does_not():
    # a discriminator sure that every fake is fake: D(G(z)) near 0
    L1 = np.full(4, 0.7)
    w_g = np.array([0.1, 0.1, 0.1, 0.0])
    w_d = np.array([-6.0, -6.0, -6.0, -4.0])
    _, O = generator_forward(L1, w_g)
    _, D = discriminator_forward(O, w_d)
    assert D.max() < 1e-3
    g_minimax = np.abs(generator_gradients(L1, w_g, w_d, MINIMAX)).sum()
    g_nonsat = np.abs(generator_gradients(L1, w_g, w_d, NON_SATURATING)).sum()
    assert g_minimax < 1e-3 * g_nonsat


def test_shapes():
    L1 = np.linspace(0.4, 1.0, 7)
    O_in, O = generator_forward(L1, np.array([0.1, -0.2, 0.3, 0.4, 0.0]))
    assert O_in.shape == O.shape == (7, 4)
    D_in, D8 = discriminator_forward(O, np.array([1.0, 2.0, 3.0, 4.0, 0.5]))
    assert D_in.shape == D8.shape == (7,)
