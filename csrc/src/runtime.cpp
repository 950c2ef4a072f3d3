// Runtime settings: thread count, ISA name, CPU feature report, version.
#include "mlpcore/runtime.hpp"

#include <atomic>
#include <string>
#include <thread>

#include "mlpcore/errors.hpp"

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

const char* kernel_isa() noexcept { return "generic"; }

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
