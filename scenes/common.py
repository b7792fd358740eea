"""What every scene shares: the palette, text helpers, the trace and a base class.

Colours are the Okabe-Ito set, distinguishable with any common colour-vision
deficiency. Real images are always ``REAL`` (sky blue) and fakes always
``FAKE`` (orange), in every scene.
"""

import os
import sys
from pathlib import Path

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, UR, ManimColor, Text, VGroup, config
from manim.camera.camera import Camera
from manim.constants import RendererType
from manim.renderer.cairo_renderer import CairoRenderer
from manim.scene.scene_file_writer import SceneFileWriter
from manim_slides import Slide

from ganmath.cache import trace_path
from ganmath.palette import (  # noqa: F401  (re-exported for the scenes)
    DISCRIMINATOR,
    FAKE,
    GENERATOR,
    GRADIENT,
    HIGHLIGHT,
    MUTED,
    NEGATIVE,
    POSITIVE,
    REAL,
)
from ganmath.trace import Trace, TraceError, load_trace
from scenes import SCENES, THREE_PIXELS

BACKGROUND = "#0F1117"
TEXT = "#EDEDED"

FONT = "DejaVu Sans"
MONO = "DejaVu Sans Mono"

#: Environment variable naming the trace a scene reads (render.py sets it).
TRACE_ENV = "GANIMATE_TRACE"


def fail(message: str) -> None:
    """End a scene's render with a one-line message and exit status 2."""
    print(f"ganimate: {message}", file=sys.stderr)
    sys.exit(2)


def scene_trace() -> Trace:
    """The trace named by ``$GANIMATE_TRACE``, else the chapter run's cached one."""
    path = Path(os.environ.get(TRACE_ENV) or trace_path())
    try:
        return load_trace(path)
    except TraceError as e:
        hint = (
            "" if os.environ.get(TRACE_ENV) else " (run `python render.py train` first)"
        )
        fail(f"{e}{hint}")


def label(text: str, size: float = 32, color: str = TEXT, mono: bool = False) -> Text:
    """Plain text in the house font; ``size`` is Manim's font_size."""
    return Text(text, font=MONO if mono else FONT, font_size=size, color=color)


def fmt(value: float, digits: int = 4) -> str:
    """A number with a fixed count of decimals and a true minus sign."""
    return f"{value:.{digits}f}".replace("-", "\u2212")


class QuickEncoder(SceneFileWriter):
    """Manim's writer, with x264's ``veryfast`` preset instead of ``medium``.

    At 1080p60 encoding is about a third of a render; the faster preset cuts a
    scene's render by roughly 40% for files of much the same size (the quality
    is held by Manim's constant rate factor either way). Even so, some scenes
    render at 1080p60 up to 15% slower than real time on two cores (README,
    known limitations): drawing and encoding compete for them.
    """

    def open_partial_movie_stream(self, file_path=None) -> None:
        super().open_partial_movie_stream(file_path)
        context = self._current_encode_job.stream.codec_context
        if context.name == "libx264":  # webm and mov keep their own codecs
            context.options = {**context.options, "preset": "veryfast"}


class GanSlide(Slide):
    """Base for every scene: the dark background and the trace in ``self.trace``.

    ``skip_reversing``: manim-slides would also write every slide's video
    backwards, for its play-in-reverse key; that costs about a third of a
    1080p render, so the decks step both ways but do not play backwards.
    """

    skip_reversing = True

    def __init__(self, *args, **kwargs):
        if "renderer" not in kwargs and config.renderer == RendererType.CAIRO:
            kwargs["renderer"] = CairoRenderer(
                file_writer_class=QuickEncoder,
                camera_class=kwargs.get("camera_class", Camera),
                skip_animations=kwargs.get("skip_animations", False),
            )
        super().__init__(*args, **kwargs)

    def setup(self):
        super().setup()
        # a ManimColor, not a hex string: manim-slides calls .to_hex() on it
        self.camera.background_color = ManimColor(BACKGROUND)
        self.trace = scene_trace()
        name = next((k for k, v in SCENES.items() if v[1] == type(self).__name__), "")
        if name in THREE_PIXELS and self.trace.n != 3:
            fail(
                f"{name} draws the chapter's three-pixel network; the trace has "
                f"{self.trace.n} pixels"
            )

    def epoch_badge(self, epoch: int) -> Text:
        """A small "epoch N" label for the top-right corner."""
        badge = label(f"epoch {epoch:,}", size=24, color=MUTED)
        return badge.to_corner(UR, buff=0.3)


__all__ = [
    "BACKGROUND",
    "TEXT",
    "MUTED",
    "REAL",
    "FAKE",
    "GENERATOR",
    "DISCRIMINATOR",
    "POSITIVE",
    "NEGATIVE",
    "HIGHLIGHT",
    "GRADIENT",
    "FONT",
    "MONO",
    "TRACE_ENV",
    "GanSlide",
    "scene_trace",
    "label",
    "fmt",
    "np",
    "config",
    "DOWN",
    "LEFT",
    "RIGHT",
    "UP",
    "VGroup",
]
