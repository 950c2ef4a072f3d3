// Read bandwidth of a weight matrix's worth of memory, one core alone and two cores at
// once: the bound on batch-1 latency (a 784 x 256 float32 layer is 784 KB, read once
// per forward call).
//
//   g++ -O3 -mavx2 -pthread bench/membw.cpp -o /tmp/membw && /tmp/membw
//
// For each size: the median time of reading the buffer once (AVX2 loads, four
// independent sums) when one thread runs, and when two threads each read their own
// buffer of that size concurrently. Sizes that fit a core's L2 read at L2 speed on
// both cores; larger ones share the L3/fabric path.
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

namespace {

float read_once(const float* p, std::size_t n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (std::size_t i = 0; i + 32 <= n; i += 32) {
        s0 = _mm256_add_ps(s0, _mm256_loadu_ps(p + i));
        s1 = _mm256_add_ps(s1, _mm256_loadu_ps(p + i + 8));
        s2 = _mm256_add_ps(s2, _mm256_loadu_ps(p + i + 16));
        s3 = _mm256_add_ps(s3, _mm256_loadu_ps(p + i + 24));
    }
    return _mm256_cvtss_f32(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

// Median microseconds per read over `reps` back-to-back reads.
double median_read_us(const std::vector<float>& buf, int reps) {
    std::vector<double> us;
    volatile float sink = 0;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        sink = sink + read_once(buf.data(), buf.size());
        const auto t1 = std::chrono::steady_clock::now();
        us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    std::sort(us.begin(), us.end());
    return us[us.size() / 2];
}

}  // namespace

int main() {
    constexpr int kReps = 20000;
    std::printf("%8s %12s %8s %22s %8s\n", "KB", "alone µs", "GB/s", "2 cores at once µs",
                "GB/s");
    for (const std::size_t kb : {128, 256, 392, 512, 784, 1024, 2048}) {
        std::vector<float> a(kb * 1024 / sizeof(float), 1.0f), b = a;
        const double alone = median_read_us(a, kReps);
        double other = 0;
        std::thread peer([&] { other = median_read_us(b, kReps); });
        const double mine = median_read_us(a, kReps);
        peer.join();
        const double both = std::max(mine, other);
        std::printf("%8zu %12.2f %8.0f %11.2f / %-8.2f %8.0f\n", kb, alone,
                    kb * 1.024 / alone, mine, other, kb * 1.024 / both);
    }
}
