#!/usr/bin/env python3
"""ganimate's command line: train the GAN, render the scenes, export the results.

    python render.py                      the main job: train (or reuse the cached
                                          trace), render every scene, list the outputs
    python render.py --list               the scenes, a line each
    python render.py train --out FILE     train and save a trace
    python render.py --help               every flag

Mistakes in the command line, the configuration or the inputs get a one-line
error and exit status 2.
"""

import argparse
import os
import subprocess
import sys
import time
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

QUALITIES = {"low": ("l", "480p15"), "medium": ("m", "720p30"),
             "high": ("h", "1080p60"), "4k": ("k", "2160p60")}


class UserError(Exception):
    """A mistake of the user's: reported in one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but a bad flag gives one line rather than the usage block."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


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
    g.add_argument("--data", help="'synthetic' (default) or a CSV file, one image a row")
    g.add_argument("--record-every", type=int, help="keep every k-th epoch in the trace")


def training_config(args: argparse.Namespace) -> TrainConfig:
    """The configuration the flags describe: the file's values, then the flags."""
    base = load_config(args.config) if args.config else TrainConfig()
    flags = {name: getattr(args, name)
             for name in ("seed", "epochs", "batch_size", "lr_g", "lr_d", "loss", "data",
                          "record_every")
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
    trace, seconds = run_training(config, args.quiet)
    try:
        save_trace(trace, out)
    except OSError as e:
        raise UserError(f"cannot write {out}: {e.strerror or e}") from None
    if not args.quiet:
        print(f"trained {config.epochs:,} epochs in {seconds:.2f} s; trace: {out}")
    return 0


def cached_trace(config: TrainConfig, media: Path, quiet: bool):
    """The trace of ``config`` from the cache, training it first if needed."""
    path = trace_path(config, media)
    if path.exists():
        try:
            load_trace(path)
            if not quiet:
                print(f"trace: reusing {path}")
            return path
        except TraceError:
            pass  # a damaged cache entry is simply trained again
    trace, seconds = run_training(config, quiet)
    save_trace(trace, path)
    if not quiet:
        print(f"trace: trained {config.epochs:,} epochs in {seconds:.2f} s -> {path}")
    return path


def render_scene(name: str, trace: Path, quality: str, out: Path, quiet: bool) -> Path:
    """Render one scene with Manim in a subprocess; return the video's path."""
    from scenes import SCENES

    file, cls, _ = SCENES[name]
    flag, folder = QUALITIES[quality]
    work = out / ".work" / name
    work.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "manim", "render", f"-q{flag}", "--disable_caching",
           "--media_dir", str(work / "media"), str(ROOT / "scenes" / file), cls]
    if quiet:
        cmd += ["--progress_bar", "none", "--verbosity", "ERROR"]
    env = {**os.environ, "GANIMATE_TRACE": str(trace.resolve()),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(cmd, cwd=work, env=env)
    if result.returncode != 0:
        raise UserError(f"scene {name} failed to render (manim exit {result.returncode})")
    video = work / "media" / "videos" / Path(file).stem / folder / f"{cls}.mp4"
    target = out / f"{name}.mp4"
    os.replace(video, target)
    return target


def cmd_main(argv: list[str]) -> int:
    from scenes import SCENES

    p = Parser(prog="render.py", description=__doc__.split("\n")[0])
    p.add_argument("scenes", nargs="*", help="scenes to render (default: all)")
    p.add_argument("--list", action="store_true", help="list the scenes and stop")
    p.add_argument("--quality", choices=list(QUALITIES), default="medium")
    p.add_argument("--out", type=Path, default=DEFAULT_MEDIA, help="output folder")
    p.add_argument("--trace", type=Path, help="render this saved trace; no training")
    p.add_argument("--quiet", action="store_true")
    add_training_flags(p)
    args = p.parse_args(argv)

    if args.list:
        width = max(map(len, SCENES))
        for name, (_, _, summary) in SCENES.items():
            print(f"{name:<{width}}  {summary}")
        return 0
    unknown = [s for s in args.scenes if s not in SCENES]
    if unknown:
        import difflib

        close = difflib.get_close_matches(unknown[0], SCENES, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise UserError(f"unknown scene {unknown[0]!r}{hint}; see --list")

    out = args.out
    if args.trace:
        load_trace(args.trace)
        trace = args.trace
    else:
        trace = cached_trace(training_config(args), out, args.quiet)

    made = []
    for name in args.scenes or list(SCENES):
        if not (ROOT / "scenes" / SCENES[name][0]).exists():
            continue
        if not args.quiet:
            print(f"scene {name}: rendering")
        started = time.perf_counter()
        made.append(render_scene(name, trace, args.quality, out, args.quiet))
        if not args.quiet:
            print(f"scene {name}: done in {time.perf_counter() - started:.1f} s")
    for path in made:
        print(f"{path.stem:<14} {path}  {path.stat().st_size / 1e6:.1f} MB")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    commands = {"train": cmd_train}
    try:
        if argv and argv[0] in commands:
            return commands[argv[0]](argv[1:])
        return cmd_main(argv)
    except (UserError, ConfigError, DataError, TraceError) as e:
        print(f"render.py: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("render.py: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
