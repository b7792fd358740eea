"""TheGame: the generator and the discriminator as two players of one objective.

Beats: the two agents and what passes between them; the minimax objective
``min_G max_D E[log D(y)] + E[log(1 - D(G(x)))]`` and what each player wants;
the first end member, a perfect discriminator, where the original generator loss
``log(1 - D(G(x)))`` has almost no gradient and the non-saturating ``-log D(G(x))``
keeps one; the second, a perfect generator (D = 1/2 everywhere, the Nash
equilibrium) with its losses ln 4 and ln 2; last, where the trace's run ended.
"""

import math as pymath

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Axes,
    Create,
    DashedLine,
    FadeIn,
    FadeOut,
    GrowArrow,
    Line,
    Rectangle,
    RoundedRectangle,
    Text,
    VGroup,
    Write,
)

from ganmath.trace import forward_at, test_latents
from scenes.common import (
    DISCRIMINATOR,
    FAKE,
    GENERATOR,
    HIGHLIGHT,
    MUTED,
    REAL,
    TEXT,
    GanSlide,
    fmt,
    label,
)
from scenes.network import Profile, math

OBJECTIVE = (
    "min_G max_D {{ EE_y [log D(y)] : real }} + {{ EE_x [log(1 - D(G(x)))] : fake }}"
)


def agent(name: str, color: str, role: str) -> VGroup:
    """A player: a rounded card with its name and a one-line role."""
    card = RoundedRectangle(
        width=4.2, height=1.6, corner_radius=0.25, color=color, stroke_width=4
    ).set_fill(color, opacity=0.12)
    title = label(name, 32, color).move_to(card.get_center() + UP * 0.28)
    role_text = label(role, 22, TEXT).move_to(card.get_center() + DOWN * 0.3)
    return VGroup(card, title, role_text)


def final_values(trace) -> dict:
    """The last recorded epoch's losses and mean discriminator outputs."""
    return {
        key: float(trace.arrays[key][-1])
        for key in ("d_loss", "g_loss", "d_real", "d_fake")
    }


class TheGame(GanSlide):
    """Two players, one objective, its two extremes, and the real run's position."""

    def construct(self):
        trace = self.trace
        last = int(trace.epoch[-1])

        # two players
        title = label("A game of two players", 40).to_edge(UP, buff=0.35)
        gen = agent("GENERATOR", GENERATOR, "turns noise x into images")
        disc = agent("DISCRIMINATOR", DISCRIMINATOR, "says real or fake")
        gen.move_to([-4.2, 0.3, 0])
        disc.move_to([4.2, 0.3, 0])
        fake = Profile(
            forward_at(trace, last, test_latents(trace)[:1]).O[0],
            FAKE,
            unit=0.8,
            bar=0.28,
            caption=f"a fake, epoch {last:,}",
        )
        fake.move_to([0, 1.75, 0])
        real = Profile(
            trace.real_images[0], REAL, unit=0.8, bar=0.28, caption="a real image"
        )
        real.move_to([0, -1.9, 0])
        to_disc = Arrow(
            gen.get_right(), disc.get_left(), color=FAKE, stroke_width=4, buff=0.15
        )
        real_in = Arrow(
            real.get_right() + RIGHT * 0.1,
            disc.get_bottom() + LEFT * 0.8,
            color=REAL,
            stroke_width=4,
            buff=0.1,
        )
        self.play(Write(title), FadeIn(gen), FadeIn(disc), run_time=1.5)
        self.play(GrowArrow(to_disc), FadeIn(fake), run_time=1)
        self.play(GrowArrow(real_in), FadeIn(real), run_time=1)
        self.wait(1)
        self.next_slide()

        # one objective, pulled two ways
        players = VGroup(gen, disc, fake, real, to_disc, real_in)
        objective = math(OBJECTIVE, 44).move_to([0, 0.9, 0])
        objective.select("real").set_color(REAL)
        objective.select("fake").set_color(FAKE)
        g_wants = math('"G wants" D(G(x)) -> 1', 38, GENERATOR)
        d_wants = math('"D wants" D(y) -> 1, quad D(G(x)) -> 0', 38, DISCRIMINATOR)
        wants = VGroup(d_wants, g_wants).arrange(DOWN, buff=0.4).move_to([0, -1.2, 0])
        note = label("D maximises the objective, G minimises it", 26, MUTED)
        note.to_edge(DOWN, buff=0.45)
        self.play(FadeOut(players), Write(objective), run_time=1.5)
        self.play(FadeIn(d_wants), run_time=0.8)
        self.play(FadeIn(g_wants), FadeIn(note), run_time=0.8)
        self.wait(1.5)
        self.next_slide()

        # end member 1: a perfect discriminator starves log(1 - D(G))
        head1 = label(
            "A perfect discriminator: D(real) = 1, D(fake) = 0", 32, DISCRIMINATOR
        ).to_edge(UP, buff=0.35)
        minimax = math(
            "partial / (partial z) log(1 - sigma(z)) = -sigma(z) = -D(G(x))", 34, TEXT
        )
        saturating = math(
            "partial / (partial z) (-log sigma(z)) = -(1 - D(G(x)))", 34, GENERATOR
        )
        rules = VGroup(minimax, saturating).arrange(DOWN, buff=0.45, aligned_edge=LEFT)
        rules.move_to([-2.6, 0.9, 0])
        where = math('z = D_(8,"in"), quad D(G(x)) = sigma(z)', 30, MUTED)
        where.next_to(rules, DOWN, buff=0.4).align_to(rules, LEFT)
        plot = self._gradient_plot().move_to([4.0, -0.1, 0])
        verdict = VGroup(
            label("where D rejects the fakes, D(G(x)) → 0:", 26),
            label(
                "log(1 − D(G)) gives G almost no gradient; −log D(G) gives it the most",
                26,
                HIGHLIGHT,
            ),
        )
        verdict.arrange(DOWN, buff=0.15).to_edge(DOWN, buff=0.4)
        self.play(
            FadeOut(objective),
            FadeOut(wants),
            FadeOut(note),
            FadeOut(title),
            FadeIn(head1),
            run_time=1,
        )
        self.play(FadeIn(minimax), FadeIn(where), run_time=1)
        self.play(FadeIn(saturating), Create(plot), run_time=1.5)
        self.play(FadeIn(verdict), run_time=1)
        self.wait(2)
        self.next_slide()

        # end member 2: a perfect generator, D = 1/2 everywhere
        head2 = label("A perfect generator: D = 1/2 for every image", 32, GENERATOR)
        head2.to_edge(UP, buff=0.35)
        d_loss = math("L_D = -log 1/2 - log(1 - 1/2) = ln 4 approx 1.3863", 40)
        g_loss = math("L_G = -log 1/2 = ln 2 approx 0.6931", 40)
        losses = VGroup(d_loss, g_loss).arrange(DOWN, buff=0.5).move_to([0, 0.5, 0])
        nash = VGroup(
            label(
                "the Nash equilibrium: neither player can do better by changing alone",
                26,
                HIGHLIGHT,
            ),
            label(
                "(D loss counted as the real mean plus the fake mean, "
                "as the chapter logs it)",
                22,
                MUTED,
            ),
        )
        nash.arrange(DOWN, buff=0.2).to_edge(DOWN, buff=0.6)
        self.play(
            FadeOut(VGroup(head1, rules, where, plot, verdict)),
            FadeIn(head2),
            run_time=1,
        )
        self.play(Write(d_loss), run_time=1.2)
        self.play(Write(g_loss), run_time=1)
        self.play(FadeIn(nash), run_time=1)
        self.wait(2)
        self.next_slide()

        # where the real run ended
        values = final_values(trace)
        self.shown = {"epoch": last, **values}
        head3 = label("Where this run ended", 32).to_edge(UP, buff=0.35)
        badge = self.epoch_badge(last)
        table = self._final_table(values)
        self.play(
            FadeOut(VGroup(head2, losses, nash)),
            FadeIn(head3),
            FadeIn(badge),
            run_time=1,
        )
        self.play(FadeIn(table), run_time=1.5)
        self.wait(3)

    @staticmethod
    def _gradient_plot() -> VGroup:
        """The size of each loss's gradient at the logit against D(G(x))."""
        axes = Axes(
            x_range=[0, 1, 0.5],
            y_range=[0, 1, 0.5],
            x_length=3.6,
            y_length=2.6,
            tips=False,
            axis_config={
                "color": MUTED,
                "include_numbers": True,
                "label_constructor": Text,
                "font_size": 22,
            },
        )
        old = axes.plot(lambda d: d, color=MUTED, stroke_width=4)
        new = axes.plot(lambda d: 1 - d, color=GENERATOR, stroke_width=4)
        x_name = math("D(G(x))", 28).next_to(axes.x_axis, DOWN, buff=0.45)
        tags = VGroup(label("−log D", 22, GENERATOR), label("log(1 − D)", 22, MUTED))
        tags.arrange(RIGHT, buff=0.5).next_to(axes, UP, buff=0.2)
        y_name = label("size of the gradient at the logit", 22, TEXT)
        y_name.next_to(tags, UP, buff=0.15)
        zero = DashedLine(axes.c2p(0, 0), axes.c2p(0, 1), color=HIGHLIGHT)
        return VGroup(axes, old, new, x_name, y_name, tags, zero)

    @staticmethod
    def _final_table(values: dict) -> VGroup:
        """Losses beside their equilibrium values; mean D outputs as bars on [0, 1]."""
        rows = VGroup()
        for name, key, target in (
            ("D loss", "d_loss", ("ln 4", pymath.log(4))),
            ("G loss", "g_loss", ("ln 2", pymath.log(2))),
        ):
            rows.add(
                VGroup(
                    label(name, 28),
                    label(fmt(values[key]), 28, HIGHLIGHT),
                    label(f"equilibrium {target[0]} = {fmt(target[1])}", 24, MUTED),
                ).arrange(RIGHT, buff=0.5)
            )
        rows.arrange(DOWN, buff=0.3, aligned_edge=LEFT).move_to([0, 1.3, 0])

        width = 6.0
        scale = VGroup(
            Line(LEFT * width / 2, RIGHT * width / 2, color=MUTED),
            DashedLine(UP * 0.15, DOWN * 1.6, color=MUTED),
        )
        scale.move_to([0, -1.1, 0])
        scale[1].move_to([scale[0].get_center()[0], -1.7, 0])
        left = scale[0].get_left()
        bars = VGroup()
        for k, (name, key, color) in enumerate(
            (("mean D(real)", "d_real", REAL), ("mean D(fake)", "d_fake", FAKE))
        ):
            y = -1.45 - 0.65 * k
            bar = Rectangle(width=max(values[key] * width, 0.02), height=0.42)
            bar.set_stroke(color, width=1).set_fill(color, opacity=0.85)
            bar.move_to([left[0] + bar.width / 2, y, 0])
            bars.add(
                VGroup(
                    label(name, 26, color).next_to([left[0], y, 0], LEFT, 0.3),
                    bar,
                    label(fmt(values[key]), 24, TEXT).next_to(
                        [scale[0].get_right()[0], y, 0], RIGHT, 0.3
                    ),
                )
            )
        ticks = VGroup(
            label("0", 22, MUTED).next_to(scale[0].get_left(), UP, 0.1),
            label("1/2", 22, MUTED).next_to(scale[1], UP, 0.05),
            label("1", 22, MUTED).next_to(scale[0].get_right(), UP, 0.1),
        )
        return VGroup(rows, scale, ticks, bars)
