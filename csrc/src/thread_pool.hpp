// Internal: the persistent worker pool behind the multi-threaded kernels.
//
// parallel_run(parts, threads, fn, ctx) calls fn(ctx, t) once for every t in
// [0, parts) on up to `threads` threads (the caller and threads - 1 workers) and
// returns when all calls have finished. Parts are claimed dynamically, so more parts
// than threads balance the load when a core is busy with other work; which thread runs
// which t is unspecified, so callers make each part's result independent of it (the
// GEMM splits output blocks, never a reduction). Workers are created on first need,
// spin briefly after each job, then sleep on a condition variable.
// Reentrancy: a caller that finds the pool busy (another thread's job, or a call from
// inside a part) runs all n parts itself, sequentially: never a deadlock, same results.
// fork(): the child drops the parent's pool (its threads do not exist there) and
// builds a new one on first use. Exceptions thrown by fn are rethrown to the caller
// (the first one; the remaining parts still run).
#pragma once

namespace mlpcore::detail {

void parallel_run(int parts, int threads, void (*fn)(void* ctx, int part), void* ctx);

// One pause of a thread spinning on another's progress (x86: the PAUSE instruction).
void spin_pause() noexcept;

// The thread count the calling thread's kernels use: get_num_threads(), or 1 while a
// SingleThreadScope is alive on this thread.
int kernel_threads() noexcept;

// Keeps the calling thread's kernels on that thread while alive (when `active`;
// scopes nest): for work whose split would cost more than it gains, such as a
// training step at batch 1, whose weights change every step and would otherwise
// travel between the cores' caches each time.
class SingleThreadScope {
public:
    explicit SingleThreadScope(bool active) noexcept;
    ~SingleThreadScope();
    SingleThreadScope(const SingleThreadScope&) = delete;
    SingleThreadScope& operator=(const SingleThreadScope&) = delete;

private:
    bool active_;
};

// While alive (scopes nest), the calling thread's kernels split a product into one
// part per thread instead of a few: with two parts, the caller almost always runs the
// first and the worker the second, so each core keeps reading the same half of the
// weights from its own L2 across a training step's products and across steps - with a
// few parts each, claimed dynamically, a layer's weights crossed between the cores'
// caches every step. Paired at 2 threads on Zen 4 (in one process, alternated), fit at
// batch 32 ran 1.15x as fast (1.19-1.21x while another tenant held a core; nearly all
// of it from the forward products), batch 128 1.06x, 512 1.00-1.03x. Standalone
// products keep a few parts per thread (see gemm_ex): there one per thread ran
// 0.89-1.41x as fast, by shape. The scope also lets a forward product split over K
// (the weights' rows), the partition of the weight update (gemm.cpp, k_stages).
class OnePartPerThreadScope {
public:
    OnePartPerThreadScope() noexcept;
    ~OnePartPerThreadScope();
    OnePartPerThreadScope(const OnePartPerThreadScope&) = delete;
    OnePartPerThreadScope& operator=(const OnePartPerThreadScope&) = delete;
};

// Whether a OnePartPerThreadScope is alive on the calling thread.
bool one_part_per_thread() noexcept;

}  // namespace mlpcore::detail
