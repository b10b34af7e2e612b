#pragma once
// Everything one run of the model records. A Trace is immutable once made: the GUI and the
// analyses read traces, never the model.
#include <cstdint>
#include <string>
#include <vector>

namespace pb {

struct FloatMatrix {
    int rows = 0;
    int cols = 0;
    std::vector<float> values;  // row-major
    float at(int r, int c) const { return values[size_t(r) * cols + c]; }
};

struct LayerTrace {
    std::vector<int> alive_in;        // original positions entering the layer
    std::vector<int> alive_out;       // original positions leaving it (after Extract)
    std::vector<float> significance;  // per alive_in vector
    std::vector<int> rank;            // per alive_in vector, 1 = most significant
    double mean_cosine = 0.0;         // mean pairwise cosine similarity of the output vectors
    FloatMatrix cosine;               // alive_out x alive_out, when recorded
    std::vector<FloatMatrix> attention;  // per head, alive_in x alive_in, when recorded
    FloatMatrix hidden;               // alive_out x hidden, when recorded
    int64_t multiply_adds = 0;
};

struct Trace {
    std::vector<int32_t> ids;
    double embedding_mean_cosine = 0.0;
    FloatMatrix embedding_hidden;  // when hidden states are recorded
    std::vector<LayerTrace> layers;
    std::vector<float> pooled;
    std::vector<float> logits;
    std::vector<float> probabilities;  // softmax of logits; empty for regression
    bool regression = false;
    int predicted_label = -1;          // argmax; -1 for regression or without a classifier
    int64_t multiply_adds = 0;
    double seconds = 0.0;

    bool has_head() const { return !logits.empty(); }
};

}  // namespace pb
