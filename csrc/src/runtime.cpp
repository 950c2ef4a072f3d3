// Runtime settings: thread count, ISA name, CPU feature report, version.
#include "mlpcore/runtime.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "dispatch.hpp"
#include "mlpcore/errors.hpp"
#include "thread_pool.hpp"

#if defined(__linux__)
#include <sched.h>
#endif

#ifndef MLPCORE_VERSION
#define MLPCORE_VERSION "0+unknown"
#endif

namespace mlpcore {
namespace {

int usable_cpus() noexcept {
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        const int n = CPU_COUNT(&set);
        if (n > 0) return n;
    }
#endif
    const unsigned n = std::thread::hardware_concurrency();
    return n > 0 ? static_cast<int>(n) : 1;
}

// 0 = not yet chosen; resolved lazily so that importing never pays for the affinity
// query.
std::atomic<int> g_num_threads{0};

}  // namespace

int get_num_threads() noexcept {
    int n = g_num_threads.load(std::memory_order_relaxed);
    if (n > 0) return n;
    int expected = 0;
    n = usable_cpus();
    g_num_threads.compare_exchange_strong(expected, n, std::memory_order_relaxed);
    return g_num_threads.load(std::memory_order_relaxed);
}

void set_num_threads(int n) {
    if (n < 1) {
        throw ValueError("n: expected a thread count >= 1, got " + std::to_string(n));
    }
    g_num_threads.store(n, std::memory_order_relaxed);
}

const char* kernel_isa() noexcept {
    try {
        return detail::select_kernels().name;
    } catch (const Error&) {
        return "invalid";
    }
}

void check_kernel_isa() { (void)detail::select_kernels(); }

std::string available_isas() {
    std::string s = "generic";
    for (const char* isa : {"avx2", "avx512"})
        if (detail::kernels_for(isa) != nullptr) s += std::string(", ") + isa;
    return s;
}

namespace {

struct ProbeJob {
    const kernels::KernelTable* table;
    bool f64;
    long iters;
    double flops[256];
};

void probe_part(void* ctx, int t) {
    auto& job = *static_cast<ProbeJob*>(ctx);
    float sf = 0;
    double sd = 0;
    job.flops[t] = job.f64 ? job.table->fma_probe_f64(job.iters, &sd)
                           : job.table->fma_probe_f32(job.iters, &sf);
    // Keep the sinks observable so the probe cannot be elided.
    if (sf == 12345.0f || sd == 12345.0) job.flops[t] += 0.0;
}

double probe_once(ProbeJob& job, int threads) {
    const auto t0 = std::chrono::steady_clock::now();
    detail::parallel_run(threads, threads, &probe_part, &job);
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double flops = 0;
    for (int t = 0; t < threads; ++t) flops += job.flops[t];
    return s > 0 ? flops / s : 0.0;
}

}  // namespace

double fma_peak_gflops(bool f64, int threads, double seconds) {
    if (threads < 1 || threads > 256) {
        throw ValueError("threads: expected an integer in [1, 256], got " +
                         std::to_string(threads));
    }
    ProbeJob job{};
    job.table = &detail::select_kernels();
    job.f64 = f64;
    job.iters = 100000;
    // Calibrate on one thread, then size each round to about `seconds`.
    const double rate = probe_once(job, 1);
    const double per_iter = job.flops[0] / static_cast<double>(job.iters);
    job.iters = std::max(100000L, static_cast<long>(seconds * rate / per_iter));
    double best = 0;
    for (int round = 0; round < 3; ++round)
        best = std::max(best, probe_once(job, threads));
    return best / 1e9;
}

std::vector<std::pair<std::string, bool>> cpu_features() {
#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
    // __builtin_cpu_supports checks OS support (XSAVE state) as well as CPUID bits.
    __builtin_cpu_init();
    return {
        {"sse2", __builtin_cpu_supports("sse2") != 0},
        {"avx", __builtin_cpu_supports("avx") != 0},
        {"avx2", __builtin_cpu_supports("avx2") != 0},
        {"fma", __builtin_cpu_supports("fma") != 0},
        {"avx512f", __builtin_cpu_supports("avx512f") != 0},
        {"avx512bw", __builtin_cpu_supports("avx512bw") != 0},
        {"avx512dq", __builtin_cpu_supports("avx512dq") != 0},
        {"avx512vl", __builtin_cpu_supports("avx512vl") != 0},
    };
#else
    return {{"sse2", false},     {"avx", false},     {"avx2", false},
            {"fma", false},      {"avx512f", false}, {"avx512bw", false},
            {"avx512dq", false}, {"avx512vl", false}};
#endif
}

const char* version() noexcept { return MLPCORE_VERSION; }

}  // namespace mlpcore
