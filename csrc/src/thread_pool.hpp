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

}  // namespace mlpcore::detail
