#!/usr/bin/env python3
"""ganimate's command line: train the GAN, render the scenes, export the results.

    python render.py                       the main job: train (or reuse the cached
                                           trace), render every scene, write the
                                           figures, and list what was made
    python render.py fakes losses          just these scenes
    python render.py --list                the scenes, a line each
    python render.py --format gif          GIFs (also mp4, webm, png, mov)
    python render.py slides --to html      a step-through deck (also pptx, pdf)
    python render.py figures               the static figures, PNG and SVG
    python render.py train --out FILE      train and save a trace
    python render.py COMMAND --help        every flag

Every output is written to a temporary path inside the output folder and
renamed into place, so an interrupted or failed run leaves no partial file.
Renders are cached under ``OUT/.cache``: a scene is rendered again only when
its trace, its sources (its file, the ``scenes`` modules it imports, ``ganmath``
and this file) or the render options change.

Mistakes in the command line, the configuration or the inputs get a one-line
error and exit status 2; Ctrl-C stops Manim, removes its temporary files and
exits with status 130.
"""

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from ganmath import (  # noqa: E402
    ConfigError,
    DataError,
    TraceError,
    TrainConfig,
    TrainingDiverged,
    load_config,
    load_trace,
    save_trace,
    train,
)
from ganmath.cache import DEFAULT_MEDIA, trace_path  # noqa: E402
from ganmath.config import from_mapping  # noqa: E402

#: Manim's quality flag, frame size and frame rate for each ``--quality``.
QUALITIES = {
    "low": ("l", (854, 480), 15),
    "medium": ("m", (1280, 720), 30),
    "high": ("h", (1920, 1080), 60),
    "4k": ("k", (3840, 2160), 60),
}
FORMATS = ("mp4", "gif", "webm", "png", "mov")
DECKS = ("html", "pptx", "pdf")
TRAINING_FLAGS = ("config", "seed", "epochs", "batch_size", "lr_g", "lr_d", "loss",
                  "data", "record_every")


class UserError(Exception):
    """A mistake of the user's: reported in one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but a bad flag gives one line rather than the usage block."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


class Output:
    """Progress lines on stdout, one thread at a time; silent when quiet."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.lock = threading.Lock()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            with self.lock:
                print(message, flush=True)


# flag values


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def frame_rate(text: str) -> float:
    """Frames a second, from 1 to 120."""
    value = positive_float(text)
    if not 1 <= value <= 120:
        raise argparse.ArgumentTypeError(f"must be from 1 to 120, got {text}")
    return value


def frame_size(text: str) -> tuple[int, int]:
    """``WxH`` (or ``W,H``), each side even and at least 16 pixels."""
    parts = text.lower().replace(",", "x").split("x")
    try:
        width, height = (int(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected WIDTHxHEIGHT such as 256x144, got {text!r}") from None
    if min(width, height) < 16 or width % 2 or height % 2:
        raise argparse.ArgumentTypeError(
            f"width and height must be even and at least 16, got {text!r}")
    if width > 7680 or height > 4320:
        raise argparse.ArgumentTypeError(
            f"at most 7680x4320 (8K), got {text!r}")
    return width, height


# training


def add_training_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("training (flags override --config)")
    g.add_argument("--config", type=Path, help="TOML or JSON file of training settings")
    g.add_argument("--seed", type=int)
    g.add_argument("--epochs", type=int)
    g.add_argument("--batch-size", type=int)
    g.add_argument("--lr-g", type=float, help="generator learning rate")
    g.add_argument("--lr-d", type=float, help="discriminator learning rate")
    g.add_argument("--loss", choices=["non-saturating", "minimax"],
                   help="generator loss (default: non-saturating, the chapter's)")
    g.add_argument("--data",
                   help="'synthetic' (default) or a CSV file, one image a row")
    g.add_argument("--record-every", type=int,
                   help="keep every k-th epoch in the trace")


def training_config(args: argparse.Namespace) -> TrainConfig:
    """The configuration the flags describe: the file's values, then the flags."""
    base = load_config(args.config) if args.config else TrainConfig()
    flags = {name: getattr(args, name) for name in TRAINING_FLAGS[1:]
             if getattr(args, name, None) is not None}
    return from_mapping({**base.to_dict(), **flags}) if flags else base


class TrainingProgress:
    """Shows training progress on stderr and the chapter's log lines on stdout."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.bar = sys.stderr.isatty() and not quiet
        self.start = time.perf_counter()

    def __call__(self, done: int, total: int, log) -> None:
        if self.quiet:
            return
        if self.bar:
            sys.stderr.write("\r\033[K")
        for epoch, d_loss, g_loss in log:
            print(f"Epoch {epoch}: D_loss = {d_loss:.4f}, G_loss = {g_loss:.4f}",
                  flush=True)
        if self.bar:
            filled = 30 * done // total
            sys.stderr.write(f"training [{'#' * filled}{'.' * (30 - filled)}] "
                             f"{done:,}/{total:,} epochs")
            if done == total:
                sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def run_training(config: TrainConfig, quiet: bool = False):
    """Train with progress shown; a divergence becomes a user error."""
    progress = TrainingProgress(quiet)
    try:
        trace = train(config, progress)
    except TrainingDiverged as e:
        if progress.bar:
            sys.stderr.write("\r\033[K")
        raise UserError(str(e)) from None
    return trace, time.perf_counter() - progress.start


def cmd_train(argv: list[str]) -> int:
    p = Parser(prog="render.py train", description="Train the GAN and save its trace.")
    p.add_argument("--out", type=Path, default=None,
                   help="trace file to write (default: the cache under media/traces)")
    p.add_argument("--quiet", action="store_true", help="no progress or log lines")
    add_training_flags(p)
    args = p.parse_args(argv)
    config = training_config(args)
    out = args.out or trace_path(config)
    if out.exists() and out.is_dir():
        raise UserError(f"--out {out} is a folder; give a file name such as trace.npz")
    writable_folder(out.parent)  # before training, not after
    trace, seconds = run_training(config, args.quiet)
    try:
        save_trace(trace, out)
    except OSError as e:
        raise UserError(f"cannot write {out}: {e.strerror or e}") from None
    if not args.quiet:
        print(f"trained {config.epochs:,} epochs in {seconds:.2f} s; trace: {out}")
    return 0


# the trace a command works from


def add_trace_flags(p: argparse.ArgumentParser) -> None:
    """Flags every rendering command shares: where to write, which trace, quiet."""
    p.add_argument("--out", type=Path, default=DEFAULT_MEDIA,
                   help="output folder (default: media/)")
    p.add_argument("--trace", type=Path,
                   help="work from this saved trace; no training")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    add_training_flags(p)


def writable_folder(out: Path) -> Path:
    """``out``, created if need be, after checking that files can be made in it."""
    if out.exists() and not out.is_dir():
        raise UserError(f"output folder {out} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as e:
        raise UserError(
            f"cannot write to output folder {out}: {e.strerror or e}") from None
    return out


def select_trace(args: argparse.Namespace, say: Output) -> Path:
    """The trace file the flags name, checked; trained into the cache if need be."""
    out = writable_folder(args.out)
    if args.trace:
        given = [f"--{n.replace('_', '-')}" for n in TRAINING_FLAGS
                 if getattr(args, n, None) is not None]
        if given:
            raise UserError(f"--trace renders a saved run; it cannot be combined "
                            f"with {given[0]}")
        load_trace(args.trace)
        return args.trace.resolve()

    config = training_config(args)
    path = trace_path(config, out)
    if path.exists():
        try:
            load_trace(path)
            say(f"trace: reusing {path}")
            return path
        except TraceError:
            pass  # a damaged cache entry is simply trained again
    trace, seconds = run_training(config, say.quiet)
    save_trace(trace, path)
    say(f"trace: trained {config.epochs:,} epochs in {seconds:.2f} s -> {path}")
    return path


# cache keys


def file_digest(*paths: Path) -> str:
    """A hash of the files' names and bytes, in the order given."""
    h = hashlib.sha256()
    for path in paths:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def scene_sources(file: str) -> list[Path]:
    """A scene's file and every ``scenes`` module it imports, directly or not.

    Another scene's file is not among them, so editing one scene leaves the
    others' renders cached.
    """
    import ast

    folder = ROOT / "scenes"
    found, todo = {folder / "__init__.py"}, [folder / file]
    while todo:
        path = todo.pop()
        if path in found or not path.is_file():
            continue
        found.add(path)
        for node in ast.walk(ast.parse(path.read_bytes(), str(path))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module == "scenes":
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module.removeprefix("scenes.")] \
                    if node.module.startswith("scenes.") else []
            elif isinstance(node, ast.Import):
                names = [a.name.removeprefix("scenes.") for a in node.names
                         if a.name.startswith("scenes.")]
            todo += [folder / f"{name.split('.')[0]}.py" for name in names]
    return sorted(found)


def code_digest(file: str) -> str:
    """A hash of everything besides the trace that decides what scene ``file`` shows.

    That is its sources, the core's, this file, and the versions of Manim and
    manim-slides.
    """
    from importlib.metadata import version

    sources = [ROOT / "render.py", *scene_sources(file),
               *sorted((ROOT / "ganmath").glob("*.py"))]
    h = hashlib.sha256(file_digest(*sources).encode())
    for package in ("manim", "manim-slides"):
        h.update(version(package).encode())
    return h.hexdigest()


def key_of(**parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:20]


def replace_folder(new: Path, target: Path) -> None:
    """Put folder ``new`` at ``target``, replacing what is there, by renames."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# subprocesses that Ctrl-C must stop


class Children:
    """Every running subprocess, so that an interrupt can stop them all."""

    def __init__(self):
        self.running: set[subprocess.Popen] = set()
        self.lock = threading.Lock()
        self.stopping = False

    def run(self, cmd: list[str], **kwargs) -> int:
        """Run ``cmd`` in its own process group to the end; its exit status."""
        with self.lock:
            if self.stopping:
                raise KeyboardInterrupt
            proc = subprocess.Popen(cmd, start_new_session=True, **kwargs)
            self.running.add(proc)
        try:
            status = proc.wait()
            if self.stopping:  # stopped by stop_all, not a failure of its own
                raise KeyboardInterrupt
            return status
        finally:
            if proc.poll() is None:
                stop(proc)
            with self.lock:
                self.running.discard(proc)

    def stop_all(self) -> None:
        with self.lock:
            self.stopping = True
            procs = list(self.running)
        for proc in procs:
            stop(proc)


def stop(proc: subprocess.Popen) -> None:
    """End ``proc`` and its children: SIGTERM to the group, SIGKILL if it lingers."""
    for sig, grace in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(grace)
            return
        except subprocess.TimeoutExpired:
            continue


CHILDREN = Children()


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


# rendering one scene


@dataclass(frozen=True)
class RenderOptions:
    """What decides a render besides the trace and the code."""

    quality: str = "medium"
    format: str = "mp4"
    transparent: bool = False
    size: tuple[int, int] | None = None  # overrides the quality's frame size
    fps: float | None = None  # overrides the quality's frame rate
    gif_fps: float | None = None  # GIF frame rate (default: the render's)
    gif_width: int | None = None  # GIF width in pixels (default: the render's)

    @property
    def frame_size(self) -> tuple[int, int]:
        return self.size or QUALITIES[self.quality][1]

    @property
    def frame_rate(self) -> float:
        return self.fps or QUALITIES[self.quality][2]

    @property
    def video_format(self) -> str:
        """What Manim writes: GIFs and PNGs are made afterwards from an mp4."""
        return self.format if self.format in ("webm", "mov") else "mp4"

    def check(self) -> None:
        if self.transparent and self.format not in ("webm", "mov"):
            raise UserError("--transparent needs --format webm or mov (mp4, gif and "
                            f"png have no alpha channel), got {self.format}")
        gif_flags = {"--gif-fps": self.gif_fps, "--gif-width": self.gif_width}
        for flag, value in gif_flags.items():
            if value is not None and self.format != "gif":
                raise UserError(f"{flag} needs --format gif")
        if self.gif_fps and self.gif_fps > self.frame_rate:
            raise UserError(f"--gif-fps {self.gif_fps:g} is above the render's "
                            f"{self.frame_rate:g} frames a second")
        if self.gif_width and self.gif_width > self.frame_size[0]:
            raise UserError(f"--gif-width {self.gif_width} is wider than the render's "
                            f"{self.frame_size[0]} pixels")


@dataclass
class Made:
    """One output: its scene, file, length in seconds (None for a still), size."""

    scene: str
    path: Path
    length: float | None
    size: int
    cached: bool = False


def manim_command(file: str, cls: str, opts: RenderOptions, media: Path,
                  bars: bool) -> list[str]:
    """The Manim command line for one scene, run through :func:`cmd_manim`."""
    flag = QUALITIES[opts.quality][0]
    width, height = opts.frame_size
    cmd = [sys.executable, str(ROOT / "render.py"), "_manim", "render", f"-q{flag}",
           "-r", f"{width},{height}", "--fps", f"{opts.frame_rate:g}",
           "--format", opts.video_format, "--media_dir", str(media),
           "--disable_caching", "--silent", "-v", "WARNING",
           "--progress_bar", "display" if bars else "none"]
    if opts.transparent:
        cmd.append("-t")
    return [*cmd, str(ROOT / "scenes" / file), cls]


def video_length(path: Path) -> float:
    """A video's length in seconds, from its container."""
    import av

    with av.open(str(path)) as container:
        return container.duration / av.time_base


def export_gif(video: Path, target: Path, opts: RenderOptions) -> None:
    """One palette for the whole clip, then the clip through it, looping forever."""
    steps = []
    if opts.gif_fps:
        steps.append(f"fps={opts.gif_fps:g}")
    if opts.gif_width:
        steps.append(f"scale={opts.gif_width}:-2:flags=lanczos")
    chain = ",".join([*steps, "split"])
    graph = (f"[0:v]{chain}[a][b];[a]palettegen=stats_mode=full[p];"
             "[b][p]paletteuse=dither=bayer:bayer_scale=5:diff_mode=rectangle")
    cmd = [ffmpeg(), "-v", "error", "-nostdin", "-y", "-i", str(video),
           "-filter_complex", graph, "-loop", "0", "-f", "gif", str(target)]
    status = CHILDREN.run(cmd)
    if status != 0:
        raise UserError(f"ffmpeg could not make {target.name} (exit {status})")


def export_png(video: Path, target: Path) -> None:
    """The video's last frame as a PNG (``manim -s`` cannot save Slide scenes)."""
    import av

    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        if container.duration and container.duration > 2 * av.time_base:
            # jump to a keyframe near the end rather than decode every frame
            container.seek(container.duration - 2 * av.time_base, backward=True)
        last = None
        for frame in container.decode(stream):
            last = frame
    if last is None:
        raise UserError(f"{video.name} holds no frames to save as a PNG")
    last.to_image().save(target, format="PNG")


class SceneRender:
    """Renders one scene into ``out``, or reuses its cached render.

    The cache entry ``out/.cache/<scene>.<format>/`` holds ``manifest.json``
    (the key, the output's name, length and size) and ``slides/``, the step
    points manim-slides wrote, which ``render.py slides`` builds decks from.
    """

    def __init__(self, name: str, trace: Path, trace_digest: str,
                 opts: RenderOptions, out: Path, say: Output, bars: bool):
        from scenes import SCENES

        self.name = name
        self.file, self.cls, _ = SCENES[name]
        self.trace, self.opts, self.out = trace, opts, out
        self.say, self.bars = say, bars
        self.target = out / f"{name}.{opts.format}"
        self.entry = out / ".cache" / f"{name}.{opts.format}"
        self.key = key_of(trace=trace_digest, code=code_digest(self.file), scene=name,
                          **asdict(opts))

    def cached(self) -> Made | None:
        try:
            manifest = json.loads((self.entry / "manifest.json").read_text())
            size = self.target.stat().st_size
        except (OSError, ValueError):
            return None
        if manifest.get("key") != self.key or manifest.get("size") != size:
            return None
        return Made(self.name, self.target, manifest["length"], size, cached=True)

    def run(self, force: bool = False) -> Made:
        made = None if force else self.cached()
        if made is not None:
            self.say(f"scene {self.name}: unchanged, reusing {self.target}")
            return made
        self.say(f"scene {self.name}: rendering")
        started = time.perf_counter()
        work_root = self.out / ".work"
        work_root.mkdir(exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f"{self.name}-", dir=work_root))
        try:
            made = self._render(work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
            try:
                work_root.rmdir()
            except OSError:
                pass  # another scene is still rendering there
        self.say(f"scene {self.name}: done in {time.perf_counter() - started:.1f} s "
                 f"-> {self.target}")
        return made

    def _render(self, work: Path) -> Made:
        env = {**os.environ, "GANIMATE_TRACE": str(self.trace),
               "PYTHONPATH": os.pathsep.join(
                   p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
        cmd = manim_command(self.file, self.cls, self.opts, work / "media", self.bars)
        log = work / "manim.log"
        if self.bars:
            status = CHILDREN.run(cmd, cwd=work, env=env)
        else:
            with open(log, "wb") as f:
                status = CHILDREN.run(cmd, cwd=work, env=env, stdout=f,
                                      stderr=subprocess.STDOUT)
        if status != 0:
            raise UserError(f"scene {self.name} failed to render (manim exit {status})"
                            + self._keep_log(log))
        videos = list((work / "media" / "videos").rglob(
            f"{self.cls}.{self.opts.video_format}"))
        if len(videos) != 1:
            wanted = f"{self.cls}.{self.opts.video_format}"
            raise UserError(f"scene {self.name}: manim wrote no {wanted}"
                            + self._keep_log(log))
        video = videos[0]
        length = video_length(video)

        # the export, made inside the work folder, then renamed into place
        result = work / f"result.{self.opts.format}"
        if self.opts.format == "gif":
            export_gif(video, result, self.opts)
        elif self.opts.format == "png":
            export_png(video, result)
            length = None
        else:
            os.replace(video, result)
        size = result.stat().st_size

        entry = work / "entry"
        entry.mkdir()
        if (work / "slides").is_dir():
            os.replace(work / "slides", entry / "slides")
        manifest = {"key": self.key, "scene": self.name, "file": self.target.name,
                    "length": length, "size": size, "options": asdict(self.opts)}
        (entry / "manifest.json").write_text(json.dumps(manifest, indent=2))
        os.replace(result, self.target)
        self.entry.parent.mkdir(exist_ok=True)
        replace_folder(entry, self.entry)
        return Made(self.name, self.target, length, size)

    def _keep_log(self, log: Path) -> str:
        """Save Manim's log of a failed render; the hint naming where it went."""
        if not log.exists():
            return ""
        logs = self.out / ".logs"
        logs.mkdir(exist_ok=True)
        kept = logs / f"{self.name}.log"
        shutil.copyfile(log, kept)
        return f"; its log: {kept}"


def render_scenes(names: list[str], trace: Path, opts: RenderOptions, out: Path,
                  say: Output, jobs: int = 1, force: bool = False) -> list[Made]:
    """Render (or reuse) each scene; ``jobs`` of them at a time."""
    from scenes import SCENES, THREE_PIXELS

    pixels = load_trace(trace).n
    drawn = [name for name in names if name in THREE_PIXELS]
    if pixels != 3 and drawn:
        raise UserError(f"scene {drawn[0]} draws the chapter's three-pixel network; "
                        f"this trace has {pixels} pixels (saturation, fakes and "
                        "losses take any count)")
    for name in names:
        if not (ROOT / "scenes" / SCENES[name][0]).is_file():
            raise UserError(f"scene {name}: scenes/{SCENES[name][0]} is missing")

    digest = file_digest(trace)
    bars = not say.quiet and jobs == 1
    renders = [SceneRender(n, trace, digest, opts, out, say, bars) for n in names]
    if jobs == 1:
        return [r.run(force) for r in renders]

    pool = ThreadPoolExecutor(max_workers=jobs)
    futures = [pool.submit(r.run, force) for r in renders]
    try:
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in done:
                future.result()  # a failed scene stops the others
        return [f.result() for f in futures]
    except BaseException:
        CHILDREN.stop_all()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def human_size(size: int) -> str:
    for unit in ("B", "kB", "MB"):
        if size < 1000:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"


def print_table(made: list[Made], say: Output) -> None:
    """What was made: scene, file, length (seconds) and size, a row each."""
    if not made:
        return
    rows = [("scene", "file", "length", "size")]
    for m in made:
        length = "still" if m.length is None else f"{m.length:.1f} s"
        rows.append((m.scene, str(m.path), length, human_size(m.size)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for i, row in enumerate(rows):
        say(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  "
            f"{row[2]:>{widths[2]}}  {row[3]:>{widths[3]}}")
        if i == 0:
            say("  ".join("-" * w for w in widths))


# the main job and the slides command


def add_render_flags(p: argparse.ArgumentParser, formats: bool = True) -> None:
    p.add_argument("scenes", nargs="*", help="scenes to render (default: all)")
    p.add_argument("--quality", choices=list(QUALITIES), default="medium",
                   help="low 480p15, medium 720p30 (default), high 1080p60, 4k 2160p60")
    if formats:
        p.add_argument("--format", choices=FORMATS, default="mp4",
                       help="png saves the last frame (default: mp4)")
        p.add_argument("--transparent", action="store_true",
                       help="transparent background (with --format webm or mov)")
        p.add_argument("--gif-fps", type=positive_float,
                       help="GIF frame rate (default: the render's)")
        p.add_argument("--gif-width", type=positive_int,
                       help="GIF width in pixels (default: the render's)")
    p.add_argument("--resolution", type=frame_size, metavar="WxH",
                   help="frame size overriding --quality's, e.g. 256x144")
    p.add_argument("--fps", type=frame_rate,
                   help="frame rate overriding --quality's")
    p.add_argument("--jobs", type=positive_int, default=1,
                   help="scenes rendered at once, each in its own process (default: 1)")
    p.add_argument("--force", action="store_true",
                   help="render again even when the cache holds the result")
    add_trace_flags(p)


def scene_names(requested: list[str]) -> list[str]:
    """The requested scenes in lecture order (all when none), checked."""
    from scenes import SCENES

    for name in requested:
        if name not in SCENES:
            import difflib

            close = difflib.get_close_matches(name, SCENES, n=3, cutoff=0.5)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise UserError(f"unknown scene {name!r}{hint}; see --list")
    return [n for n in SCENES if not requested or n in requested]


def render_options(args: argparse.Namespace) -> RenderOptions:
    opts = RenderOptions(
        quality=args.quality, format=getattr(args, "format", "mp4"),
        transparent=getattr(args, "transparent", False), size=args.resolution,
        fps=args.fps, gif_fps=getattr(args, "gif_fps", None),
        gif_width=getattr(args, "gif_width", None))
    opts.check()
    return opts


def cmd_main(argv: list[str]) -> int:
    from scenes import SCENES

    summary, commands = __doc__.split("\n\n")[:2]
    p = Parser(prog="render.py", description=f"{summary}\n\n{commands}",
               formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--list", action="store_true", help="list the scenes and stop")
    add_render_flags(p)
    args = p.parse_args(argv)

    if args.list:
        width = max(map(len, SCENES))
        for name, (_, _, summary) in SCENES.items():
            print(f"{name:<{width}}  {summary}")
        return 0
    say = Output(args.quiet)
    names = scene_names(args.scenes)
    opts = render_options(args)
    trace = select_trace(args, say)
    made = render_scenes(names, trace, opts, args.out, say, args.jobs, args.force)
    if not args.scenes:
        figures = write_figures(trace, args.out, say, args.force)
        say(f"figures: {len(figures)} files in {args.out / 'figures'}")
    print_table(made, say)
    return 0


def cmd_slides(argv: list[str]) -> int:
    p = Parser(prog="render.py slides",
               description="Build a step-through deck from the scenes' step points.")
    p.add_argument("--to", choices=DECKS, default="html",
                   help="html (reveal.js), pptx (PowerPoint) or pdf (a page a step)")
    p.add_argument("--name", default="lecture",
                   help="deck file name without extension (default: lecture)")
    p.add_argument("--one-file", action="store_true",
                   help="html: embed the videos in the page itself")
    add_render_flags(p, formats=False)
    args = p.parse_args(argv)
    if os.sep in args.name or not args.name.strip("."):
        raise UserError(f"--name takes a plain file name, got {args.name!r}")
    if args.quiet:
        os.environ["TQDM_DISABLE"] = "1"  # the converters' progress bars
    try:
        from manim_slides.config import PresentationConfig
        from manim_slides.convert import Converter
    except ImportError as e:
        raise UserError(f"slides need the Python package {e.name}, which is not "
                        "installed (pip install manim-slides python-pptx)") from None

    say = Output(args.quiet)
    names = scene_names(args.scenes)
    opts = render_options(args)
    trace = select_trace(args, say)
    made = render_scenes(names, trace, opts, args.out, say, args.jobs, args.force)
    if not made:
        raise UserError("no scene to make slides of")

    from scenes import SCENES

    configs = []
    for m in made:
        cls = SCENES[m.scene][1]
        file = args.out / ".cache" / f"{m.scene}.mp4" / "slides" / f"{cls}.json"
        if not file.exists():
            raise UserError(f"scene {m.scene} left no step points ({file} is missing); "
                            "render it again with --force")
        configs.append(PresentationConfig.from_file(file))

    folder = args.out / "slides"
    folder.mkdir(exist_ok=True)
    deck = folder / f"{args.name}.{args.to}"
    assets = folder / f"{args.name}_assets"
    work = Path(tempfile.mkdtemp(prefix=".deck-", dir=folder))
    try:
        # Known shortcoming: an html deck loads reveal.js from its CDN when opened,
        # so showing it needs the network; manim-slides' --offline would fetch
        # the files now, which we do not do behind the user's back.
        options = {"one_file": True} if args.one_file and args.to == "html" else {}
        converter = Converter.from_string(args.to)(presentation_configs=configs,
                                                   **options)
        converter.convert_to(work / deck.name)
        if (work / assets.name).is_dir():
            replace_folder(work / assets.name, assets)
        os.replace(work / deck.name, deck)
    except ImportError as e:
        raise UserError(f"--to {args.to} needs the Python package {e.name}, which is "
                        "not installed") from None
    except (OSError, ValueError, RuntimeError) as e:
        raise UserError(f"cannot build the {args.to} deck: {e}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    steps = sum(len(c.slides) for c in configs)
    say(f"slides: {steps} steps from {len(configs)} scenes -> {deck}")
    return 0


# figures


def write_figures(trace: Path, out: Path, say: Output,
                  force: bool = False) -> list[Path]:
    """The static figures of ``trace`` in ``out/figures``, reused when unchanged."""
    from importlib.metadata import version

    folder = out / "figures"
    code = file_digest(*sorted((ROOT / "ganmath").glob("*.py")))
    key = key_of(trace=file_digest(trace), code=code, matplotlib=version("matplotlib"))
    manifest = out / ".cache" / "figures.json"
    if not force:
        try:
            kept = json.loads(manifest.read_text())
            files = [folder / name for name in kept["files"]]
            if kept["key"] == key and all(f.exists() for f in files):
                say(f"figures: unchanged, reusing {folder}")
                return files
        except (OSError, ValueError, KeyError):
            pass

    from ganmath.figures import write_all

    say("figures: drawing")
    files = write_all(load_trace(trace), folder)
    manifest.parent.mkdir(exist_ok=True)
    tmp = manifest.with_suffix(".tmp")
    tmp.write_text(json.dumps({"key": key, "files": [f.name for f in files]}))
    os.replace(tmp, manifest)
    return files


def cmd_figures(argv: list[str]) -> int:
    p = Parser(prog="render.py figures",
               description="Write the chapter's static figures, PNG and SVG.")
    p.add_argument("--force", action="store_true", help="draw even when unchanged")
    add_trace_flags(p)
    args = p.parse_args(argv)
    say = Output(args.quiet)
    trace = select_trace(args, say)
    for path in write_figures(trace, args.out, say, args.force):
        say(f"{path}  {human_size(path.stat().st_size)}")
    return 0


def cmd_manim(argv: list[str]) -> int:
    """Manim's own command line, with manim-slides' progress logging quietened.

    (The scenes' base class already skips manim-slides' reversed videos.)
    """
    import logging

    from manim.__main__ import main as manim_main

    logging.getLogger("manim-slides").setLevel(logging.WARNING)
    return manim_main(args=argv, prog_name="manim")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_manim":
        return cmd_manim(argv[1:])
    commands = {"train": cmd_train, "slides": cmd_slides, "figures": cmd_figures}
    try:
        if argv and argv[0] in commands:
            return commands[argv[0]](argv[1:])
        return cmd_main(argv)
    except (UserError, ConfigError, DataError, TraceError) as e:
        print(f"render.py: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        CHILDREN.stop_all()
        fresh_line = "\n" if sys.stderr.isatty() else ""  # after a progress bar
        print(f"{fresh_line}render.py: interrupted; no partial file was kept",
              file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (``| head``): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as e:
        # a path the system refuses (too long, a loop of links, ...)
        where = f"{e.filename}: " if e.filename else ""
        print(f"render.py: error: {where}{e.strerror or e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
