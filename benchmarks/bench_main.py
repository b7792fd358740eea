"""Times the main job: ``python render.py --quality low`` cold, then cached.

    python benchmarks/bench_main.py [--quality low] [--jobs N] [--out DIR]

The cold run starts from an empty output folder, so it trains the chapter's
50,000 epochs, renders every scene and draws the figures; the second run,
with nothing changed, must reuse all of it. Both runs' times are printed,
with the first run's table of outputs.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed_run(args: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / "render.py"), *args],
                            capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"render.py {' '.join(args)} failed:\n{result.stderr}")
    return seconds, result.stdout


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quality", default="low")
    p.add_argument("--jobs", default="1")
    p.add_argument("--out", type=Path, help="output folder (default: a temporary one)")
    args = p.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-main-"))
    if out.exists():
        shutil.rmtree(out)

    flags = ["--quality", args.quality, "--jobs", args.jobs, "--out", str(out)]
    cold, table = timed_run(flags)
    cached, second = timed_run(flags)
    redone = [line for line in second.splitlines()
              if line.endswith(": rendering") or line.startswith("trace: trained")]

    lines = table.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("scene  "))
    print("\n".join(lines[start:]))
    print(f"\nrender.py --quality {args.quality} --jobs {args.jobs}")
    print(f"  cold (train, render, figures): {cold:7.1f} s")
    print(f"  cached, nothing changed:       {cached:7.2f} s "
          f"({cached / cold:.1%} of the cold run)")
    print(f"  outputs in {out}")
    if redone:
        # a source changed between the runs (or the cache is broken)
        print("  the second run was not fully cached:\n    " + "\n    ".join(redone))


if __name__ == "__main__":
    main()
