"""Argument checks shared by both backends and the network API.

One place for the wording of every error, so the native and the NumPy backend
raise the same exception with the same message. Messages follow one pattern:
``"<argument>: expected <what>, got <what was given>"``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .errors import DTypeError, ValidationError

FloatArray = NDArray[np.floating[Any]]
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def describe(value: object) -> str:
    """A short description of ``value`` for an error message."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_dtype(dtype: object, name: str = "dtype") -> np.dtype[Any]:
    """Return the float dtype named by ``dtype`` (``"float32"`` or ``"float64"``)."""
    resolved: np.dtype[Any] | None
    try:
        resolved = np.dtype(dtype)  # type: ignore[call-overload, unused-ignore]
    except TypeError:
        resolved = None
    if resolved is None or resolved not in FLOAT_DTYPES:
        raise DTypeError(
            f"{name}: expected 'float32' or 'float64', got {describe(dtype)}"
        )
    return resolved


def as_array(value: object, name: str, ndim: int | tuple[int, ...]) -> NDArray[Any]:
    """``value`` as a numeric, non-empty ndarray with the given number of dimensions.

    Integer and boolean arrays are returned unchanged (callers convert them to the
    float dtype of the operation); object, string and complex arrays are rejected.
    """
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged nested lists and the like
        raise DTypeError(
            f"{name}: expected a numeric array, got {describe(value)}"
        ) from exc
    if array.dtype.kind not in "biuf":
        raise DTypeError(
            f"{name}: expected a numeric (float, integer or bool) array, "
            f"got dtype {array.dtype}"
        )
    dims = (ndim,) if isinstance(ndim, int) else ndim
    if array.ndim not in dims:
        want = " or ".join(f"{d}-D" for d in dims)
        raise ValidationError(
            f"{name}: expected a {want} array, got shape {array.shape}"
        )
    if array.size == 0:
        raise ValidationError(
            f"{name}: expected a non-empty array, got shape {array.shape}"
        )
    return array


def common_dtype(arrays: Iterable[tuple[str, NDArray[Any]]]) -> np.dtype[Any]:
    """The float dtype shared by the float operands of one call.

    Integer/bool operands adopt it; if no operand is floating, float64 is used.
    Mixing float32 and float64 is an error: mlpcore never silently changes precision.
    """
    found: tuple[str, np.dtype[Any]] | None = None
    for name, array in arrays:
        if array.dtype.kind != "f":
            continue
        if array.dtype not in FLOAT_DTYPES:
            raise DTypeError(
                f"{name}: expected dtype float32 or float64, got {array.dtype}"
            )
        if found is None:
            found = (name, array.dtype)
        elif array.dtype != found[1]:
            raise DTypeError(
                f"{name}: expected dtype {found[1]} like {found[0]}, got {array.dtype}"
            )
    return found[1] if found else np.dtype(np.float64)


def to_dtype(array: NDArray[Any], dtype: np.dtype[Any]) -> FloatArray:
    """``array`` in ``dtype``; a copy only when the dtype differs or the strides are
    not whole elements (views, Fortran order and negative strides pass through)."""
    if array.dtype != dtype:
        return array.astype(dtype)
    if any(s % array.itemsize for s in array.strides):
        return np.ascontiguousarray(array)
    return array


def check_shape(
    array: NDArray[Any], name: str, expected: tuple[int | None, ...], why: str = ""
) -> None:
    """Raise unless ``array.shape`` matches ``expected`` (``None`` matches anything)."""
    ok = len(array.shape) == len(expected) and all(
        e is None or e == s for e, s in zip(expected, array.shape, strict=False)
    )
    if not ok:
        want = "(" + ", ".join("n" if e is None else str(e) for e in expected)
        want += ",)" if len(expected) == 1 else ")"
        suffix = f" {why}" if why else ""
        raise ValidationError(
            f"{name}: expected shape {want}{suffix}, got {array.shape}"
        )


def check_finite(array: NDArray[Any], name: str) -> None:
    """Raise if ``array`` holds NaN or infinity."""
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValidationError(
            f"{name}: expected finite values, got {bad} NaN or Inf entries"
        )


def check_positive(value: object, name: str, *, allow_zero: bool = False) -> float:
    """``value`` as a float that is > 0 (or >= 0)."""
    if isinstance(value, bool) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise DTypeError(f"{name}: expected a real number, got {describe(value)}")
    number = float(value)
    ok = number >= 0 if allow_zero else number > 0
    if not ok or not np.isfinite(number):
        want = "a finite number >= 0" if allow_zero else "a finite number > 0"
        raise ValidationError(f"{name}: expected {want}, got {value!r}")
    return number


def check_fraction(value: object, name: str, *, open_high: bool = True) -> float:
    """``value`` as a float in [0, 1) (or [0, 1])."""
    number = check_positive(value, name, allow_zero=True)
    if number > 1 or (open_high and number == 1):
        want = "[0, 1)" if open_high else "[0, 1]"
        raise ValidationError(f"{name}: expected a number in {want}, got {value!r}")
    return number


def check_seed(value: object, name: str = "seed") -> int | None:
    """``None`` or an int >= 0, as ``numpy.random.default_rng`` accepts."""
    return None if value is None else check_int(value, name, minimum=0)


def check_int(value: object, name: str, *, minimum: int = 1) -> int:
    """``value`` as an int >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise DTypeError(f"{name}: expected an integer, got {describe(value)}")
    if int(value) < minimum:
        raise ValidationError(
            f"{name}: expected an integer >= {minimum}, got {value!r}"
        )
    return int(value)


def check_choice(value: object, name: str, choices: Iterable[str]) -> str:
    """``value`` if it is one of ``choices``."""
    options = list(choices)
    if not isinstance(value, str) or value not in options:
        raise ValidationError(
            f"{name}: expected one of {', '.join(repr(c) for c in options)}, "
            f"got {describe(value)}"
        )
    return value


def check_labels(labels: NDArray[Any], name: str, n_classes: int) -> NDArray[np.int64]:
    """Integer class labels in ``[0, n_classes)`` as int64.

    Floats are accepted when they hold whole numbers (labels read from CSV files).
    """
    if labels.dtype.kind == "f":
        if not np.isfinite(labels).all() or not np.array_equal(
            labels, np.round(labels)
        ):
            raise ValidationError(
                f"{name}: expected integer class labels, got non-integer values"
            )
    if labels.dtype.kind == "b":
        raise DTypeError(f"{name}: expected integer class labels, got dtype bool")
    as_int = labels.astype(np.int64, copy=False)
    low, high = int(as_int.min()), int(as_int.max())
    if low < 0 or high >= n_classes:
        raise ValidationError(
            f"{name}: expected labels in [0, {n_classes}), got values in [{low}, {high}]"
        )
    return as_int
