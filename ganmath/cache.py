"""Where traces are kept, keyed by everything that decides their contents.

A trace's key hashes its configuration, the source of the training code, and
(for a CSV data source) the file's bytes, so a change to any of them trains
anew while an unchanged run reuses the file.
"""

import hashlib
from pathlib import Path

from ganmath.config import TrainConfig

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MEDIA = ROOT / "media"
_CODE = ("config.py", "data.py", "model.py", "train.py", "trace.py")


def code_version() -> str:
    """A short hash of the modules whose change would change a trace."""
    h = hashlib.sha256()
    for name in _CODE:
        h.update((Path(__file__).parent / name).read_bytes())
    return h.hexdigest()[:12]


def trace_key(config: TrainConfig) -> str:
    h = hashlib.sha256(config.to_json().encode())
    h.update(code_version().encode())
    if config.data != "synthetic":
        try:
            h.update(Path(config.data).read_bytes())
        except OSError:
            pass  # reading the data reports the problem with its own message
    return h.hexdigest()[:16]


def trace_path(config: TrainConfig | None = None, media: Path = DEFAULT_MEDIA) -> Path:
    """The cached trace file for ``config`` (default: the chapter's) under ``media``."""
    config = TrainConfig() if config is None else config
    return Path(media) / "traces" / f"{trace_key(config)}.npz"
