"""Shared fixtures: a small real trace, and rendering a scene at a tiny size."""

import importlib.util
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from ganmath import TrainConfig, save_trace, train

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def small_trace_path(tmp_path_factory) -> Path:
    """A 3,000-epoch run of the chapter's configuration, saved as a trace."""
    path = tmp_path_factory.mktemp("trace") / "small.npz"
    save_trace(train(TrainConfig(epochs=3000)), path)
    return path


def render_scene(
    name: str, trace_path: Path, tmp_path: Path, monkeypatch, size=(256, 144), fps=5
):
    """Render scene ``name`` in-process; return (scene, last frame as RGB array)."""
    from manim import tempconfig

    from scenes import SCENES
    from scenes.common import TRACE_ENV

    file, cls_name, _ = SCENES[name]
    monkeypatch.setenv(TRACE_ENV, str(trace_path))
    monkeypatch.chdir(tmp_path)
    spec = importlib.util.spec_from_file_location(
        f"scene_{name}", ROOT / "scenes" / file
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    options = {
        "pixel_width": size[0],
        "pixel_height": size[1],
        "frame_rate": fps,
        "media_dir": str(tmp_path / "media"),
        "disable_caching": True,
        "progress_bar": "none",
        "verbosity": "WARNING",
    }
    with tempconfig(options):
        scene = getattr(module, cls_name)()
        scene.render()
        frame = np.array(scene.renderer.get_frame())[:, :, :3]
    return scene, frame


def texts_on_screen(scene) -> list[str]:
    """The text of every Text mobject on screen at the end (spaces dropped)."""
    out = []
    for mob in scene.mobjects:
        for sub in mob.get_family():
            if hasattr(sub, "text") and isinstance(sub.text, str):
                out.append(sub.text)
    return out


def shown_epochs(scene) -> list[int]:
    """Every epoch number a text on screen names ("epoch 1,234" and the like)."""
    found = []
    for text in texts_on_screen(scene):
        for m in re.finditer(r"[Ee]poch[:=]?([\d,]+)", text.replace(" ", "")):
            found.append(int(m.group(1).replace(",", "")))
    return found


def colour_share(frame: np.ndarray, hex_colour: str, tol: int = 40) -> float:
    """The share of pixels within ``tol`` (per channel) of ``hex_colour``."""
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    close = np.all(np.abs(frame.astype(int) - rgb) <= tol, axis=-1)
    return float(close.mean())
