// Dense layer forward/backward composed from gemm + activations (see dense.hpp).
#include "mlpcore/dense.hpp"

#include <string>
#include <vector>

#include "fused_epilogues.hpp"
#include "mlpcore/errors.hpp"
#include "mlpcore/gemm.hpp"

namespace mlpcore {
namespace {

std::string shape_str(index_t r, index_t c) {
    return "(" + std::to_string(r) + ", " + std::to_string(c) + ")";
}

template <class U>
void expect_shape(const char* what, const MatrixView<U>& v, index_t r, index_t c) {
    if (!v.same_shape(r, c)) {
        throw ShapeError(std::string(what) + ": expected shape " + shape_str(r, c) +
                         ", got " + shape_str(v.rows, v.cols));
    }
}

template <class U>
void expect_size(const char* what, const VectorView<U>& v, index_t n) {
    if (v.size != n) {
        throw ShapeError(std::string(what) + ": expected length " + std::to_string(n) +
                         ", got " + std::to_string(v.size));
    }
}

}  // namespace

template <class T>
void dense_forward(MatrixView<const T> x, MatrixView<const T> w, VectorView<const T> b,
                   Activation act, MatrixView<T> z, MatrixView<T> a) {
    const index_t n = x.rows, o = w.cols;
    expect_shape("dense_forward: W", w, x.cols, o);
    expect_size("dense_forward: b", b, o);
    expect_shape("dense_forward: z", z, n, o);
    expect_shape("dense_forward: a", a, n, o);

    detail::forward_fused<T>(x, w, b, act, z, a);
}

template <class T>
void dense_backward(MatrixView<const T> x, MatrixView<const T> w, MatrixView<const T> z,
                    MatrixView<const T> a, MatrixView<const T> grad_a, Activation act,
                    MatrixView<T> grad_x, MatrixView<T> grad_w, VectorView<T> grad_b) {
    const index_t n = x.rows, in = x.cols, o = w.cols;
    expect_shape("dense_backward: W", w, in, o);
    expect_shape("dense_backward: z", z, n, o);
    expect_shape("dense_backward: a", a, n, o);
    expect_shape("dense_backward: grad_a", grad_a, n, o);
    expect_shape("dense_backward: grad_W", grad_w, in, o);
    expect_size("dense_backward: grad_b", grad_b, o);
    const bool need_grad_x = grad_x.data != nullptr;
    if (need_grad_x) expect_shape("dense_backward: grad_x", grad_x, n, in);

    // grad_z and the bias gradient in one pass over the rows: each row of grad_z is
    // produced and immediately added into grad_b (sequential over rows, in T). A
    // linear layer uses grad_a itself.
    for (index_t j = 0; j < o; ++j) grad_b[j] = T(0);
    std::vector<T> gz_buf;
    MatrixView<const T> gz = grad_a;
    if (act != Activation::linear) {
        gz_buf.resize(static_cast<std::size_t>(n * o));
        gz = MatrixView<const T>::row_major(gz_buf.data(), n, o);
    }
    for (index_t i = 0; i < n; ++i) {
        if (act != Activation::linear) {
            activation_backward<T>(
                act, z.block(i, 0, 1, o), a.block(i, 0, 1, o), grad_a.block(i, 0, 1, o),
                MatrixView<T>::row_major(gz_buf.data() + i * o, 1, o));
        }
        const T* g = gz.row_ptr(i);
        const index_t gs = gz.col_stride;
        if (grad_b.stride == 1 && gs == 1) {
            for (index_t j = 0; j < o; ++j) grad_b.data[j] = grad_b.data[j] + g[j];
        } else {
            for (index_t j = 0; j < o; ++j) grad_b[j] += g[j * gs];
        }
    }

    gemm<T>(T(1), x.transposed(), gz, T(0), grad_w);
    if (need_grad_x) gemm<T>(T(1), gz, w.transposed(), T(0), grad_x);
}

#define MLPCORE_INSTANTIATE(T)                                                      \
    template void dense_forward<T>(MatrixView<const T>, MatrixView<const T>,        \
                                   VectorView<const T>, Activation, MatrixView<T>,  \
                                   MatrixView<T>);                                  \
    template void dense_backward<T>(MatrixView<const T>, MatrixView<const T>,       \
                                    MatrixView<const T>, MatrixView<const T>,       \
                                    MatrixView<const T>, Activation, MatrixView<T>, \
                                    MatrixView<T>, VectorView<T>);
MLPCORE_INSTANTIATE(float)
MLPCORE_INSTANTIATE(double)
#undef MLPCORE_INSTANTIATE

}  // namespace mlpcore
