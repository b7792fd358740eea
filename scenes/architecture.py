"""Architecture: the chapter's network built piece by piece, then its weights.

Beats: the latent node L1; the generator's weights lambda_12..lambda_14 and shared
bias b into O2-O4; the fake image handed to I5-I7; the discriminator's weights
lambda_58..lambda_78 and bias c into D8; the real images' path into the same
inputs; the two boxes. Then every weighted edge takes its value's sign as colour
and its size as width, at epoch 0 and on through training to the last epoch.
"""

from manim import (
    DOWN,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    GrowArrow,
    GrowFromCenter,
    LaggedStart,
    ReplacementTransform,
    ValueTracker,
    VGroup,
    Write,
    linear,
)

from ganmath.trace import interpolate, keyframes
from scenes.common import FAKE, MUTED, NEGATIVE, POSITIVE, REAL, GanSlide, label
from scenes.network import (
    NetworkDiagram,
    caption,
    edge_style,
    math,
    retext,
)

KEYFRAMES = 30  # log-spaced epochs the weight labels step through


class Architecture(GanSlide):
    """The network, node by node; then its weights from epoch 0 to the end."""

    def construct(self):
        trace = self.trace
        net = self.net = NetworkDiagram().shift(DOWN * 0.3 + RIGHT * 0.3)
        title = label("The network, piece by piece", 40).to_edge(UP, buff=0.3)
        self.play(Write(title), run_time=1)
        self.next_slide()

        # the latent input
        note = math("L_1 tilde U[0.4, 1.0]", 34).to_edge(DOWN, buff=0.4)
        self.play(GrowFromCenter(net.latent), FadeIn(note), run_time=1)
        self.next_slide()

        # the generator: three weights, one shared bias
        gen = math("O_j = sigma(lambda_(1 j) L_1 + b), quad j = 2, 3, 4", 34)
        gen.move_to(note)
        self.play(
            LaggedStart(*(Create(e) for e in net.g_edges), lag_ratio=0.3),
            LaggedStart(*(GrowFromCenter(o) for o in net.outputs), lag_ratio=0.3),
            FadeIn(*net.g_names),
            ReplacementTransform(note, gen),
            run_time=2,
        )
        self.play(FadeIn(net.g_bias), run_time=0.8)
        self.next_slide()

        # the fake image goes to the discriminator's inputs
        fake = caption(
            "the three outputs are the fake image, handed on pixel by pixel", FAKE
        )
        self.play(
            LaggedStart(*(GrowArrow(a) for a in net.passes), lag_ratio=0.3),
            LaggedStart(*(GrowFromCenter(i) for i in net.inputs), lag_ratio=0.3),
            FadeOut(gen),
            FadeIn(fake),
            run_time=2,
        )
        self.next_slide()

        # the discriminator: three weights and a bias into one probability
        disc = math(
            "D_8 = sigma(lambda_(58) I_5 + lambda_(68) I_6 + lambda_(78) I_7 + c)", 34
        ).move_to(fake)
        self.play(
            LaggedStart(*(Create(e) for e in net.d_edges), lag_ratio=0.3),
            GrowFromCenter(net.decision),
            FadeIn(*net.d_names, net.d_bias),
            GrowArrow(net.output),
            FadeOut(fake),
            FadeIn(disc),
            run_time=2,
        )
        self.next_slide()

        # the real images use the same inputs
        real = caption("a real image enters the same inputs I5, I6, I7", REAL)
        self.play(FadeIn(net.real_path), FadeOut(disc), FadeIn(real), run_time=1.5)
        self.next_slide()

        # the two players
        self.play(
            Create(net.g_box.frame),
            Create(net.d_box.frame),
            Write(net.g_box.heading),
            Write(net.d_box.heading),
            FadeOut(title),
            run_time=1.5,
        )
        self.next_slide()

        # weights at epoch 0: colour is the sign, width the size
        rows = keyframes(trace, KEYFRAMES, "log")
        epochs = trace.epoch[rows]
        values = [net.value_labels(trace.g_params[r], trace.d_params[r]) for r in rows]
        badges = [self.epoch_badge(int(e)) for e in epochs]
        legend = VGroup(
            label("positive", 24, POSITIVE),
            label("negative", 24, NEGATIVE),
            label("width = size of the weight", 24, MUTED),
        )
        legend.arrange(buff=0.5).move_to(real)
        w_g, w_d = trace.g_params[rows[0]], trace.d_params[rows[0]]
        styles = [edge_style(w) for w in [*w_g[:-1], *w_d[:-1]]]
        self.play(
            *(
                e.animate.set_stroke(c, width=w)
                for e, (c, w) in zip([*net.g_edges, *net.d_edges], styles, strict=True)
            ),
            FadeIn(values[0]),
            FadeIn(badges[0]),
            FadeOut(real),
            FadeIn(legend),
            run_time=1.5,
        )
        self.next_slide()

        # training moves them: the edges follow the trace, the labels step through
        # log-spaced keyframes (precomputed Texts swapped in, never rebuilt)
        progress = ValueTracker(0)
        shown = {"row": 0}
        on_screen = VGroup(values[0], badges[0])

        def follow(edge):
            t = progress.get_value()
            i = min(int(t), len(rows) - 1)
            j = min(i + 1, len(rows) - 1)
            epoch = epochs[i] + (t - i) * (epochs[j] - epochs[i])
            net.style_edges(
                interpolate(trace, "g_params", epoch),
                interpolate(trace, "d_params", epoch),
            )
            if i != shown["row"]:
                retext(on_screen[0], values[i])
                retext(on_screen[1], badges[i])
                shown["row"] = i

        net.g_edges[0].add_updater(follow)
        self.play(
            progress.animate.set_value(len(rows) - 1), run_time=10, rate_func=linear
        )
        net.g_edges[0].clear_updaters()
        self.next_slide()

        # where training ended
        end = caption(f"the weights after all {trace.epochs:,} epochs of training")
        self.play(FadeOut(legend), FadeIn(end), run_time=1)
        self.wait(2)
