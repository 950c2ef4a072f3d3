// The training engine (see engine.hpp for the contract and the divergence proof).
#include "mlpcore/engine.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "fused_epilogues.hpp"
#include "mlpcore/errors.hpp"
#include "mlpcore/gemm.hpp"
#include "mlpcore/optim.hpp"
#include "mlpcore/rows.hpp"
#include "thread_pool.hpp"

namespace mlpcore {
namespace {

// Steps of at most this many rows run on one thread. Their products are split over the
// cores in different ways (the forward over the layer's outputs, the weight update
// over its inputs), so each step moves the weights between the cores' caches, which
// costs more than the split saves: on 2 threads (Zen 4), fit at batch 1 ran 10-13k
// samples/s split and 20-22k on one thread (= the 1-thread rate), batch 4 39k vs 52k;
// batch 2 and 8 the same either way, batch 16 faster split.
constexpr index_t kSingleThreadStepRows = 4;
// Fewest rows per part when the output layer is split over rows (see run_head).
constexpr index_t kHeadPartRows = 8;

template <class T>
double sum_squares(MatrixView<const T> v) {
    double s = 0.0;
    for (index_t i = 0; i < v.rows; ++i)
        for (index_t j = 0; j < v.cols; ++j) {
            const double e = static_cast<double>(v(i, j));
            s += e * e;
        }
    return s;
}

// gb (1, o) <- column sums of d (n, o), sequential from row 0, in T (as dense.hpp): the
// product 1^T d over `ones` (n values of 1), whose multiply-adds by 1 are exact
// additions in that order, so it gives the same bits as a loop - on the ISA's vectors
// instead of baseline SSE.
template <class T>
void column_sums(MatrixView<const T> d, const std::vector<T>& ones, MatrixView<T> gb) {
    gemm<T>(T(1), MatrixView<const T>::row_major(ones.data(), 1, d.rows), d, T(0), gb);
}

// c <- alpha a^T d + beta c (the weight gradient, or the fused update).
template <class T>
void weight_product(T alpha, MatrixView<const T> a, MatrixView<const T> d, T beta,
                    MatrixView<T> c) {
    gemm<T>(alpha, a.transposed(), d, beta, c);
}

template <class T>
index_t argmax_row(const T* r, index_t k) {
    index_t best = 0;
    for (index_t j = 1; j < k; ++j)
        if (r[j] > r[best]) best = j;
    return best;
}

template <class T>
void require_view(const char* what, const MatrixView<T>& v, index_t r, index_t c) {
    if (!v.same_shape(r, c)) {
        throw ShapeError(std::string("engine: ") + what + " expected shape (" +
                         std::to_string(r) + ", " + std::to_string(c) + "), got (" +
                         std::to_string(v.rows) + ", " + std::to_string(v.cols) + ")");
    }
}

}  // namespace

template <class T>
Engine<T>::Engine(std::vector<index_t> sizes, std::vector<Activation> acts, Loss loss)
    : sizes_(std::move(sizes)), acts_(std::move(acts)), loss_(loss) {
    if (acts_.empty() || sizes_.size() != acts_.size() + 1)
        throw ShapeError("engine: expected one size more than activations");
    for (index_t s : sizes_)
        if (s < 1) throw ShapeError("engine: layer sizes must be >= 1");
    params_.resize(acts_.size());
    a_.resize(acts_.size());
    d_.resize(acts_.size());
    infer_.resize(acts_.size());
    gw_.resize(acts_.size());
    gb_.resize(acts_.size());
    max_d_.resize(acts_.size());
}

template <class T>
void Engine<T>::set_layer(index_t l, MatrixView<T> w, MatrixView<T> b) {
    if (l < 0 || l >= n_layers()) throw ValueError("engine: layer index out of range");
    require_view("W", w, sizes_[l], sizes_[l + 1]);
    require_view("b", b, 1, sizes_[l + 1]);
    params_[l].w = w;
    params_[l].b = b;
}

template <class T>
void Engine<T>::set_state(index_t l, int k, MatrixView<T> w, MatrixView<T> b) {
    if (l < 0 || l >= n_layers() || k < 0 || k > 1)
        throw ValueError("engine: state index out of range");
    require_view("state of W", w, sizes_[l], sizes_[l + 1]);
    require_view("state of b", b, 1, sizes_[l + 1]);
    params_[l].state_w[k] = w;
    params_[l].state_b[k] = b;
}

template <class T>
void Engine<T>::reserve(index_t batch) {
    if (batch < 1) throw ValueError("engine: batch must be >= 1");
    for (index_t l = 0; l < n_layers(); ++l) {
        const auto o = static_cast<std::size_t>(sizes_[l + 1]);
        a_[l].assign(static_cast<std::size_t>(batch) * o, T(0));
        d_[l].assign(static_cast<std::size_t>(batch) * o, T(0));
        gw_[l].assign(static_cast<std::size_t>(sizes_[l]) * o, T(0));
        gb_[l].assign(o, T(0));
    }
    ones_.assign(static_cast<std::size_t>(batch), T(1));
    capacity_ = batch;
}

template <class T>
MatrixView<T> Engine<T>::act_view(std::vector<T>& buf, index_t l, index_t n) const {
    return MatrixView<T>::row_major(buf.data(), n, sizes_[l + 1]);
}

template <class T>
void Engine<T>::forward_layers(MatrixView<const T> x, index_t n, std::vector<T>* bufs,
                               MatrixView<T> last, index_t count) {
    MatrixView<const T> in = x;
    for (index_t l = 0; l < count; ++l) {
        const Params& p = params_[l];
        const MatrixView<T> out =
            (l + 1 == n_layers() && last.data) ? last : act_view(bufs[l], l, n);
        // Bias and activation fused into the product, in place (only a is kept).
        const VectorView<const T> bias(p.b.data, p.b.cols, p.b.col_stride);
        detail::forward_fused<T>(in, p.w, bias, acts_[l], out, out);
        in = out;
    }
}

template <class T>
void Engine<T>::head_rows(MatrixView<const T> in, const std::int64_t* labels,
                          MatrixView<const T> y, index_t n, index_t r0, index_t r1) {
    const index_t L = n_layers(), m = r1 - r0;
    const Params& p = params_[L - 1];
    const MatrixView<T> out = act_view(a_[L - 1], L - 1, n).block(r0, 0, m, n_out());
    const VectorView<const T> bias(p.b.data, p.b.cols, p.b.col_stride);
    detail::forward_fused<T>(in.block(r0, 0, m, in.cols), p.w, bias, acts_[L - 1], out,
                             out);
    const MatrixView<T> d_last = act_view(d_[L - 1], L - 1, n).block(r0, 0, m, n_out());
    if (labels) {
        output_grad<T>(acts_[L - 1], loss_, out, out, Labels(labels + r0, m), d_last,
                       n);
    } else {
        output_grad<T>(acts_[L - 1], loss_, out, out, y.block(r0, 0, m, y.cols), d_last,
                       n);
    }
    if (L == 1) return;
    const MatrixView<T> a_prev = act_view(a_[L - 2], L - 2, n).block(r0, 0, m, in.cols);
    const MatrixView<T> d_prev = act_view(d_[L - 2], L - 2, n).block(r0, 0, m, in.cols);
    detail::input_gradient_fused<T>(d_last, p.w, acts_[L - 2], a_prev, a_prev, d_prev);
}

// The output layer's rows are independent - its product, activation, loss gradient and
// the input gradient into the layer below - so on several threads it runs as one job
// split over rows, each part on its own thread's kernels. Otherwise a 10-class layer's
// two products are too small to split, and with its element-wise passes they ran on
// one core while the other waited: 8.1 us of a 2-thread step at batch 32, 6.3 us split
// (the calling thread's half takes ~6.6 us, the worker's ~4.1: the Python loop between
// steps evicts this code from the caller's caches). fit at batch 32 / 128 on 2 threads:
// 1.03 / 1.02x, paired.
template <class T>
void Engine<T>::run_head(MatrixView<const T> in, const std::int64_t* labels,
                         MatrixView<const T> y, index_t n) {
    const int threads = detail::kernel_threads();
    const int parts = static_cast<int>(std::min<index_t>(threads, n / kHeadPartRows));
    if (parts <= 1) {
        head_rows(in, labels, y, n, 0, n);
        return;
    }
    struct Job {
        Engine* engine;
        MatrixView<const T> in, y;
        const std::int64_t* labels;
        index_t n;
        int parts;
    } job{this, in, y, labels, n, parts};
    detail::parallel_run(
        parts, threads,
        [](void* ctx, int t) {
            const Job& j = *static_cast<const Job*>(ctx);
            const detail::SingleThreadScope own_thread(true);
            j.engine->head_rows(j.in, j.labels, j.y, j.n, j.n * t / j.parts,
                                j.n * (t + 1) / j.parts);
        },
        &job);
}

template <class T>
void Engine<T>::apply_update(index_t l, MatrixView<const T> gw, MatrixView<const T> gb,
                             std::int64_t t) {
    Params& p = params_[l];
    switch (opt_.kind) {
        case OptimKind::sgd:
            sgd_step<T>(p.w, gw, opt_.lr);
            sgd_step<T>(p.b, gb, opt_.lr);
            return;
        case OptimKind::momentum:
            momentum_step<T>(p.w, gw, p.state_w[0], opt_.lr, opt_.momentum,
                             opt_.nesterov);
            momentum_step<T>(p.b, gb, p.state_b[0], opt_.lr, opt_.momentum,
                             opt_.nesterov);
            return;
        case OptimKind::adam:
            adam_step<T>(p.w, gw, p.state_w[0], p.state_w[1], opt_.lr, opt_.beta1,
                         opt_.beta2, opt_.eps, t);
            adam_step<T>(p.b, gb, p.state_b[0], p.state_b[1], opt_.lr, opt_.beta1,
                         opt_.beta2, opt_.eps, t);
            return;
    }
}

template <class T>
StepResult Engine<T>::step(MatrixView<const T> x, const std::int64_t* labels,
                           MatrixView<const T> y, index_t n, std::int64_t t,
                           bool record) {
    const index_t L = n_layers();
    if (n < 1 || n > capacity_)
        throw ValueError("engine: batch of " + std::to_string(n) +
                         " rows outside [1, " + std::to_string(capacity_) + "]");
    require_view("x", x, n, n_in());
    if (!labels) require_view("y", y, n, n_out());
    for (index_t l = 0; l < L; ++l) {
        const Params& p = params_[l];
        if (!p.w.data) throw ValueError("engine: parameters not bound");
        const bool need0 = opt_.kind != OptimKind::sgd,
                   need1 = opt_.kind == OptimKind::adam;
        if ((need0 && !p.state_w[0].data) || (need1 && !p.state_w[1].data))
            throw ValueError("engine: optimizer state not bound");
    }
    if (opt_.kind == OptimKind::adam && t < 1)
        throw ValueError("engine: adam step must be >= 1");
    const detail::SingleThreadScope single_thread(n <= kSingleThreadStepRows);
    const detail::OnePartPerThreadScope stable_parts;

    StepResult res;
    forward_layers(x, n, a_.data(), MatrixView<T>(), L - 1);
    // The output layer through D_L and D_{L-1}: the weights before any update.
    run_head(L == 1 ? x : MatrixView<const T>(act_view(a_[L - 2], L - 2, n)), labels, y,
             n);
    const MatrixView<T> out = act_view(a_[L - 1], L - 1, n);
    const Labels lab(labels, labels ? n : 0);
    res.loss = labels ? loss_value<T>(loss_, out, lab) : loss_value<T>(loss_, out, y);

    // Correct predictions, as network.count_correct.
    if (loss_ == Loss::cross_entropy) {
        for (index_t i = 0; i < n; ++i) {
            const index_t want = labels ? static_cast<index_t>(labels[i]) : [&] {
                index_t best = 0;
                for (index_t j = 1; j < y.cols; ++j)
                    if (y(i, j) > y(i, best)) best = j;
                return best;
            }();
            res.correct += argmax_row(out.row_ptr(i), out.cols) == want;
        }
    } else if (loss_ == Loss::binary_cross_entropy) {
        for (index_t i = 0; i < n; ++i)
            for (index_t j = 0; j < out.cols; ++j)
                res.correct += (out(i, j) > T(0.5)) == (y(i, j) > T(0.5));
    }

    std::vector<double>& max_d = max_d_;
    if (record) {
        for (index_t l = 0; l < L; ++l)
            if (!std::isfinite(max_abs<T>(act_view(a_[l], l, n)))) {
                res.nonfinite_activation = static_cast<int>(l);
                break;
            }
    }
    if (!std::isfinite(res.loss)) {
        res.status = 1;
        return res;
    }

    // Backward sweep 1: every D_l, using the weights before any update (run_head
    // formed D_L and D_{L-1}).
    max_d[L - 1] = max_abs<T>(act_view(d_[L - 1], L - 1, n));
    if (L >= 2) max_d[L - 2] = max_abs<T>(act_view(d_[L - 2], L - 2, n));
    for (index_t l = L - 2; l >= 1; --l) {
        const MatrixView<T> d_prev = act_view(d_[l - 1], l - 1, n);
        const MatrixView<T> a_prev = act_view(a_[l - 1], l - 1, n);
        detail::input_gradient_fused<T>(act_view(d_[l], l, n), params_[l].w,
                                        acts_[l - 1], a_prev, a_prev, d_prev);
        max_d[l - 1] = max_abs<T>(d_prev);
    }
    for (index_t l = 0; l < L; ++l) {
        if (!std::isfinite(max_d[l])) {  // some column sum of D_l, db_l, is not finite
            res.status = 2;
            res.bad_layer = static_cast<int>(l);
            return res;
        }
    }
    auto input_of = [&](index_t l) -> MatrixView<const T> {
        return l == 0 ? x : MatrixView<const T>(act_view(a_[l - 1], l - 1, n));
    };

    bool fused = !record && (opt_.kind == OptimKind::sgd ||
                             (opt_.kind == OptimKind::momentum && !opt_.nesterov));
    if (fused) {
        const double limit = static_cast<double>(std::numeric_limits<T>::max()) / 4;
        const double rows = static_cast<double>(n);
        for (index_t l = 0; l < L && fused; ++l) {
            const double a =
                l == 0 && input_bound_ >= 0 ? input_bound_ : max_abs<T>(input_of(l));
            fused = rows * a * max_d[l] <= limit && rows * max_d[l] <= limit;
        }
    }
    if (fused) {
        // Proven finite: update each layer inside its weight-gradient product.
        const T lr = static_cast<T>(opt_.lr);
        for (index_t l = L - 1; l >= 0; --l) {
            Params& p = params_[l];
            const MatrixView<T> gb =
                MatrixView<T>::row_major(gb_[l].data(), 1, sizes_[l + 1]);
            column_sums<T>(act_view(d_[l], l, n), ones_, gb);
            if (opt_.kind == OptimKind::sgd) {
                weight_product<T>(-lr, input_of(l), act_view(d_[l], l, n), T(1), p.w);
                sgd_step<T>(p.b, gb, opt_.lr);
            } else {
                // v <- A^T D + mu v (momentum_step's mu v + g), then p <- p - lr v.
                const MatrixView<T> v = p.state_w[0];
                weight_product<T>(T(1), input_of(l), act_view(d_[l], l, n),
                                  static_cast<T>(opt_.momentum), v);
                sgd_step<T>(p.w, v, opt_.lr);  // p - lr v: sgd's rule with g = v
                momentum_step<T>(p.b, gb, p.state_b[0], opt_.lr, opt_.momentum, false);
            }
        }
        return res;
    }

    // General path: form every gradient, check it element by element, then apply.
    if (record) res.grad_norms.assign(static_cast<std::size_t>(2 * L), 0.0);
    for (index_t l = L - 1; l >= 0; --l) {
        const MatrixView<T> gw =
            MatrixView<T>::row_major(gw_[l].data(), sizes_[l], sizes_[l + 1]);
        const MatrixView<T> gb =
            MatrixView<T>::row_major(gb_[l].data(), 1, sizes_[l + 1]);
        weight_product<T>(T(1), input_of(l), act_view(d_[l], l, n), T(0), gw);
        column_sums<T>(act_view(d_[l], l, n), ones_, gb);
        if (record) {
            res.grad_norms[2 * l] = std::sqrt(sum_squares<T>(gw));
            res.grad_norms[2 * l + 1] = std::sqrt(sum_squares<T>(gb));
        }
    }
    for (index_t l = 0; l < L; ++l) {
        const MatrixView<const T> gw =
            MatrixView<T>::row_major(gw_[l].data(), sizes_[l], sizes_[l + 1]);
        const MatrixView<const T> gb =
            MatrixView<T>::row_major(gb_[l].data(), 1, sizes_[l + 1]);
        if (!std::isfinite(max_abs<T>(gw)) || !std::isfinite(max_abs<T>(gb))) {
            res.status = 2;
            res.bad_layer = static_cast<int>(l);
            return res;
        }
    }
    for (index_t l = L - 1; l >= 0; --l) {
        apply_update(l,
                     MatrixView<T>::row_major(gw_[l].data(), sizes_[l], sizes_[l + 1]),
                     MatrixView<T>::row_major(gb_[l].data(), 1, sizes_[l + 1]), t);
    }
    return res;
}

template <class T>
void Engine<T>::forward(MatrixView<const T> x, MatrixView<T> out) {
    const index_t n = x.rows;
    require_view("x", x, n, n_in());
    require_view("out", out, n, n_out());
    for (index_t l = 0; l < n_layers(); ++l)
        if (!params_[l].w.data) throw ValueError("engine: parameters not bound");
    // Repeated calls keep each core's half of the weights in its cache (2 threads,
    // paired: batch 32 / 128 / 4096 1.06 / 1.04 / 1.09x, 512 0.99x).
    const detail::OnePartPerThreadScope stable_parts;
    const index_t rows = std::min(n, kChunk);
    if (rows > infer_rows_) {  // grow-only, at most kChunk rows per layer
        for (index_t l = 0; l + 1 < n_layers(); ++l)
            infer_[l].resize(static_cast<std::size_t>(rows * sizes_[l + 1]));
        infer_rows_ = rows;
    }
    for (index_t r0 = 0; r0 < n; r0 += kChunk) {
        const index_t m = std::min(kChunk, n - r0);
        forward_layers(x.block(r0, 0, m, n_in()), m, infer_.data(),
                       out.block(r0, 0, m, n_out()), n_layers());
    }
}

template class Engine<float>;
template class Engine<double>;

}  // namespace mlpcore
