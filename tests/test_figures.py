"""The static figures: each plots what the trace holds, computed independently here."""

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_hex
from PIL import Image

from ganmath import TrainConfig, load_trace, train
from ganmath import figures as F
from ganmath.trace import keyframes
from ganmath.trace import test_latents as latents

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def trace(small_trace_path):
    return load_trace(small_trace_path)


@pytest.fixture(scope="module")
def short_trace():
    """Few enough epochs that curves are drawn point for point."""
    return train(TrainConfig(epochs=400))


def fakes_at(trace, row: int) -> np.ndarray:
    """The generator's images at a trace row, written out in plain NumPy."""
    w = trace.g_params[row]
    L1 = latents(trace)
    return 1 / (1 + np.exp(-(L1[:, None] * w[None, :-1] + w[-1])))


def line(ax, name: str):
    (found,) = [ln for ln in ax.get_lines() if ln.get_label() == name]
    return found


def test_loss_curves_are_the_trace_losses(short_trace):
    fig = F.loss_curves(short_trace)
    losses, outputs = fig.axes
    for name, key, color in (("D loss", "d_loss", F.DISCRIMINATOR),
                             ("G loss", "g_loss", F.FAKE)):
        ln = line(losses, name)
        np.testing.assert_array_equal(ln.get_xdata(), short_trace.epoch)
        np.testing.assert_array_equal(ln.get_ydata(), getattr(short_trace, key))
        assert to_hex(ln.get_color()) == color.lower()
    for name, key, color in (("mean D(real)", "d_real", F.REAL),
                             ("mean D(fake)", "d_fake", F.FAKE)):
        np.testing.assert_array_equal(line(outputs, name).get_ydata(),
                                      getattr(short_trace, key))
        assert to_hex(line(outputs, name).get_color()) == color.lower()
    levels = sorted(ln.get_ydata()[0] for ln in losses.get_lines()
                    if "equilibrium" in ln.get_label())
    assert levels == pytest.approx([np.log(2), np.log(4)])


def test_long_curves_are_binned_without_losing_the_extremes(trace):
    fig = F.loss_curves(trace)
    losses = fig.axes[0]
    ln = line(losses, "D loss")
    assert len(ln.get_xdata()) < len(trace.epoch)
    band = losses.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx(trace.d_loss.min())
    assert band.max() == pytest.approx(trace.d_loss.max())
    # bins of equal size: the mean of the bin means is the overall mean
    assert ln.get_ydata().mean() == pytest.approx(trace.d_loss.mean(), rel=1e-3)


def test_real_vs_fake_shows_the_real_images_and_the_trained_fakes(trace):
    fig = F.real_vs_fake(trace)
    real_ax, fake_ax = fig.axes[:2]
    np.testing.assert_array_equal(real_ax.images[0].get_array(), trace.real_images)
    np.testing.assert_allclose(fake_ax.images[0].get_array(), fakes_at(trace, -1),
                               rtol=1e-12)
    assert to_hex(real_ax.title.get_color()) == F.REAL.lower()
    assert to_hex(fake_ax.title.get_color()) == F.FAKE.lower()
    assert f"{trace.epoch[-1]:,}" in fake_ax.get_title()
    # both grids share one grey scale, wide enough for the reals beyond [0, 1]
    a, b = real_ax.images[0].get_clim(), fake_ax.images[0].get_clim()
    assert a == b and a[0] <= trace.real_images.min() and a[1] >= 1


def test_fakes_over_epochs_grid(trace):
    fig = F.fakes_over_epochs(trace, count=6)
    rows = keyframes(trace, 6, "log")
    grids = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in grids] == (
        [f"epoch {trace.epoch[r]:,}" for r in rows] + ["real"])
    for ax, row in zip(grids, rows, strict=False):
        np.testing.assert_allclose(ax.images[0].get_array(), fakes_at(trace, row),
                                   rtol=1e-12)
    np.testing.assert_array_equal(grids[-1].images[0].get_array(), trace.real_images)


def test_sigmoid_derivative_is_the_slope_of_the_curve(trace):
    fig = F.sigmoid_curve(trace)
    ax = fig.axes[0]
    s, ds = ax.get_lines()[:2]
    x, y = s.get_xdata(), s.get_ydata()
    np.testing.assert_allclose(y, 1 / (1 + np.exp(-x)), rtol=1e-12)
    slope = np.gradient(y, x)
    np.testing.assert_allclose(ds.get_ydata()[1:-1], slope[1:-1], atol=1e-4)
    # the fakes' pixels sit on the curve, at the trained generator's O_in
    points = line(ax, f"the fakes' pixels after epoch {trace.epoch[-1]:,}")
    w = trace.g_params[-1]
    O_in = latents(trace)[:, None] * w[None, :-1] + w[-1]
    np.testing.assert_allclose(np.sort(points.get_xdata()), np.sort(O_in.ravel()))
    x = points.get_xdata()
    np.testing.assert_allclose(points.get_ydata(), 1 / (1 + np.exp(-x)))
    real = line(ax, "real pixel values").get_ydata()
    np.testing.assert_array_equal(np.sort(real), np.sort(trace.real_images.ravel()))


@pytest.mark.parametrize("epoch", [None, 1000])
def test_network_diagram_labels_every_weight(trace, epoch):
    fig = F.network_diagram(trace, epoch)
    row = -1 if epoch is None else trace.row(epoch)
    texts = [t.get_text() for t in fig.axes[0].texts]
    w_g, w_d = trace.g_params[row], trace.d_params[row]
    n = trace.n
    for j in range(n):
        assert f"$\\lambda_{{1{j + 2}}}$ = {w_g[j]:+.3f}" in texts
        assert f"$\\lambda_{{{j + n + 2}{2 * n + 2}}}$ = {w_d[j]:+.3f}" in texts
    assert f"b = {w_g[n]:+.3f}" in texts and f"c = {w_d[n]:+.3f}" in texts
    assert f"epoch {trace.epoch[row]:,}" in fig.axes[0].get_title()
    signs = {t.get_text(): to_hex(t.get_color()) for t in fig.axes[0].texts}
    label = f"$\\lambda_{{12}}$ = {w_g[0]:+.3f}"
    assert signs[label] == (F.POSITIVE if w_g[0] >= 0 else F.NEGATIVE).lower()


def test_write_all_gives_png_and_svg_for_every_figure(trace, tmp_path):
    paths = F.write_all(trace, tmp_path)
    assert sorted(p.name for p in paths) == sorted(
        f"{name}.{fmt}" for name in F.FIGURES for fmt in ("png", "svg"))
    for path in paths:
        if path.suffix == ".png":
            pixels = np.asarray(Image.open(path).convert("L"))
            assert pixels.shape[0] > 300 and pixels.std() > 5
        else:
            assert ET.parse(path).getroot().tag.endswith("svg")
    svg = (tmp_path / "losses.svg").read_bytes()
    F.write_all(trace, tmp_path)
    assert (tmp_path / "losses.svg").read_bytes() == svg  # unchanged, byte for byte
    assert not list(tmp_path.glob(".*"))  # no temporary file left


def test_figures_command_writes_then_reuses(small_trace_path, tmp_path):
    cmd = [sys.executable, str(ROOT / "render.py"), "figures", "--trace",
           str(small_trace_path), "--out", str(tmp_path)]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    files = sorted((tmp_path / "figures").iterdir())
    assert len(files) == 2 * len(F.FIGURES)
    assert all(str(f) in first.stdout for f in files)
    stamps = [f.stat().st_mtime_ns for f in files]
    second = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert "unchanged" in second.stdout
    assert [f.stat().st_mtime_ns for f in files] == stamps


def test_network_diagram_labels_clear_the_arrows(trace):
    """No weight's label comes within a few pixels of any arrow's stroke."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.patches import FancyArrowPatch

    fig = F.network_diagram(trace)
    ax = fig.axes[0]
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    labels = [t for t in ax.texts if "lambda" in t.get_text()]
    assert len(labels) == 2 * trace.n and len(arrows) >= 4 * trace.n
    px_per_point = fig.dpi / 72
    for text in labels:
        box = text.get_window_extent(renderer)
        low, high = np.array([box.x0, box.y0]), np.array([box.x1, box.y1])
        for arrow in arrows:
            path = arrow.get_path().interpolated(200)
            points = ax.transData.transform(path.vertices)
            gap = np.maximum(np.maximum(low - points, points - high), 0)
            nearest = np.sqrt((gap**2).sum(axis=1)).min()
            half_stroke = arrow.get_linewidth() * px_per_point / 2
            assert nearest > half_stroke + 3, f"{text.get_text()} touches an arrow"
