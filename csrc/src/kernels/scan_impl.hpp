// The magnitude scan shared by every ISA file (no include guard on purpose): included,
// like tile_impl.hpp, inside each ISA file's anonymous namespace, so each copy is
// compiled with that file's flags (the loop below vectorizes to the ISA's integer max).
// Needs <cstring> (memcpy) and index_t.

// max(m, max over i < n of the bits of |x[i * stride]|), the bits read as a signed
// integer I of T's size. Without the sign bit IEEE values order like non-negative
// integers and every NaN sorts above Inf, so one integer max finds the largest
// magnitude and any NaN/Inf.
template <class T, class I>
I max_magnitude_bits(const T* x, index_t n, index_t stride, I m) {
    static_assert(sizeof(T) == sizeof(I), "one integer per value");
    constexpr I kNoSign = static_cast<I>(~0ull >> (65 - 8 * sizeof(I)));
    const auto fold = [&m](const T* p) {
        I b;
        std::memcpy(&b, p, sizeof(I));
        b &= kNoSign;
        m = b > m ? b : m;
    };
    if (stride == 1) {  // the loop that vectorizes
        for (index_t i = 0; i < n; ++i) fold(x + i);
    } else {
        for (index_t i = 0; i < n; ++i) fold(x + i * stride);
    }
    return m;
}
