"""GIF sizes: our export of the ``fakes`` scene beside Manim's own ``--format gif``.

    python benchmarks/bench_gif.py [--keep DIR]

Renders the scene at 480p15 once as mp4 (through ``render.py``) and once with
Manim's own GIF writer, then prints the size of a 10-second clip and of the
whole scene for each. Our 10-second GIF is exported from the first 10 seconds
of the video, with its own palette; Manim's is its GIF cut to the same frames
(a stream copy, so its bytes are Manim's).
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import render  # noqa: E402
from scenes import SCENES  # noqa: E402

SCENE = "fakes"
CLIP_SECONDS = 10


def run(cmd, **kwargs):
    subprocess.run(cmd, check=True, **kwargs)


def cut(source: Path, target: Path, seconds: float, copy: bool) -> Path:
    """The first ``seconds`` of ``source``, stream-copied or as an mp4."""
    codec = ["-c", "copy"] if copy else ["-an"]
    run([render.ffmpeg(), "-v", "error", "-y", "-i", str(source), "-t", str(seconds),
         *codec, str(target)])
    return target


def describe(path: Path) -> str:
    with Image.open(path) as im:
        frames, size = im.n_frames, im.size
    megabytes = path.stat().st_size / 1e6
    return f"{megabytes:6.2f} MB  {frames:4d} frames  {size[0]}x{size[1]}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--keep", type=Path, help="keep the files in this folder")
    args = p.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-gif-"))
    work.mkdir(parents=True, exist_ok=True)
    python = sys.executable

    # the scene at 480p15 as a video, and our GIF of the whole of it
    for fmt in ("mp4", "gif"):
        run([python, str(ROOT / "render.py"), SCENE, "--quality", "low",
             "--format", fmt, "--out", str(work), "--quiet"])
    trace = next((work / "traces").glob("*.npz"))

    # Manim's own GIF of the same scene from the same trace
    file, cls, _ = SCENES[SCENE]
    manim_dir = work / "manim-gif"
    manim_dir.mkdir(exist_ok=True)
    env = {**os.environ, "GANIMATE_TRACE": str(trace), "PYTHONPATH": str(ROOT)}
    run([python, "-m", "manim", "render", "-ql", "--format", "gif", "--silent",
         "--disable_caching", "--progress_bar", "none", "-v", "WARNING",
         "--media_dir", str(manim_dir / "media"), str(ROOT / "scenes" / file), cls],
        cwd=manim_dir, env=env)
    (manim_gif,) = (manim_dir / "media").rglob(f"{cls}*.gif")

    # the 10-second clips
    clip = cut(work / f"{SCENE}.mp4", work / "clip.mp4", CLIP_SECONDS, copy=False)
    ours_clip = work / "ours-10s.gif"
    options = render.RenderOptions(quality="low", format="gif")
    render.export_gif(clip, ours_clip, options)
    manim_clip = cut(manim_gif, work / "manim-10s.gif", CLIP_SECONDS, copy=True)

    print(f"{SCENE} at 480p15, {render.video_length(work / f'{SCENE}.mp4'):.1f} s "
          f"in all; files in {work}")
    rows = [("10 s, our export", ours_clip), ("10 s, manim --format gif", manim_clip),
            ("whole scene, our export", work / f"{SCENE}.gif"),
            ("whole scene, manim --format gif", manim_gif)]
    for name, path in rows:
        print(f"  {name:<32} {describe(path)}")
    limit = 3e6
    verdict = "under" if ours_clip.stat().st_size < limit else "OVER"
    print(f"  our 10 s GIF is {verdict} the 3 MB budget")


if __name__ == "__main__":
    main()
