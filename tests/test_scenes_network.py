"""The network scenes: each renders small, and what it shows matches the trace.

Expected values are recomputed here from the trace with plain NumPy or with
:mod:`ganmath.model`, never read back from the scene's own helpers.
"""

import math
import re

import numpy as np
import pytest
from manim import DL, UR, MathTypst, Text, VGroup

from ganmath import TrainConfig, load_trace, save_trace, train
from ganmath.model import NON_SATURATING, discriminator_gradients, generator_gradients
from scenes.common import BACKGROUND, DISCRIMINATOR, FAKE, NEGATIVE, POSITIVE, REAL
from tests.conftest import colour_share, render_scene, shown_epochs, texts_on_screen

# Shares of the 256x144 last frame within 40 of a palette colour. Thin strokes
# blur into the background at this size, so the shares are small; each threshold
# is about half of what the scene shows, and a frame without that element gives 0.
ARCH_REAL, ARCH_FAKE = 0.001, 0.0002  # the three real pixels; the fake path arrows
FLOW_REAL, FLOW_FAKE = 0.0025, 0.0018  # the two pixel-profile charts
STEP_G, STEP_D = 0.00015, 0.0001  # the two update rows (generator, discriminator)
GAME_BARS = 0.005  # the mean D(real) and mean D(fake) bars


@pytest.fixture(scope="module")
def trace(small_trace_path):
    return load_trace(small_trace_path)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def num(value: float, digits: int) -> str:
    return f"{value:.{digits}f}".replace("-", "\u2212")


def check_common(scene, frame, trace):
    background = colour_share(frame, BACKGROUND, tol=12)
    assert background < 0.97, "the last frame is (almost) blank"
    epochs = shown_epochs(scene)
    assert epochs, "no epoch is shown"
    assert set(epochs) <= set(trace.epoch.tolist())
    return set(texts_on_screen(scene))


def test_architecture(small_trace_path, tmp_path, monkeypatch, trace):
    scene, frame = render_scene("architecture", small_trace_path, tmp_path, monkeypatch)
    texts = check_common(scene, frame, trace)
    assert colour_share(frame, REAL) > ARCH_REAL
    assert colour_share(frame, FAKE) > ARCH_FAKE
    assert shown_epochs(scene) == [int(trace.epoch[-1])]

    # the edges end styled by the last epoch's weights: colour = sign
    w = np.concatenate([trace.g_params[-1][:3], trace.d_params[-1][:3]])
    edges = scene.net.g_edges + scene.net.d_edges
    for edge, value in zip(edges, w, strict=True):
        want = POSITIVE if value >= 0 else NEGATIVE
        assert edge.get_stroke_color().to_hex().upper() == want.upper()
    widths = [edge.get_stroke_width() for edge in edges]
    assert np.argmax(widths) == np.argmax(np.abs(w))  # thickest = largest |weight|

    # and every weight's value is written, to three decimals
    for value in w:
        assert num(value, 3).replace(" ", "") in texts


def test_signal_flow(small_trace_path, tmp_path, monkeypatch, trace):
    scene, frame = render_scene("forward", small_trace_path, tmp_path, monkeypatch)
    texts = check_common(scene, frame, trace)
    assert colour_share(frame, REAL) > FLOW_REAL
    assert colour_share(frame, FAKE) > FLOW_FAKE

    # recompute the pass by hand from the trace at the epoch shown
    v = scene.shown
    s = list(trace.sample_epochs).index(v["epoch"])
    L1 = trace.sample_latents[s, 1, 0]
    assert v["L1"] == L1
    row = int(np.searchsorted(trace.epoch, v["epoch"]))
    w_g, w_d = trace.g_params[row], trace.d_params[row]
    O_in = w_g[:3] * L1 + w_g[3]
    O = sigmoid(O_in)
    D_fake = sigmoid(O @ w_d[:3] + w_d[3])
    real = trace.real_images[np.argmin(trace.real_images.min(axis=1))]
    D_real = sigmoid(real @ w_d[:3] + w_d[3])
    np.testing.assert_allclose(v["O_in"], O_in, rtol=1e-12)
    np.testing.assert_allclose(v["O"], O, rtol=1e-12)
    assert v["D_fake"] == pytest.approx(D_fake, rel=1e-12)
    assert v["D_real"] == pytest.approx(D_real, rel=1e-12)
    assert f"fake{num(D_fake, 3)}" in texts
    assert f"real{num(D_real, 3)}" in texts


def test_backpropagation(small_trace_path, tmp_path, monkeypatch, trace):
    scene, frame = render_scene("backprop", small_trace_path, tmp_path, monkeypatch)
    texts = check_common(scene, frame, trace)
    assert colour_share(frame, FAKE) > STEP_G
    assert colour_share(frame, DISCRIMINATOR) > STEP_D
    v = scene.shown
    e = v["epoch"]
    assert set(shown_epochs(scene)) == {e - 1, e}  # the badge, before and after

    # the trace's gradients are the batch means the model computes from the draws
    s = list(trace.sample_epochs).index(e)
    g_old, d_old = trace.g_params[e - 1], trace.d_params[e - 1]
    g_new, d_new = trace.g_params[e], trace.d_params[e]
    fakes = sigmoid(np.outer(trace.sample_latents[s, 0], g_old[:3]) + g_old[3])
    B = len(trace.real_images)
    images = np.vstack([trace.real_images, fakes])
    labels = np.concatenate([np.ones(B), np.zeros(B)])
    np.testing.assert_allclose(
        discriminator_gradients(images, labels, d_old),
        trace.d_grads[e],
        rtol=1e-9,
        atol=1e-15,
    )
    latents = np.ascontiguousarray(trace.sample_latents[s, 1])
    np.testing.assert_allclose(
        generator_gradients(latents, g_old, d_new, NON_SATURATING),
        trace.g_grads[e],
        rtol=1e-9,
        atol=1e-15,
    )

    # the factors shown for one draw multiply to that draw's own gradient
    c = v["chain"]
    one = generator_gradients(np.array([c["L1"]]), g_old, d_new, NON_SATURATING)
    product = c["error"] * c["lambda"] * c["slope"] * c["L1"]
    np.testing.assert_allclose(product, one[:3], rtol=1e-12)
    assert c["L1"] == latents[0]
    O = sigmoid(g_old[:3] * c["L1"] + g_old[3])
    np.testing.assert_allclose(c["slope"], O * (1 - O), rtol=1e-12)
    assert c["error"] == pytest.approx(sigmoid(O @ d_new[:3] + d_new[3]) - 1)

    # the D factors: (y_hat - y) * I_j for the first real image
    y_hat = sigmoid(trace.real_images[0] @ d_old[:3] + d_old[3])
    np.testing.assert_allclose(v["d_sample_grad"], (y_hat - 1) * trace.real_images[0])

    # the update shown is the trace's, and its arithmetic holds
    lr_g, lr_d = trace.config["lr_g"], trace.config["lr_d"]
    np.testing.assert_allclose(g_old - lr_g * trace.g_grads[e], g_new, atol=1e-15)
    np.testing.assert_allclose(d_old - lr_d * trace.d_grads[e], d_new, atol=1e-15)
    for name, old, lr, grad, new in (
        ("λ12", g_old[0], lr_g, trace.g_grads[e][0], g_new[0]),
        ("λ58", d_old[0], lr_d, trace.d_grads[e][0], d_new[0]),
    ):
        row = f"{name}:{num(old, 7)}−{lr:g}×({num(grad, 7)})={num(new, 7)}"
        assert row in texts


def test_the_game(small_trace_path, tmp_path, monkeypatch, trace):
    scene, frame = render_scene("game", small_trace_path, tmp_path, monkeypatch)
    texts = check_common(scene, frame, trace)
    assert colour_share(frame, REAL) > GAME_BARS
    assert colour_share(frame, FAKE) > GAME_BARS
    assert shown_epochs(scene) == [int(trace.epoch[-1])]

    for key in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert scene.shown[key] == trace.arrays[key][-1]
        assert num(trace.arrays[key][-1], 4) in texts

    # the equilibrium values: D = 1/2 on every real and every fake image
    d_loss = -np.log(0.5) - np.log(1 - 0.5)
    g_loss = -np.log(0.5)
    assert f"equilibriumln4={num(d_loss, 4)}" in texts
    assert f"equilibriumln2={num(g_loss, 4)}" in texts
    assert d_loss == pytest.approx(math.log(4)) and g_loss == pytest.approx(math.log(2))


def outline(mob, per_unit: int = 40) -> np.ndarray:
    """Points along every stroked curve of ``mob``, about ``per_unit`` a unit."""
    points = []
    for sub in mob.get_family():
        if not sub.has_points() or sub.get_stroke_width() == 0:
            continue
        for curve in sub.get_cubic_bezier_tuples():
            length = np.linalg.norm(curve[-1] - curve[0]) + 1e-9
            t = np.linspace(0, 1, max(2, int(length * per_unit)))[:, None]
            a, b, c, d = curve
            points.append(
                (1 - t) ** 3 * a
                + 3 * (1 - t) ** 2 * t * b
                + 3 * (1 - t) * t**2 * c
                + t**3 * d
            )
    return np.vstack(points)


def test_backpropagation_values_touch_no_line(small_trace_path, tmp_path, monkeypatch):
    """Each number written on the diagram keeps clear of boxes, edges and arrows."""
    scene, _ = render_scene("backprop", small_trace_path, tmp_path, monkeypatch)
    net = scene.net
    lines = VGroup(
        net.g_box.frame,
        net.d_box.frame,
        *net.g_edges,
        *net.d_edges,
        *net.passes,
        net.output,
        net.g_bias,
        net.d_bias,
    )
    real = VGroup(net.real_path.arrows, net.real_path.pixels)  # the D half only
    margin = 0.05
    for half, groups in scene.on_diagram.items():
        points = outline(VGroup(lines, real) if half == "d" else lines)[:, :2]
        texts = [
            m for g in groups for m in g.get_family() if isinstance(m, Text | MathTypst)
        ]
        assert len(texts) >= 7
        for mob in texts:
            low = mob.get_corner(DL)[:2] - margin
            high = mob.get_corner(UR)[:2] + margin
            inside = np.all((points > low) & (points < high), axis=1)
            assert not inside.any(), f"{mob!r} touches a line of the diagram"
            assert np.all(low >= (-6.6, -3.6)) and np.all(high <= (6.6, 3.6))


@pytest.fixture(scope="module")
def sparse_trace_path(tmp_path_factory):
    """A 3,000-epoch run recording every 10th epoch (and each sampled one's pair)."""
    path = tmp_path_factory.mktemp("sparse") / "sparse.npz"
    save_trace(train(TrainConfig(epochs=3000, record_every=10)), path)
    return path


UPDATE_ROW = re.compile(r"^(λ\d\d):(−?[\d.]+)−([\d.e-]+)×\((−?[\d.]+)\)=(−?[\d.]+)$")


def test_backpropagation_sparse_trace(sparse_trace_path, tmp_path, monkeypatch):
    """From a trace that skips epochs, the update shown is one recorded step."""
    trace = load_trace(sparse_trace_path)
    assert len(trace.epoch) < trace.epochs / 5  # most epochs are not recorded
    scene, frame = render_scene("backprop", sparse_trace_path, tmp_path, monkeypatch)
    texts = check_common(scene, frame, trace)
    e = scene.shown["epoch"]
    assert e > 0 and e in trace.sample_epochs.tolist()
    rows = {int(x): r for r, x in enumerate(trace.epoch)}
    before, after = rows[e - 1], rows[e]  # both recorded, not the nearest earlier
    assert set(shown_epochs(scene)) == {e - 1, e}

    # the recorded gradients are those of epoch e's draws at epoch e - 1's weights
    s = trace.sample_epochs.tolist().index(e)
    g_old, d_old = trace.g_params[before], trace.d_params[before]
    fakes = sigmoid(np.outer(trace.sample_latents[s, 0], g_old[:3]) + g_old[3])
    B = len(trace.real_images)
    labels = np.concatenate([np.ones(B), np.zeros(B)])
    grad_d = discriminator_gradients(
        np.vstack([trace.real_images, fakes]), labels, d_old
    )
    np.testing.assert_allclose(grad_d, trace.d_grads[after], rtol=1e-9, atol=1e-15)

    # each update row on screen: the trace's numbers, and they add up
    lrs = {"λ12": trace.config["lr_g"], "λ58": trace.config["lr_d"]}
    found = {m[1]: m for t in texts if (m := UPDATE_ROW.match(t))}
    assert set(found) == set(lrs)
    for name, params, grads in (
        ("λ12", trace.g_params, trace.g_grads),
        ("λ58", trace.d_params, trace.d_grads),
    ):
        old, grad, new = params[before][0], grads[after][0], params[after][0]
        lr = lrs[name]
        assert old - lr * grad == pytest.approx(new, abs=1e-15)
        m = found[name]
        shown = [float(m[k].replace("\u2212", "-")) for k in (2, 3, 4, 5)]
        assert shown == [round(old, 7), lr, round(grad, 7), round(new, 7)]
        b, rate, g, a = shown
        assert abs(b - rate * g - a) <= 1.01e-7  # to the seven digits shown


def test_a_step_is_never_shown_without_its_epoch_before(sparse_trace_path):
    """Drop the row before the chosen epoch: the scenes must pick another one."""
    from ganmath.trace import KEYS, Trace, update_at
    from scenes.backprop import chosen_epoch
    from scenes.loop import loop_epochs

    trace = load_trace(sparse_trace_path)
    e = chosen_epoch(trace)
    keep = trace.epoch != e - 1
    holed = Trace(
        trace.config,
        {
            k: v[keep] if KEYS.get(k, ("",))[0] == "E" else v
            for k, v in trace.arrays.items()
        },
    )
    with pytest.raises(ValueError):
        update_at(holed, e)  # the nearest earlier row would be the wrong "before"
    other = chosen_epoch(holed)
    assert other != e
    for epoch in (other, *loop_epochs(holed)):
        rows = {int(x): r for r, x in enumerate(holed.epoch)}
        step = update_at(holed, epoch)
        assert step["row"] == rows[epoch]
        want = holed.g_params[rows[epoch - 1]] if epoch else holed.init_g_params
        np.testing.assert_array_equal(step["g_old"], want)
