"""Render every scene and print its video length and render time per quality.

    .venv/bin/python benchmarks/bench_scenes.py [SCENE ...] [--qualities l,h]
    .venv/bin/python benchmarks/bench_scenes.py --epochs-check [SCENE ...]

The first form renders each scene with Manim at 480p15 (``l``) and 1080p60
(``h``) from the chapter's trace and prints a table; "speed" is video seconds
per wall-clock second (1.0 or more is real time). The second renders each
scene at 480p15 from a 5,000-epoch and a 500,000-epoch trace and prints the
ratio of their render times, which should stay near 1: a frame's cost must not
depend on how long the run trained.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ganmath import TrainConfig, save_trace, train  # noqa: E402
from ganmath.cache import trace_path  # noqa: E402
from scenes import SCENES  # noqa: E402

FOLDERS = {"l": "480p15", "m": "720p30", "h": "1080p60", "k": "2160p60"}


def render(name: str, quality: str, trace: Path, work: Path) -> tuple[float, float]:
    """Render one scene; return (video seconds, wall seconds)."""
    file, cls, _ = SCENES[name]
    cmd = [
        sys.executable,
        "-m",
        "manim",
        "render",
        f"-q{quality}",
        "--disable_caching",
        "--progress_bar",
        "none",
        "--verbosity",
        "ERROR",
        "--media_dir",
        str(work),
        str(ROOT / "scenes" / file),
        cls,
    ]
    env = {**os.environ, "GANIMATE_TRACE": str(trace), "PYTHONPATH": str(ROOT)}
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run(cmd, cwd=work, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    video = work / "videos" / Path(file).stem / FOLDERS[quality] / f"{cls}.mp4"
    with av.open(str(video)) as container:
        length = float(container.duration) / av.time_base
    return length, wall


def table(names: list[str], qualities: list[str]) -> None:
    trace = trace_path()
    if not trace.exists():
        save_trace(train(), trace)
    head = f"{'scene':<13} {'length':>7}" + "".join(
        f" {FOLDERS[q] + ' time':>14} {'speed':>6}" for q in qualities
    )
    print(head)
    totals = {q: 0.0 for q in qualities}
    for name in names:
        row = ""
        for q in qualities:
            with tempfile.TemporaryDirectory() as tmp:
                length, wall = render(name, q, trace, Path(tmp))
            totals[q] += wall
            row += f" {wall:>12.1f} s {length / wall:>5.2f}x"
        print(f"{name:<13} {length:>5.1f} s{row}", flush=True)
    print(
        f"{'total':<13} {'':>7}"
        + "".join(f" {totals[q]:>12.1f} s {'':>6}" for q in qualities)
    )


def epochs_check(names: list[str]) -> None:
    """Each scene at 480p15 from a 5,000- and a 500,000-epoch trace, best of two."""
    with tempfile.TemporaryDirectory() as tmp:
        traces = {}
        for epochs in (5_000, 500_000):
            traces[epochs] = Path(tmp) / f"{epochs}.npz"
            save_trace(train(TrainConfig(epochs=epochs)), traces[epochs])
        print(f"{'scene':<13} {'5,000 epochs':>13} {'500,000 epochs':>15} {'ratio':>6}")
        for name in names:
            best = {
                epochs: min(
                    render(name, "l", path, Path(tmp) / f"{name}-{epochs}-{i}")[1]
                    for i in range(2)
                )
                for epochs, path in traces.items()
            }
            ratio = best[500_000] / best[5_000]
            print(
                f"{name:<13} {best[5_000]:>11.2f} s {best[500_000]:>13.2f} s "
                f"{ratio:>6.2f}",
                flush=True,
            )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("scenes", nargs="*", default=list(SCENES))
    p.add_argument("--qualities", default="l,h")
    p.add_argument(
        "--epochs-check",
        action="store_true",
        help="compare renders from a short and a long trace",
    )
    args = p.parse_args()
    if args.epochs_check:
        epochs_check(args.scenes or list(SCENES))
    else:
        table(args.scenes or list(SCENES), args.qualities.split(","))


if __name__ == "__main__":
    main()
