"""The exceptions mlpcore raises.

Every error that comes from bad input is both an :class:`MlpcoreError` and the
built-in exception a Python user expects (``ValueError`` or ``TypeError``), so
``except ValueError`` keeps working.
"""

from __future__ import annotations

__all__ = [
    "DTypeError",
    "DivergenceError",
    "MlpcoreError",
    "ModelFormatError",
    "TrainingInProgressError",
    "ValidationError",
]


class MlpcoreError(Exception):
    """Base class of every exception raised by mlpcore itself."""


class ValidationError(MlpcoreError, ValueError):
    """An argument has the wrong shape, size or value."""


class DTypeError(MlpcoreError, TypeError):
    """An argument has the wrong type or dtype."""


class ModelFormatError(MlpcoreError, ValueError):
    """A model file is truncated, corrupted, of another format or of another version."""


class DivergenceError(MlpcoreError, FloatingPointError):
    """Training produced a non-finite loss or gradient.

    The network is left at its last finite weights. ``epoch`` and ``step`` (both
    counted from 1) say when it happened, ``layer`` the index of the first layer whose
    values (weights, z, a, then gradients) were not finite; ``history`` holds the
    epochs completed.
    """

    def __init__(
        self,
        message: str,
        *,
        epoch: int,
        step: int,
        layer: int | None = None,
        history: object = None,
    ):
        super().__init__(message)
        self.epoch = epoch
        self.step = step
        self.layer = layer
        self.history = history


class TrainingInProgressError(MlpcoreError, RuntimeError):
    """``fit`` was called on a network another thread is already training."""
