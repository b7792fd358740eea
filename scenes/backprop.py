"""Backpropagation: the error at D8 flowing back, factor by factor, and one update.

Beats: the discriminator's error ``y_hat - y`` at D8 for one real image, times
each input pixel, is that image's gradient for ``lambda_j8``; the batch mean is
the trace's. Then the generator's chain for one latent draw,
``(y_hat - 1) * lambda_j8 * O_j (1 - O_j) * L1``, each factor lit up in the
formula as its value appears on the diagram, and the batch mean again. Last, the
update ``w <- w - eta * grad`` with the trace's parameters before and after.

Which parameters each step saw (as training ran): the D step of epoch ``e``
judged fakes from ``sample_latents[s, 0]`` with the generator and discriminator
of epoch ``e - 1``; the G step then used ``sample_latents[s, 1]`` with the
generator of ``e - 1`` and the discriminator just updated (epoch ``e``).
"""

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    FadeIn,
    FadeOut,
    Indicate,
    VGroup,
    Write,
)

from ganmath.model import discriminator_forward
from ganmath.trace import step_epochs, update_at
from scenes.common import (
    DISCRIMINATOR,
    GENERATOR,
    GRADIENT,
    HIGHLIGHT,
    MUTED,
    REAL,
    TEXT,
    GanSlide,
    fmt,
    label,
)
from scenes.network import (
    NetworkDiagram,
    before_name,
    generator_chain,
    math,
)

SCALE = 0.9  # the diagram, shrunk to leave room for the formulas below it
CHAIN = (
    "{{ (partial L) / (partial lambda_(1 j)) : lhs }} = "
    "{{ (hat(y) - 1) : err }} dot {{ lambda_(j 8) : w }} dot "
    "{{ O_j (1 - O_j) : slope }} dot {{ L_1 : lat }}"
)


FORMULA_Y, LINE_Y = -1.8, (-2.75, -3.0)  # the formula, and the lines under it
G_LABELS = ("λ12", "λ13", "λ14")
D_LABELS = ("λ58", "λ68", "λ78")


def triple(names, values, digits: int) -> str:
    """``"λ12 −0.0460   λ13 0.0071   λ14 0.0502"`` for the three weights."""
    return "   ".join(
        f"{n} {fmt(float(x), digits)}" for n, x in zip(names, values[:3], strict=True)
    )


def error_tag(net: NetworkDiagram, source: str, value: float, color: str) -> VGroup:
    """A Typst error term over its value, right of the Discriminator box.

    It hangs under D8's output arrow, clear of the box's border.
    """
    tag = VGroup(math(source, 34, color), label(fmt(value, 3), 24, color))
    tag.arrange(DOWN, buff=0.1).next_to(net.output, DOWN, buff=0.15)
    return tag.align_to(net.d_box.frame.get_right() + RIGHT * 0.2, LEFT)


def slope_tag(net: NetworkDiagram, j: int, value: float, arrow) -> VGroup:
    """``O_j (1 - O_j)`` over its value, above pass arrow ``j``, between the boxes."""
    n = j + 2
    tag = VGroup(
        math(f"O_{n} (1 - O_{n})", 30, HIGHLIGHT), label(fmt(value, 3), 22, HIGHLIGHT)
    )
    tag.arrange(DOWN, buff=0.06).next_to(arrow, UP, buff=0.1)
    middle = (net.g_box.frame.get_right()[0] + net.d_box.frame.get_left()[0]) / 2
    return tag.set_x(middle)


def chosen_epoch(trace) -> int:
    """The epoch this scene steps through: one whose update the trace holds.

    Of :func:`~ganmath.trace.step_epochs` (draws kept, parameters before and
    after recorded), the one nearest a tenth of the run, past epoch 0 if the
    trace has any such epoch.
    """
    epochs = np.array(step_epochs(trace))
    cost = np.abs(epochs - trace.epochs / 10) + np.where(epochs < 1, 1e12, 0)
    return int(epochs[np.argmin(cost)])


def step_values(trace) -> dict:
    """Every number the scene shows, from the trace and :mod:`ganmath.model`."""
    e = chosen_epoch(trace)
    step = update_at(trace, e)
    s, g_old, d_old, d_new = step["s"], step["g_old"], step["d_old"], step["d_new"]

    # one real image in the D step: label y = 1
    image = trace.real_images[0]
    _, D8 = discriminator_forward(image[None, :].astype(float), d_old)
    d_error = float(D8[0]) - 1.0
    return {
        **step,
        "epoch": e,
        "image": image,
        "d_yhat": float(D8[0]),
        "d_error": d_error,
        "d_sample_grad": d_error * image,
        "chain": generator_chain(float(trace.sample_latents[s, 1, 0]), g_old, d_new),
        "lr_g": float(trace.config["lr_g"]),
        "lr_d": float(trace.config["lr_d"]),
    }


class Backpropagation(GanSlide):
    """The gradients of both players, traced back through the diagram."""

    def construct(self):
        trace = self.trace
        v = self.shown = step_values(trace)
        e, B = v["epoch"], len(trace.real_images)

        # the network at the epoch before the step
        net = NetworkDiagram()
        net.style_edges(v["g_old"], v["d_old"])
        net.scale(SCALE).to_edge(UP, buff=0.25).shift(RIGHT * 0.2)
        badge = self.epoch_badge(e)
        title = label("The error flows back", 40).move_to([0, -2.3, 0])
        shown = [m for m in net.submobjects if m is not net.real_path]
        self.play(FadeIn(*shown), FadeIn(badge), Write(title), run_time=1.5)
        self.wait(1)
        self.next_slide()

        # the discriminator's error on one real image
        d_rule = math(
            "(partial L) / (partial lambda_(j 8)) = (hat(y) - y) dot I_j", 40
        ).move_to([0, FORMULA_Y, 0])
        where = label(
            f"real image 1 of {B}, label y = 1, {before_name(e, 'discriminator')}",
            24,
            REAL,
        ).move_to([0, LINE_Y[0], 0])
        error = error_tag(net, "hat(y) - y =", v["d_error"], GRADIENT)
        pixels = VGroup(
            *(
                label(fmt(x, 3), 22, REAL).next_to(p, LEFT, buff=0.12)
                for x, p in zip(v["image"], net.real_path.pixels, strict=True)
            )
        )
        self.play(
            FadeOut(title),
            FadeIn(d_rule),
            FadeIn(where),
            FadeIn(net.real_path),
            run_time=1,
        )
        self.play(FadeIn(error), FadeIn(pixels), run_time=1)
        self.play(*net.flash(net.d_edges, GRADIENT, backward=True), run_time=1.2)
        d_grads = VGroup(
            *(
                net.on_edge(label(fmt(g, 3), 22, GRADIENT), "d", k)
                for k, g in enumerate(v["d_sample_grad"])
            )
        )
        self.play(FadeIn(d_grads), run_time=1)
        self.wait(1.5)
        self.next_slide()

        # the trace holds the mean over the whole batch
        d_mean = VGroup(
            label(
                f"this image alone: {triple(D_LABELS, v['d_sample_grad'], 3)}", 24, REAL
            ),
            label(
                f"mean over all {2 * B} images ({B} real, {B} fake), as in the trace:",
                24,
            ),
            label(triple(D_LABELS, v["d_grad"], 4), 24),
        )
        d_mean.arrange(DOWN, buff=0.12).move_to([0, LINE_Y[1] + 0.05, 0])
        self.play(
            FadeOut(where), FadeIn(d_mean), d_rule.animate.shift(UP * 0.1), run_time=1
        )
        self.wait(2)
        self.next_slide()

        # the generator's chain, one factor at a time
        c = v["chain"]
        chain = math(CHAIN, 40).move_to([0, FORMULA_Y, 0])
        g_where = VGroup(
            label(f"one latent draw of epoch {e:,}'s generator step:", 24, MUTED),
            label(
                f"{before_name(e, 'generator')}, discriminator already updated "
                f"in epoch {e:,}",
                24,
                MUTED,
            ),
        )
        g_where.arrange(DOWN, buff=0.12).move_to([0, LINE_Y[1], 0])
        self.play(
            FadeOut(d_rule),
            FadeOut(d_mean),
            FadeOut(d_grads),
            FadeOut(error),
            FadeOut(pixels),
            FadeOut(net.real_path),
            run_time=0.8,
        )
        self.play(FadeIn(chain), FadeIn(g_where), run_time=1)
        self.next_slide()

        g_error = error_tag(net, "hat(y) - 1 =", c["error"], HIGHLIGHT)
        weights = VGroup(
            *(
                net.on_edge(label(fmt(w, 3), 22, HIGHLIGHT), "d", k)
                for k, w in enumerate(c["lambda"])
            )
        )
        slopes = VGroup(
            *(
                slope_tag(net, j, x, arrow)
                for j, (x, arrow) in enumerate(zip(c["slope"], net.passes, strict=True))
            )
        )
        latent = label(fmt(c["L1"], 3), 22, HIGHLIGHT)
        latent.next_to(net.latent, DOWN, buff=0.12)
        beats = [
            ("err", g_error, []),
            ("w", weights, net.d_edges),
            ("slope", slopes, net.passes),
            ("lat", latent, net.g_edges),
        ]
        previous = None
        for key, values, edges in beats:
            part = chain.select(key)
            dim = (
                []
                if previous is None
                else [
                    previous[0].animate.set_color(TEXT),
                    previous[1].animate.set_color(MUTED),
                ]
            )
            self.play(
                part.animate.set_color(HIGHLIGHT),
                *dim,
                *net.flash(edges, GRADIENT, backward=True),
                run_time=1.2,
            )
            self.play(FadeIn(values), run_time=0.8)
            self.wait(0.8)
            previous = (part, values)
            self.next_slide()

        # their product, and the batch mean in the trace
        products = VGroup(
            *(
                net.on_edge(label(fmt(g, 4), 22, GRADIENT), "g", k)
                for k, g in enumerate(c["grad"])
            )
        )
        g_mean = VGroup(
            label(f"this draw alone: {triple(G_LABELS, c['grad'], 4)}", 24, GRADIENT),
            label(f"mean over the batch of {B}, as in the trace:", 24),
            label(triple(G_LABELS, v["g_grad"], 4), 24),
        )
        g_mean.arrange(DOWN, buff=0.12).move_to([0, LINE_Y[1] + 0.05, 0])
        self.play(
            previous[0].animate.set_color(TEXT),
            previous[1].animate.set_color(MUTED),
            FadeIn(products),
            FadeOut(g_where),
            chain.animate.shift(UP * 0.1),
            run_time=1,
        )
        self.play(FadeIn(g_mean), run_time=1)
        self.wait(2.5)
        self.next_slide()

        # one step of gradient descent with the trace's numbers
        rule = math("w <- w - eta (partial L) / (partial w)", 40)
        rule.move_to([0, FORMULA_Y, 0])
        rows = VGroup(
            self._update_row(
                "λ12", v["g_old"][0], v["lr_g"], v["g_grad"][0], v["g_new"][0]
            ),
            self._update_row(
                "λ58", v["d_old"][0], v["lr_d"], v["d_grad"][0], v["d_new"][0]
            ),
        )
        rows.arrange(DOWN, buff=0.2, aligned_edge=LEFT).next_to(rule, DOWN, buff=0.3)
        note = label(
            f"before: {before_name(e, 'parameters')}   after: epoch {e:,}", 22, MUTED
        )
        note.next_to(rows, DOWN, buff=0.2)
        on_diagram = VGroup(g_error, weights, slopes, latent, products)
        # for the tests: the values written onto the diagram in each half
        self.net = net
        self.on_diagram = {"d": [error, pixels, d_grads], "g": list(on_diagram)}
        self.play(FadeOut(chain), FadeOut(g_mean), FadeOut(on_diagram), run_time=0.8)
        self.play(FadeIn(rule), run_time=0.8)
        self.play(FadeIn(rows), FadeIn(note), run_time=1.2)
        self.play(Indicate(rows, color=HIGHLIGHT, scale_factor=1.03), run_time=1.2)
        self.wait(3)

    @staticmethod
    def _update_row(name: str, old: float, lr: float, grad: float, new: float):
        """``name: old − lr × grad = new`` with enough digits to see the step.

        Each number is rounded on its own, so the arithmetic holds on screen to
        within one in the seventh decimal (a known shortcoming of any rounding).
        """
        text = f"{name}:  {fmt(old, 7)} − {lr:g} × ({fmt(grad, 7)}) = {fmt(new, 7)}"
        color = DISCRIMINATOR if name.endswith("8") else GENERATOR
        return label(text, 26, color, mono=True)
