// Process-wide runtime settings and reports: thread count, kernel ISA, CPU features,
// version.
//
// Threads: all functions are thread-safe. set_num_threads affects calls that start
// after
//   it returns; results never depend on the thread count.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mlpcore {

// Worker threads used by large GEMMs and the data path's whole-array passes (rows.hpp).
// Default: the CPUs this process may run on (sched_getaffinity on Linux, else
// std::thread::hardware_concurrency), at least 1.
int get_num_threads() noexcept;
// n >= 1, else throws ValueError.
void set_num_threads(int n);

// Name of the micro-kernel set in use: "generic", "avx2" or "avx512" (chosen once: the
// MLPCORE_ISA environment variable when set, else the widest the CPU supports);
// "invalid" when MLPCORE_ISA names a set that is unknown or unusable here.
const char* kernel_isa() noexcept;

// Throws ValueError naming MLPCORE_ISA, the available sets and the value given when
// MLPCORE_ISA is unknown or unusable on this CPU; otherwise does nothing.
void check_kernel_isa();

// Kernel sets compiled in and usable on this CPU, comma-separated ("generic, avx2").
std::string available_isas();

// Measured multiply-add throughput of the selected kernel set, in GFLOP/s, on
// `threads` threads at once (each runs independent FMA chains on vector registers
// for about `seconds`; the best of three rounds). f64 selects double precision.
double fma_peak_gflops(bool f64, int threads, double seconds = 0.03);

// (feature, usable) pairs in a fixed order: sse2, avx, avx2, fma, avx512f, avx512bw,
// avx512dq, avx512vl. All false on non-x86 builds.
std::vector<std::pair<std::string, bool>> cpu_features();

// The package version baked in at build time (MLPCORE_VERSION).
const char* version() noexcept;

}  // namespace mlpcore
