// CPU detection and kernel-table selection (see dispatch.hpp).
#include "dispatch.hpp"

#include <cstdlib>
#include <cstring>
#include <string>

#include "mlpcore/errors.hpp"

namespace mlpcore::detail {
namespace {

bool cpu_has(const char* isa) noexcept {
#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
    // __builtin_cpu_supports also checks that the OS saves the wide registers (XCR0).
    __builtin_cpu_init();
    if (std::strcmp(isa, "avx2") == 0)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (std::strcmp(isa, "avx512") == 0)
        return __builtin_cpu_supports("avx512f") &&
               __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx2") &&
               __builtin_cpu_supports("fma");
#else
    (void)isa;
#endif
    return false;
}

struct Selection {
    const kernels::KernelTable* table = nullptr;
    std::string error;
};

Selection choose() {
    Selection s;
    const char* env = std::getenv("MLPCORE_ISA");
    if (env != nullptr && env[0] != '\0') {
        s.table = kernels_for(env);
        if (s.table == nullptr) {
            std::string avail = "generic";
            for (const char* isa : {"avx2", "avx512"})
                if (kernels_for(isa) != nullptr) avail += std::string(", ") + isa;
            s.error = std::string(
                          "MLPCORE_ISA: expected one of the kernel sets "
                          "available on this CPU (") +
                      avail + "), got '" + env + "'";
        }
        return s;
    }
    for (const char* isa : {"avx512", "avx2", "generic"}) {
        s.table = kernels_for(isa);
        if (s.table != nullptr) break;
    }
    return s;
}

}  // namespace

const kernels::KernelTable* kernels_for(const char* isa) noexcept {
    if (std::strcmp(isa, "generic") == 0) return mlpcore_kernels_generic();
#if defined(MLPCORE_HAVE_AVX2)
    if (std::strcmp(isa, "avx2") == 0 && cpu_has("avx2")) return mlpcore_kernels_avx2();
#endif
#if defined(MLPCORE_HAVE_AVX512)
    if (std::strcmp(isa, "avx512") == 0 && cpu_has("avx512"))
        return mlpcore_kernels_avx512();
#endif
    return nullptr;
}

const kernels::KernelTable& select_kernels() {
    static const Selection s = choose();
    if (s.table == nullptr) throw ValueError(s.error);
    return *s.table;
}

}  // namespace mlpcore::detail
