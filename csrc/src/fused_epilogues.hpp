// Internal: layer products with their element-wise follow-up fused into the GEMM's
// epilogue (shared by dense_forward and the training engine). Each block of the
// result is finished as soon as the GEMM has stored its final values - still in
// L1/L2, and on whichever pool thread computed it - instead of in a pass after the
// product on one thread. Shapes are the caller's to check.
//
// forward_fused(x, w, b, act, z, a): z = x w + b, a = act(z); a may be z itself
//   (activations run in place, see activations.hpp).
// input_gradient_fused(d, w, act, z, a, g): g = (d w^T) * act'(z, a), the gradient at
//   the pre-activation of the layer below (z and a as activation_backward takes them;
//   the engine, which keeps only a, passes a for both).
#pragma once

#include "gemm_driver.hpp"
#include "mlpcore/activations.hpp"
#include "mlpcore/view.hpp"

namespace mlpcore::detail {

// Softmax needs whole rows: it (and its derivative) runs as a pass after the product.
inline bool needs_whole_rows(Activation act) { return act == Activation::softmax; }

template <class T>
struct BiasEpilogue {
    MatrixView<T> z, a;
    VectorView<const T> b;
    Activation act;

    static void apply(void* p, index_t r0, index_t c0, index_t nr, index_t nc) {
        const auto& e = *static_cast<const BiasEpilogue*>(p);
        const T* bias = e.b.data + c0 * e.b.stride;
        for (index_t i = r0; i < r0 + nr; ++i) {
            T* zr = e.z.row_ptr(i) + c0 * e.z.col_stride;
            if (e.z.col_stride == 1 && e.b.stride == 1) {
                for (index_t j = 0; j < nc; ++j) zr[j] = zr[j] + bias[j];
            } else {
                for (index_t j = 0; j < nc; ++j)
                    zr[j * e.z.col_stride] += bias[j * e.b.stride];
            }
        }
        if (!needs_whole_rows(e.act)) {
            activation_forward<T>(e.act, e.z.block(r0, c0, nr, nc),
                                  e.a.block(r0, c0, nr, nc));
        }
    }
};

template <class T>
void forward_fused(MatrixView<const T> x, MatrixView<const T> w, VectorView<const T> b,
                   Activation act, MatrixView<T> z, MatrixView<T> a) {
    BiasEpilogue<T> ctx{z, a, b, act};
    const Epilogue ep{&BiasEpilogue<T>::apply, &ctx};
    gemm_ex<T>(T(1), x, w, T(0), z, &ep);
    if (needs_whole_rows(act)) activation_forward<T>(act, z, a);
}

template <class T>
struct DerivativeEpilogue {
    MatrixView<const T> z, a;
    MatrixView<T> g;
    Activation act;

    static void apply(void* p, index_t r0, index_t c0, index_t nr, index_t nc) {
        const auto& e = *static_cast<const DerivativeEpilogue*>(p);
        const MatrixView<T> g = e.g.block(r0, c0, nr, nc);
        activation_backward<T>(e.act, e.z.block(r0, c0, nr, nc),
                               e.a.block(r0, c0, nr, nc), g, g);
    }
};

template <class T>
void input_gradient_fused(MatrixView<const T> d, MatrixView<const T> w, Activation act,
                          MatrixView<const T> z, MatrixView<const T> a,
                          MatrixView<T> g) {
    const bool row_wise = needs_whole_rows(act);
    DerivativeEpilogue<T> ctx{z, a, g, act};
    const Epilogue ep{&DerivativeEpilogue<T>::apply, &ctx};
    gemm_ex<T>(T(1), d, w.transposed(), T(0), g, row_wise ? nullptr : &ep);
    if (row_wise) activation_backward<T>(act, z, a, g, g);
}

}  // namespace mlpcore::detail
