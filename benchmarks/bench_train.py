"""Time the chapter's 50,000-epoch run with its full trace; print speed and memory.

    .venv/bin/python benchmarks/bench_train.py [--epochs N] [--repeat K]

Prints the first call in this process (which loads, or on a fresh checkout
compiles, the Numba kernels), the best of the warm repeats, epochs per second,
the trace's size in memory and on disk, and peak memory.
"""

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ganmath import TrainConfig, save_trace, train  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--epochs", type=int, default=50_000)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    config = TrainConfig(epochs=args.epochs)

    started = time.perf_counter()
    train(config)
    first = time.perf_counter() - started

    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        trace = train(config)
        times.append(time.perf_counter() - started)
    best = min(times)

    tracemalloc.start()
    trace = train(config)
    _, peak_traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    in_memory = sum(a.nbytes for a in trace.arrays.values())
    with tempfile.TemporaryDirectory() as tmp:
        path = save_trace(trace, Path(tmp) / "trace.npz")
        on_disk = path.stat().st_size
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"epochs                      {args.epochs:,}")
    print(f"first call (load/compile)   {first:.3f} s")
    print(
        f"training, best of {args.repeat}        {best:.3f} s "
        f"(median {sorted(times)[len(times) // 2]:.3f} s)"
    )
    print(f"epochs per second           {args.epochs / best:,.0f}")
    print(f"trace in memory             {in_memory / 1e6:.2f} MB")
    print(f"trace on disk               {on_disk / 1e6:.2f} MB")
    print(f"peak traced allocations     {peak_traced / 1e6:.2f} MB (during train)")
    print(f"peak resident memory        {rss:.0f} MB (whole process, NumPy + Numba)")


if __name__ == "__main__":
    main()
