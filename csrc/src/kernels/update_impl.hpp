// The optimizers' element rules (optim.hpp) and their contiguous loops (no include
// guard on purpose): included inside each ISA file's anonymous namespace, so each
// copy of the loops is compiled - and vectorized, divisions and square roots included
// - with that file's flags, and by optim.cpp for strided views. One statement of each
// rule: every path does the same IEEE operations in the same order (no contraction,
// -ffp-contract=off), so all give the same bits. Needs <cmath> and kernel_table.hpp.

template <class T>
struct SgdRule {
    T lr;
    void operator()(T& p, T g) const { p = p - lr * g; }
};

template <class T>
struct MomentumRule {
    T lr, mu;
    bool nesterov;
    void operator()(T& p, T g, T& v) const {
        v = mu * v + g;
        p = p - lr * (nesterov ? g + mu * v : v);
    }
};

template <class T>
struct AdamRule {
    AdamScalars<T> c;
    void operator()(T& p, T g, T& m, T& v) const {
        m = c.beta1 * m + c.one_minus_beta1 * g;
        v = c.beta2 * v + c.one_minus_beta2 * (g * g);
        p = p - c.lr * (m / c.correction1) / (std::sqrt(v / c.correction2) + c.eps);
    }
};

template <class T>
void sgd_rows(T* __restrict p, const T* __restrict g, index_t n, T lr) {
    const SgdRule<T> rule{lr};
    for (index_t j = 0; j < n; ++j) rule(p[j], g[j]);
}

template <class T>
void momentum_rows(T* __restrict p, const T* __restrict g, T* __restrict v, index_t n,
                   T lr, T mu, bool nesterov) {
    // One loop per flag value, so that each vectorizes without a select.
    if (nesterov) {
        const MomentumRule<T> rule{lr, mu, true};
        for (index_t j = 0; j < n; ++j) rule(p[j], g[j], v[j]);
    } else {
        const MomentumRule<T> rule{lr, mu, false};
        for (index_t j = 0; j < n; ++j) rule(p[j], g[j], v[j]);
    }
}

template <class T>
void adam_rows(T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v,
               index_t n, const AdamScalars<T>* c) {
    const AdamRule<T> rule{*c};
    for (index_t j = 0; j < n; ++j) rule(p[j], g[j], m[j], v[j]);
}

// The table entry of one dtype.
#define MLPCORE_UPDATE_KERNELS(T) {&sgd_rows<T>, &momentum_rows<T>, &adam_rows<T>}
