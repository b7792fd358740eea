"""The chapter's static figures, drawn with matplotlib from a trace.

Each figure function takes a :class:`~ganmath.trace.Trace` and returns a
matplotlib ``Figure`` (made without pyplot, so no display or global state is
touched); :func:`write_all` saves every one of them as PNG and SVG.

- :func:`loss_curves`: D and G losses over the epochs against their values at
  the equilibrium (``2 ln 2`` and ``ln 2``), and the mean D outputs against 1/2.
- :func:`real_vs_fake`: the real images beside the trained generator's fakes.
- :func:`fakes_over_epochs`: the fakes at log-spaced epochs, as a grid.
- :func:`sigmoid_curve`: ``sigma`` and its derivative ``sigma (1 - sigma)``,
  with the trained generator's pre-activations and the real pixel values.
- :func:`network_diagram`: L1, O2..On, I5.., D8 with the weights of an epoch.

Colours are the Okabe-Ito ones the scenes use: real images sky blue, fakes and
the generator orange, the discriminator reddish purple.
"""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch

from ganmath.model import sigmoid
from ganmath.palette import (
    DISCRIMINATOR,
    FAKE,
    GRADIENT,
    MUTED,
    NEGATIVE,
    POSITIVE,
    REAL,
)
from ganmath.trace import Trace, forward_at, keyframes

INK = "#222222"  # text on the figures' white background

#: The losses at the equilibrium, where D outputs 1/2 for every image.
D_LOSS_EQUILIBRIUM = 2 * np.log(2)
G_LOSS_EQUILIBRIUM = np.log(2)

STYLE = {
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "svg.hashsalt": "ganimate",  # stable ids, so an unchanged figure is unchanged
    "svg.fonttype": "path",
}


def _figure(width: float, height: float) -> Figure:
    with matplotlib.rc_context(STYLE):
        return Figure(figsize=(width, height), layout="constrained")


def _envelope(x: np.ndarray, y: np.ndarray, bins: int = 800):
    """Per-bin mean, min and max of ``y``, so a 50,000-epoch curve stays light."""
    if len(x) <= bins:
        return x, y, y, y
    edges = np.linspace(0, len(x), bins + 1).astype(int)
    parts = [slice(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True)]
    mid = np.array([x[s].mean() for s in parts])
    mean = np.array([y[s].mean() for s in parts])
    low = np.array([y[s].min() for s in parts])
    high = np.array([y[s].max() for s in parts])
    return mid, mean, low, high


def _curve(ax, x, y, color: str, name: str) -> None:
    """``y`` over ``x`` as a line of bin means inside a band of bin extremes."""
    mid, mean, low, high = _envelope(x, y)
    ax.fill_between(mid, low, high, color=color, alpha=0.25, linewidth=0)
    ax.plot(mid, mean, color=color, linewidth=1.6, label=name)


def loss_curves(trace: Trace) -> Figure:
    """Both losses along the epochs, and the mean D outputs, against equilibrium."""
    fig = _figure(10, 3.8)
    losses, outputs = fig.subplots(1, 2)
    epoch = trace.epoch

    _curve(losses, epoch, trace.d_loss, DISCRIMINATOR, "D loss")
    _curve(losses, epoch, trace.g_loss, FAKE, "G loss")
    losses.axhline(
        D_LOSS_EQUILIBRIUM,
        color=DISCRIMINATOR,
        linestyle="--",
        linewidth=1,
        label="D at equilibrium, 2 ln 2",
    )
    losses.axhline(
        G_LOSS_EQUILIBRIUM,
        color=FAKE,
        linestyle="--",
        linewidth=1,
        label="G at equilibrium, ln 2",
    )
    losses.set(xlabel="epoch", ylabel="loss", title="Losses")
    losses.legend(frameon=False, fontsize=8, loc="center right")

    _curve(outputs, epoch, trace.d_real, REAL, "mean D(real)")
    _curve(outputs, epoch, trace.d_fake, FAKE, "mean D(fake)")
    outputs.axhline(
        0.5, color=MUTED, linestyle="--", linewidth=1, label="1/2: D cannot tell"
    )
    outputs.set(
        xlabel="epoch",
        ylabel="D output",
        ylim=(0, 1),
        title="What the discriminator says",
    )
    outputs.legend(frameon=False, fontsize=8)
    return fig


def _pixel_range(*images: np.ndarray) -> tuple[float, float]:
    values = np.concatenate([np.ravel(i) for i in images])
    return float(min(values.min(), 0.0)), float(max(values.max(), 1.0))


def _image_grid(
    ax, images: np.ndarray, vmin: float, vmax: float, title: str, color: str
):
    """A batch of images as a B x n grey grid, one image a row."""
    im = ax.imshow(
        images,
        cmap="gray",
        vmin=vmin,
        vmax=vmax,
        aspect="auto",
        interpolation="nearest",
    )
    n = images.shape[1]
    ax.set_xticks(range(n), [str(j + 1) for j in range(n)])
    ax.set(xlabel="pixel", ylabel="image")
    ax.set_title(title, color=color)
    return im


def _profiles(
    ax,
    images: np.ndarray,
    color: str,
    alpha: float = 0.5,
    width: float = 1.0,
    name: str | None = None,
) -> None:
    """Images as profiles: pixel index across, value up, a line each."""
    n = images.shape[1]
    x = np.arange(1, n + 1)
    for k, row in enumerate(images):
        ax.plot(
            x,
            row,
            color=color,
            alpha=alpha,
            linewidth=width,
            label=name if k == 0 else None,
        )


def _bounds(ax) -> None:
    for y in (0, 1):
        ax.axhline(y, color=MUTED, linestyle=":", linewidth=1)


def real_vs_fake(trace: Trace) -> Figure:
    """The real images beside the fakes of the trained generator."""
    last = int(trace.epoch[-1])
    real = trace.real_images
    fake = forward_at(trace, last).O
    vmin, vmax = _pixel_range(real, fake)

    fig = _figure(10, 4)
    left, middle, right = fig.subplots(1, 3)
    im = _image_grid(left, real, vmin, vmax, f"{len(real)} real images", REAL)
    _image_grid(
        middle, fake, vmin, vmax, f"{len(fake)} fakes after epoch {last:,}", FAKE
    )
    fig.colorbar(im, ax=[left, middle], label="pixel value", shrink=0.9)

    _profiles(right, real, REAL, name="real")
    _profiles(right, fake, FAKE, alpha=0.8, name="fake")
    _bounds(right)
    right.set(
        xlabel="pixel",
        ylabel="value",
        xticks=range(1, real.shape[1] + 1),
        title="As profiles (dotted: 0 and 1)",
    )
    right.legend(frameon=False, fontsize=8)
    return fig


def fakes_over_epochs(trace: Trace, count: int = 8) -> Figure:
    """The fakes at ``count`` log-spaced epochs, as grids and profiles; the reals."""
    rows = keyframes(trace, count, "log")
    epochs = [int(e) for e in trace.epoch[rows]]
    fakes = [forward_at(trace, e).O for e in epochs]
    real = trace.real_images
    vmin, vmax = _pixel_range(real, *fakes)

    columns = len(epochs) + 1
    fig = _figure(1.35 * columns, 5)
    axes = fig.subplots(2, columns, sharey="row")
    for k, (epoch, fake) in enumerate(zip(epochs, fakes, strict=True)):
        _image_grid(axes[0, k], fake, vmin, vmax, f"epoch {epoch:,}", FAKE)
        _profiles(axes[1, k], real, REAL, alpha=0.15)
        _profiles(axes[1, k], fake, FAKE, alpha=0.6)
        _bounds(axes[1, k])
    _image_grid(axes[0, -1], real, vmin, vmax, "real", REAL)
    _profiles(axes[1, -1], real, REAL, alpha=0.6)
    _bounds(axes[1, -1])
    for ax in axes.flat:
        ax.label_outer()
        ax.set_xlabel("")
    for ax in axes[1]:
        ax.set_xticks(range(1, real.shape[1] + 1))
    fig.supxlabel("pixel")
    fig.suptitle("The fakes over the epochs")
    return fig


def sigmoid_curve(trace: Trace) -> Figure:
    """The sigmoid and its derivative, with where the trained generator works."""
    x = np.linspace(-7, 7, 561)
    s = sigmoid(x)
    ds = s * (1 - s)
    last = int(trace.epoch[-1])
    O_in = np.ravel(forward_at(trace, last).O_in)
    real = np.ravel(trace.real_images)

    fig = _figure(7, 4.2)
    ax = fig.subplots()
    saturated = ds < 0.05
    ax.fill_between(
        x,
        -0.3,
        1.3,
        where=saturated,
        color=MUTED,
        alpha=0.12,
        linewidth=0,
        label="saturated: derivative below 0.05",
    )
    ax.plot(x, s, color=INK, linewidth=2, label=r"$\sigma(x) = 1 / (1 + e^{-x})$")
    ax.plot(
        x,
        ds,
        color=GRADIENT,
        linewidth=2,
        linestyle="--",
        label=r"$\sigma'(x) = \sigma(x)\,(1 - \sigma(x))$",
    )
    _bounds(ax)
    ax.plot(
        O_in,
        sigmoid(O_in),
        "o",
        color=FAKE,
        markersize=4,
        alpha=0.7,
        label=f"the fakes' pixels after epoch {last:,}",
    )
    ax.plot(
        np.full_like(real, x[-1]),
        real,
        "_",
        color=REAL,
        markersize=12,
        markeredgewidth=1.5,
        label="real pixel values",
    )
    ax.set(
        xlabel=r"pre-activation $x$",
        ylabel="value",
        xlim=(x[0], x[-1] + 0.3),
        ylim=(-0.3, 1.3),
        title="The sigmoid and its derivative",
    )
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    return fig


def network_diagram(trace: Trace, epoch: int | None = None) -> Figure:
    """The network, each weight drawn with its value after ``epoch`` (default: last)."""
    epoch = int(trace.epoch[-1]) if epoch is None else int(epoch)
    row = trace.row(epoch)
    epoch = int(trace.epoch[row])
    w_g, w_d = trace.g_params[row], trace.d_params[row]
    n = trace.n
    biggest = max(np.abs(w_g[:n]).max(), np.abs(w_d[:n]).max(), 1e-12)

    fig = _figure(9, 1.9 + 1.1 * n)
    ax = fig.subplots()
    ax.set_axis_off()
    ax.set_aspect("equal")
    ys = (np.arange(n)[::-1] - (n - 1) / 2) * 1.4
    L1 = (0.0, 0.0)
    outs = [(3.0, y) for y in ys]
    ins = [(6.0, y) for y in ys]
    D8 = (9.0, 0.0)
    radius = 0.38

    def node(xy, name, color):
        ax.add_patch(
            Circle(
                xy, radius, facecolor="white", edgecolor=color, linewidth=2, zorder=3
            )
        )
        ax.text(*xy, name, ha="center", va="center", zorder=4, fontsize=10)

    def arrow(a, b, color, width, from_node=True, **style):
        # from rim to rim: the axes are equal, so the radius is in data units
        a, b = np.asarray(a, float), np.asarray(b, float)
        u = (b - a) / np.hypot(*(b - a))
        start = a + radius * u if from_node else a
        ax.add_patch(
            FancyArrowPatch(
                start,
                b - radius * u,
                shrinkA=0,
                shrinkB=0,
                arrowstyle="-|>",
                mutation_scale=12,
                color=color,
                linewidth=width,
                zorder=2,
                **style,
            )
        )

    def edge(a, b, weight, name, side, inner=None):
        # an outer edge's label beside its middle; an inner one's at its wide
        # end (``inner``: its node "a" or "b"), where the edges fanning out of
        # L1 or into D8 are farthest apart
        color = POSITIVE if weight >= 0 else NEGATIVE
        arrow(a, b, color, 0.8 + 3.2 * abs(weight) / biggest)
        if inner is None:
            x, ha = (a[0] + b[0]) / 2, "center"
        elif inner == "b":
            x, ha = b[0] - radius - 0.12, "right"
        else:
            x, ha = a[0] + radius + 0.12, "left"
        y = a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0])
        y += side * (0.4 if inner is None else 0.3)
        ax.text(
            x,
            y,
            f"{name} = {weight:+.3f}",
            ha=ha,
            va="center",
            fontsize=8,
            color=color,
            zorder=4,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},
        )

    def side(j):  # labels above the upper edges, below the lower ones
        return 1 if ys[j] >= 0 else -1

    def inner(j, end):  # the edges between the outermost two
        return end if 0 < j < n - 1 else None

    # generator: L1 to each output node, one shared bias b
    for j, xy in enumerate(outs):
        edge(L1, xy, w_g[j], rf"$\lambda_{{1{j + 2}}}$", side(j), inner(j, "b"))
        node(xy, f"O{j + 2}", FAKE)
    node(L1, "L1", FAKE)
    ax.text(
        3.0, ys[-1] - 0.9, f"b = {w_g[n]:+.3f}", ha="center", fontsize=9, color=FAKE
    )

    # the fake image, or a real one, enters the discriminator's inputs
    real_box = (4.5, ys[0] + 1.1)
    ax.text(
        *real_box,
        "or a real image",
        ha="center",
        va="center",
        fontsize=8,
        bbox={"boxstyle": "round", "facecolor": REAL, "edgecolor": "none"},
    )
    for j, (o, i) in enumerate(zip(outs, ins, strict=True)):
        arrow(o, i, FAKE, 1, linestyle="--")
        arrow((real_box[0], real_box[1] - 0.22), i, REAL, 0.8, from_node=False)
        node(i, f"I{j + n + 2}", DISCRIMINATOR)

    # discriminator: each input to D8, bias c
    d_name = 2 * n + 2
    for j, xy in enumerate(ins):
        name = rf"$\lambda_{{{j + n + 2}{d_name}}}$"
        edge(xy, D8, w_d[j], name, side(j), inner(j, "a"))
    node(D8, f"D{d_name}", DISCRIMINATOR)
    ax.text(
        9.0, -0.9, f"c = {w_d[n]:+.3f}", ha="center", fontsize=9, color=DISCRIMINATOR
    )

    ax.text(1.5, ys[-1] - 1.6, "generator", ha="center", color=FAKE, fontsize=11)
    ax.text(
        7.5,
        ys[-1] - 1.6,
        "discriminator",
        ha="center",
        color=DISCRIMINATOR,
        fontsize=11,
    )
    ax.set_xlim(-0.8, 9.8)
    ax.set_ylim(ys[-1] - 1.9, ys[0] + 1.5)
    ax.set_title(
        f"The network, weights after epoch {epoch:,} "
        "(green positive, vermillion negative, width |weight|)",
        fontsize=10,
    )
    return fig


#: Every figure, by the file name it is saved under.
FIGURES: dict[str, Callable[[Trace], Figure]] = {
    "losses": loss_curves,
    "real_vs_fake": real_vs_fake,
    "fakes_over_epochs": fakes_over_epochs,
    "sigmoid": sigmoid_curve,
    "network": network_diagram,
}


def save(fig: Figure, path: str | Path, dpi: int = 200) -> Path:
    """Save ``fig`` atomically; the format follows the suffix (.png, .svg, .pdf)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = path.suffix[1:].lower()
    metadata = {"Date": None} if fmt in ("svg", "pdf") else {}
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f, matplotlib.rc_context(STYLE):
            fig.savefig(f, format=fmt, dpi=dpi, metadata=metadata)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_all(
    trace: Trace, folder: str | Path, formats: tuple[str, ...] = ("png", "svg")
) -> list[Path]:
    """Every figure of :data:`FIGURES` in ``folder``, once per format; the paths."""
    written = []
    for name, make in FIGURES.items():
        fig = make(trace)
        for fmt in formats:
            written.append(save(fig, Path(folder) / f"{name}.{fmt}"))
    return written
