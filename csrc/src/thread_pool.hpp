// Internal: the persistent worker pool behind the multi-threaded kernels.
//
// parallel_run(n, fn, ctx) calls fn(ctx, t) once for every t in [0, n) and returns when
// all calls have finished; the calling thread takes part. Which thread runs which t is
// unspecified, so callers make each part's result independent of it (the GEMM splits
// output blocks, never a reduction). Workers are created on first need (n - 1 of
// them), spin briefly after each job, then sleep on a condition variable.
// Reentrancy: a caller that finds the pool busy (another thread's job, or a call from
// inside a part) runs all n parts itself, sequentially: never a deadlock, same results.
// fork(): the child drops the parent's pool (its threads do not exist there) and
// builds a new one on first use. Exceptions thrown by fn are rethrown to the caller
// (the first one; the remaining parts still run).
#pragma once

namespace mlpcore::detail {

void parallel_run(int n, void (*fn)(void* ctx, int part), void* ctx);

}  // namespace mlpcore::detail
