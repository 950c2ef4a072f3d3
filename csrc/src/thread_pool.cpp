// Persistent std::thread pool (see thread_pool.hpp). No OpenMP: nothing to bundle, no
// hang after fork, no second runtime competing with OpenBLAS's threads.
#include "thread_pool.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "mlpcore/runtime.hpp"

#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define MLPCORE_PAUSE() _mm_pause()
#else
#define MLPCORE_PAUSE() std::this_thread::yield()
#endif

namespace mlpcore::detail {
namespace {

// How long an idle worker (or a waiting caller) polls before sleeping: long enough to
// bridge the gap between back-to-back kernel calls of a training step, short enough
// not to hold a core when the process is idle.
constexpr auto kSpin = std::chrono::microseconds(50);
constexpr int kMaxWorkers = 255;

class Pool {
public:
    void run(int n, int threads, void (*fn)(void*, int), void* ctx) {
        if (in_job_) {  // called from inside a part: this thread is the pool's already
            serial(n, fn, ctx);
            return;
        }
        std::unique_lock<std::mutex> busy(call_mtx_, std::try_to_lock);
        if (!busy.owns_lock()) {
            serial(n, fn, ctx);
            return;
        }
        const InJob caller_in_job;
        grow(std::min(std::min(threads, n) - 1, kMaxWorkers));
        // A worker still leaving the previous job may claim a part of this one: the
        // claim word carries the part count, and the job's fields are published by
        // the release store of that word.
        fn_.store(fn, std::memory_order_relaxed);
        ctx_.store(ctx, std::memory_order_relaxed);
        error_ = nullptr;
        remaining_.store(n, std::memory_order_relaxed);
        claim_.store(static_cast<std::uint64_t>(n) << 32, std::memory_order_release);
        {
            std::lock_guard<std::mutex> lk(m_);
            generation_.fetch_add(1, std::memory_order_release);
        }
        cv_work_.notify_all();
        work();
        wait_done();
        if (error_) std::rethrow_exception(error_);
    }

private:
    static void serial(int n, void (*fn)(void*, int), void* ctx) {
        for (int t = 0; t < n; ++t) fn(ctx, t);
    }

    void grow(int workers) {
        while (static_cast<int>(threads_.size()) < workers) {
            try {
                threads_.emplace_back([this] { loop(); });
            } catch (const std::system_error&) {
                return;  // fewer workers: the caller runs more parts itself
            }
        }
    }

    // Claims and runs parts until none is left.
    void work() {
        for (;;) {
            const std::uint64_t w = claim_.fetch_add(1, std::memory_order_acq_rel);
            const int t = static_cast<int>(w & 0xffffffffu);
            if (t >= static_cast<int>(w >> 32)) return;
            try {
                fn_.load(std::memory_order_relaxed)(
                    ctx_.load(std::memory_order_relaxed), t);
            } catch (...) {
                std::lock_guard<std::mutex> lk(m_);
                if (!error_) error_ = std::current_exception();
            }
            if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
                std::lock_guard<std::mutex> lk(m_);
                cv_done_.notify_all();
            }
        }
    }

    void wait_done() {
        const auto until = std::chrono::steady_clock::now() + kSpin;
        int polls = 0;
        while (remaining_.load(std::memory_order_acquire) != 0) {
            MLPCORE_PAUSE();
            if ((++polls & 63) == 0 && std::chrono::steady_clock::now() > until) {
                std::unique_lock<std::mutex> lk(m_);
                cv_done_.wait(lk, [this] {
                    return remaining_.load(std::memory_order_acquire) == 0;
                });
                return;
            }
        }
    }

    void loop() {
        in_job_ = true;
        std::uint64_t seen = generation_.load(std::memory_order_acquire);
        for (;;) {
            const auto until = std::chrono::steady_clock::now() + kSpin;
            int polls = 0;
            while (generation_.load(std::memory_order_acquire) == seen) {
                MLPCORE_PAUSE();
                if ((++polls & 63) == 0 && std::chrono::steady_clock::now() > until) {
                    std::unique_lock<std::mutex> lk(m_);
                    cv_work_.wait(lk, [&] {
                        return generation_.load(std::memory_order_acquire) != seen;
                    });
                    break;
                }
            }
            seen = generation_.load(std::memory_order_acquire);
            work();
        }
    }

    // Whether this thread runs parts now (a worker always; a caller inside run()).
    static thread_local bool in_job_;
    struct InJob {
        InJob() noexcept { in_job_ = true; }
        ~InJob() { in_job_ = false; }
        InJob(const InJob&) = delete;
        InJob& operator=(const InJob&) = delete;
    };
    std::mutex call_mtx_;
    std::mutex m_;
    std::condition_variable cv_work_, cv_done_;
    std::vector<std::thread> threads_;
    std::atomic<std::uint64_t> generation_{0};
    std::atomic<std::uint64_t> claim_{0};  // (parts << 32) | next part to claim
    std::atomic<int> remaining_{0};
    std::atomic<void (*)(void*, int)> fn_{nullptr};
    std::atomic<void*> ctx_{nullptr};
    std::exception_ptr error_;
};

thread_local bool Pool::in_job_ = false;

// SingleThreadScopes alive on this thread.
thread_local int t_single_thread_scopes = 0;

// Never deleted: workers may be parked in it when the interpreter exits, and a child
// after fork() must not run the destructors of threads it does not have.
std::atomic<Pool*> g_pool{nullptr};

#if defined(__unix__) || defined(__APPLE__)
void forget_pool_in_child() { g_pool.store(nullptr, std::memory_order_relaxed); }
#endif

Pool& pool() {
    Pool* p = g_pool.load(std::memory_order_acquire);
    if (p != nullptr) return *p;
#if defined(__unix__) || defined(__APPLE__)
    static const bool registered = [] {
        pthread_atfork(nullptr, nullptr, &forget_pool_in_child);
        return true;
    }();
    (void)registered;
#endif
    Pool* fresh = new Pool();
    if (!g_pool.compare_exchange_strong(p, fresh, std::memory_order_acq_rel)) {
        delete fresh;
        return *p;
    }
    return *fresh;
}

}  // namespace

void spin_pause() noexcept { MLPCORE_PAUSE(); }

int kernel_threads() noexcept {
    return t_single_thread_scopes > 0 ? 1 : get_num_threads();
}

SingleThreadScope::SingleThreadScope(bool active) noexcept : active_(active) {
    if (active_) ++t_single_thread_scopes;
}

SingleThreadScope::~SingleThreadScope() {
    if (active_) --t_single_thread_scopes;
}

// OnePartPerThreadScopes alive on this thread.
thread_local int t_one_part_scopes = 0;

OnePartPerThreadScope::OnePartPerThreadScope() noexcept { ++t_one_part_scopes; }

OnePartPerThreadScope::~OnePartPerThreadScope() { --t_one_part_scopes; }

bool one_part_per_thread() noexcept { return t_one_part_scopes > 0; }

void parallel_run(int parts, int threads, void (*fn)(void* ctx, int part), void* ctx) {
    if (parts <= 1 || threads <= 1) {
        for (int t = 0; t < parts; ++t) fn(ctx, t);
        return;
    }
    pool().run(parts, threads, fn, ctx);
}

}  // namespace mlpcore::detail
