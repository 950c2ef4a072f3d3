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

// Worker threads used by large GEMMs. Default: the CPUs this process may run on
// (sched_getaffinity on Linux, else std::thread::hardware_concurrency), at least 1.
int get_num_threads() noexcept;
// n >= 1, else throws ValueError.
void set_num_threads(int n);

// Name of the GEMM micro-kernel family in use ("generic" until ISA kernels exist).
const char* kernel_isa() noexcept;

// (feature, usable) pairs in a fixed order: sse2, avx, avx2, fma, avx512f, avx512bw,
// avx512dq, avx512vl. All false on non-x86 builds.
std::vector<std::pair<std::string, bool>> cpu_features();

// The package version baked in at build time (MLPCORE_VERSION).
const char* version() noexcept;

}  // namespace mlpcore
