// Internal: a layer's forward pass with the bias and the activation fused into the
// GEMM's epilogue (shared by dense_forward and the training engine).
//
// forward_fused(x, w, b, act, z, a): z = x w + b, a = act(z). The bias is added to each
// block of z, and an element-wise activation applied, as soon as the GEMM has stored
// the block's final values (still in L1/L2), on whichever pool thread computed it;
// softmax needs whole rows, so it runs as a pass after the product. a may be z itself
// (activations run in place, see activations.hpp). Shapes are the caller's to check.
#pragma once

#include "gemm_driver.hpp"
#include "mlpcore/activations.hpp"
#include "mlpcore/view.hpp"

namespace mlpcore::detail {

template <class T>
struct BiasEpilogue {
    MatrixView<T> z, a;
    VectorView<const T> b;
    Activation act;
    bool activate;

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
        if (e.activate) {
            activation_forward<T>(e.act, e.z.block(r0, c0, nr, nc),
                                  e.a.block(r0, c0, nr, nc));
        }
    }
};

template <class T>
void forward_fused(MatrixView<const T> x, MatrixView<const T> w, VectorView<const T> b,
                   Activation act, MatrixView<T> z, MatrixView<T> a) {
    const bool row_wise = act == Activation::softmax;
    BiasEpilogue<T> ctx{z, a, b, act, !row_wise};
    const Epilogue ep{&BiasEpilogue<T>::apply, &ctx};
    gemm_ex<T>(T(1), x, w, T(0), z, &ep);
    if (row_wise) activation_forward<T>(act, z, a);
}

}  // namespace mlpcore::detail
