"""The generator's fakes morphing toward the real images over training.

Each image is a profile: its three pixel values drawn as a polyline over the
pixel index. The 32 real images stay fixed in ``REAL``; the 32 fakes (the
trace's test latents through the generator at each epoch) move in ``FAKE``,
with the epoch and both losses beside them.
"""

import numpy as np
from manim import DOWN, UP, Create, FadeIn, ValueTracker, Write, linear

from ganmath.trace import forward_at, keyframes
from scenes.common import FAKE, MUTED, REAL, TEXT, GanSlide, label
from scenes.plots import (
    Profiles,
    Readout,
    profile_axes,
    title,
    value_line,
)

KEYFRAMES = 28  # log-spaced epochs the morph passes through
MORPH_SECONDS = 16


class FakesConverge(GanSlide):
    """Real images beside the fakes, and the fakes learning over the epochs."""

    def construct(self):
        trace = self.trace
        rows = keyframes(trace, KEYFRAMES, "log")
        epochs = trace.epoch[rows]
        fakes = np.array([forward_at(trace, e).O for e in epochs])  # (K, B, n)

        # beat 1: the real images as profiles
        heading = title("The fakes learn the real images")
        real_ax = profile_axes().move_to([-3.4, -0.05, 0])
        fake_ax = profile_axes().move_to([3.4, -0.05, 0])
        real = Profiles(real_ax, trace.real_images, REAL)
        real_name = label(f"{len(trace.real_images)} real images", 28, REAL)
        real_name.next_to(real_ax, UP, buff=0.2)
        self.play(Write(heading))
        self.play(FadeIn(real_ax), FadeIn(real_name))
        self.play(Create(real, lag_ratio=0.05), run_time=2)
        self.next_slide()

        # beat 2: the untrained generator's fakes, with the epoch and losses
        fake_name = label(f"{len(fakes[0])} fakes", 28, FAKE)
        fake_name.next_to(fake_ax, UP, buff=0.2).align_to(real_name, UP)
        fake = Profiles(fake_ax, fakes[0], FAKE)
        badge = Readout([self.epoch_badge(int(e)) for e in epochs])
        losses = Readout([self._losses(row) for row in rows])
        losses.align_all("to_edge", DOWN, buff=0.35)
        self.play(FadeIn(fake_ax), FadeIn(fake_name), FadeIn(badge), FadeIn(losses))
        self.play(Create(fake, lag_ratio=0.05), run_time=1.5)
        self.next_slide()

        # beat 3: the same polylines morph through log-spaced epochs
        u = ValueTracker(0)

        def follow(mob):
            # known shortcoming: the texts name the nearest keyframe while the
            # lines glide between keyframes (rebuilding text per frame is slow)
            t = u.get_value()
            i = min(int(t), len(epochs) - 2)
            mob.set_images((1 - (t - i)) * fakes[i] + (t - i) * fakes[i + 1])

        fake.add_updater(follow)
        for readout in (badge, losses):
            readout.follow(lambda: round(u.get_value()))
        self.play(u.animate.set_value(len(epochs) - 1), run_time=MORPH_SECONDS,
                  rate_func=linear)
        for mob in (fake, badge, losses):
            mob.clear_updaters()
        self.next_slide()

        # beat 4: the trained fakes laid over the real images
        overlay = Profiles(real_ax, fakes[-1], FAKE, width=2, opacity=0.9)
        note = label("trained fakes over the reals: no sigmoid output leaves (0, 1)",
                     24, MUTED).move_to([0, -2.75, 0])
        self.play(FadeIn(overlay), FadeIn(note), run_time=1.5)
        self.wait(3)

    def _losses(self, row: int):
        """Both losses at trace row ``row``, side by side."""
        trace = self.trace
        d = value_line("D loss", trace.d_loss[row], TEXT)
        g = value_line("G loss", trace.g_loss[row], TEXT)
        return d.add(g.next_to(d, buff=0.8))
