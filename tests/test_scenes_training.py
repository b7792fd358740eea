"""The training scenes, rendered small: what they show must match the trace.

Expected values are recomputed here from the trace's raw arrays with plain
NumPy (or with ganmath.model's gradient functions, which tests/test_model.py
checks against finite differences), never read back from the scene's own code.
"""

import numpy as np
import pytest
from conftest import colour_share, render_scene, shown_epochs, texts_on_screen
from manim import DashedLine, MathTypst, Text

from ganmath import TrainConfig, save_trace, train
from ganmath.model import NON_SATURATING, discriminator_gradients, generator_gradients
from ganmath.trace import load_trace
from scenes.common import BACKGROUND, DISCRIMINATOR, FAKE, GENERATOR, HIGHLIGHT, REAL


def number(text: str) -> float:
    """A number as the scenes print it (true minus sign, no spaces)."""
    return float(text.replace("\u2212", "-"))


def rounded(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}f}")


def not_blank(frame) -> bool:
    """More than 5 % of the pixels differ from the background."""
    return colour_share(frame, BACKGROUND, tol=12) < 0.95


def check_epochs(scene, trace) -> list[int]:
    epochs = shown_epochs(scene)
    assert epochs, "no epoch named on screen"
    assert set(epochs) <= set(int(e) for e in trace.epoch)
    return epochs


def vertices(line) -> np.ndarray:
    """The corners of a polyline made with ``set_points_as_corners``."""
    return np.vstack([line.get_start_anchors(), line.get_end_anchors()[-1:]])


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@pytest.fixture(scope="module")
def trace(small_trace_path):
    return load_trace(small_trace_path)


def test_fakes_converge(small_trace_path, tmp_path, monkeypatch, trace):
    scene, frame = render_scene("fakes", small_trace_path, tmp_path, monkeypatch)
    assert not_blank(frame)
    # 32 thin polylines each; measured about 0.007 (REAL) and 0.005 (FAKE)
    assert colour_share(frame, REAL) > 0.003
    assert colour_share(frame, FAKE) > 0.002
    assert check_epochs(scene, trace) == [int(trace.epoch[-1])]

    # both losses of the last epoch are printed
    texts = texts_on_screen(scene)
    for key in ("d_loss", "g_loss"):
        assert f"{trace.arrays[key][-1]:.4f}".replace("-", "\u2212") in texts

    # the fake polylines sit at the generator's outputs for the test latents
    g = trace.g_params[-1]
    expected = sigmoid(np.outer(trace.test_latents, g[:-1]) + g[-1])
    profiles = [m for m in scene.mobjects if type(m).__name__ == "Profiles"]
    fakes = [p for p in profiles if p.ax.get_center()[0] > 0]
    assert len(fakes) == 1
    drawn = np.array([[fakes[0].ax.p2c(pt)[1] for pt in vertices(line)]
                      for line in fakes[0]])
    assert np.allclose(drawn, expected, atol=1e-6)


def test_loss_curves(small_trace_path, tmp_path, monkeypatch, trace):
    scene, frame = render_scene("losses", small_trace_path, tmp_path, monkeypatch)
    assert not_blank(frame)
    # at 256x144 the curves are under a pixel wide: a few dozen pixels at most,
    # none at all in a scene without them (saturation measures 0.0)
    assert colour_share(frame, DISCRIMINATOR) > 0.0001
    assert colour_share(frame, GENERATOR) > 0.0001
    assert check_epochs(scene, trace) == [int(trace.epoch[-1])]

    texts = texts_on_screen(scene)
    for key in ("d_loss", "g_loss"):
        assert f"{trace.arrays[key][-1]:.4f}".replace("-", "\u2212") in texts

    # the curves end at the last epoch, the thick one at the trailing mean
    curves = [m for m in scene.mobjects if hasattr(m, "reveal")]
    assert len(curves) == 4
    ax = next(m for m in scene.mobjects if hasattr(m, "tick_labels"))
    window = max(1, trace.epochs // 50)
    for curve, key, smooth in zip(curves, ("d_loss", "d_loss", "g_loss", "g_loss"),
                                  (False, True, False, True), strict=True):
        x, y = ax.p2c(curve.get_end())
        values = trace.arrays[key]
        want = values[-window:].mean() if smooth else values[-1]
        assert x == pytest.approx(trace.epoch[-1], abs=1e-6)
        assert y == pytest.approx(want, abs=1e-9)
        assert 300 <= len(vertices(curve)) <= 400

    # the x axis's ticks are evenly spaced and the last one reaches the run's end
    ticks = [int(t.text.replace(",", "")) for t in ax.tick_labels
             if t.text.replace(",", "").isdigit()]
    assert ticks[0] == 0 and len(set(np.diff(ticks))) == 1
    assert ticks[-2] < trace.epochs <= ticks[-1]
    assert ax.p2c(ax.x_axis.get_end())[0] == pytest.approx(ticks[-1])

    # the dashed equilibrium lines sit at ln 4 and ln 2
    heights = sorted({round(ax.p2c(m.get_start())[1], 9) for top in scene.mobjects
                      for m in top.get_family() if isinstance(m, DashedLine)})
    assert heights == pytest.approx([np.log(2), np.log(4)])


def test_sigmoid_saturation(small_trace_path, tmp_path, monkeypatch, trace):
    scene, frame = render_scene("saturation", small_trace_path, tmp_path,
                                monkeypatch)
    assert not_blank(frame)
    assert colour_share(frame, HIGHLIGHT) > 0.0006  # the non-saturating line
    marks = [m for top in scene.mobjects for m in top.get_family()
             if isinstance(m, DashedLine)]
    assert marks and {m.get_color().to_hex().upper() for m in marks} == {FAKE}

    # the run's lowest mean D on the fakes, and its epoch
    row = int(np.argmin(trace.d_fake))
    assert check_epochs(scene, trace) == [int(trace.epoch[row])]
    said = "".join(texts_on_screen(scene))
    assert f"{trace.d_fake[row]:.4f}" in said

    # the slope readout at the last keyframe: mean sigma'(O_in) per pixel
    assert scene.slope_epochs[-1] == int(trace.epoch[-1])
    g = trace.g_params[-1]
    O = sigmoid(np.outer(trace.test_latents, g[:-1]) + g[-1])
    want = (O * (1 - O)).mean(axis=0)
    shown = [number(t.text) for t in scene.slopes.texts[-1].get_family()
             if isinstance(t, Text) and t.text[0] in "0123456789\u2212"]
    assert shown == [rounded(v) for v in want]

    # the text column writes O_in typeset, in the same Typst as the chart's axis
    note = scene.note.get_family()
    assert not any("O_in" in t.text for t in note if isinstance(t, Text))
    symbols = [m.typst_code for m in note if isinstance(m, MathTypst)]
    assert symbols == [scene.x_name.typst_code]

    # the count of real pixel values out of the sigmoid's reach
    real = trace.real_images
    assert scene.out_of_reach == int(np.sum((real > 1) | (real < 0)))
    assert scene.out_of_reach > 0


def test_training_loop(small_trace_path, tmp_path, monkeypatch, trace):
    scene, frame = render_scene("loop", small_trace_path, tmp_path, monkeypatch)
    assert not_blank(frame)
    # small profile panels; measured about 0.0036 (REAL) and 0.0021 (FAKE)
    assert colour_share(frame, REAL) > 0.0015
    assert colour_share(frame, FAKE) > 0.001
    epoch = int(trace.sample_epochs[-1])
    assert check_epochs(scene, trace) == [epoch]

    # recompute the epoch from its kept draws and the parameters before it
    s, row = len(trace.sample_epochs) - 1, trace.row(epoch)
    assert trace.epoch[row - 1] == epoch - 1
    g0, d0 = trace.g_params[row - 1], trace.d_params[row - 1]
    real = np.ascontiguousarray(trace.real_images, dtype=float)
    L1_d, L1_g = (np.ascontiguousarray(v, dtype=float) for v in trace.sample_latents[s])
    fakes = sigmoid(np.outer(L1_d, g0[:-1]) + g0[-1])
    y = np.concatenate((np.ones(len(real)), np.zeros(len(fakes))))
    grad_d = discriminator_gradients(np.concatenate((real, fakes)), y, d0)
    d1 = d0 - trace.config["lr_d"] * grad_d
    grad_g = generator_gradients(L1_g, g0, d1, NON_SATURATING)
    g1 = g0 - trace.config["lr_g"] * grad_g

    def table(key):
        rows = scene.tables[key][1:]
        return [[number(cell.text) for cell in r[1:]] for r in rows]

    for key, before, grad, after in (("D", d0, grad_d, d1), ("G", g0, grad_g, g1)):
        shown = table(key)
        assert shown[0] == [rounded(v, 5) for v in before]
        assert shown[1] == pytest.approx([rounded(v, 4) for v in grad], abs=1.1e-4)
        assert shown[2] == pytest.approx([rounded(v, 5) for v in after], abs=1.1e-5)

    # the recorded losses, from the updated parameters
    def judge(images, w):
        return sigmoid(images @ w[:-1] + w[-1])

    d_loss = (-np.mean(np.log(judge(real, d1) + 1e-8))
              - np.mean(np.log(1 - judge(fakes, d1) + 1e-8)))
    g_loss = -np.mean(np.log(judge(sigmoid(np.outer(L1_g, g1[:-1]) + g1[-1]), d1)
                             + 1e-8))
    texts = [t.replace(" ", "") for t in texts_on_screen(scene)]
    assert f"Dloss{d_loss:.4f}" in texts and f"Gloss{g_loss:.4f}" in texts


@pytest.fixture(scope="module")
def sparse_trace_path(tmp_path_factory):
    """A 3,000-epoch run recording every 10th epoch (and each sampled one's pair)."""
    path = tmp_path_factory.mktemp("sparse") / "sparse.npz"
    save_trace(train(TrainConfig(epochs=3000, record_every=10)), path)
    return path


def test_training_loop_sparse_trace(sparse_trace_path, tmp_path, monkeypatch):
    """From a trace that skips epochs, every epoch run is one recorded step."""
    trace = load_trace(sparse_trace_path)
    assert len(trace.epoch) < trace.epochs / 5  # most epochs are not recorded
    scene, frame = render_scene("loop", sparse_trace_path, tmp_path, monkeypatch)
    assert not_blank(frame)
    epochs = scene.shown["epochs"]
    assert check_epochs(scene, trace) == [epochs[-1]]
    assert epochs[0] == 0 and len(epochs) >= 2
    rows = {int(x): r for r, x in enumerate(trace.epoch)}
    lr_d, lr_g = trace.config["lr_d"], trace.config["lr_g"]
    real = np.ascontiguousarray(trace.real_images, dtype=float)
    y = np.concatenate((np.ones(len(real)), np.zeros(len(real))))
    for epoch, state in zip(epochs, scene.shown["states"], strict=True):
        # the draws of this very epoch, and the parameters recorded just before it
        s = trace.sample_epochs.tolist().index(epoch)
        if epoch == 0:
            g0, d0 = trace.init_g_params, trace.init_d_params
        else:
            g0, d0 = trace.g_params[rows[epoch - 1]], trace.d_params[rows[epoch - 1]]
        L1_d, L1_g = (np.ascontiguousarray(v, dtype=float)
                      for v in trace.sample_latents[s])
        fakes = sigmoid(np.outer(L1_d, g0[:-1]) + g0[-1])
        grad_d = discriminator_gradients(np.concatenate((real, fakes)), y, d0)
        d1 = d0 - lr_d * grad_d
        grad_g = generator_gradients(L1_g, g0, d1, NON_SATURATING)
        g1 = g0 - lr_g * grad_g
        np.testing.assert_allclose(state["fakes"], fakes, rtol=1e-12)
        for key, lr, want in (("D", lr_d, (d0, grad_d, d1)),
                              ("G", lr_g, (g0, grad_g, g1))):
            before, grad, after = state[key]
            for shown, expected in zip(state[key], want, strict=True):
                np.testing.assert_allclose(shown, expected, rtol=1e-9, atol=1e-15)
            # the recorded step itself: before - lr * grad == after
            np.testing.assert_allclose(before - lr * grad, after, atol=1e-15)
            np.testing.assert_array_equal(after, (trace.d_params if key == "D"
                                                  else trace.g_params)[rows[epoch]])

    # on screen at the end: the last epoch's tables, adding up to their digits
    for key, lr in (("D", lr_d), ("G", lr_g)):
        b, g, a = ([number(cell.text) for cell in r[1:]]
                   for r in scene.tables[key][1:])
        slack = 0.5e-5 + lr * 0.5e-4 + 0.5e-5 + 1e-12  # each number's rounding
        assert np.all(np.abs(np.array(b) - lr * np.array(g) - np.array(a)) <= slack)
