"""ganmath: the NumPy core of ganimate (model, data, training, traces, figures).

Nothing here imports Manim: scenes read the traces this package writes.
"""

from ganmath.config import ConfigError, TrainConfig, load_config
from ganmath.data import DataError
from ganmath.trace import Trace, TraceError, load_trace, save_trace
from ganmath.train import TrainingDiverged, train

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "DataError",
    "Trace",
    "TraceError",
    "TrainConfig",
    "TrainingDiverged",
    "load_config",
    "load_trace",
    "save_trace",
    "train",
]
