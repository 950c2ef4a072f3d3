// Training engine: one call runs a whole minibatch step of a dense network.
//
//   forward  A_l = f_l(A_{l-1} W_l + b_l)            (A_0 = x; no z buffers: every
//            derivative this engine needs is a function of A, since for relu and
//            leaky_relu z > 0 <=> a > 0)
//   loss     C = loss(A_L, y) and the fused output gradient D_L = dC/dz_L (losses.hpp)
//   backward D_{l-1} = (D_l W_l^T) * f'_{l-1}(A_{l-1}) for l >= 2 (no dC/dx for layer
//   1)
//            dW_l = A_{l-1}^T D_l, db_l = column sums of D_l (sequential from row 0)
//   update   sgd / momentum (nesterov) / adam exactly as optim.hpp
//
// Memory: the parameters and optimizer state are the caller's (views bound with
//   set_layer / set_state; the engine updates them in place); reserve(batch) allocates
//   every workspace buffer once, so step() and forward() never allocate.
// Divergence: a step whose loss or any gradient element is NaN/Inf is not applied
//   (StepResult::status says which). Proof used on the fast path: with every A_{l-1}
//   and D_l finite and n * max|A_{l-1}| * max|D_l| <= max(T) / 4, no partial sum of
//   dW_l or db_l can overflow, so the update may be fused into the dW product (sgd: W
//   <- W - lr A^T D as one gemm with beta = 1; momentum: V <- A^T D + mu V). Otherwise,
//   and for nesterov/adam or when recording, all gradients are formed first, checked
//   element by element, then applied.
// Threads: one step at a time per Engine (callers serialise); GEMMs may use the pool,
//   and on 2+ threads the output layer (through D_L and D_{L-1}) runs as one pool job
//   split over the batch's rows - the same bits as on one thread. The products of a
//   step or a forward split into one part per thread (OnePartPerThreadScope: each core
//   keeps its half of the weights in its own cache); a hidden layer's forward splits
//   over the weights' rows, as its update does (gemm.cpp, k_stages).
// Errors: ShapeError / ValueError (errors.hpp) on inconsistent arguments, before any
//   parameter is written.
#pragma once

#include <cstdint>
#include <vector>

#include "mlpcore/activations.hpp"
#include "mlpcore/losses.hpp"
#include "mlpcore/view.hpp"

namespace mlpcore {

enum class OptimKind { sgd, momentum, adam };

struct OptimConfig {
    OptimKind kind = OptimKind::sgd;
    double lr = 0.01;
    double momentum = 0.0;                          // momentum only
    bool nesterov = false;                          // momentum only
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  // adam only
};

struct StepResult {
    // 0: applied; 1: loss not finite; 2: gradient of layer `bad_layer` not finite.
    int status = 0;
    int bad_layer = -1;
    double loss = 0.0;
    std::int64_t correct = 0;  // classifiers: correct predictions in the batch
    // Recording only: first layer whose activations hold NaN/Inf (-1: none), and
    // ||dW_l||, ||db_l|| (Frobenius, in double) for every layer.
    int nonfinite_activation = -1;
    std::vector<double> grad_norms;
};

template <class T>
class Engine {
public:
    // sizes: n_in, then n_out of every layer; acts: one activation per layer.
    Engine(std::vector<index_t> sizes, std::vector<Activation> acts, Loss loss);

    index_t n_layers() const { return static_cast<index_t>(acts_.size()); }
    index_t n_in() const { return sizes_.front(); }
    index_t n_out() const { return sizes_.back(); }
    index_t capacity() const { return capacity_; }

    // Parameters of layer l: w (sizes[l], sizes[l+1]) and b (1, sizes[l+1]).
    void set_layer(index_t l, MatrixView<T> w, MatrixView<T> b);
    // Optimizer state k (momentum: 0 = velocity; adam: 0 = m, 1 = v) of layer l,
    // shaped like its w and b.
    void set_state(index_t l, int k, MatrixView<T> w, MatrixView<T> b);
    void set_optimizer(const OptimConfig& config) { opt_ = config; }
    // A bound on |x| over every batch step() will see (the caller scanned its data
    // once), so the divergence proof need not scan x each step; < 0: unknown.
    void set_input_bound(double bound) { input_bound_ = bound; }

    // Allocates the training workspace for batches of up to `batch` rows.
    void reserve(index_t batch);

    // One training step on rows [0, n) of x (n <= capacity()) with integer labels
    // (cross_entropy) or float targets y (n, n_out). `t` is the 1-based optimizer
    // step (adam's bias correction).
    StepResult step(MatrixView<const T> x, const std::int64_t* labels,
                    MatrixView<const T> y, index_t n, std::int64_t t, bool record);

    // out (n, n_out) <- the network's output for x (n, n_in); any n, processed in
    // chunks with an inference workspace of at most kChunk rows.
    void forward(MatrixView<const T> x, MatrixView<T> out);

    static constexpr index_t kChunk = 1024;

private:
    struct Params {
        MatrixView<T> w, b;
        MatrixView<T> state_w[2], state_b[2];
    };
    MatrixView<T> act_view(std::vector<T>& buf, index_t l, index_t n) const;
    // Layers [0, count) on rows [0, n) of x into bufs; the network's last layer into
    // `last` instead when that is given.
    void forward_layers(MatrixView<const T> x, index_t n, std::vector<T>* bufs,
                        MatrixView<T> last, index_t count);
    // The output layer on rows [r0, r1) of the batch of n rows whose input is `in`: its
    // activations, the fused output gradient D_L and, with a layer below, D_{L-1}.
    void head_rows(MatrixView<const T> in, const std::int64_t* labels,
                   MatrixView<const T> y, index_t n, index_t r0, index_t r1);
    // head_rows over the whole batch, split over rows on several threads.
    void run_head(MatrixView<const T> in, const std::int64_t* labels,
                  MatrixView<const T> y, index_t n);
    void apply_update(index_t l, MatrixView<const T> gw, MatrixView<const T> gb,
                      std::int64_t t);

    std::vector<index_t> sizes_;
    std::vector<Activation> acts_;
    Loss loss_;
    OptimConfig opt_;
    std::vector<Params> params_;
    index_t capacity_ = 0, infer_rows_ = 0;
    double input_bound_ = -1.0;
    std::vector<std::vector<T>> a_, d_, infer_;  // per layer: activations, dC/dz
    std::vector<std::vector<T>> gw_, gb_;        // per layer: dW, db
    std::vector<double> max_d_;                  // per layer: max |D_l|
    std::vector<T> ones_;                        // capacity x 1 (column sums)
};

extern template class Engine<float>;
extern template class Engine<double>;

}  // namespace mlpcore
