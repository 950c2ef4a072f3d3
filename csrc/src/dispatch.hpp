// Internal: the kernel table chosen for this process (not a public header).
//
// Selection happens once, on first use: MLPCORE_ISA (generic | avx2 | avx512) when set,
// else the widest ISA both compiled in and reported usable by the CPU (and OS):
// avx512 needs avx512f+bw+dq+vl, avx2 needs avx2+fma. An unknown or unavailable
// MLPCORE_ISA value throws ValueError from select_kernels() (and from every later
// call), which the Python module turns into an ImportError-time ValueError.
#pragma once

#include "kernels/kernel_table.hpp"

namespace mlpcore::detail {

// The selected table; throws ValueError when MLPCORE_ISA is invalid.
const kernels::KernelTable& select_kernels();

// The table for `isa` when compiled in and usable on this CPU, else nullptr.
const kernels::KernelTable* kernels_for(const char* isa) noexcept;

}  // namespace mlpcore::detail
