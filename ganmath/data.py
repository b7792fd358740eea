"""The real images the discriminator learns from.

Two sources: the chapter's synthetic falling lines, drawn from a legacy
``RandomState`` (the generator behind ``np.random.seed``, so that a seed gives
the chapter's exact images), and a CSV file with one image a row.
"""

import csv
import math
from pathlib import Path

import numpy as np


class DataError(ValueError):
    """A data file that cannot be read as images; the message names the line."""


def synthetic_images(
    rng: np.random.RandomState,
    batch_size: int,
    pixels: int = 3,
    slope_range: tuple[float, float] = (-0.4, -0.7),
    noise_std: float = 0.02,
    target_mean: float = 0.5,
) -> np.ndarray:
    """Draw ``batch_size`` falling lines ``slope * [1, ..., n]`` plus noise, (B, n).

    Each image is shifted so that its pixels average ``target_mean``. The draws
    come from ``rng`` in the chapter's order: every slope
    first, then the noise image by image.
    """
    slopes = rng.uniform(slope_range[0], slope_range[1], size=batch_size)
    noise = rng.normal(0.0, noise_std, size=(batch_size, pixels))
    images = slopes[:, None] * np.arange(1, pixels + 1) + noise
    images += target_mean - images.mean(axis=1, keepdims=True)
    return images


def read_csv_images(path: str | Path, pixels: int | None = None) -> np.ndarray:
    """Read one image a row from a CSV file, (rows, n); a header row is optional.

    Raises
    ------
    DataError
        For a missing or empty file, ragged rows, a value that is not a finite
        number, or a column count other than ``pixels``; the message names the
        file and the line.
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        raise DataError(f"{path}: not a regular file")
    try:
        # utf-8-sig: spreadsheets often start a CSV with a byte-order mark
        with path.open(newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"{path}: cannot read data file ({e})") from None

    images, width = [], None
    for line, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        try:
            values = [float(c) for c in cells]
        except ValueError:
            if line == 1:
                continue  # a header
            bad = next(c for c in cells if not _is_float(c))
            raise DataError(f"{path}:{line}: {bad!r} is not a number") from None
        if not all(math.isfinite(v) for v in values):
            raise DataError(f"{path}:{line}: values must be finite, got {row}")
        if width is None:
            width = len(values)
        elif len(values) != width:
            raise DataError(
                f"{path}:{line}: {len(values)} values where earlier rows have {width}"
            )
        images.append(values)

    if not images:
        raise DataError(f"{path}: no rows of numbers")
    if pixels is not None and width != pixels:
        raise DataError(f"{path}: images have {width} pixels, the model has {pixels}")
    return np.array(images, dtype=float)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
