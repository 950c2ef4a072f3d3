"""mlpcore: dense feed-forward neural networks on a fast C++ core, with a NumPy twin.

>>> import mlpcore as mc
>>> net = mc.Network([mc.Dense(2, 1)], loss="quadratic", dtype="float64")
"""

from __future__ import annotations

try:
    from . import _core
except ImportError as exc:  # pragma: no cover - depends on the installation
    if "MLPCORE_ISA" in str(exc):  # a forced kernel set this CPU cannot run
        raise ImportError(
            f"{exc} (unset MLPCORE_ISA to choose automatically)"
        ) from None
    raise ImportError(
        "mlpcore's compiled core (mlpcore._core) is missing or broken. Install the "
        "package with `pip install .` (it builds the C++ extension), rather than "
        f"importing it from the source tree. Original error: {exc}"
    ) from exc

from .activations import ACTIVATIONS
from .backends import Backend, get_backend
from .datasets import load_digits
from .errors import (
    DivergenceError,
    DTypeError,
    MlpcoreError,
    ModelFormatError,
    TrainingInProgressError,
    ValidationError,
)
from .explain import Explanation
from .gradcheck import gradient_check
from .io import load, load_optimizer
from .layers import Dense
from .losses import LOSSES
from .network import Gradient, LayerTrace, Network
from .optim import SGD, Adam, Momentum, Optimizer
from .runtime import get_num_threads, info, set_num_threads
from .training import History, Recorder

__version__: str = _core.__version__

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "SGD",
    "Adam",
    "Backend",
    "DTypeError",
    "Dense",
    "DivergenceError",
    "Explanation",
    "Gradient",
    "History",
    "LayerTrace",
    "MlpcoreError",
    "ModelFormatError",
    "Momentum",
    "Network",
    "Optimizer",
    "Recorder",
    "TrainingInProgressError",
    "ValidationError",
    "__version__",
    "get_backend",
    "get_num_threads",
    "gradient_check",
    "info",
    "load",
    "load_digits",
    "load_optimizer",
    "set_num_threads",
]
