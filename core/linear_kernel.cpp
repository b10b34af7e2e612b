#include "core/linear_kernel.h"

#include "core/activation.h"
#include "core/error.h"

#include <algorithm>
#include <cstdint>

#if defined(__AVX512F__)
#include <immintrin.h>
#include <unsupported/Eigen/SpecialFunctions>

#include <cmath>
#endif

namespace pb {
namespace {

// Inputs per pass over a panel: the panel's slice (up to 96 KiB in float) and the rearranged rows'
// slice (up to kPassInputBytes) stay in L2 while every row tile passes over them; many rows (a
// batch) make the passes shallower. Summing the passes' partial results also shortens the chains
// of float additions over long rows (the feed-forward's 3072 inputs).
constexpr int kPassDepth = 768, kMinPassDepth = 128;
constexpr size_t kPassInputBytes = 1 << 20;
// A second thread pays when a product has this many multiply-adds, or reads this many bytes of
// weights (then it is bound by memory bandwidth, which one core cannot use up). Smaller products
// (a small model's, on short inputs) finish in tens of microseconds, and waking and waiting for
// the second thread costs more than that as soon as another process shares the cores.
constexpr double kParallelMultiplyAdds = 1 << 23;
constexpr size_t kParallelWeightBytes = 2u << 20;

constexpr int kChunk = kInputChunk;  // one cache line of floats

// How rows and inputs are split: row tiles of balanced sizes (at most kTileRows), passes of
// balanced depth (at most kPassDepth, whole chunks).
struct Blocking {
    int rows, cols, tiles, passes;
    Blocking(int m, int k) : rows(m), cols(k), tiles((m + kTileRows - 1) / kTileRows) {
        const int depth = std::clamp(static_cast<int>(kPassInputBytes / sizeof(float) / std::max(m, 1)), kMinPassDepth, kPassDepth);
        passes = (k + depth - 1) / depth;
    }
    int tile_start(int t) const { return static_cast<int>(int64_t(rows) * t / tiles); }
    int pass_start(int b) const {
        return b == passes ? cols : static_cast<int>(int64_t(cols) * b / passes) / kChunk * kChunk;
    }
    size_t padded_cols() const { return size_t(cols + kChunk - 1) / kChunk * kChunk; }
};

// Where one tile x panel result goes, and what is applied when its last pass is stored.
struct TileTarget {
    float* out;           // row m0, first column of the panel
    int out_stride;
    int columns;          // valid columns of this panel (fewer than kPanelWidth at a group's end)
    bool accumulate;      // add to what earlier passes stored
    bool last_pass;
    const float* bias;    // the panel's kPanelWidth biases
    const LinearEpilogue* epilogue;
    int first_row;        // m0, for the residual rows
    int column;           // the panel's first column within its group, for the residual
};

#if defined(__AVX512F__)

// Tile t's rows in chunks of kChunk inputs: for chunk c, the tile's rows' chunks one after the
// other, so the product reads the tile as one sequential stream (element (k, r) at
// tile + (k / kChunk) * kChunk * tile_rows + r * kChunk + k % kChunk). A plain copy of lines.
void rearrange_tile(ConstMatrixMap in, const Blocking& b, int t, float* scratch) {
    const int m0 = b.tile_start(t), mr = b.tile_start(t + 1) - m0;
    float* tile = scratch + size_t(m0) * b.padded_cols();
    for (int r = 0; r < mr; ++r) {
        const float* row = in.data() + size_t(m0 + r) * in.outerStride();
        for (int k = 0; k < b.cols; k += kChunk) {
            const auto mask = static_cast<__mmask16>(b.cols - k >= kChunk ? 0xFFFF : (1u << (b.cols - k)) - 1u);
            _mm512_storeu_ps(tile + size_t(k) * mr + size_t(r) * kChunk, _mm512_maskz_loadu_ps(mask, row + k));
        }
    }
}

template <WeightPrecision P>
inline void load_panel_row(const void* panel, int k, __m512& low, __m512& high) {
    if constexpr (P == WeightPrecision::F32) {
        const float* w = static_cast<const float*>(panel) + size_t(k) * kPanelWidth;
        low = _mm512_load_ps(w);
        high = _mm512_load_ps(w + 16);
    } else {
        // bfloat16 is the high half of a float: interleaving zero words below widens it exactly
        // (packed_weights.cpp orders the columns so the two unpacks come out in sequence).
        const __m512i w = _mm512_load_si512(static_cast<const uint16_t*>(panel) + size_t(k) * kPanelWidth);
        low = _mm512_castsi512_ps(_mm512_unpacklo_epi16(_mm512_setzero_si512(), w));
        high = _mm512_castsi512_ps(_mm512_unpackhi_epi16(_mm512_setzero_si512(), w));
    }
}

// The activations of core/activation.cpp on one register, with the same approximations Eigen's
// array functions use there (so both paths compute the same function).
inline __m512 activate(__m512 v, Activation a) {
    using namespace Eigen::internal;
    switch (a) {
    case Activation::Gelu: {
        const __m512 half = _mm512_mul_ps(v, _mm512_set1_ps(0.5f));
        const __m512 erf = generic_fast_erf_float(Packet16f(_mm512_mul_ps(v, _mm512_set1_ps(float(M_SQRT1_2)))));
        return _mm512_fmadd_ps(half, erf, half);
    }
    case Activation::GeluTanh: {
        const __m512 half = _mm512_mul_ps(v, _mm512_set1_ps(0.5f));
        const __m512 cube = _mm512_mul_ps(_mm512_mul_ps(v, v), v);
        const __m512 inner = _mm512_mul_ps(_mm512_set1_ps(float(std::sqrt(2.0 / M_PI))),
                                           _mm512_fmadd_ps(_mm512_set1_ps(0.044715f), cube, v));
        return _mm512_fmadd_ps(half, ptanh(Packet16f(inner)), half);
    }
    case Activation::Relu: return _mm512_max_ps(v, _mm512_setzero_ps());
    }
    return v;
}

template <int MR>
void store_tile(__m512 (&acc)[MR][2], const TileTarget& t) {
    const __mmask16 mask_low = static_cast<__mmask16>(t.columns >= 16 ? 0xFFFF : (1u << t.columns) - 1u);
    const __mmask16 mask_high = static_cast<__mmask16>(t.columns >= 32 ? 0xFFFF : t.columns <= 16 ? 0 : (1u << (t.columns - 16)) - 1u);
    const LinearEpilogue& e = *t.epilogue;
#pragma GCC unroll 12
    for (int r = 0; r < MR; ++r) {
        float* c = t.out + size_t(r) * t.out_stride;
        __m512 low = acc[r][0], high = acc[r][1];
        if (t.accumulate) {
            low = _mm512_add_ps(_mm512_maskz_loadu_ps(mask_low, c), low);
            high = _mm512_add_ps(_mm512_maskz_loadu_ps(mask_high, c + 16), high);
        }
        if (t.last_pass) {
            low = _mm512_add_ps(low, _mm512_load_ps(t.bias));
            high = _mm512_add_ps(high, _mm512_load_ps(t.bias + 16));
            if (e.residual) {
                const int row = t.first_row + r;
                const float* res = e.residual + size_t(e.residual_rows.empty() ? row : e.residual_rows[row]) * t.out_stride + t.column;
                low = _mm512_add_ps(low, _mm512_maskz_loadu_ps(mask_low, res));
                high = _mm512_add_ps(high, _mm512_maskz_loadu_ps(mask_high, res + 16));
            }
            if (e.activation) {
                low = activate(low, *e.activation);
                high = activate(high, *e.activation);
            }
        }
        _mm512_mask_storeu_ps(c, mask_low, low);
        _mm512_mask_storeu_ps(c + 16, mask_high, high);
    }
}

// One row tile against one pass of one panel. While it runs, it prefetches its share of the
// next panel's pass into L2 (`next` rows [next_first, next_end)), one panel row every `every` steps.
template <int MR, WeightPrecision P>
void tile_product(const float* a, const void* panel, int k0, int k1, const TileTarget& target, const void* next,
                  int next_first, int next_end, int every) {
    __m512 acc[MR][2];
#pragma GCC unroll 12
    for (int r = 0; r < MR; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    constexpr size_t row_bytes = kPanelWidth * (P == WeightPrecision::F32 ? 4 : 2);
    const char* prefetch = static_cast<const char*>(next) + size_t(next_first) * row_bytes;
    const char* prefetch_end = static_cast<const char*>(next) + size_t(next_end) * row_bytes;
    int countdown = every;
    for (int k = k0; k < k1; ++k) {
        if (--countdown == 0) {
            countdown = every;
            if (prefetch < prefetch_end) {
                _mm_prefetch(prefetch, _MM_HINT_T1);
                if constexpr (row_bytes > 64) _mm_prefetch(prefetch + 64, _MM_HINT_T1);
                prefetch += row_bytes;
            }
        }
        __m512 w_low, w_high;
        load_panel_row<P>(panel, k, w_low, w_high);
        const float* ak = a + size_t(k / kChunk) * kChunk * MR + k % kChunk;
#pragma GCC unroll 12
        for (int r = 0; r < MR; ++r) {
            const __m512 x = _mm512_set1_ps(ak[r * kChunk]);
            acc[r][0] = _mm512_fmadd_ps(x, w_low, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(x, w_high, acc[r][1]);
        }
    }
    store_tile<MR>(acc, target);
}

template <WeightPrecision P, int MR = kTileRows>
void dispatch_tile(int rows, const float* a, const void* panel, int k0, int k1, const TileTarget& target,
                   const void* next, int next_first, int next_end, int every) {
    if constexpr (MR > 1)
        if (rows < MR)
            return dispatch_tile<P, MR - 1>(rows, a, panel, k0, k1, target, next, next_first, next_end, every);
    tile_product<MR, P>(a, panel, k0, k1, target, next, next_first, next_end, every);
}

// Every pass and row tile of panel p.
template <WeightPrecision P>
void panel_product(const Blocking& b, const float* scratch, const PackedMatrix& w, int p,
                   std::span<float* const> outputs, const LinearEpilogue& epilogue) {
    constexpr size_t element = P == WeightPrecision::F32 ? 4 : 2;
    const char* panels = static_cast<const char*>(w.panels);
    const void* panel = panels + size_t(p) * w.panel_elements() * element;
    const void* next = p + 1 < w.panel_count() ? panels + size_t(p + 1) * w.panel_elements() * element : nullptr;
    const int group = p / w.panels_per_group(), column = (p % w.panels_per_group()) * kPanelWidth;
    for (int pass = 0; pass < b.passes; ++pass) {
        const int k0 = b.pass_start(pass), k1 = b.pass_start(pass + 1);
        for (int t = 0; t < b.tiles; ++t) {
            const int m0 = b.tile_start(t), mr = b.tile_start(t + 1) - m0;
            const TileTarget target{outputs[group] + size_t(m0) * w.group_rows + column,
                                    w.group_rows,
                                    std::min(kPanelWidth, w.group_rows - column),
                                    pass > 0,
                                    pass + 1 == b.passes,
                                    w.bias + size_t(p) * kPanelWidth,
                                    &epilogue,
                                    m0,
                                    column};
            const int depth = k1 - k0;
            const int next_first = next ? k0 + int(int64_t(depth) * t / b.tiles) : 0;
            const int next_end = next ? k0 + int(int64_t(depth) * (t + 1) / b.tiles) : 0;
            dispatch_tile<P>(mr, scratch + size_t(m0) * b.padded_cols(), panel, k0, k1, target, next, next_first, next_end,
                             b.tiles);
        }
    }
}

// The work of one product over the threads of the enclosing parallel region (one thread when
// there is none).
template <WeightPrecision P>
void share_packed(ConstMatrixMap in, const PackedMatrix& w, std::span<float* const> outputs,
                  const LinearEpilogue& epilogue, float* scratch) {
    const Blocking b(static_cast<int>(in.rows()), static_cast<int>(in.cols()));
#pragma omp for schedule(static)
    for (int t = 0; t < b.tiles; ++t) rearrange_tile(in, b, t, scratch);
    // Contiguous halves of the panels: each thread streams its own part of the weights.
#pragma omp for schedule(static)
    for (int p = 0; p < w.panel_count(); ++p) panel_product<P>(b, scratch, w, p, outputs, epilogue);
}

#else

// Without AVX-512 (portable and sanitizer builds): Eigen's product on each panel, which is a
// K x kPanelWidth row-major matrix. Panels are split over the threads (so Eigen's product runs
// single-threaded, with the same blocking and the same bits whatever the number of threads).
template <WeightPrecision P>
void share_packed(ConstMatrixMap in, const PackedMatrix& w, std::span<float* const> outputs,
                  const LinearEpilogue& epilogue, float*) {
    const int M = static_cast<int>(in.rows()), K = w.cols, N = w.group_rows;
#pragma omp for schedule(static)
    for (int p = 0; p < w.panel_count(); ++p) {
        RowMatrix block(M, kPanelWidth);
        const int group = p / w.panels_per_group(), column = (p % w.panels_per_group()) * kPanelWidth;
        const int columns = std::min(kPanelWidth, N - column);
        if constexpr (P == WeightPrecision::F32) {
            block.noalias() = in * ConstMatrixMap(static_cast<const float*>(w.panels) + size_t(p) * w.panel_elements(), K, kPanelWidth);
        } else {
            RowMatrix widened = RowMatrix::Zero(K, kPanelWidth);
            for (int k = 0; k < K; ++k)
                for (int c = 0; c < columns; ++c) widened(k, c) = packed_weight(w, group, column + c, k);
            block.noalias() = in * widened;
        }
        block.rowwise() += ConstRowVectorMap(w.bias + size_t(p) * kPanelWidth, kPanelWidth);
        StridedMatrixMap out(outputs[group] + column, M, columns, Eigen::OuterStride<>(N));
        out = block.leftCols(columns);
        if (epilogue.residual)
            for (int m = 0; m < M; ++m) {
                const int row = epilogue.residual_rows.empty() ? m : epilogue.residual_rows[m];
                out.row(m) += ConstRowVectorMap(epilogue.residual + size_t(row) * N + column, columns);
            }
        if (epilogue.activation) apply_activation(out, *epilogue.activation);
    }
}

#endif

}  // namespace

bool linear_wants_threads(int rows, const PackedMatrix& weight) {
    const double work = double(rows) * weight.cols * weight.panel_count() * kPanelWidth;
    const size_t element = weight.precision == WeightPrecision::F32 ? 4 : 2;
    const size_t weight_bytes = weight.panel_count() * weight.panel_elements() * element;
    return work >= kParallelMultiplyAdds || weight_bytes >= kParallelWeightBytes;
}

void linear_packed(ConstMatrixMap in, const PackedMatrix& weight, std::span<float* const> outputs,
                   const LinearEpilogue& epilogue, float* scratch, LinearThreads threads) {
    if (static_cast<int>(outputs.size()) != weight.groups || in.cols() != weight.cols)
        throw Error("linear_packed: " + std::to_string(outputs.size()) + " outputs and " + std::to_string(in.cols()) +
                    " inputs for a packed matrix of " + std::to_string(weight.groups) + " groups and " +
                    std::to_string(weight.cols) + " inputs");
    if (in.rows() == 0) return;
    auto share = [&] {
        if (weight.precision == WeightPrecision::F32)
            share_packed<WeightPrecision::F32>(in, weight, outputs, epilogue, scratch);
        else
            share_packed<WeightPrecision::BF16>(in, weight, outputs, epilogue, scratch);
    };
    if (threads == LinearThreads::CallerTeam) return share();
#pragma omp parallel if (linear_wants_threads(static_cast<int>(in.rows()), weight))
    share();
}

}  // namespace pb
