"""Why the generator saturates, and why the chapter trains G non-saturating.

Four beats: the sigmoid and its slope; the generator's pre-activations ``O_in``
sliding out along the curve over training, where the slope ``sigma'`` (the
factor every gradient is multiplied by on its way back through an output node)
shrinks; the real pixel values above 1 and below 0 that no sigmoid reaches; and
the two generator losses, whose gradients at the discriminator's logit ``z`` are
``-D`` (minimax, vanishing as ``D(G(z)) -> 0``) and ``D - 1`` (non-saturating).
"""

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    Line,
    MathTypst,
    Rectangle,
    ValueTracker,
    VGroup,
    Write,
    linear,
)

from ganmath.model import sigmoid
from ganmath.trace import forward_at, keyframes
from scenes.common import (
    FAKE,
    GRADIENT,
    HIGHLIGHT,
    MUTED,
    REAL,
    TEXT,
    GanSlide,
    fmt,
    label,
)
from scenes.plots import (
    DotCloud,
    Readout,
    axes,
    fade_to_background,
    points_on,
    title,
)

COLUMN_X = 2.0  # left edge of the text column beside the plots
KEYFRAMES = 24  # log-spaced epochs the pre-activations pass through
SLIDE_SECONDS = 12


def sigma(x):
    """The logistic function of a float or array, as the model computes it."""
    return sigmoid(np.atleast_1d(np.asarray(x, dtype=float)))


def slope(x):
    """``sigma'(x) = sigma(x) (1 - sigma(x))``."""
    s = sigma(x)
    return s * (1 - s)


def with_symbol(words: str, source: str, color: str, size: float = 24) -> VGroup:
    """``words`` followed by a Typst symbol sitting on their baseline.

    The symbol is typeset as the chart's axis name is, so the text column and
    the chart write ``O_in`` alike; ``words`` must start with a letter without a
    descender, whose bottom is taken for the baseline.
    """
    text = label(words, size, color)
    symbol = MathTypst(source, color=color, font_size=size * 4 / 3)
    symbol.next_to(text, RIGHT, buff=0.12)
    symbol.shift(UP * (text[0].get_bottom()[1] - symbol[0].get_bottom()[1]))
    return VGroup(text, symbol)


class SigmoidSaturation(GanSlide):
    """The sigmoid's bounds and slope, the generator pressing against them."""

    def construct(self):
        trace = self.trace
        rows = keyframes(trace, KEYFRAMES, "log")
        epochs = trace.epoch[rows]
        O_in = np.array([forward_at(trace, e).O_in for e in epochs])  # (K, B, n)

        # beat 1: the sigmoid and its slope
        heading = title("Why the generator saturates")
        ax = axes((-6, 6, 1), (-0.3, 1.3, 0.25), 5.6, 5.4,
                  x_ticks=range(-6, 7, 2), y_ticks=(0, 0.25, 0.5, 1),
                  x_format=lambda v: fmt(v, 0), y_digits=2)
        ax.to_corner(LEFT + DOWN, buff=0.55).shift(RIGHT * 0.2)
        curve = ax.plot(lambda x: sigma(x)[0], x_range=(-6, 6, 0.05), color=TEXT,
                        stroke_width=4)
        dcurve = ax.plot(lambda x: slope(x)[0], x_range=(-6, 6, 0.05),
                         color=GRADIENT, stroke_width=4)
        x_name = MathTypst('O_"in"', color=MUTED, font_size=34)
        x_name.next_to(ax.c2p(6, 0.1), UP + LEFT, buff=0.1)
        f_sigma = MathTypst(r"sigma(x) = 1 / (1 + e^(-x))", color=TEXT, font_size=34)
        f_slope = MathTypst(r"sigma'(x) = sigma(x) (1 - sigma(x))", color=GRADIENT,
                            font_size=34)
        formulas = VGroup(f_sigma, f_slope).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        formulas.move_to([COLUMN_X, 2.9, 0], aligned_edge=LEFT + UP)
        self.play(Write(heading))
        self.play(FadeIn(ax), FadeIn(x_name), Create(curve), Write(f_sigma))
        self.play(Create(dcurve), Write(f_slope))
        self.next_slide()

        # beat 2: the generator's pre-activations slide out along the curve
        B, n = O_in.shape[1:]
        dots = DotCloud(B * n, 0.05, FAKE)
        ddots = DotCloud(B * n, 0.04, FAKE)
        panel = self._slope_panel(n).next_to(formulas, DOWN, buff=0.35)
        panel.align_to(formulas, LEFT)
        readout = Readout([self._slopes(O_in[k], panel[1]) for k in range(len(epochs))])
        badge = Readout([self.epoch_badge(int(e)) for e in epochs])
        self.slopes, self.slope_epochs = readout, [int(e) for e in epochs]  # for tests
        u = ValueTracker(0)

        def place(cloud, curve_of, t):
            i = min(int(t), len(epochs) - 2)
            x = ((1 - (t - i)) * O_in[i] + (t - i) * O_in[i + 1]).ravel()
            cloud.place(points_on(ax, x, curve_of(x)))

        place(dots, sigma, 0)
        place(ddots, slope, 0)
        meaning = VGroup(label("the share of the gradient", 24, MUTED),
                         label("that flows back through", 24, MUTED),
                         label("each output pixel", 24, MUTED))
        meaning.arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        meaning.next_to(panel, DOWN, buff=0.35).align_to(formulas, LEFT)
        self.play(FadeIn(dots), FadeIn(ddots), FadeIn(panel), FadeIn(readout),
                  FadeIn(badge), FadeIn(meaning))
        self.next_slide()
        dots.add_updater(lambda m: place(m, sigma, u.get_value()))
        ddots.add_updater(lambda m: place(m, slope, u.get_value()))
        # known shortcoming: the numbers name the nearest keyframe while the dots
        # glide between keyframes (text rebuilt per frame would cost too much)
        for mob in (readout, badge):
            mob.follow(lambda: round(u.get_value()))
        self.bring_to_front(dots, ddots, readout, badge)  # only these redrawn
        self.play(u.animate.set_value(len(epochs) - 1), run_time=SLIDE_SECONDS,
                  rate_func=linear)
        for mob in (dots, ddots, readout, badge):
            mob.clear_updaters()
        self.next_slide()

        # beat 3: real pixel values that no sigmoid output can reach
        real = trace.real_images.ravel()
        fake = sigma(O_in[-1].ravel())
        out = self.out_of_reach = int(np.sum((real > 1) | (real < 0)))
        x0, x1 = ax.c2p(-6, 0)[0], ax.c2p(6, 0)[0]
        bands = VGroup(*[
            Rectangle(width=x1 - x0, height=abs(ax.c2p(0, hi)[1] - ax.c2p(0, lo)[1]),
                      stroke_width=0, fill_color=MUTED, fill_opacity=0.18)
            .move_to([(x0 + x1) / 2, (ax.c2p(0, hi)[1] + ax.c2p(0, lo)[1]) / 2, 0])
            for lo, hi in ((1, 1.3), (-0.3, 0))
        ])
        column_x = ax.c2p(6, 0)[0] + 0.4
        reals = VGroup(*[Line(LEFT * 0.16, RIGHT * 0.16, color=REAL, stroke_width=3)
                         .move_to([column_x, ax.c2p(0, v)[1], 0]) for v in real])
        fakes = VGroup(*[Line(LEFT * 0.16, RIGHT * 0.16, color=FAKE, stroke_width=3)
                         .move_to([column_x + 0.8, ax.c2p(0, v)[1], 0]) for v in fake])
        top = ax.c2p(0, 1.3)[1]
        heads = VGroup(label("real", 22, REAL).move_to([column_x, top + 0.2, 0]),
                       label("fake", 22, FAKE).move_to([column_x + 0.8, top + 0.2, 0]))
        note = VGroup(
            label(f"{out} of {real.size} real pixel values", 24, REAL),
            label("lie outside (0, 1), out of", 24, TEXT),
            label("reach of any sigmoid;", 24, TEXT),
            with_symbol("chasing them drives", 'O_"in"', TEXT),
            label("out to where the slope is", 24, GRADIENT),
            label("nearly 0", 24, GRADIENT),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        note.next_to(panel, DOWN, buff=0.35).align_to(formulas, LEFT)
        self.note, self.x_name = note, x_name  # for the tests
        self.play(FadeIn(bands), FadeIn(reals), FadeIn(heads[0]))
        self.play(FadeIn(fakes), FadeIn(heads[1]), FadeOut(meaning), FadeIn(note))
        self.next_slide()

        # beat 4: the minimax gradient vanishes where the non-saturating one does not
        fade_to_background(self, keep=[heading])
        self._two_losses()

    def _slope_panel(self, n):
        """The fixed part of the slope readout: its heading and the pixel names."""
        head = VGroup(MathTypst("sigma'(O_\"in\")", color=GRADIENT, font_size=30),
                      label("mean over the fakes", 22, MUTED)).arrange(buff=0.2)
        names = VGroup(*[label(f"pixel {j + 1}", 24, GRADIENT) for j in range(n)])
        names.arrange(DOWN, aligned_edge=LEFT, buff=0.14)
        return VGroup(head, names).arrange(DOWN, aligned_edge=LEFT, buff=0.14)

    def _slopes(self, O_in, names):
        """The mean slope at each output pixel over the fakes, beside its name."""
        means = slope(O_in.ravel()).reshape(O_in.shape).mean(axis=0)
        return VGroup(*[label(fmt(m), 24, GRADIENT, mono=True)
                        .next_to(name, RIGHT, buff=0.2)
                        for name, m in zip(names, means, strict=True)])

    def _two_losses(self):
        """Gradient size at D's logit against D(G(z)) for both generator losses."""
        trace = self.trace
        ax = axes((0, 1, 0.1), (0, 1.05, 0.25), 5.6, 4.6,
                  x_ticks=(0, 0.25, 0.5, 0.75, 1), y_ticks=(0, 0.5, 1),
                  x_digits=2, y_digits=1)
        ax.to_corner(LEFT + DOWN, buff=0.7).shift(RIGHT * 0.3)
        x_name = MathTypst("D(G(z))", color=MUTED, font_size=32)
        x_name.next_to(ax.tick_labels[:5], DOWN, buff=0.15)
        y_name = label("gradient size at the logit z", 22, MUTED)
        y_name.next_to(ax, UP, buff=0.2).align_to(ax, LEFT)
        minimax = ax.plot(lambda d: d, x_range=(0, 1), color=MUTED, stroke_width=5)
        nonsat = ax.plot(lambda d: 1 - d, x_range=(0, 1), color=HIGHLIGHT,
                         stroke_width=5)
        f_minimax = VGroup(
            label("minimax", 26, MUTED),
            MathTypst(r"abs(partial / (partial z) log(1 - D)) = D", color=MUTED,
                      font_size=32))
        f_nonsat = VGroup(
            label("non-saturating (the chapter's)", 26, HIGHLIGHT),
            MathTypst(r"abs(partial / (partial z) (-log D)) = 1 - D", color=HIGHLIGHT,
                      font_size=32))
        for f in (f_minimax, f_nonsat):
            f.arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        legend = VGroup(f_minimax, f_nonsat).arrange(DOWN, aligned_edge=LEFT, buff=0.35)
        legend.move_to([COLUMN_X - 0.9, 2.75, 0], aligned_edge=LEFT + UP)
        self.play(FadeIn(ax), FadeIn(x_name), FadeIn(y_name))
        self.play(Create(minimax), FadeIn(f_minimax))
        self.play(Create(nonsat), FadeIn(f_nonsat))
        self.next_slide()

        # a fake the discriminator sees through: D(G(z)) heading for 0
        d = ValueTracker(0.9)
        on_min = Dot(ax.c2p(0.9, 0.9), radius=0.09, color=MUTED)
        on_ns = Dot(ax.c2p(0.9, 0.1), radius=0.09, color=HIGHLIGHT)
        on_min.add_updater(lambda m: m.move_to(ax.c2p(d.get_value(), d.get_value())))
        on_ns.add_updater(lambda m: m.move_to(ax.c2p(d.get_value(), 1 - d.get_value())))
        words = VGroup(label("a fake D rejects with ease", 24, TEXT),
                       label("has D(G(z)) \u2192 0, where the", 24, TEXT),
                       label("minimax gradient vanishes", 24, MUTED))
        words.arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        words.next_to(legend, DOWN, buff=0.4).align_to(legend, LEFT)
        self.play(FadeIn(on_min), FadeIn(on_ns), FadeIn(words))
        self.bring_to_front(on_min, on_ns)
        self.play(d.animate.set_value(0.02), run_time=3)
        on_min.clear_updaters()
        on_ns.clear_updaters()
        self.next_slide()

        # this run: where its fakes' D(G(z)) went
        row = int(np.argmin(trace.d_fake))
        low = float(trace.d_fake[row])
        mark = DashedLine(ax.c2p(low, 0), ax.c2p(low, 1.0), color=FAKE, stroke_width=3)
        at = f"its fakes: {fmt(low)}, epoch {int(trace.epoch[row]):,}"
        said = VGroup(label("this run's lowest mean D on", 24, FAKE),
                      label(at, 24, FAKE),
                      label("far from where minimax fails", 24, TEXT))
        said.arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        said.next_to(words, DOWN, buff=0.3).align_to(legend, LEFT)
        self.play(Create(mark), FadeIn(said))
        self.wait(3)
