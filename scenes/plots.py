"""Plotting pieces the training scenes share: axes, image profiles, readouts.

- :func:`axes` builds Manim ``Axes`` whose tick labels are ``Text`` (no TeX).
- :func:`downsample` and :func:`moving_average` turn a per-epoch trace array
  into a fixed number of curve points, so a curve costs the same for any run.
- :class:`Profiles` draws images as profiles (pixel index across, value up),
  one polyline per image, and moves the same polylines to new images in place.
- :class:`Readout` shows one of a few precomputed ``Text`` objects, swapped by
  index, so that a number can change during an animation without rebuilding
  text on every frame.
"""

import numpy as np
from manim import (
    DOWN,
    LEFT,
    UL,
    Axes,
    Circle,
    DashedLine,
    FullScreenRectangle,
    Mobject,
    Text,
    VGroup,
    VMobject,
)

from scenes.common import BACKGROUND, MUTED, fmt, label

TICK_SIZE = 22


def axes(x_range, y_range, x_length: float, y_length: float,
         x_ticks=(), y_ticks=(), x_digits: int = 1, y_digits: int = 1,
         x_format=None, y_format=None) -> Axes:
    """Muted axes with ``Text`` tick labels at ``x_ticks`` and ``y_ticks``.

    ``x_range`` and ``y_range`` are ``(min, max)`` or ``(min, max, step)`` as
    Manim takes them; ``x_format``/``y_format`` turn a tick value into its label
    (default: :func:`scenes.common.fmt` with ``*_digits`` decimals).
    """
    ax = Axes(x_range=x_range, y_range=y_range, x_length=x_length,
              y_length=y_length, tips=False,
              axis_config={"color": MUTED, "include_ticks": True,
                           "stroke_width": 2})
    x_format = x_format or (lambda v: fmt(v, x_digits))
    y_format = y_format or (lambda v: fmt(v, y_digits))
    labels = VGroup()
    for v in x_ticks:
        labels.add(label(x_format(v), TICK_SIZE, MUTED)
                   .next_to(ax.c2p(v, y_range[0]), DOWN, buff=0.15))
    for v in y_ticks:
        labels.add(label(y_format(v), TICK_SIZE, MUTED)
                   .next_to(ax.c2p(x_range[0], v), LEFT, buff=0.15))
    ax.tick_labels = labels
    ax.add(labels)
    return ax


def fade_to_background(scene, keep=(), run_time: float = 0.8) -> None:
    """Fade out everything on screen but ``keep``, then remove it.

    A background-coloured sheet fades in over the scene instead of a FadeOut of
    each mobject: Manim copies every faded mobject first, which for screens full
    of Text took seconds, while the sheet is one rectangle.
    """
    sheet = FullScreenRectangle(fill_color=BACKGROUND, fill_opacity=0, stroke_width=0)
    scene.add(sheet)
    scene.bring_to_front(*keep)
    scene.play(sheet.animate.set_fill(opacity=1), run_time=run_time)
    scene.remove(*[m for m in scene.mobjects if m not in keep])


def title(text: str) -> Mobject:
    """A scene title in the top-left corner, clear of the epoch badge."""
    return label(text, 40).to_corner(UL, buff=0.35)


def nice_ticks(high: float, count: int = 5) -> np.ndarray:
    """Round tick values from 0 up to ``high``, about ``count`` of them."""
    raw = high / count
    step = 10 ** np.floor(np.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * step >= raw:
            step *= factor
            break
    return np.arange(0, high + 1e-9, step)


def hline(ax: Axes, y: float, color: str, width: float = 2) -> DashedLine:
    """A dashed horizontal reference line across ``ax`` at height ``y``."""
    x0, x1 = ax.x_range[0], ax.x_range[1]
    return DashedLine(ax.c2p(x0, y), ax.c2p(x1, y), color=color,
                      stroke_width=width, dash_length=0.12)


def downsample(epochs: np.ndarray, values: np.ndarray, count: int = 400):
    """``count`` evenly spaced rows of ``(epochs, values)``, first and last kept."""
    rows = np.unique(np.round(np.linspace(0, len(epochs) - 1, count)).astype(int))
    return epochs[rows].astype(float), values[rows].astype(float)


def moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """The trailing mean over ``window`` rows (fewer at the start), same length."""
    window = max(1, int(window))
    csum = np.concatenate(([0.0], np.cumsum(values, dtype=float)))
    idx = np.arange(1, len(values) + 1)
    start = np.maximum(idx - window, 0)
    return (csum[idx] - csum[start]) / (idx - start)


class Shared:
    """A mobject attribute kept by reference when the mobject is copied.

    Manim copies a mobject (with all its attributes) at the start of most
    animations; a readout's stack of texts or a profile set's axes would be
    deep-copied each time, which made renders several times slower.
    """

    def __init__(self, value):
        self.value = value

    def __deepcopy__(self, memo):
        return self


class Profiles(VGroup):
    """Images drawn as profiles on ``ax``: pixel 1..n across, the value up.

    Each image is one polyline through ``(j, value_j)``; :meth:`set_images`
    moves the same polylines to new values, so an animation can morph them in
    place.
    """

    def __init__(self, ax: Axes, images: np.ndarray, color: str,
                 width: float = 2.5, opacity: float = 0.75):
        super().__init__()
        self._ax = Shared(ax)
        for _ in images:
            self.add(VMobject(stroke_color=color, stroke_width=width,
                              stroke_opacity=opacity))
        self.set_images(images)

    @property
    def ax(self) -> Axes:
        """The axes the profiles are drawn on."""
        return self._ax.value

    def set_images(self, images: np.ndarray) -> "Profiles":
        """Move polyline ``i`` to image ``images[i]`` (shape (B, n))."""
        images = np.asarray(images, dtype=float)
        B, n = images.shape
        xs = np.tile(np.arange(1, n + 1, dtype=float), B)
        corners = points_on(self.ax, xs, images.ravel()).reshape(B, n, 3)
        for line, points in zip(self.submobjects, corners, strict=True):
            line.set_points_as_corners(points)
        return self


def points_on(ax: Axes, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Scene points (N, 3) of the coordinates ``(xs[i], ys[i])`` on ``ax``, at once."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    return np.asarray(ax.c2p(xs, ys)).T


class DotCloud(VMobject):
    """Many equal dots as one mobject: one path with a circle per dot.

    Moving a few hundred separate ``Dot`` objects every frame costs a bounding
    box per dot and a Cairo path per dot; here :meth:`place` writes all the
    points in one array operation and the camera fills one path.
    """

    def __init__(self, count: int, radius: float, color: str, opacity: float = 0.85):
        super().__init__(fill_color=color, fill_opacity=opacity, stroke_width=0)
        self.template = Circle(radius=radius).points
        self.place(np.zeros((count, 3)))

    def place(self, centres: np.ndarray) -> "DotCloud":
        """Put the dots' centres at ``centres`` (N, 3)."""
        centres = np.asarray(centres, dtype=float)
        self.points = (self.template[None] + centres[:, None]).reshape(-1, 3)
        return self


def profile_axes(x_length: float = 4.6, y_length: float = 4.0, pixels: int = 3,
                 low: float = -0.4, high: float = 1.4, short: bool = False) -> Axes:
    """Axes for :class:`Profiles`: pixel index across, value up, 0 and 1 marked.

    ``short`` names the pixels "1", "2", ... instead of "pixel 1", for small axes.
    """
    ax = axes((0.7, pixels + 0.3, 1), (low, high, 0.2), x_length, y_length,
              x_ticks=range(1, pixels + 1), y_ticks=(0, 1) if short else (0, 0.5, 1),
              x_format=(lambda v: f"{v}") if short else (lambda v: f"pixel {v}"),
              y_digits=1)
    ax.bounds = VGroup(hline(ax, 0, MUTED, 1.5), hline(ax, 1, MUTED, 1.5))
    ax.add(ax.bounds)
    return ax


class Readout(VGroup):
    """One of a few precomputed texts, shown by index; swapped in place.

    ``texts`` are built once; :meth:`show` makes the visible copy
    :meth:`~manim.Mobject.become` the chosen one, and only when the index
    changes, so an updater can call it on every frame for the price of a
    comparison. :meth:`follow` attaches such an updater: the readout must carry
    its own updater, or Manim treats it as static and never redraws it
    mid-animation. (Swapping the member itself instead leaves the old text drawn
    too, as the Cairo renderer keeps the family it found at the animation's
    start.)
    """

    def __init__(self, texts: list[Mobject]):
        super().__init__()
        self._texts = Shared(texts)
        self.index = 0
        self.shown = texts[0].copy()
        self.add(self.shown)

    @property
    def texts(self) -> list[Mobject]:
        """The precomputed texts, one per index."""
        return self._texts.value

    def follow(self, index_of) -> "Readout":
        """Show ``texts[index_of()]`` on every frame until updaters are cleared."""
        self.add_updater(lambda mob: mob.show(index_of()))
        return self

    def show(self, index: int) -> "Readout":
        """Display ``texts[index]`` (clipped to the valid range)."""
        index = int(np.clip(index, 0, len(self.texts) - 1))
        if index != self.index:
            chosen = self.texts[index]
            self.shown.become(chosen)
            # become() copies points and style only: keep each Text's string too
            for old, new in zip(_texts(self.shown), _texts(chosen), strict=True):
                old.text = new.text
            self.index = index
        return self

    def align_all(self, method, *args, **kwargs) -> "Readout":
        """Apply a placement method (e.g. ``"next_to"``) to every text alike."""
        for mob in [*self.texts, self.shown]:
            getattr(mob, method)(*args, **kwargs)
        return self


def _texts(mob: Mobject) -> list[Text]:
    return [m for m in mob.get_family() if isinstance(m, Text)]


def value_line(name: str, value: float, color: str, digits: int = 4,
               size: float = 26) -> VGroup:
    """``name  value`` as two Texts, the value in the house mono font."""
    left = label(name, size, color)
    right = label(fmt(value, digits), size, color, mono=True)
    return VGroup(left, right).arrange(buff=0.2)


__all__ = ["fade_to_background", "title", "axes", "nice_ticks",
           "hline", "downsample", "moving_average", "points_on", "DotCloud",
           "Profiles", "profile_axes", "Readout", "value_line"]
