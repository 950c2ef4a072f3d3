"""Type stub of ``mlpcore._core``, the private pybind11 extension (csrc/bindings).

Hand-written: keep it in step with the ``m.def``/``m.attr`` calls in
``csrc/bindings/register_*.cpp``. Every array argument must be a ``numpy.ndarray``
of float32 or float64 (one dtype per call); ``y_true`` may instead be int64 labels
of shape ``(n,)`` for ``cross_entropy``. Bad arguments raise ``TypeError`` (not an
array, wrong dtype) or ``ValueError`` (everything else), with messages of the form
``"<argument>: expected <...>, got <...>"``.
"""

from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

_Array: TypeAlias = NDArray[np.floating[Any]]
_Labels: TypeAlias = NDArray[np.int64]

__version__: str

def gemm(
    a: _Array,
    b: _Array,
    out: _Array,
    trans_a: bool,
    trans_b: bool,
    alpha: float,
    beta: float,
) -> None:
    """``out ← alpha·op(a)·op(b) + beta·out`` in place; ``out`` is not read when
    beta == 0 and must not overlap ``a`` or ``b``."""

def dense_forward(
    x: _Array,
    W: _Array,
    b: _Array,
    activation: str,
) -> tuple[_Array, _Array]:
    """``(z, a)``: ``z = x @ W + b``, ``a = activation(z)``; new C-contiguous arrays."""

def dense_backward(
    x: _Array,
    W: _Array,
    z: _Array,
    a: _Array,
    grad_a: _Array,
    activation: str,
    need_grad_x: bool,
) -> tuple[_Array | None, _Array, _Array]:
    """``(grad_x or None, grad_W, grad_b)`` of a dense layer."""

def activation_forward(name: str, z: _Array) -> _Array:
    """``f(z)`` (softmax row-wise)."""

def activation_backward(
    name: str,
    z: _Array,
    a: _Array,
    grad_a: _Array,
) -> _Array:
    """``grad_a ⊙ f'(z)`` (softmax: its Jacobian-vector product)."""

def loss(
    name: str,
    y_pred: _Array,
    y_true: _Array | _Labels,
) -> float:
    """The cost of ``y_pred`` against ``y_true``."""

def loss_grad(
    name: str,
    y_pred: _Array,
    y_true: _Array | _Labels,
) -> _Array:
    """``∂C/∂y_pred``, shaped like ``y_pred``."""

def output_grad(
    activation: str,
    loss: str,
    z: _Array,
    a: _Array,
    y_true: _Array | _Labels,
) -> _Array:
    """``∂C/∂z`` of the output layer (fused for softmax + cross_entropy and
    sigmoid + binary_cross_entropy)."""

def sgd_step(param: _Array, grad: _Array, lr: float) -> None:
    """``param ← param − lr·grad`` in place."""

def momentum_step(
    param: _Array,
    grad: _Array,
    velocity: _Array,
    lr: float,
    momentum: float,
    nesterov: bool,
) -> None:
    """Heavy-ball / Nesterov step (PyTorch convention), in place."""

def adam_step(
    param: _Array,
    grad: _Array,
    m: _Array,
    v: _Array,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    step: int,
) -> None:
    """One Adam step of ``param``, ``m`` and ``v`` in place; ``step`` ≥ 1."""

def max_abs(x: _Array) -> float:
    """max |x| over a 2-D float array (any strides); inf when it holds a NaN or Inf."""

#: ``PyCapsule`` "mlpcore._core.rows_api": the C table (rows.hpp ``RowsApi``) through
#: which the Cython data source gathers minibatch rows on the kernels' thread pool.
rows_api: Any

def set_num_threads(n: int) -> None:
    """Use up to ``n`` ≥ 1 threads in large GEMMs and fit's data passes (results do
    not depend on it)."""

def get_num_threads() -> int:
    """Threads used by large GEMMs and fit's data passes (default: the CPUs this
    process may use)."""

def cpu_features() -> dict[str, bool]:
    """Usable instruction-set features: sse2, avx, avx2, fma, avx512f/bw/dq/vl."""

def kernel_isa() -> str:
    """Name of the micro-kernel set in use: ``generic``, ``avx2`` or ``avx512``."""

def available_isas() -> str:
    """Kernel sets compiled in and usable on this CPU, comma-separated."""

def fma_peak_gflops(dtype: str, threads: int) -> float:
    """Measured multiply-add peak of the selected kernels on ``threads`` threads."""

class Engine:
    """A whole training step in one call (csrc/include/mlpcore/engine.hpp); private."""

    def __init__(
        self, dtype: str, sizes: list[int], activations: list[str], loss: str
    ) -> None: ...
    def bind(self, params: list[_Array]) -> None:
        """Use ``[W_0, b_0, W_1, b_1, ...]`` in place."""
    def sync(self, layers: Sequence[Any]) -> bool:
        """Bind the layers' current ``W``/``b``; False when they no longer fit."""
    def set_optimizer(
        self,
        kind: str,
        lr: float,
        momentum: float,
        nesterov: bool,
        beta1: float,
        beta2: float,
        eps: float,
        states: list[_Array],
    ) -> None: ...
    def reserve(self, batch: int) -> None: ...
    def set_input_bound(self, bound: float) -> None:
        """A bound on |x| over all future steps (< 0: unknown, scanned per step)."""
    def step(
        self, x: _Array, y: _Array | _Labels, n: int, t: int, record: bool = False
    ) -> int:
        """One step on rows [0, n): 0 applied, 1 loss or 2 gradient not finite."""
    def forward(self, x: object) -> _Array | None:
        """The output for a ready float array ``x``, else None."""
    def reset_epoch(self) -> None: ...
    @property
    def loss_sum(self) -> float: ...
    @property
    def correct(self) -> int: ...
    @property
    def last_loss(self) -> float: ...
    @property
    def bad_layer(self) -> int: ...
    @property
    def nonfinite_activation(self) -> int: ...
    @property
    def grad_norms(self) -> list[float]: ...
