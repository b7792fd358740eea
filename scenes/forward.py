"""SignalFlow: one latent value, and then a real image, through the network.

Beats: a latent value L1 the run drew in its last sampled epoch; pulses along the
generator's edges and each output node's pre-activation O_in, then its sigmoid
output O, the three outputs forming the fake image; the fake through the
discriminator to D_in and the probability D8; last, one of the real training
images through the same discriminator. The weights are the ones after that
epoch, and every number comes from :func:`ganmath.trace.forward`.
"""

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    FadeIn,
    FadeOut,
    ReplacementTransform,
    Transform,
    VGroup,
    Write,
)

from ganmath.trace import forward
from scenes.common import DISCRIMINATOR, FAKE, MUTED, REAL, TEXT, GanSlide, fmt, label
from scenes.network import NetworkDiagram, Profile, math

SCALE = 0.9  # the diagram, shrunk to leave room for the formulas and images


class SignalFlow(GanSlide):
    """A forward pass through generator and discriminator, node by node."""

    def construct(self):
        trace = self.trace
        s = len(trace.sample_epochs) - 1
        epoch = int(trace.sample_epochs[s])
        row = trace.row(epoch)
        # a shown pass, not the training step: the weights after the epoch
        # (training pushed this draw through the generator of the epoch before)
        w_g, w_d = trace.g_params[row], trace.d_params[row]
        L1 = float(trace.sample_latents[s, 1, 0])
        run = forward(trace, w_g, w_d, np.array([L1]))
        O_in, O = run.O_in[0], run.O[0]
        # the real image with the lowest pixel: one a sigmoid could never draw
        k = int(np.argmin(trace.real_images.min(axis=1)))
        real = trace.real_images[k]
        #: what the scene writes, for the tests
        self.shown = {
            "epoch": epoch,
            "L1": L1,
            "O_in": O_in,
            "O": O,
            "D_in_fake": float(run.D_in_fake[0]),
            "D_fake": float(run.D_fake[0]),
            "real": real,
            "D_in_real": float(run.D_in_real[k]),
            "D_real": float(run.D_real[k]),
        }

        # the network with this epoch's weights (colour = sign, width = size)
        net = NetworkDiagram()
        net.style_edges(w_g, w_d)
        net.scale(SCALE).to_edge(UP, buff=0.25).shift(LEFT * 0.15)
        badge = self.epoch_badge(epoch)
        title = label("One latent value through the network", 40)
        title.move_to([0, -2.4, 0])
        shown = [m for m in net.submobjects if m is not net.real_path]
        self.play(FadeIn(*shown), FadeIn(badge), Write(title), run_time=1.5)
        self.wait(1)
        self.next_slide()

        # a latent value from the trace enters the generator
        draw = label(f"L1 = {fmt(L1, 3)}, drawn in epoch {epoch:,}", 26)
        draw.move_to([0, -1.8, 0]).to_edge(LEFT, buff=0.5)
        value = label(fmt(L1, 3), 24, TEXT).next_to(net.latent, DOWN, buff=0.12)
        self.play(FadeOut(title), FadeIn(draw), FadeIn(value), run_time=1)
        self.wait(1.5)
        self.next_slide()

        # each output node adds up its input: the pre-activation
        pre = math('O_(j,"in") = lambda_(1 j) L_1 + b', 34).move_to([0, -2.7, 0])
        pre.align_to(draw, LEFT)
        pre_values = VGroup(
            *(
                label(f"in {fmt(v, 3)}", 22, MUTED).next_to(a, UP, buff=0.08)
                for v, a in zip(O_in, net.passes, strict=True)
            )
        )
        self.play(*net.flash(net.g_edges, FAKE, run_time=1.2), run_time=1.2)
        self.play(FadeIn(pre_values), FadeIn(pre), run_time=1)
        self.wait(2)
        self.next_slide()

        # the sigmoid squeezes it into (0, 1): the fake image's pixels
        squash = math('O_j = sigma(O_(j,"in"))', 34).move_to(pre)
        squash.align_to(draw, LEFT)
        out_values = VGroup(
            *(
                label(f"out {fmt(v, 3)}", 22, FAKE).next_to(a, DOWN, buff=0.08)
                for v, a in zip(O, net.passes, strict=True)
            )
        )
        fake = Profile(np.zeros(3), FAKE, unit=0.95, caption="fake image")
        fake.shift([2.7, -3.0, 0] - fake.zero.get_center())
        filled = fake.copy().set_values(O)
        self.play(FadeIn(out_values), Transform(pre, squash), FadeIn(fake), run_time=1)
        self.play(Transform(fake, filled), run_time=1.2)
        self.wait(2)
        self.next_slide()

        # the fake through the discriminator
        d_formula = math("D_8 = sigma(sum_j lambda_(j 8) I_j + c)", 34).move_to(pre)
        d_formula.align_to(draw, LEFT)
        d_in = label(f"in {fmt(self.shown['D_in_fake'], 3)}", 22, MUTED)
        d_in.next_to(net.decision, DOWN, buff=0.1)
        d_out = label(fmt(self.shown["D_fake"], 3), 30, FAKE)
        d_out.next_to(net.output, RIGHT, buff=0.1)
        verdict = (
            label(
                f"D8 = {fmt(self.shown['D_fake'], 3)}: how real D finds this fake",
                26,
                FAKE,
            )
            .move_to(draw)
            .align_to(draw, LEFT)
        )
        self.play(*net.flash(net.passes, FAKE, run_time=1), run_time=1)
        self.play(
            *net.flash(net.d_edges, DISCRIMINATOR, run_time=1),
            Transform(pre, d_formula),
            run_time=1,
        )
        self.play(
            FadeIn(d_in), FadeIn(d_out), ReplacementTransform(draw, verdict), run_time=1
        )
        self.wait(2)
        self.next_slide()

        # a real image through the same discriminator
        pixels = net.real_path
        count = len(trace.real_images)
        real_chart = Profile(
            real, REAL, unit=0.95, caption=f"real image {k + 1} of {count}"
        )
        real_chart.shift([5.2, -3.0, 0] - real_chart.zero.get_center())
        real_in = label(f"in {fmt(self.shown['D_in_real'], 3)}", 22, MUTED)
        real_in.move_to(d_in)
        real_out = label(fmt(self.shown["D_real"], 3), 30, REAL).move_to(d_out)
        real_verdict = (
            label(f"D8 = {fmt(self.shown['D_real'], 3)} for the real image", 26, REAL)
            .move_to(draw)
            .align_to(draw, LEFT)
        )
        self.play(
            FadeOut(pre_values),
            FadeOut(out_values),
            FadeIn(pixels),
            FadeIn(real_chart),
            run_time=1.2,
        )
        self.play(*net.flash(pixels.arrows, REAL, run_time=1), run_time=1)
        self.play(*net.flash(net.d_edges, DISCRIMINATOR, run_time=1), run_time=1)
        self.play(
            ReplacementTransform(d_in, real_in),
            ReplacementTransform(d_out, real_out),
            ReplacementTransform(verdict, real_verdict),
            run_time=1,
        )
        self.wait(2)
        self.next_slide()

        # side by side
        both = VGroup(
            label(f"fake {fmt(self.shown['D_fake'], 3)}", 24, FAKE),
            label(f"real {fmt(self.shown['D_real'], 3)}", 24, REAL),
        )
        both.arrange(DOWN, buff=0.15, aligned_edge=LEFT)
        both.next_to(net.output, RIGHT, buff=0.1)
        summary = VGroup(
            label("D8 is the discriminator's probability", 26),
            label("that its input is a real image", 26),
        )
        summary.arrange(DOWN, buff=0.15, aligned_edge=LEFT)
        summary.move_to([0, -2.25, 0]).align_to(draw, LEFT)
        self.play(
            ReplacementTransform(real_out, both),
            FadeOut(real_in),
            FadeOut(pre),
            ReplacementTransform(real_verdict, summary),
            run_time=1.2,
        )
        self.wait(3)
