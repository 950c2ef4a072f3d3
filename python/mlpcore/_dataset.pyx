# cython: language_level=3
"""Minibatch data source for fit: the user's X and y as given, one batch at a time.

``Dataset`` keeps references to X (any integer, bool or float dtype in native byte
order, C or Fortran order, any strides, ``np.memmap``) or to the three arrays of a
SciPy CSR matrix, plus the targets, and copies the rows named by the current order
into preallocated C-contiguous batch buffers in the model's dtype, in one ``nogil``
pass per batch: the dataset itself is never copied or converted whole. Sparse rows
are densified into the batch buffer only. ``_dataset_py.NumpyDataset`` is the NumPy
twin with the same interface.
"""

from cpython.pycapsule cimport PyCapsule_GetPointer
from libc.stdint cimport int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.string cimport memcpy, memset

import numpy as np

from mlpcore import _core

cdef extern from "mlpcore/rows.hpp" namespace "mlpcore" nogil:
    ctypedef struct RowsApi:
        int version
        void (*gather_rows)(const char* base, Py_ssize_t row_stride, bint src_f64,
                            const int64_t* rows, Py_ssize_t m, Py_ssize_t cols,
                            void* out, bint dst_f64) noexcept nogil
    const int kRowsApiVersion
    const char* kRowsApiName

# The kernels' row gatherer, on their thread pool (see rows.hpp).
cdef const RowsApi* _api = <const RowsApi*>PyCapsule_GetPointer(_core.rows_api,
                                                                 kRowsApiName)
if _api.version < kRowsApiVersion:
    raise ImportError(f"mlpcore._core: rows_api version {_api.version}, expected "
                      f">= {kRowsApiVersion} (a mixed installation?)")

ctypedef fused src_t:
    float
    double
    int8_t
    int16_t
    int32_t
    int64_t
    uint8_t
    uint16_t
    uint32_t
    uint64_t

ctypedef fused dst_t:
    float
    double

ctypedef fused index_t:
    int32_t
    int64_t

#: source dtypes the Cython loops read directly (bool is read as uint8)
KINDS = ("float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16",
         "uint32", "uint64")


cdef inline void _rows(const src_t* tag, const char* base, Py_ssize_t s0, Py_ssize_t s1,
                       const int64_t* order, Py_ssize_t start, Py_ssize_t m,
                       Py_ssize_t k, dst_t* out) noexcept nogil:
    cdef Py_ssize_t i, j
    cdef const char* row
    if (src_t is float or src_t is double) and s1 == sizeof(src_t):
        # contiguous float rows: copied or converted on the pool
        _api.gather_rows(base, s0, src_t is double, order + start, m, k, out,
                         dst_t is double)
        return
    for i in range(m):
        row = base + order[start + i] * s0
        for j in range(k):
            out[i * k + j] = <dst_t>(<const src_t*>(row + j * s1))[0]


cdef void _gather(int kind, const char* base, Py_ssize_t s0, Py_ssize_t s1,
                  const int64_t* order, Py_ssize_t start, Py_ssize_t m, Py_ssize_t k,
                  dst_t* out) noexcept nogil:
    if kind == 0:
        _rows(<const float*>NULL, base, s0, s1, order, start, m, k, out)
    elif kind == 1:
        _rows(<const double*>NULL, base, s0, s1, order, start, m, k, out)
    elif kind == 2:
        _rows(<const int8_t*>NULL, base, s0, s1, order, start, m, k, out)
    elif kind == 3:
        _rows(<const int16_t*>NULL, base, s0, s1, order, start, m, k, out)
    elif kind == 4:
        _rows(<const int32_t*>NULL, base, s0, s1, order, start, m, k, out)
    elif kind == 5:
        _rows(<const int64_t*>NULL, base, s0, s1, order, start, m, k, out)
    elif kind == 6:
        _rows(<const uint8_t*>NULL, base, s0, s1, order, start, m, k, out)
    elif kind == 7:
        _rows(<const uint16_t*>NULL, base, s0, s1, order, start, m, k, out)
    elif kind == 8:
        _rows(<const uint32_t*>NULL, base, s0, s1, order, start, m, k, out)
    else:
        _rows(<const uint64_t*>NULL, base, s0, s1, order, start, m, k, out)


cdef void _csr_rows(const dst_t* data, const index_t* indices, const index_t* indptr,
                    const int64_t* order, Py_ssize_t start, Py_ssize_t m, Py_ssize_t k,
                    dst_t* out) noexcept nogil:
    cdef Py_ssize_t i, p, r
    memset(out, 0, m * k * sizeof(dst_t))
    for i in range(m):
        r = order[start + i]
        for p in range(indptr[r], indptr[r + 1]):
            out[i * k + indices[p]] += data[p]  # duplicates add up, as toarray()


cdef (const char*, Py_ssize_t, Py_ssize_t) _pointer(object a):
    """Data pointer and byte strides of a 1-D or 2-D array (kept alive by the caller)."""
    cdef size_t address = a.__array_interface__["data"][0]
    strides = a.strides
    return <const char*>address, strides[0], strides[1] if len(strides) > 1 else 0


cdef class Dataset:
    """Rows of X and targets t, gathered batch by batch into ``x_batch``/``y_batch``.

    Parameters
    ----------
    X : ndarray (n_samples, n_in) of a dtype in KINDS (or bool), or a SciPy CSR matrix
        whose ``data`` has the model dtype and ``indices``/``indptr`` int32 or int64.
    t : ndarray
        int64 labels (n_samples,) or C-contiguous targets (n_samples, n_out) in the
        model dtype (small: validated and encoded by the caller).
    dtype : numpy dtype
        float32 or float64, the model's.
    batch_size : int
        Rows of the batch buffers.
    """

    cdef readonly object x_batch, y_batch, X, t
    cdef object _order, _csr
    cdef const char* _xbase
    cdef Py_ssize_t _xs0, _xs1, _ncols, _n
    cdef int _kind
    cdef bint _f64, _labels, _sparse, _idx64
    cdef const char* _data
    cdef const char* _indices
    cdef const char* _indptr
    cdef const char* _tbase
    cdef char* _xout  # the batch buffers' data (fixed: the attributes are read-only)
    cdef char* _yout
    cdef Py_ssize_t _tk
    cdef const int64_t* _order_ptr

    def __init__(self, X, t, dtype, Py_ssize_t batch_size):
        dtype = np.dtype(dtype)
        self._f64 = dtype == np.float64
        self._sparse = hasattr(X, "indptr")
        self.X = X
        self._n = X.shape[0]
        self._ncols = X.shape[1]
        if self._sparse:
            if X.data.dtype != dtype or X.indices.dtype != X.indptr.dtype:
                raise TypeError("CSR data must have the model dtype, indices one int type")
            self._idx64 = X.indices.dtype == np.int64
            self._data = _pointer(X.data)[0]
            self._indices = _pointer(X.indices)[0]
            self._indptr = _pointer(X.indptr)[0]
        else:
            name = "uint8" if X.dtype == np.bool_ else X.dtype.name
            if name not in KINDS or not X.dtype.isnative:
                raise TypeError(f"X: dtype {X.dtype} is not read by the Cython loops")
            self._kind = KINDS.index(name)
            self._xbase, self._xs0, self._xs1 = _pointer(X)
        self.t = t
        self._labels = t.ndim == 1
        if not self._labels and (t.dtype != dtype or not t.flags.c_contiguous):
            raise TypeError("t: expected C-contiguous targets in the model dtype")
        self._tbase = _pointer(t)[0]
        self._tk = 1 if self._labels else t.shape[1]
        self.x_batch = np.empty((batch_size, self._ncols), dtype=dtype)
        self.y_batch = np.empty((batch_size, self._tk), dtype=t.dtype)
        if self._labels:
            self.y_batch = self.y_batch[:, 0].copy()
        self._xout = <char*>_pointer(self.x_batch)[0]
        self._yout = <char*>_pointer(self.y_batch)[0]
        self.set_order(np.arange(self._n, dtype=np.int64))

    def set_order(self, order):
        """Use ``order`` (int64 permutation of the rows) for the following fills."""
        self._order = np.ascontiguousarray(order, dtype=np.int64)
        self._order_ptr = <const int64_t*>_pointer(self._order)[0]

    def fill(self, Py_ssize_t start, Py_ssize_t stop):
        """Copy rows order[start:stop] into the batch buffers; return their number."""
        cdef Py_ssize_t m = min(stop, self._n) - start
        cdef char* xaddr = self._xout
        cdef char* yaddr = self._yout
        cdef Py_ssize_t i, row, item = self.t.itemsize
        if m <= 0 or m > self.x_batch.shape[0]:
            raise ValueError("fill: rows outside the batch buffers")
        with nogil:
            if self._sparse:
                if self._f64 and self._idx64:
                    _csr_rows(<const double*>self._data, <const int64_t*>self._indices,
                              <const int64_t*>self._indptr, self._order_ptr, start, m,
                              self._ncols, <double*>xaddr)
                elif self._f64:
                    _csr_rows(<const double*>self._data, <const int32_t*>self._indices,
                              <const int32_t*>self._indptr, self._order_ptr, start, m,
                              self._ncols, <double*>xaddr)
                elif self._idx64:
                    _csr_rows(<const float*>self._data, <const int64_t*>self._indices,
                              <const int64_t*>self._indptr, self._order_ptr, start, m,
                              self._ncols, <float*>xaddr)
                else:
                    _csr_rows(<const float*>self._data, <const int32_t*>self._indices,
                              <const int32_t*>self._indptr, self._order_ptr, start, m,
                              self._ncols, <float*>xaddr)
            elif self._f64:
                _gather(self._kind, self._xbase, self._xs0, self._xs1, self._order_ptr,
                        start, m, self._ncols, <double*>xaddr)
            else:
                _gather(self._kind, self._xbase, self._xs0, self._xs1, self._order_ptr,
                        start, m, self._ncols, <float*>xaddr)
            for i in range(m):
                row = self._order_ptr[start + i]
                memcpy(yaddr + i * self._tk * item,
                       self._tbase + row * self._tk * item, self._tk * item)
        return m
