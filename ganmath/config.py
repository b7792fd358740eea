"""The training configuration: one frozen dataclass, checked when it is made.

Defaults are the chapter's run. A configuration file (TOML or JSON) holds a flat
table of the same keys; a key the dataclass does not have is an error, never
silently ignored.
"""

import dataclasses
import difflib
import json
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ganmath.model import LOSS_CODES


class ConfigError(ValueError):
    """A configuration value or file that cannot be used; the message says why."""


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run, and so its trace."""

    seed: int = 42  # for NumPy's legacy global state, as the chapter seeds it
    epochs: int = 50_000  # one D step and one G step each
    batch_size: int = 32  # real images, and fakes per step
    lr_g: float = 0.001  # generator learning rate, eta_G
    lr_d: float = 0.001  # discriminator learning rate, eta_D
    loss: str = "non-saturating"  # generator loss: "non-saturating" or "minimax"
    pixels: int = 3  # n, output nodes of G and input nodes of D
    latent_range: tuple[float, float] = (0.4, 1.0)  # L1 ~ U[low, high)
    init_scale: float = 0.1  # weights ~ N(0, init_scale^2); biases start at 0
    data: str = "synthetic"  # "synthetic", or a CSV file with one image a row
    slope_range: tuple[float, float] = (-0.4, -0.7)  # synthetic slope ~ U[a, b]
    noise_std: float = 0.02  # synthetic pixel noise, N(0, noise_std^2)
    target_mean: float = 0.5  # each synthetic image is shifted to this mean
    record_every: int = 1  # keep every k-th epoch in the trace (and the last)
    log_every: int = 5000  # epochs between the chapter-style log lines

    def __post_init__(self):
        for name in (
            "seed",
            "epochs",
            "batch_size",
            "pixels",
            "record_every",
            "log_every",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{name} must be a whole number, got {value!r}")
        for name in ("lr_g", "lr_d", "init_scale", "noise_std", "target_mean"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(f"{name} must be a number, got {value!r}")
            if not math.isfinite(value):
                raise ConfigError(f"{name} must be finite, got {value!r}")
        for name in ("latent_range", "slope_range"):
            value = getattr(self, name)
            if (
                not isinstance(value, tuple | list)
                or len(value) != 2
                or not all(
                    isinstance(v, int | float)
                    and not isinstance(v, bool)
                    and math.isfinite(v)
                    for v in value
                )
            ):
                raise ConfigError(f"{name} must be two finite numbers, got {value!r}")
            object.__setattr__(self, name, (float(value[0]), float(value[1])))

        if not 0 <= self.seed < 2**32:
            raise ConfigError(f"seed must be in 0 .. 2**32 - 1, got {self.seed}")
        if self.epochs < 1:
            raise ConfigError(f"epochs must be at least 1, got {self.epochs}")
        if self.batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {self.batch_size}")
        if self.pixels < 1:
            raise ConfigError(f"pixels must be at least 1, got {self.pixels}")
        for name in ("lr_g", "lr_d"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be positive, got {getattr(self, name)}")
        if self.init_scale < 0:
            raise ConfigError(f"init_scale must be 0 or more, got {self.init_scale}")
        if self.noise_std < 0:
            raise ConfigError(f"noise_std must be 0 or more, got {self.noise_std}")
        low, high = self.latent_range
        if not low < high:
            raise ConfigError(
                f"latent_range needs low < high, got {list(self.latent_range)}"
            )
        if self.loss not in LOSS_CODES:
            raise ConfigError(
                f"loss must be one of {', '.join(LOSS_CODES)}, got {self.loss!r}"
            )
        if self.record_every < 1:
            raise ConfigError(
                f"record_every must be at least 1, got {self.record_every}"
            )
        if self.log_every < 1:
            raise ConfigError(f"log_every must be at least 1, got {self.log_every}")
        if not isinstance(self.data, str) or not self.data:
            raise ConfigError(
                f"data must be 'synthetic' or a CSV path, got {self.data!r}"
            )

    def to_dict(self) -> dict:
        """The configuration as plain JSON-ready values (ranges as lists)."""
        d = {name: getattr(self, name) for name in FIELDS}
        d["latent_range"] = list(self.latent_range)
        d["slope_range"] = list(self.slope_range)
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    def replace(self, **changes) -> "TrainConfig":
        """A copy with some fields changed, checked like any new configuration."""
        return from_mapping({**self.to_dict(), **changes})


FIELDS = tuple(f.name for f in dataclasses.fields(TrainConfig))


def from_mapping(values: dict, source: str = "configuration") -> TrainConfig:
    """Build a configuration from a dict, refusing keys it does not know."""
    unknown = [k for k in values if k not in FIELDS]
    if unknown:
        key = unknown[0]
        close = difflib.get_close_matches(key, FIELDS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError(f"{source}: unknown key {key!r}{hint}")
    return TrainConfig(**values)


def load_config(path: str | Path) -> TrainConfig:
    """Read a TOML (``.toml``) or JSON (anything else) configuration file.

    A relative ``data`` path is taken relative to the file's own folder.
    """
    path = Path(path)
    if path.suffix not in (".toml", ".json"):
        raise ConfigError(
            f"{path}: a configuration file is TOML (.toml) or JSON (.json), "
            f"not {path.suffix or 'a file without an extension'}"
        )
    if path.exists() and not path.is_file():
        raise ConfigError(f"{path}: not a regular file")
    try:
        text = path.read_text(encoding="utf-8-sig")  # tolerate a byte-order mark
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read configuration ({e})") from None
    try:
        if path.suffix == ".toml":
            values = tomllib.loads(text)
        else:
            values = json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as e:
        raise ConfigError(
            f"{path}: not valid {path.suffix[1:] or 'JSON'} ({e})"
        ) from None
    if not isinstance(values, dict):
        raise ConfigError(
            f"{path}: expected a table of keys, got {type(values).__name__}"
        )
    data = values.get("data")
    if isinstance(data, str) and data != "synthetic" and not Path(data).is_absolute():
        values = {**values, "data": str(path.parent / data)}
    return from_mapping(values, source=str(path))
