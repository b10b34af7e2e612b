#include "core/linear_kernel.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace pb {
namespace {

#if defined(__AVX512F__)

// Dot products of `rows` input rows with `cols` weight rows (both at most 4), K floats each.
template <int R, int C>
inline void tile(const float* const* x, const float* const* w, int K, float* out, int out_stride) {
    __m512 acc[R][C];
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) acc[r][c] = _mm512_setzero_ps();
    int k = 0;
    for (; k + 16 <= K; k += 16) {
        __m512 wv[C];
        for (int c = 0; c < C; ++c) wv[c] = _mm512_loadu_ps(w[c] + k);
        for (int r = 0; r < R; ++r) {
            const __m512 xv = _mm512_loadu_ps(x[r] + k);
            for (int c = 0; c < C; ++c) acc[r][c] = _mm512_fmadd_ps(xv, wv[c], acc[r][c]);
        }
    }
    if (k < K) {
        const __mmask16 mask = static_cast<__mmask16>((1u << (K - k)) - 1u);
        __m512 wv[C];
        for (int c = 0; c < C; ++c) wv[c] = _mm512_maskz_loadu_ps(mask, w[c] + k);
        for (int r = 0; r < R; ++r) {
            const __m512 xv = _mm512_maskz_loadu_ps(mask, x[r] + k);
            for (int c = 0; c < C; ++c) acc[r][c] = _mm512_fmadd_ps(xv, wv[c], acc[r][c]);
        }
    }
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) out[r * out_stride + c] = _mm512_reduce_add_ps(acc[r][c]);
}

template <int C>
void column_block(const Eigen::Ref<const RowMatrix>& in, const float* const* w, int K, MatrixMap& out, int j) {
    const int M = static_cast<int>(in.rows());
    const int stride = static_cast<int>(out.outerStride());
    const auto row = [&](int r) { return in.data() + size_t(r) * in.outerStride(); };
    int i = 0;
    for (; i + 4 <= M; i += 4) {
        const float* x[4] = {row(i), row(i + 1), row(i + 2), row(i + 3)};
        tile<4, C>(x, w, K, &out(i, j), stride);
    }
    for (; i < M; ++i) {
        const float* x[1] = {row(i)};
        tile<1, C>(x, w, K, &out(i, j), stride);
    }
}

void streaming(MatrixMap out, const Eigen::Ref<const RowMatrix>& in, const MatrixView& weight) {
    const int N = weight.rows, K = weight.cols;
    const int blocks = (N + 3) / 4;
#pragma omp parallel for schedule(static) if (N >= 256)
    for (int b = 0; b < blocks; ++b) {
        const int j = 4 * b;
        const float* w[4];
        for (int c = 0; c < 4; ++c) w[c] = weight.data + size_t(std::min(j + c, N - 1)) * K;
        switch (std::min(4, N - j)) {
        case 4: column_block<4>(in, w, K, out, j); break;
        case 3: column_block<3>(in, w, K, out, j); break;
        case 2: column_block<2>(in, w, K, out, j); break;
        default: column_block<1>(in, w, K, out, j); break;
        }
    }
}

#else

void streaming(MatrixMap out, const Eigen::Ref<const RowMatrix>& in, const MatrixView& weight) {
    out.noalias() = in * weight.map().transpose();
}

#endif

}  // namespace

void multiply_transposed_streaming(MatrixMap out, const Eigen::Ref<const RowMatrix>& in, const MatrixView& weight) {
    streaming(out, in, weight);
}

void multiply_transposed(MatrixMap out, const Eigen::Ref<const RowMatrix>& in, const MatrixView& weight) {
    if (in.rows() <= kStreamingRowLimit) streaming(out, in, weight);
    else out.noalias() = in * weight.map().transpose();
}

}  // namespace pb
