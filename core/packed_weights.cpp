#include "core/packed_weights.h"

#include "core/error.h"
#include "core/safetensors.h"

#include <map>

namespace pb {
namespace {

// Position of column c (0..31) inside a bfloat16 panel row. The kernel widens a row of 32
// bfloat16 with two 128-bit-lane-wise unpacks (low and high four words of each lane), so the
// columns are stored in the order those unpacks put back in sequence.
int bf16_slot(int c) {
    const int half = c / 16, lane = (c % 16) / 4, word = c % 4;
    return lane * 8 + half * 4 + word;
}

void check_group(const LinearWeights& first, const LinearWeights& w) {
    if (w.weight.rows != first.weight.rows || w.weight.cols != first.weight.cols || w.bias.size != w.weight.rows)
        throw Error("packing weights: matrices stacked into one product must have the same shape");
}

}  // namespace

PackedMatrix pack_matrices(std::span<const LinearWeights> sources, WeightPrecision precision,
                           PackedBertWeights& storage) {
    PackedMatrix m;
    m.precision = precision;
    m.groups = static_cast<int>(sources.size());
    m.group_rows = sources.front().weight.rows;
    m.cols = sources.front().weight.cols;
    for (const auto& w : sources) check_group(sources.front(), w);
    const int per_group = m.panels_per_group();
    const size_t elements = size_t(m.panel_count()) * m.panel_elements();

    auto& bias = storage.float_storage.emplace_back(size_t(m.panel_count()) * kPanelWidth, 0.0f);
    for (int g = 0; g < m.groups; ++g)
        for (int n = 0; n < m.group_rows; ++n) bias[size_t(g) * per_group * kPanelWidth + n] = sources[g].bias.data[n];
    m.bias = bias.data();

    // Element (panel p, k, slot) of the packed layout; columns past group_rows stay zero.
    auto for_each_weight = [&](auto&& put) {
        for (int g = 0; g < m.groups; ++g)
            for (int n = 0; n < m.group_rows; ++n) {
                const size_t panel = size_t(g) * per_group + n / kPanelWidth;
                const float* row = sources[g].weight.data + size_t(n) * m.cols;
                for (int k = 0; k < m.cols; ++k) put(panel * m.panel_elements() + size_t(k) * kPanelWidth, n % kPanelWidth, row[k]);
            }
    };
    if (precision == WeightPrecision::F32) {
        auto& panels = storage.float_storage.emplace_back(elements, 0.0f);
        for_each_weight([&](size_t base, int c, float v) { panels[base + c] = v; });
        m.panels = panels.data();
        storage.bytes += elements * sizeof(float);
    } else {
        auto& panels = storage.bf16_storage.emplace_back(elements, uint16_t(0));
        for_each_weight([&](size_t base, int c, float v) { panels[base + bf16_slot(c)] = float_to_bfloat16(v); });
        m.panels = panels.data();
        storage.bytes += elements * sizeof(uint16_t);
    }
    storage.bytes += bias.size() * sizeof(float);
    return m;
}

std::shared_ptr<const PackedBertWeights> pack_bert_weights(const BertWeights& weights, WeightPrecision precision,
                                                           const std::function<void(const MatrixView&)>& packed_source) {
    auto packed = std::make_shared<PackedBertWeights>();
    packed->precision = precision;
    // Layers that share tensors (ALBERT-style cross-layer sharing) share one packed copy.
    std::map<const float*, PackedEncoderLayer> by_query;
    for (const auto& layer : weights.layers) {
        auto found = by_query.find(layer.query.weight.data);
        if (found == by_query.end()) {
            PackedEncoderLayer p;
            const LinearWeights qkv[] = {layer.query, layer.key, layer.value};
            p.query_key_value = pack_matrices(qkv, precision, *packed);
            p.attention_output = pack_matrices(std::span(&layer.attention_output, 1), precision, *packed);
            p.intermediate = pack_matrices(std::span(&layer.intermediate, 1), precision, *packed);
            p.output = pack_matrices(std::span(&layer.output, 1), precision, *packed);
            found = by_query.emplace(layer.query.weight.data, p).first;
            if (packed_source)
                for (const LinearWeights* w : {&layer.query, &layer.key, &layer.value, &layer.attention_output,
                                               &layer.intermediate, &layer.output})
                    packed_source(w->weight);
        }
        packed->layers.push_back(found->second);
    }
    return packed;
}

float packed_weight(const PackedMatrix& m, int group, int n, int k) {
    const size_t panel = size_t(group) * m.panels_per_group() + n / kPanelWidth;
    const size_t base = panel * m.panel_elements() + size_t(k) * kPanelWidth;
    const int c = n % kPanelWidth;
    if (m.precision == WeightPrecision::F32) return static_cast<const float*>(m.panels)[base + c];
    return bfloat16_to_float(static_cast<const uint16_t*>(m.panels)[base + bf16_slot(c)]);
}

}  // namespace pb
