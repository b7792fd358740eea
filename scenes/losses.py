"""Both losses along the epochs, drawn as training runs, against the equilibrium.

At the equilibrium the discriminator can only guess, ``D = 1/2`` on every image,
so each of the chapter's two logged D terms is ``ln 2`` and their sum, the D
loss as the chapter books it, is ``ln 4``; the G loss ``-mean log D(G(L1))`` is
``ln 2``. The curves are a fixed number of downsampled epochs, revealed by a
tracker over the epoch, with a trailing moving average over each.
"""

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    Line,
    MathTypst,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    linear,
)

from ganmath.trace import keyframes
from scenes.common import DISCRIMINATOR, GENERATOR, MUTED, TEXT, GanSlide, label
from scenes.plots import (
    Readout,
    axes,
    downsample,
    hline,
    moving_average,
    nice_ticks,
    title,
    value_line,
)

POINTS = 400  # curve points per loss, whatever the run's length
READOUTS = 60  # epochs whose values the readout steps through
REVEAL_SECONDS = 14
Y_RANGE = (0.5, 1.5)


def epoch_ticks(epochs: int) -> np.ndarray:
    """Round ticks from 0 whose last one reaches the run's length ``epochs``.

    A run of 50,000 epochs (0 to 49,999) gets 0, 10,000, ..., 50,000: the axis
    ends at the run's end, not at the last round number inside it.
    """
    step = max(1.0, float(nice_ticks(epochs)[1]))  # whole epochs
    return np.arange(0, step * np.ceil(epochs / step) + step / 2, step)


class LossCurves(GanSlide):
    """D and G loss along training, with ln 4 and ln 2 and moving averages."""

    def construct(self):
        trace = self.trace
        last = int(trace.epoch[-1])
        window = max(1, trace.epochs // 50)

        # beat 1: the axes and the two equilibrium lines
        heading = title("Both losses along training")
        x_ticks = epoch_ticks(trace.epochs)
        ax = axes((0, x_ticks[-1], x_ticks[1]), (*Y_RANGE, 0.1), 8.2, 5.2,
                  x_ticks=x_ticks,
                  y_ticks=(0.6, 0.8, 1.0, 1.2, 1.4), y_digits=1,
                  x_format=lambda v: f"{int(v):,}")
        ax.to_corner(LEFT + DOWN, buff=0.5).shift(RIGHT * 0.4 + UP * 0.3)
        x_name = label("epoch", 24, MUTED).next_to(ax.tick_labels[:len(x_ticks)], DOWN,
                                                   buff=0.15)
        refs = VGroup(
            self._reference(ax, np.log(4), "ln 4", "1.386", DISCRIMINATOR, UP),
            self._reference(ax, np.log(2), "ln 2", "0.693", GENERATOR, DOWN),
        )
        meaning = label("dashed: the equilibrium, where D can only guess 1/2",
                        24, MUTED).next_to(ax, UP, buff=0.25).align_to(ax, LEFT)
        self.play(Write(heading))
        self.play(FadeIn(ax), FadeIn(x_name))
        self.play(Create(refs), FadeIn(meaning), run_time=1.5)
        self.next_slide()

        # beat 2: both losses drawn as the epochs run, with their moving averages
        curves = []
        for key, color in (("d_loss", DISCRIMINATOR), ("g_loss", GENERATOR)):
            values = trace.arrays[key]
            # known shortcoming: the thin curve is POINTS single epochs picked
            # evenly, so late in a long run its wiggles sample the batch noise
            # sparsely; the thick trailing mean is what to read
            raw = downsample(trace.epoch, values, POINTS)
            smooth = downsample(trace.epoch, moving_average(values, window), POINTS)
            curves.append(self._curve(ax, *raw, color, width=1.5, opacity=0.45))
            curves.append(self._curve(ax, *smooth, color, width=5, opacity=1))
        legend = self._legend(window).to_edge(RIGHT, buff=0.4).shift(UP * 1.4)
        rows = keyframes(trace, READOUTS, "uniform")
        values = Readout([self._values(row) for row in rows])
        values.align_all("next_to", legend, DOWN, buff=0.6)
        values.align_all("align_to", legend, LEFT)
        badge = Readout([self.epoch_badge(int(trace.epoch[row])) for row in rows])
        self.add(*curves)
        self.play(FadeIn(legend), FadeIn(values), FadeIn(badge))

        epoch = ValueTracker(0)
        for curve in curves:
            curve.add_updater(lambda mob: mob.reveal(epoch.get_value()))
        # Manim redraws each frame everything from the first moving mobject on:
        # the moving ones go last so the legend and axes are drawn once
        self.bring_to_front(*curves, values, badge)
        shown = lambda: np.searchsorted(trace.epoch[rows], epoch.get_value(),  # noqa: E731
                                        side="right") - 1
        values.follow(shown)
        badge.follow(shown)
        self.play(epoch.animate.set_value(last), run_time=REVEAL_SECONDS,
                  rate_func=linear)
        for mob in (*curves, values, badge):
            mob.clear_updaters()
        self.next_slide()

        # beat 3: where the run ends, against the equilibrium
        gap = trace.d_loss[-1] - np.log(4)
        verdict = ("below ln 4: D still tells reals from fakes" if gap < 0
                   else "at or above ln 4: D is fooled")
        end = label(f"D loss at the last epoch is {verdict}", 24, TEXT)
        end.next_to(ax, UP, buff=0.25).align_to(ax, LEFT)
        self.play(meaning.animate.set_opacity(0), FadeIn(end))
        self.wait(3)

    def _reference(self, ax, y, name, value, color, side):
        """A dashed line at ``y`` named by its formula and its value."""
        line = hline(ax, y, color)
        text = VGroup(MathTypst(name, color=color, font_size=38),
                      label(f"= {value}", 24, color)).arrange(buff=0.15)
        text.next_to(line.get_end(), side, buff=0.12).align_to(line, RIGHT)
        return VGroup(line, text)

    def _curve(self, ax, epochs, values, color, width, opacity):
        """A polyline through ``(epochs, values)``, revealable up to an epoch."""
        points = np.array([ax.c2p(e, v) for e, v in zip(epochs, values, strict=True)])
        curve = VMobject(stroke_color=color, stroke_width=width,
                         stroke_opacity=opacity)

        def reveal(epoch):
            k = int(np.searchsorted(epochs, epoch, side="right"))
            if k >= len(epochs):
                curve.set_points_as_corners(points)
                return curve
            # the head sits between the last shown sample and the next one
            t = (epoch - epochs[k - 1]) / (epochs[k] - epochs[k - 1])
            head = (1 - t) * points[k - 1] + t * points[k]
            curve.set_points_as_corners([*points[:k], head])
            return curve

        curve.reveal = reveal
        reveal(epochs[0])
        return curve

    def _legend(self, window):
        """Which colour is which loss, and what thin and thick lines mean."""
        rows = VGroup()
        for name, color in (("D loss", DISCRIMINATOR), ("G loss", GENERATOR)):
            swatch = Line(LEFT * 0.3, RIGHT * 0.3, color=color, stroke_width=5)
            rows.add(VGroup(swatch, label(name, 26, color)).arrange(buff=0.2))
        rows.add(label("thin: single epochs", 22, MUTED),
                 label("thick: mean of the last", 22, MUTED),
                 label(f"{window:,} epochs", 22, MUTED))
        return rows.arrange(DOWN, aligned_edge=LEFT, buff=0.18)

    def _values(self, row):
        """Both losses at trace row ``row``, one a line."""
        trace = self.trace
        return VGroup(value_line("D loss", trace.d_loss[row], DISCRIMINATOR),
                      value_line("G loss", trace.g_loss[row], GENERATOR)
                      ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
