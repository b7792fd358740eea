"""The five steps of one training epoch as a cycle, run over real epochs.

1. the real batch (the same 32 images every epoch);
2. a fake batch: fresh latents ``L1`` through the generator as it was before
   the epoch (the trace keeps these draws for its ``sample_epochs``);
3. one SGD step of the discriminator, ``w_d <- w_d - lr_d * grad``;
4. one SGD step of the generator through the updated discriminator;
5. the record: both losses as the chapter logs them.

The loop runs for the first epochs one step at a time, then jumps to a late
epoch to show the same five steps with trained parameters.
"""

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    ArcBetweenPoints,
    Arrow,
    Create,
    FadeIn,
    FadeOut,
    Indicate,
    MathTypst,
    RoundedRectangle,
    VGroup,
    Write,
)

from ganmath.model import generator_forward
from ganmath.trace import step_epochs, update_at
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
from scenes.plots import Profiles, Readout, profile_axes, title

STEPS = ("real batch", "fake batch", "D update", "G update", "record")
FIRST_EPOCHS = 3  # epochs 0, 1, 2 run step by step before the jump
DIGITS = 5  # parameters move by about lr * gradient, ~1e-4 an epoch at first
# known shortcoming: each number is the trace's value rounded on its own, so
# redoing "before - lr * gradient" from the table can miss "after" by one in the
# last digit; six or more digits would not fit the table's columns at 22 pt


def loop_epochs(trace) -> list[int]:
    """The epochs the scene runs: the first few, then the last one it can show.

    An epoch can be shown if its latent draws were kept and it is recorded with
    the parameters before it (the initial ones, or the recorded epoch just
    before): :func:`~ganmath.trace.step_epochs`.
    """
    showable = step_epochs(trace)
    first = [e for e in showable if e < FIRST_EPOCHS]
    late = [e for e in showable if e >= FIRST_EPOCHS]
    return first + late[-1:]


def epoch_state(trace, epoch: int) -> dict:
    """Everything the five steps show for ``epoch``, from the trace.

    The rows are looked up exactly (:func:`~ganmath.trace.update_at`), so each
    table's before, gradient and after are one recorded SGD step.
    """
    step = update_at(trace, epoch)
    L1 = np.ascontiguousarray(trace.sample_latents[step["s"], 0], dtype=float)
    g_before = np.ascontiguousarray(step["g_old"], dtype=float)
    _, fakes = generator_forward(L1, g_before)
    row = step["row"]
    return {
        "fakes": fakes,
        "D": (step["d_old"], step["d_grad"], step["d_new"]),
        "G": (step["g_old"], step["g_grad"], step["g_new"]),
        "losses": (trace.d_loss[row], trace.g_loss[row]),
    }


class TrainingLoop(GanSlide):
    """One epoch's five steps lit in turn as their numbers change."""

    def construct(self):
        trace = self.trace
        epochs = loop_epochs(trace)
        states = [epoch_state(trace, e) for e in epochs]
        self.shown = {"epochs": epochs, "states": states}  # for the tests

        # beat 1: the cycle of five steps
        heading = title("One epoch")
        boxes, arrows = self._cycle()
        self.play(Write(heading))
        self.play(FadeIn(boxes, lag_ratio=0.2), Create(arrows), run_time=2)
        self.next_slide()

        # the panels the steps fill in
        real_ax = profile_axes(3.2, 2.0, short=True).move_to([0.3, 1.75, 0])
        fake_ax = profile_axes(3.2, 2.0, short=True).move_to([4.5, 1.75, 0])
        real = Profiles(real_ax, trace.real_images, REAL, width=2)
        names = VGroup(
            label("real batch", 24, REAL).next_to(real_ax, UP, buff=0.12),
            label("fake batch", 24, FAKE).next_to(fake_ax, UP, buff=0.12),
        )
        names[1].align_to(names[0], UP)
        self.tables = {
            "D": self._table("D", states[0]["D"], DISCRIMINATOR),
            "G": self._table("G", states[0]["G"], GENERATOR),
        }
        self.tables["D"].move_to([-2.5, 0.05, 0], aligned_edge=LEFT + UP)
        self.tables["G"].next_to(self.tables["D"], DOWN, buff=0.3)
        self.tables["G"].align_to(self.tables["D"], LEFT)
        self.record = self._record(states[0]["losses"])
        self.record.next_to(self.tables["G"], DOWN, buff=0.3)
        self.record.align_to(self.tables["D"], LEFT)
        self.fake_ax = fake_ax
        self.fake = Profiles(fake_ax, states[0]["fakes"], FAKE, width=2)
        self.badge = Readout([self.epoch_badge(e) for e in epochs])

        # beat 2: epoch 0, one step at a time
        self.play(FadeIn(self.badge))
        lit = self._light(boxes, 0)
        self.play(FadeIn(real_ax), FadeIn(names[0]), Create(real), lit, run_time=1.5)
        self.next_slide()
        self.play(
            self._light(boxes, 1),
            FadeIn(fake_ax),
            FadeIn(names[1]),
            Create(self.fake),
            run_time=1.5,
        )
        self.next_slide()
        for step, key in ((2, "D"), (3, "G")):
            self.play(self._light(boxes, step), FadeIn(self.tables[key]), run_time=1.5)
            self.next_slide()
        self.play(self._light(boxes, 4), FadeIn(self.record), run_time=1.5)
        self.next_slide()

        # beat 3: the next epochs, and then a jump to the last one
        for i in range(1, len(epochs)):
            if epochs[i] - epochs[i - 1] > 1:
                jump = label(
                    f"{epochs[i] - epochs[i - 1] - 1:,} epochs later", 32, HIGHLIGHT
                ).move_to([2.0, -1.4, 0])
                self._dim(0.12)
                self.play(FadeIn(jump))
                self.wait(1)
                self.play(FadeOut(jump))
            self._run_epoch(boxes, real, states[i], i)
            self.next_slide()
        self.wait(2)

    def _run_epoch(self, boxes, real, state, index):
        """Step through one epoch: each box lit as its numbers change."""
        self.badge.show(index)
        self._dim(0.35)
        lit = self._light(boxes, 0)
        self.bring_to_front(real)
        self.play(lit, Indicate(real, color=REAL, scale_factor=1.03), run_time=0.8)
        target = Profiles(self.fake_ax, state["fakes"], FAKE, width=2)
        lit = self._light(boxes, 1)
        self.bring_to_front(self.fake)
        self.play(lit, self.fake.animate.become(target), run_time=0.8)

        # new numbers swap in as their box lights: no transform, as copying a
        # table of Texts for one costs more than the rest of the frame
        for step, key in ((2, "D"), (3, "G")):
            new = self._new_rows(self.tables[key], state[key])
            self.remove(self.tables[key])
            self.add(new)
            self.tables[key] = new
            self.play(self._light(boxes, step), run_time=0.8)
        new = self._record(state["losses"]).move_to(self.record, aligned_edge=LEFT)
        self.remove(self.record)
        self.add(new)
        self.record = new
        self.play(self._light(boxes, 4), run_time=0.8)

    def _dim(self, opacity):
        """Dim last epoch's numbers until each step replaces them with fresh ones."""
        for mob in (*self.tables.values(), self.record):
            mob.set_opacity(opacity)

    def _cycle(self):
        """Five boxes down the left, arrows between them and one back to the top."""
        boxes = VGroup()
        for i, name in enumerate(STEPS):
            box = RoundedRectangle(
                width=2.6,
                height=0.66,
                corner_radius=0.12,
                stroke_color=MUTED,
                stroke_width=2,
            )
            text = label(f"{i + 1}  {name}", 26, TEXT)
            boxes.add(VGroup(box, text.move_to(box)))
        boxes.arrange(DOWN, buff=0.42).move_to([-5.1, -0.45, 0])
        arrows = VGroup(
            *[
                Arrow(
                    boxes[i].get_bottom(),
                    boxes[i + 1].get_top(),
                    buff=0.05,
                    color=MUTED,
                    stroke_width=3,
                    max_tip_length_to_length_ratio=0.5,
                )
                for i in range(len(boxes) - 1)
            ]
        )
        back = ArcBetweenPoints(
            boxes[-1].get_right() + RIGHT * 0.08,
            boxes[0].get_right() + RIGHT * 0.08,
            angle=1.6,
            color=MUTED,
            stroke_width=3,
        )
        back.add_tip(tip_length=0.18)
        arrows.add(back)
        return boxes, arrows

    def _light(self, boxes, step):
        """Light box ``step`` and dim the others, as one animation.

        The boxes move to the top of the scene's list first: Manim redraws every
        mobject from the first animated one onward, on every frame.
        """
        self.bring_to_front(boxes)
        return AnimationGroup(
            *[
                box[0].animate.set_stroke(
                    HIGHLIGHT if i == step else MUTED, 4 if i == step else 2
                )
                for i, box in enumerate(boxes)
            ]
        )

    def _table(self, who, values, color):
        """Before / gradient / after rows for one network's parameters."""
        names = (
            ("lambda_58", "lambda_68", "lambda_78", "c")
            if who == "D"
            else ("lambda_12", "lambda_13", "lambda_14", "b")
        )
        names = names[: len(values[0]) - 1] + names[-1:]
        heads = VGroup(
            label(f"{who} params", 24, color),
            *[MathTypst(n, color=color, font_size=30) for n in names],
        )
        grid = VGroup(heads, *self._rows(values, color))
        grid.number_color = color
        return self._place(grid)

    def _rows(self, values, color):
        """The three rows of numbers: before, gradient, after."""
        rows = []
        for name, vals, digits in zip(
            ("before", "gradient", "after"), values, (DIGITS, 4, DIGITS), strict=True
        ):
            rows.append(
                VGroup(
                    label(name, 22, MUTED),
                    *[label(fmt(v, digits), 22, color, mono=True) for v in vals],
                )
            )
        return rows

    def _place(self, grid):
        """Align a table's cells in columns: names left, numbers right."""
        widths = [1.5, 1.75, 1.75, 1.75, 1.75]
        for r, row in enumerate(grid):
            x = 0.0
            for c, cell in enumerate(row):
                if c == 0:
                    cell.move_to([x, -0.36 * r, 0], aligned_edge=LEFT)
                else:
                    cell.move_to([x + widths[c], -0.36 * r, 0], aligned_edge=RIGHT)
                x += widths[c]
        return grid

    def _new_rows(self, grid, values):
        """A copy of table ``grid`` holding ``values``, in the same place."""
        new = VGroup(
            grid[0].copy().set_opacity(1), *self._rows(values, grid.number_color)
        )
        new.number_color = grid.number_color
        return self._place(new).move_to(grid, aligned_edge=LEFT + UP)

    def _record(self, losses):
        """Step 5: the two losses the epoch logs."""
        d, g = losses
        return VGroup(
            label("recorded", 24, MUTED),
            label(f"D loss {fmt(d)}", 24, DISCRIMINATOR),
            label(f"G loss {fmt(g)}", 24, GENERATOR),
        ).arrange(buff=0.5)
