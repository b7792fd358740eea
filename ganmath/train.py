"""Training: the chapter's alternating updates, every epoch recorded.

One epoch, exactly as the chapter orders it (the random draws included, so a
seed reproduces the chapter's run digit for digit):

1. draw ``B`` latents, make fakes with the current generator;
2. one SGD step of the discriminator on the real and fake batch together
   (labels 1 and 0, mean binary cross-entropy);
3. draw ``B`` fresh latents, one SGD step of the generator through the updated
   discriminator;
4. record parameters, gradients and the chapter's loss bookkeeping: the D loss
   on the batch that trained it, measured after the D step, and the G loss
   (always ``-mean log D(G(L1))``, whichever loss trains G) after the G step,
   both with the chapter's ``1e-8`` inside the logarithms.

Steps 1-3 run in a compiled loop; step 4 is recomputed afterwards in vectorised
NumPy, chunk by chunk, from the recorded parameters and the kept draws.
"""

from collections.abc import Callable

import numba
import numpy as np

from ganmath.config import ConfigError, TrainConfig
from ganmath.data import read_csv_images, synthetic_images
from ganmath.model import (
    LOSS_CODES,
    discriminator_gradients,
    generator_forward,
    generator_gradients,
    sigmoid,
)
from ganmath.trace import Trace

CHUNK = 2500  # epochs per compiled call: bounds the memory for latent draws
CHUNK_BYTES = 2**26  # and at most this much for one chunk's bookkeeping arrays
MAX_TRACE_BYTES = 2 * 2**30  # a larger trace would not open on a lecturer's laptop
MAX_BATCH_VALUES = 10_000_000  # batch_size * pixels, the images of one step
EPS = 1e-8  # the chapter's guard inside the logged logarithms
SAMPLE_COUNT = 64  # log-spaced epochs whose latent draws the trace keeps

#: ``progress(done, total, log)``: ``log`` holds (epoch, d_loss, g_loss) rows.
Progress = Callable[[int, int, list[tuple[int, float, float]]], None]


class TrainingDiverged(RuntimeError):
    """The parameters went NaN or infinite; ``trace`` holds the epochs before."""

    def __init__(self, epoch: int, trace: Trace | None):
        super().__init__(
            f"training diverged at epoch {epoch}: the parameters became NaN or "
            "infinite (try smaller learning rates)"
        )
        self.epoch = epoch
        self.trace = trace


@numba.njit(cache=True)
def _train_chunk(
    real, w_g, w_d, latents, lr_g, lr_d, loss, g_params, d_params, g_grads, d_grads
):
    """Run ``len(latents)`` epochs in place; return how many stayed finite."""
    B = real.shape[0]
    y = np.concatenate((np.ones(B), np.zeros(B)))
    for e in range(latents.shape[0]):
        # discriminator step on real + fake
        _, fake = generator_forward(latents[e, 0], w_g)
        grad_d = discriminator_gradients(np.concatenate((real, fake)), y, w_d)
        w_d = w_d - lr_d * grad_d

        # generator step through the updated discriminator
        grad_g = generator_gradients(latents[e, 1], w_g, w_d, loss)
        w_g = w_g - lr_g * grad_g

        if not (np.all(np.isfinite(w_g)) and np.all(np.isfinite(w_d))):
            return e
        g_params[e], d_params[e], g_grads[e], d_grads[e] = w_g, w_d, grad_g, grad_d
    return latents.shape[0]


def _bookkeeping(real, g_before, g_after, d_after, latents):
    """The chapter's logged values for a chunk of epochs, each (C,)."""
    n = real.shape[1]

    def fakes(w_g, L1):  # (C, n+1), (C, B) -> (C, B, n)
        return sigmoid(L1[:, :, None] * w_g[:, None, :n] + w_g[:, None, n:])

    def judge(images, w_d):  # (C, B, n) or (B, n), (C, n+1) -> (C, B)
        spec = "bn,cn->cb" if images.ndim == 2 else "cbn,cn->cb"
        return sigmoid(np.einsum(spec, images, w_d[:, :n]) + w_d[:, n:])

    D_real = judge(real, d_after)
    D_fake = judge(fakes(g_before, latents[:, 0]), d_after)
    D_gen = judge(fakes(g_after, latents[:, 1]), d_after)
    d_loss = -np.mean(np.log(D_real + EPS), axis=1) - np.mean(
        np.log(1 - D_fake + EPS), axis=1
    )
    g_loss = -np.mean(np.log(D_gen + EPS), axis=1)
    return d_loss, g_loss, D_real.mean(axis=1), D_fake.mean(axis=1)


def real_images(config: TrainConfig, rng: np.random.RandomState) -> np.ndarray:
    """The run's training images, (B, n), from the configured source."""
    if config.data == "synthetic":
        return synthetic_images(
            rng,
            config.batch_size,
            config.pixels,
            config.slope_range,
            config.noise_std,
            config.target_mean,
        )
    images = read_csv_images(config.data, config.pixels)
    if len(images) != config.batch_size:
        raise ConfigError(
            f"{config.data} holds {len(images)} images but batch_size is "
            f"{config.batch_size}; the batch is the whole image set, so set "
            f"batch_size = {len(images)}"
        )
    return images


def check_size(config: TrainConfig) -> None:
    """Refuse a run whose trace or batch would not fit in memory, before it starts."""
    n, B = config.pixels, config.batch_size
    if B * n > MAX_BATCH_VALUES:
        raise ConfigError(
            f"batch_size x pixels = {B * n:,} is more than this tool handles "
            f"({MAX_BATCH_VALUES:,}); use a smaller batch or fewer pixels"
        )
    rows = -(-config.epochs // config.record_every) + 3 * SAMPLE_COUNT + 30
    need = rows * (4 * (n + 1) + 5) * 8
    if need > MAX_TRACE_BYTES:
        every = -(-config.record_every * need // MAX_TRACE_BYTES)
        raise ConfigError(
            f"a trace of {config.epochs:,} epochs would need {need / 2**30:,.1f} GiB; "
            f"keep fewer rows with record_every = {every:,} or more"
        )


def train(config: TrainConfig | None = None, progress: Progress | None = None) -> Trace:
    """Train a GAN with ``config`` (default: the chapter's) and return its trace.

    Raises
    ------
    TrainingDiverged
        If the parameters go non-finite; its ``trace`` keeps the epochs before.
    """
    config = TrainConfig() if config is None else config
    check_size(config)
    E, B, n, k = config.epochs, config.batch_size, config.pixels, config.record_every
    chunk_epochs = int(np.clip(CHUNK_BYTES // (B * (n + 2) * 8), 1, CHUNK))
    low, high = config.latent_range
    loss = LOSS_CODES[config.loss]

    # the chapter's draws, in its order: G weights, D weights, images, then latents
    rng = np.random.RandomState(config.seed)
    w_g = np.append(rng.randn(n) * config.init_scale, 0.0)
    w_d = np.append(rng.randn(n) * config.init_scale, 0.0)
    real = np.ascontiguousarray(real_images(config, rng), dtype=float)
    init_g, init_d = w_g.copy(), w_d.copy()

    # the epochs whose draws are kept are recorded with the epoch before each,
    # so that one update (before, gradient, after) can be shown there exactly
    sampled = np.union1d(
        np.round(np.geomspace(1, E, SAMPLE_COUNT)) - 1,
        np.union1d(np.arange(0, E, config.log_every), [E - 1]),
    ).astype(np.int64)
    recorded = np.union1d(
        np.union1d(np.arange(0, E, k), [E - 1]),
        np.union1d(sampled, sampled[sampled > 0] - 1),
    ).astype(np.int64)
    out = {
        key: np.empty((len(recorded), n + 1))
        for key in ("g_params", "d_params", "g_grads", "d_grads")
    }
    out.update(
        {
            key: np.empty(len(recorded))
            for key in ("d_loss", "g_loss", "d_real", "d_fake")
        }
    )
    sample_latents = np.empty((len(sampled), 2, B))

    diverged = None
    for start in range(0, E, chunk_epochs):
        C = min(chunk_epochs, E - start)
        latents = rng.uniform(low, high, size=(C, 2, B))
        chunk = {
            key: np.empty((C, n + 1))
            for key in ("g_params", "d_params", "g_grads", "d_grads")
        }
        done = _train_chunk(
            real,
            w_g,
            w_d,
            latents,
            config.lr_g,
            config.lr_d,
            loss,
            chunk["g_params"],
            chunk["d_params"],
            chunk["g_grads"],
            chunk["d_grads"],
        )
        if done < C:
            diverged = start + done
            C = done
            latents = latents[:C]
            chunk = {key: v[:C] for key, v in chunk.items()}
        if C:
            g_before = np.vstack([w_g, chunk["g_params"][:-1]])
            chunk.update(
                zip(
                    ("d_loss", "g_loss", "d_real", "d_fake"),
                    _bookkeeping(
                        real, g_before, chunk["g_params"], chunk["d_params"], latents
                    ),
                    strict=True,
                )
            )
            w_g, w_d = chunk["g_params"][-1].copy(), chunk["d_params"][-1].copy()

        epochs = np.arange(start, start + C)
        rows = np.isin(recorded, epochs)
        keep = recorded[rows] - start
        for key, values in chunk.items():
            out[key][rows] = values[keep]
        s_rows = np.isin(sampled, epochs)
        sample_latents[s_rows] = latents[sampled[s_rows].astype(int) - start]

        if progress is not None:
            log = [
                (
                    int(e),
                    float(chunk["d_loss"][e - start]),
                    float(chunk["g_loss"][e - start]),
                )
                for e in epochs
                if e % config.log_every == 0 or e == E - 1
            ]
            progress(start + C, E, log)
        if diverged is not None:
            break

    arrays = {
        "real_images": real,
        "init_g_params": init_g,
        "init_d_params": init_d,
        "epoch": recorded,
        **out,
        "sample_epochs": sampled,
        "sample_latents": sample_latents,
    }
    if diverged is not None:
        R = int(np.searchsorted(recorded, diverged))
        S = int(np.searchsorted(sampled, diverged))
        arrays = {
            key: (v[:R] if key in out or key == "epoch" else v)
            for key, v in arrays.items()
        }
        arrays["sample_epochs"] = arrays["sample_epochs"][:S]
        arrays["sample_latents"] = arrays["sample_latents"][:S]
        partial = Trace(config.to_dict(), arrays, diverged) if R else None
        raise TrainingDiverged(diverged, partial)

    # the chapter's final test draw, for showing the trained fakes
    arrays["test_latents"] = rng.uniform(low, high, size=B)
    arrays["epoch"] = arrays["epoch"].astype(np.int64)
    return Trace(config.to_dict(), arrays)
