"""The native backend: the kernel contract mapped onto the C++ extension ``_core``.

No math and no wrappers here: ``_core``'s functions already have the contract's
signatures (see ``_core.pyi``), so each kernel *is* the compiled function. ``_core``
re-checks what C++ relies on (dtypes, shapes, strides, bounds), so even a call that
bypasses the checked :class:`Backend` cannot read or write out of bounds.
"""

from __future__ import annotations

from .. import _core

__all__ = ["NativeKernels"]


class NativeKernels:
    """The C++ implementation of :class:`~mlpcore.backends._contract.Kernels`."""

    name = "native"

    gemm = staticmethod(_core.gemm)
    dense_forward = staticmethod(_core.dense_forward)
    dense_backward = staticmethod(_core.dense_backward)
    activation_forward = staticmethod(_core.activation_forward)
    activation_backward = staticmethod(_core.activation_backward)
    loss = staticmethod(_core.loss)
    loss_grad = staticmethod(_core.loss_grad)
    output_grad = staticmethod(_core.output_grad)
    sgd_step = staticmethod(_core.sgd_step)
    momentum_step = staticmethod(_core.momentum_step)
    adam_step = staticmethod(_core.adam_step)
