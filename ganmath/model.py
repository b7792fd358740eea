"""The chapter's generator and discriminator, their losses and their gradients.

Symbols follow the chapter. A batch of ``B`` latent values ``L1`` (shape ``(B,)``)
feeds the generator, whose ``n`` output nodes (the chapter's O2, O3, O4 for
``n = 3``) each compute::

    O_in[:, j] = lambda_1j * L1 + b        O = sigma(O_in)          (B, n)

The discriminator reads an image ``I`` (its input nodes I5, I6, I7) and gives
the probability that it is real::

    D_in = sum_j lambda_j8 * I[:, j] + c    D8 = sigma(D_in)         (B,)

Parameters travel as flat vectors, weights first and the bias last:
``w_g = [lambda_12, ..., lambda_1n, b]`` and ``w_d = [lambda_58, ..., c]``,
both of shape ``(n + 1,)``.

Every function here is compiled with Numba so that the training loop can call
it 50,000 times a second; each one is also an ordinary function of NumPy arrays
(float64) for notebooks, scenes and tests.
"""

import numba
import numpy as np

#: Generator losses, as the integer codes the compiled functions take.
NON_SATURATING = 0
MINIMAX = 1
LOSS_CODES = {"non-saturating": NON_SATURATING, "minimax": MINIMAX}

_compiled = numba.njit(cache=True)


@_compiled
def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function, stable for any input (``±1000`` give 1 and 0)."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


@_compiled
def softplus(x: np.ndarray) -> np.ndarray:
    """``log(1 + exp(x))`` without overflow: ``-log sigma(z) = softplus(-z)``."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


@_compiled
def generator_forward(L1: np.ndarray, w_g: np.ndarray):
    """Map latent values ``L1`` (B,) to ``(O_in, O)``, each (B, n)."""
    O_in = np.outer(L1, w_g[:-1]) + w_g[-1]
    return O_in, sigmoid(O_in)


@_compiled
def discriminator_forward(I: np.ndarray, w_d: np.ndarray):
    """Map images ``I`` (B, n) to ``(D_in, D8)``, each (B,)."""
    D_in = np.sum(I * w_d[:-1], axis=1) + w_d[-1]
    return D_in, sigmoid(D_in)


@_compiled
def discriminator_loss(I: np.ndarray, y: np.ndarray, w_d: np.ndarray) -> float:
    """Mean binary cross-entropy of D8 against the labels ``y`` (1 real, 0 fake)."""
    D_in, _ = discriminator_forward(I, w_d)
    return np.mean(y * softplus(-D_in) + (1.0 - y) * softplus(D_in))


@_compiled
def generator_loss(L1: np.ndarray, w_g: np.ndarray, w_d: np.ndarray, loss: int):
    """The generator's loss on the fakes it makes from ``L1``.

    Non-saturating (the chapter's): ``-mean(log D(G(L1)))``.
    Minimax (the original game): ``mean(log(1 - D(G(L1))))``.
    """
    _, O = generator_forward(L1, w_g)
    D_in, _ = discriminator_forward(O, w_d)
    if loss == NON_SATURATING:
        return np.mean(softplus(-D_in))
    return -np.mean(softplus(D_in))


@_compiled
def discriminator_gradients(I: np.ndarray, y: np.ndarray, w_d: np.ndarray):
    """Gradient of :func:`discriminator_loss` with respect to ``w_d``, (n + 1,).

    At the logit the error is simply ``D8 - y``; each weight then sees it times
    its input pixel, and the bias sees it alone. Averaged over the batch.
    """
    _, D8 = discriminator_forward(I, w_d)
    dD_in = D8 - y
    grad = np.empty(w_d.shape[0])
    for j in range(I.shape[1]):
        grad[j] = np.mean(dD_in * I[:, j])
    grad[-1] = np.mean(dD_in)
    return grad


@_compiled
def generator_gradients(L1: np.ndarray, w_g: np.ndarray, w_d: np.ndarray, loss: int):
    """Gradient of :func:`generator_loss` with respect to ``w_g``, (n + 1,).

    The chain runs back through the discriminator: the logit error
    (``D8 - 1`` non-saturating, ``-D8`` minimax), times ``lambda_j8`` to reach
    pixel ``O_j``, times ``O_j (1 - O_j)`` through the sigmoid, times ``L1`` for
    ``lambda_1j``; the shared bias ``b`` collects all n pixels.
    """
    _, O = generator_forward(L1, w_g)
    _, D8 = discriminator_forward(O, w_d)
    if loss == NON_SATURATING:
        dD_in = D8 - 1.0
    else:
        dD_in = -D8
    grad = np.empty(w_g.shape[0])
    dO_in_sum = np.zeros(L1.shape[0])
    for j in range(O.shape[1]):
        dO_in = dD_in * w_d[j] * O[:, j] * (1.0 - O[:, j])
        grad[j] = np.mean(dO_in * L1)
        dO_in_sum += dO_in
    grad[-1] = np.mean(dO_in_sum)
    return grad
