"""render.py end to end at a tiny size: outputs, the render cache, decks, errors.

Every render here is 256x144 at 5 frames a second from a 3,000-epoch run, and
most tests share the outputs of the module's first main job.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
TINY = ["--resolution", "256x144", "--fps", "5"]
RUN = ["--epochs", "3000", *TINY]  # trains into (then reuses) OUT/traces
SCENE, CLS = "fakes", "FakesConverge"


def render(*args, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "render.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


def timed(*args):
    started = time.perf_counter()
    result = render(*args)
    return result, time.perf_counter() - started


def frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgba") for f in container.decode(video=0)]


def slide_files(out: Path, scene: str = SCENE, cls: str = CLS) -> list[Path]:
    config = out / ".cache" / f"{scene}.mp4" / "slides" / f"{cls}.json"
    return [config.parent.parent / s["file"]
            for s in json.loads(config.read_text())["slides"]]


def all_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def main_job(tmp_path_factory):
    """The same main job twice: the first trains and renders, the second not."""
    out = tmp_path_factory.mktemp("out")
    first, first_s = timed(SCENE, *RUN, "--out", out)
    assert first.returncode == 0, first.stderr
    stamp = (out / f"{SCENE}.mp4").stat().st_mtime_ns
    second, second_s = timed(SCENE, *RUN, "--out", out)
    assert second.returncode == 0, second.stderr
    return {"out": out, "first": first, "second": second, "stamp": stamp,
            "first_s": first_s, "second_s": second_s}


def test_main_job_makes_a_video_of_the_right_length(main_job):
    out = main_job["out"]
    video = out / f"{SCENE}.mp4"
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        duration = container.duration / av.time_base
        assert (stream.width, stream.height) == (256, 144)
        assert float(stream.average_rate) == pytest.approx(5, abs=0.01)
    count = len(frames(video))
    assert abs(count - duration * 5) <= 1

    # the step points' videos, cut by manim-slides, add up to the same frames
    assert sum(len(frames(f)) for f in slide_files(out)) == count

    # the closing table names the file with its length and size
    row = [line for line in main_job["first"].stdout.splitlines()
           if line.startswith(SCENE) and str(video) in line]
    assert row, main_job["first"].stdout
    assert f"{duration:.1f} s" in row[0]
    assert f"{video.stat().st_size / 1000:.1f} kB" in row[0]


def test_second_run_neither_retrains_nor_renders(main_job):
    first, second = main_job["first"].stdout, main_job["second"].stdout
    assert "trace: trained 3,000 epochs" in first
    assert f"scene {SCENE}: rendering" in first
    assert "trace: reusing" in second and "trained" not in second
    assert "rendering" not in second and f"scene {SCENE}: unchanged" in second
    assert (main_job["out"] / f"{SCENE}.mp4").stat().st_mtime_ns == main_job["stamp"]
    assert main_job["second_s"] < main_job["first_s"] / 10
    assert not (main_job["out"] / ".work").exists()


def test_progress_lines_and_quiet(main_job):
    first = main_job["first"].stdout
    assert f"scene {SCENE}: rendering" in first and f"scene {SCENE}: done in" in first
    quiet = render(SCENE, *RUN, "--out", main_job["out"], "--quiet")
    assert quiet.returncode == 0
    assert quiet.stdout == "" and quiet.stderr == ""


def gif_palettes(data: bytes) -> tuple[bool, list[bool]]:
    """Whether a GIF has a global palette, and for each image a local one."""
    assert data[:6] in (b"GIF87a", b"GIF89a")
    packed = data[10]
    pos = 13 + (3 * 2 ** ((packed & 7) + 1) if packed & 0x80 else 0)
    local = []

    def skip_sub_blocks(pos):
        while data[pos]:
            pos += data[pos] + 1
        return pos + 1

    while data[pos] != 0x3B:
        if data[pos] == 0x21:  # extension: label, then sub-blocks
            pos = skip_sub_blocks(pos + 2)
        elif data[pos] == 0x2C:  # image: descriptor, palette?, LZW data
            flags = data[pos + 9]
            local.append(bool(flags & 0x80))
            pos += 10 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
            pos = skip_sub_blocks(pos + 1)
        else:
            raise AssertionError(f"unexpected GIF block {data[pos]:#x} at {pos}")
    return bool(packed & 0x80), local


def test_gif_loops_with_one_palette_at_the_asked_rate_and_width(main_job):
    out = main_job["out"]
    result = render(SCENE, *RUN, "--out", out, "--format", "gif", "--gif-fps", "2.5",
                    "--gif-width", "128")
    assert result.returncode == 0, result.stderr
    gif = out / f"{SCENE}.gif"
    with Image.open(gif) as im:
        assert im.info["loop"] == 0
        assert im.size == (128, 72)
        count = im.n_frames
    with av.open(str(out / f"{SCENE}.mp4")) as container:
        duration = container.duration / av.time_base
    assert abs(count - duration * 2.5) <= 1
    has_global, local = gif_palettes(gif.read_bytes())
    assert has_global and len(local) == count and not any(local)


def test_png_is_the_last_frame(main_job):
    out = main_job["out"]
    result = render(SCENE, *RUN, "--out", out, "--format", "png")
    assert result.returncode == 0, result.stderr
    png = np.asarray(Image.open(out / f"{SCENE}.png").convert("RGB")).astype(int)
    video = frames(out / f"{SCENE}.mp4")
    assert png.shape == (144, 256, 3)
    distance = [np.abs(png - frame[:, :, :3]).mean() for frame in video]
    assert distance[-1] < 2 and distance[-1] == min(distance)
    assert distance[-1] < min(distance[: len(video) // 4])  # not an early frame
    assert "still" in result.stdout


def rgba_frames_vp9(path: Path, size=(256, 144)) -> np.ndarray:
    """A webm's frames with alpha: FFmpeg's libvpx decoder keeps the alpha plane."""
    import imageio_ffmpeg

    raw = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error",
                          "-c:v", "libvpx-vp9", "-i", str(path), "-f", "rawvideo",
                          "-pix_fmt", "rgba", "-"], capture_output=True, check=True)
    return np.frombuffer(raw.stdout, np.uint8).reshape(-1, size[1], size[0], 4)


@pytest.mark.parametrize("fmt", ["mov", "webm"])
def test_transparent_video_has_an_alpha_channel(main_job, fmt):
    out = main_job["out"]
    result = render(SCENE, *RUN, "--out", out, "--format", fmt, "--transparent")
    assert result.returncode == 0, result.stderr
    video = out / f"{SCENE}.{fmt}"
    last = frames(video)[-1] if fmt == "mov" else rgba_frames_vp9(video)[-1]
    alpha = last[:, :, 3]
    assert alpha.min() == 0 and alpha.max() == 255
    assert (alpha == 0).mean() > 0.5  # the background is see-through


@pytest.mark.parametrize("to", ["html", "pptx", "pdf"])
def test_slides_decks_parse(main_job, to):
    out = main_job["out"]
    result = render("slides", "--to", to, SCENE, *RUN, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "rendering" not in result.stdout  # the main job's render is reused
    steps = len(slide_files(out))
    deck = out / "slides" / f"lecture.{to}"
    if to == "html":
        html = deck.read_text()
        videos = [line.split('"')[1] for line in html.splitlines()
                  if "data-background-video=" in line]
        assert len(videos) == steps
        assert all((deck.parent / v).is_file() for v in videos)
    elif to == "pptx":
        pptx = pytest.importorskip("pptx")
        assert len(pptx.Presentation(str(deck)).slides) == steps
    else:
        data = deck.read_bytes()
        assert data.startswith(b"%PDF")
        assert len(re.findall(rb"/Type\s*/Page(?!s)", data)) == steps
    assert not [p for p in deck.parent.iterdir() if p.name.startswith(".")]


def test_jobs_render_two_scenes_at_once(tmp_path):
    result = render("losses", SCENE, *RUN, "--out", tmp_path, "--jobs", "2")
    assert result.returncode == 0, result.stderr
    for name in ("losses", SCENE):
        assert len(frames(tmp_path / f"{name}.mp4")) > 10
    lines = result.stdout.splitlines()
    # both began before either ended, and the table keeps the lecture's order
    began = [i for i, line in enumerate(lines) if line.endswith(": rendering")]
    ended = [i for i, line in enumerate(lines) if ": done in" in line]
    assert len(began) == len(ended) == 2 and max(began) < min(ended)
    assert [row.split()[0] for row in lines[-2:]] == [SCENE, "losses"]


def test_list_names_every_scene():
    sys.path.insert(0, str(ROOT))
    from scenes import SCENES

    result = render("--list")
    assert result.returncode == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == list(SCENES)


# errors: one line on stderr, exit status 2, nothing left in the output folder


@pytest.fixture
def corrupt_trace(tmp_path):
    path = tmp_path / "corrupt.npz"
    path.write_bytes(b"PK\x03\x04 this is not a trace")
    return path


ERRORS = {
    "unknown scene": (["fakse"], "did you mean fakes"),
    "bad quality": (["--quality", "ultra"], "invalid choice"),
    "bad jobs": (["--jobs", "0"], "must be at least 1"),
    "odd resolution": (["--resolution", "255x144"], "even"),
    "gif flag without gif": (["--gif-width", "64"], "needs --format gif"),
    "gif faster than the render": (["--format", "gif", "--gif-fps", "100"],
                                   "above the render's"),
    "transparent mp4": (["--transparent"], "needs --format webm or mov"),
    "bad epochs": (["--epochs", "-5"], "epochs must be at least 1"),
    "missing trace": (["--trace", "no-such.npz"], "no such trace file"),
    "trace with training flags": (["--trace", "{corrupt}", "--seed", "1"],
                                  "cannot be combined with --seed"),
    "corrupt trace": (["--trace", "{corrupt}"], "corrupt.npz"),
    "diverging": (["--lr-g", "1e308", "--lr-d", "1e308", "--epochs", "3000"],
                  "diverged"),
    "bad deck": (["slides", "--to", "odp"], "invalid choice"),
    "figures from a corrupt trace": (["figures", "--trace", "{corrupt}"],
                                     "corrupt.npz"),
}


@pytest.mark.parametrize("case", ERRORS)
def test_errors_are_one_line_and_exit_2(case, tmp_path, corrupt_trace):
    args, message = ERRORS[case]
    args = [a.replace("{corrupt}", str(corrupt_trace)) for a in args]
    out = tmp_path / "out"
    if args[0] in ("slides", "figures"):
        args = [args[0], SCENE, *args[1:]] if args[0] == "slides" else args
        args = [*args, "--out", out]
    else:
        args = [SCENE, *args, "--out", out]
    result = render(*args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("render.py"), result.stderr
    assert message in lines[0]
    assert not out.exists() or all_files(out) == []


def test_output_folder_that_is_a_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for out, message in ((blocker, "is a file"), (blocker / "sub", "cannot write")):
        result = render(SCENE, *RUN, "--out", out)
        assert result.returncode == 2
        assert len(result.stderr.splitlines()) == 1 and message in result.stderr
    assert blocker.read_text() == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to any folder")
def test_output_folder_without_write_permission(tmp_path):
    out = tmp_path / "locked"
    out.mkdir()
    out.chmod(0o500)
    try:
        result = render(SCENE, *RUN, "--out", out)
    finally:
        out.chmod(0o700)
    assert result.returncode == 2 and "cannot write" in result.stderr
    assert all_files(out) == []


@pytest.mark.parametrize("scenes", [[SCENE], [SCENE, "losses"]])
def test_ctrl_c_stops_manim_and_leaves_no_partial_file(tmp_path, scenes):
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "render.py"), *scenes, *RUN, "--out", str(out),
         "--jobs", str(len(scenes)), "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while len(list((out / ".work").glob("*/media/videos"))) < len(scenes):
        assert proc.poll() is None and time.monotonic() < deadline, "no render began"
        time.sleep(0.1)
    time.sleep(1.5)  # well into the frames
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)

    assert proc.returncode == 130
    assert stderr.splitlines() == ["render.py: interrupted; no partial file was kept"]
    assert not (out / ".work").exists() and not (out / ".cache").exists()
    assert not [name for name in scenes if (out / f"{name}.mp4").exists()]
    assert [p.parent.name for p in all_files(out)] == ["traces"]
    # no Manim process is left running on our output folder
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            assert str(out).encode() not in cmdline.read_bytes()
        except OSError:
            pass  # the process ended while we looked


def test_cache_key_follows_sources_and_options(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT))
    import render as cli

    copy = tmp_path / "tree"
    for folder in ("scenes", "ganmath"):
        (copy / folder).mkdir(parents=True)
        for f in (ROOT / folder).glob("*.py"):
            (copy / folder / f.name).write_bytes(f.read_bytes())
    (copy / "render.py").write_bytes((ROOT / "render.py").read_bytes())
    monkeypatch.setattr(cli, "ROOT", copy)

    def edit(name):
        path = copy / "scenes" / name
        path.write_text(path.read_text() + "\n# a change\n")

    # the scene's own file and the helpers it imports count, other scenes do not
    assert "plots.py" in [p.name for p in cli.scene_sources("fakes.py")]
    before = cli.code_digest("fakes.py")
    assert cli.code_digest("fakes.py") == before
    edit("architecture.py")
    assert cli.code_digest("fakes.py") == before
    for name in ("fakes.py", "plots.py", "common.py"):
        edit(name)
        assert cli.code_digest("fakes.py") != before
        before = cli.code_digest("fakes.py")

    keys = {cli.key_of(trace="t", code="c", scene=SCENE,
                       **cli.asdict(cli.RenderOptions(**opts)))
            for opts in ({}, {"quality": "low"}, {"format": "gif"},
                         {"format": "gif", "gif_fps": 5.0}, {"fps": 5.0},
                         {"size": (256, 144)}, {"format": "webm", "transparent": True})}
    assert len(keys) == 7
