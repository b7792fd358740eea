"""The trace: every recorded epoch of a run, saved as one ``.npz`` file.

The trace is the contract between the training core and the scenes. Its keys
are plain arrays with the epoch axis first (``E`` recorded epochs, ``n`` pixels,
``B`` images a batch); :data:`KEYS` lists the required ones with their shapes.
Files are written atomically and read with ``allow_pickle=False``, so opening a
trace can never run code.

Beyond storage this module gives the scenes what they need: keyframe rows
(uniform or log-spaced epochs), parameters interpolated between recorded
epochs, the full forward pass of a batch at any recorded epoch, and the epochs
whose whole update (before, gradient, after) the trace holds exactly.
"""

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ganmath.model import discriminator_forward, generator_forward

SCHEMA = "ganimate.trace/1"
SCHEMA_NAME, SCHEMA_VERSION = SCHEMA.split("/")

#: Required keys: the number of dimensions and what each axis must match.
KEYS = {
    "real_images": ("B", "n"),
    "init_g_params": ("n+1",),
    "init_d_params": ("n+1",),
    "epoch": ("E",),
    "g_params": ("E", "n+1"),
    "d_params": ("E", "n+1"),
    "g_grads": ("E", "n+1"),
    "d_grads": ("E", "n+1"),
    "d_loss": ("E",),
    "g_loss": ("E",),
    "d_real": ("E",),
    "d_fake": ("E",),
}

#: Optional keys ganimate writes, with their shapes.
EXTRA_KEYS = {
    "test_latents": ("B",),  # L1 drawn after training, for the final fakes
    "sample_epochs": ("S",),  # epochs whose latent draws were kept
    "sample_latents": ("S", 2, "B"),  # [D-step fakes, G-step batch] at those
}


class TraceError(ValueError):
    """A file that is not a usable trace; the message says what is wrong."""


@dataclass
class Trace:
    """A training run's record. Arrays as in :data:`KEYS`; ``config`` as a dict."""

    config: dict
    arrays: dict[str, np.ndarray]
    diverged_at: int | None = None  # the epoch that went non-finite, if any
    extras: dict = field(default_factory=dict)

    def __getattr__(self, key):
        arrays = self.__dict__.get("arrays", {})
        if key in arrays:
            return arrays[key]
        raise AttributeError(key)

    @property
    def n(self) -> int:
        return self.arrays["real_images"].shape[1]

    @property
    def epochs(self) -> int:
        """How many epochs the run trained (one past the last recorded epoch)."""
        return int(self.arrays["epoch"][-1]) + 1

    def row(self, epoch: int) -> int:
        """The row holding ``epoch``, or the nearest recorded epoch before it."""
        epochs = self.arrays["epoch"]
        # an int searches the int array as it is; a float would convert it
        # whole, a cost that grows with the length of the run
        i = int(np.searchsorted(epochs, int(np.floor(epoch)), side="right")) - 1
        return max(i, 0)


def save_trace(trace: Trace, path: str | Path) -> Path:
    """Write ``trace`` to ``path`` atomically: a temporary file, then a rename."""
    path = Path(path)
    payload = {
        "schema": np.array(SCHEMA),
        "config": np.array(json.dumps(trace.config, sort_keys=True)),
        "diverged_at": np.array(-1 if trace.diverged_at is None else trace.diverged_at),
        **{k: np.asarray(v) for k, v in trace.arrays.items()},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **payload)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; traces are not
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_trace(path: str | Path) -> Trace:
    """Read and check a trace written by :func:`save_trace`.

    Raises
    ------
    TraceError
        If the file is missing, is not an ``.npz`` archive, is truncated, lacks
        a required key, has arrays of the wrong shape, or was written with a
        newer schema than this version reads.
    """
    path = Path(path)
    try:
        if not path.exists():
            raise TraceError(f"{path}: no such trace file")
        if not path.is_file():
            raise TraceError(f"{path}: not a regular file")
        with path.open("rb") as f:
            if f.read(4) != b"PK\x03\x04":
                raise TraceError(f"{path}: not a trace (.npz) file")
        with np.load(path, allow_pickle=False) as npz:
            files = set(npz.files)
            if "schema" not in files:
                raise TraceError(f"{path}: not a ganimate trace (no schema key)")
            arrays = {k: npz[k] for k in files}
    except TraceError:
        raise
    except MemoryError:
        raise TraceError(f"{path}: damaged trace (claims arrays too large)") from None
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else e
        raise TraceError(f"{path}: not a readable trace file ({reason})") from None
    for key, value in arrays.items():
        if not isinstance(value, np.ndarray):
            raise TraceError(f"{path}: damaged trace ({key} is not an array)")

    schema = str(arrays.pop("schema"))
    name, _, version = schema.partition("/")
    if name != SCHEMA_NAME:
        raise TraceError(f"{path}: schema {schema!r} is not a ganimate trace")
    if not version.isdigit() or int(version) < 1:
        raise TraceError(f"{path}: schema {schema!r} has no version ganimate knows")
    if int(version) > int(SCHEMA_VERSION):
        raise TraceError(
            f"{path}: schema {schema!r} is newer than this ganimate reads ({SCHEMA});"
            " upgrade ganimate"
        )
    try:
        config = json.loads(str(arrays.pop("config")))
    except (KeyError, json.JSONDecodeError):
        raise TraceError(f"{path}: trace has no readable config") from None
    diverged = int(arrays.pop("diverged_at", -1))

    missing = [k for k in KEYS if k not in arrays]
    if missing:
        raise TraceError(f"{path}: trace is missing {', '.join(missing)}")
    _check_shapes(path, arrays)
    return Trace(config, arrays, None if diverged < 0 else diverged)


def _check_shapes(path: Path, arrays: dict) -> None:
    B, n = arrays["real_images"].shape if arrays["real_images"].ndim == 2 else (0, 0)
    E = arrays["epoch"].shape[0] if arrays["epoch"].ndim == 1 else 0
    sizes = {"B": B, "n": n, "n+1": n + 1, "E": E, 2: 2}
    if "sample_epochs" in arrays and arrays["sample_epochs"].ndim == 1:
        sizes["S"] = arrays["sample_epochs"].shape[0]
    for key, axes in {**KEYS, **EXTRA_KEYS}.items():
        if key not in arrays:
            continue
        want = tuple(sizes.get(a, -1) for a in axes)
        got = arrays[key].shape
        if got != want:
            raise TraceError(f"{path}: {key} has shape {got}, expected {want}")
        if not np.issubdtype(arrays[key].dtype, np.number):
            raise TraceError(f"{path}: {key} holds {arrays[key].dtype}, not numbers")
        if not np.all(np.isfinite(arrays[key])):
            raise TraceError(f"{path}: {key} holds NaN or infinite values")
    if E == 0 or n == 0 or B == 0:
        raise TraceError(f"{path}: trace holds no epochs")
    if np.any(np.diff(arrays["epoch"]) <= 0):
        raise TraceError(f"{path}: epochs are not increasing")


def keyframes(trace: Trace, count: int, spacing: str = "uniform") -> np.ndarray:
    """Row indices of about ``count`` keyframes, first and last row included.

    ``"uniform"`` spaces the epochs evenly; ``"log"`` spaces ``epoch + 1``
    geometrically, so early training, where most changes, gets most frames.
    Duplicates are dropped, so a short trace may give fewer rows.
    """
    epochs = trace.arrays["epoch"]
    first, last = int(epochs[0]), int(epochs[-1])
    if spacing == "uniform":
        wanted = np.linspace(first, last, count)
    elif spacing == "log":
        wanted = np.geomspace(first + 1, last + 1, count) - 1
    else:
        raise ValueError(f"spacing must be 'uniform' or 'log', got {spacing!r}")
    rows = np.searchsorted(epochs, np.round(wanted), side="left")
    return np.unique(np.clip(rows, 0, len(epochs) - 1))


def interpolate(trace: Trace, key: str, epoch: float) -> np.ndarray:
    """``trace.<key>`` at a fractional ``epoch``, linear between recorded rows."""
    epochs = trace.arrays["epoch"]
    values = trace.arrays[key]
    epoch = float(np.clip(epoch, epochs[0], epochs[-1]))
    lo = trace.row(epoch)
    if epochs[lo] == epoch or lo == len(epochs) - 1:
        return values[lo].astype(float)
    hi = lo + 1
    t = (epoch - epochs[lo]) / (epochs[hi] - epochs[lo])
    return (1 - t) * values[lo] + t * values[hi]


def exact_row(trace: Trace, epoch: int) -> int:
    """The row recording ``epoch`` itself, never the nearest earlier one.

    Raises
    ------
    ValueError
        If the trace did not record ``epoch`` (a sparse trace skips epochs).
    """
    row = trace.row(epoch)
    if int(trace.epoch[row]) != epoch:
        raise ValueError(f"the trace does not record epoch {epoch}")
    return row


def params_at(trace: Trace, epoch: int) -> tuple[np.ndarray, np.ndarray]:
    """``(w_g, w_d)`` after ``epoch``, exactly; epoch -1 means before training."""
    if epoch < 0:
        return trace.init_g_params, trace.init_d_params
    row = exact_row(trace, epoch)
    return trace.g_params[row], trace.d_params[row]


def step_epochs(trace: Trace) -> list[int]:
    """The epochs whose update a scene can show exactly, in order.

    Those of ``trace.sample_epochs`` (their latent draws kept) that are recorded
    together with the parameters before them: the initial ones for epoch 0, the
    recorded epoch ``e - 1`` for any other. A sparse trace (``record_every`` >
    1) keeps such pairs for its sampled epochs; the other epochs it recorded
    have no draws and no "before", so no update of theirs can be replayed.
    """
    recorded = set(trace.epoch.tolist())
    return [
        int(e)
        for e in trace.sample_epochs
        if e in recorded and (e == 0 or e - 1 in recorded)
    ]


def update_at(trace: Trace, epoch: int) -> dict:
    """One recorded update: ``before - lr * grad == after`` for both networks.

    ``epoch`` must be one of :func:`step_epochs`. Returns the index ``s`` of its
    draws in ``sample_latents``, its ``row``, the parameters ``g_old``/``d_old``
    (the initial ones for epoch 0) and ``g_new``/``d_new`` after it, and the
    gradients ``g_grad``/``d_grad`` of its two steps.
    """
    s = int(np.searchsorted(trace.sample_epochs, epoch))
    if s == len(trace.sample_epochs) or int(trace.sample_epochs[s]) != epoch:
        raise ValueError(f"the trace kept no latent draws for epoch {epoch}")
    row = exact_row(trace, epoch)
    g_old, d_old = params_at(trace, epoch - 1)
    return {
        "s": s,
        "row": row,
        "g_old": g_old,
        "d_old": d_old,
        "g_new": trace.g_params[row],
        "d_new": trace.d_params[row],
        "g_grad": trace.g_grads[row],
        "d_grad": trace.d_grads[row],
    }


@dataclass(frozen=True)
class Forward:
    """One batch through both networks with given parameters; (B,) or (B, n)."""

    L1: np.ndarray
    O_in: np.ndarray
    O: np.ndarray  # the fake images
    D_in_fake: np.ndarray
    D_fake: np.ndarray
    D_in_real: np.ndarray
    D_real: np.ndarray


def forward(
    trace: Trace, w_g: np.ndarray, w_d: np.ndarray, L1: np.ndarray | None = None
) -> Forward:
    """Push ``L1`` (default: the trace's test latents) and the real images through."""
    if L1 is None:
        L1 = test_latents(trace)
    L1 = np.ascontiguousarray(L1, dtype=float)
    w_g = np.ascontiguousarray(w_g, dtype=float)
    w_d = np.ascontiguousarray(w_d, dtype=float)
    real = np.ascontiguousarray(trace.arrays["real_images"], dtype=float)
    O_in, O = generator_forward(L1, w_g)
    D_in_fake, D_fake = discriminator_forward(O, w_d)
    D_in_real, D_real = discriminator_forward(real, w_d)
    return Forward(L1, O_in, O, D_in_fake, D_fake, D_in_real, D_real)


def forward_at(trace: Trace, epoch: float, L1: np.ndarray | None = None) -> Forward:
    """The forward pass with the parameters after ``epoch`` (interpolated)."""
    return forward(
        trace,
        interpolate(trace, "g_params", epoch),
        interpolate(trace, "d_params", epoch),
        L1,
    )


def test_latents(trace: Trace) -> np.ndarray:
    """Latent values for showing fakes: the run's own test draw, else a fixed grid."""
    if "test_latents" in trace.arrays:
        return trace.arrays["test_latents"]
    low, high = trace.config.get("latent_range", (0.4, 1.0))
    return np.linspace(low, high, trace.arrays["real_images"].shape[0])
