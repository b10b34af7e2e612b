#include "core/bert_model.h"

#include "core/error.h"
#include "core/flops.h"
#include "core/similarity.h"

#include <unsupported/Eigen/SpecialFunctions>

#include <chrono>
#include <cmath>

namespace pb {
namespace {

void grow(Workspace::Buffer& buffer, size_t size) {
    if (buffer.size() < size) buffer.resize(size);
}

void layer_norm(MatrixMap rows, const LayerNormWeights& w, float eps) {
    const auto gamma = w.gamma.map().array();
    const auto beta = w.beta.map().array();
    const float inv_h = 1.0f / static_cast<float>(rows.cols());
    for (Eigen::Index i = 0; i < rows.rows(); ++i) {
        auto row = rows.row(i).array();
        const float mean = row.sum() * inv_h;
        row -= mean;
        const float variance = row.square().sum() * inv_h;
        row = row * (1.0f / std::sqrt(variance + eps)) * gamma + beta;
    }
}

// out = in * W^T + b, in place into a mapped buffer.
void linear(MatrixMap out, const Eigen::Ref<const RowMatrix>& in, const LinearWeights& w) {
    out.noalias() = in * w.weight.map().transpose();
    out.rowwise() += w.bias.map();
}

void activate(MatrixMap x, Activation activation) {
    auto a = x.array();
    switch (activation) {
    case Activation::Gelu: a = 0.5f * a * (1.0f + (a * float(M_SQRT1_2)).erf()); break;
    case Activation::GeluTanh:
        a = 0.5f * a * (1.0f + (float(std::sqrt(2.0 / M_PI)) * (a + 0.044715f * a.cube())).tanh());
        break;
    case Activation::Relu: a = a.cwiseMax(0.0f); break;
    }
}

void softmax_rows(MatrixMap scores) {
    for (Eigen::Index i = 0; i < scores.rows(); ++i) {
        auto row = scores.row(i).array();
        row = (row - row.maxCoeff()).exp();
        row /= row.sum();
    }
}

FloatMatrix to_float_matrix(const Eigen::Ref<const RowMatrix>& m) {
    FloatMatrix out{static_cast<int>(m.rows()), static_cast<int>(m.cols()), {}};
    out.values.resize(m.size());
    MatrixMap(out.values.data(), m.rows(), m.cols()) = m;
    return out;
}

void embed(const BertModel& model, std::span<const int32_t> ids, std::span<const int32_t> types, MatrixMap x) {
    const auto& w = model.weights;
    const auto words = w.word_embeddings.map();
    const auto positions = w.position_embeddings.map();
    const auto type_rows = w.token_type_embeddings.map();
    for (size_t i = 0; i < ids.size(); ++i)
        x.row(i) = words.row(ids[i]) + positions.row(i) + type_rows.row(types[i]);
    layer_norm(x, w.embedding_norm, model.config.layer_norm_eps);
}

// Scores, softmax and the head-mean of one layer; leaves per-head probabilities in the workspace.
void attention_probabilities(const ModelConfig& c, int n, Workspace& ws) {
    const int heads = c.num_heads, d = c.head_dim(), H = c.hidden_size;
    ConstMatrixMap q(ws.q(), n, H), k(ws.k(), n, H);
    float* probs = ws.probabilities();
    const float scale = 1.0f / std::sqrt(static_cast<float>(d));
#pragma omp parallel for schedule(static) if (n >= 32)
    for (int h = 0; h < heads; ++h) {
        MatrixMap p(probs + size_t(h) * n * n, n, n);
        p.noalias() = (q.middleCols(h * d, d) * k.middleCols(h * d, d).transpose()) * scale;
        softmax_rows(p);
    }
    MatrixMap mean(ws.mean_attention(), n, n);
    mean.setZero();
    for (int h = 0; h < heads; ++h) mean += ConstMatrixMap(probs + size_t(h) * n * n, n, n);
    mean *= 1.0f / static_cast<float>(heads);
}

// context[i] = sum over heads of P_h[kept[i]] * V_h, for the kept rows only.
void attend_kept_rows(const ModelConfig& c, int n, const std::vector<int>& kept, Workspace& ws) {
    const int heads = c.num_heads, d = c.head_dim(), H = c.hidden_size, m = static_cast<int>(kept.size());
    ConstMatrixMap v(ws.v(), n, H);
    MatrixMap context(ws.context(), m, H);
    float* probs = ws.probabilities();
#pragma omp parallel for schedule(static) if (n >= 32)
    for (int h = 0; h < heads; ++h) {
        MatrixMap p(probs + size_t(h) * n * n, n, n);
        // kept is ascending, so rows can be compacted in place: kept[i] >= i.
        if (m < n)
            for (int i = 0; i < m; ++i) p.row(i) = p.row(kept[i]);
        context.middleCols(h * d, d).noalias() = p.topRows(m) * v.middleCols(h * d, d);
    }
}

std::vector<int> choose_rows(const RetentionPlan& plan, int layer, const std::vector<float>& sig) {
    const int n = static_cast<int>(sig.size());
    if (plan.single) {
        if (plan.single->layer == layer) return drop_single_rank(sig, plan.single->rank);
    } else if (!plan.keep.empty()) {
        return select_survivors(sig, plan.keep[layer], plan.strategy, plan.seed, layer);
    }
    std::vector<int> all(n);
    for (int i = 0; i < n; ++i) all[i] = i;
    return all;
}

// One encoder layer on n rows in ws.x(); returns the kept rows (local indices) and leaves their
// outputs, compacted, in ws.x().
LayerTrace run_layer(const BertModel& model, int layer, const std::vector<int>& alive, const RetentionPlan& plan,
                     const RunOptions& options, Workspace& ws) {
    const ModelConfig& c = model.config;
    const EncoderLayerWeights& w = model.weights.layers[layer];
    const int n = static_cast<int>(alive.size()), H = c.hidden_size, I = c.intermediate_size;
    MatrixMap x(ws.x(), n, H);
    linear(MatrixMap(ws.q(), n, H), x, w.query);
    linear(MatrixMap(ws.k(), n, H), x, w.key);
    linear(MatrixMap(ws.v(), n, H), x, w.value);
    attention_probabilities(c, n, ws);

    LayerTrace t;
    t.alive_in = alive;
    t.significance = significance_scores({ws.mean_attention(), size_t(n) * n}, n);
    t.rank = significance_ranks(t.significance);
    if (options.record_attention)
        for (int h = 0; h < c.num_heads; ++h)
            t.attention.push_back(to_float_matrix(ConstMatrixMap(ws.probabilities() + size_t(h) * n * n, n, n)));

    const std::vector<int> kept = choose_rows(plan, layer, t.significance);
    const int m = static_cast<int>(kept.size());
    attend_kept_rows(c, n, kept, ws);

    MatrixMap attended(ws.attended(), m, H);
    linear(attended, ConstMatrixMap(ws.context(), m, H), w.attention_output);
    for (int i = 0; i < m; ++i) attended.row(i) += x.row(kept[i]);
    layer_norm(attended, w.attention_norm, c.layer_norm_eps);

    MatrixMap inner(ws.intermediate(), m, I);
    linear(inner, attended, w.intermediate);
    activate(inner, c.activation);
    MatrixMap out(ws.x(), m, H);  // the layer's input is no longer needed
    linear(out, inner, w.output);
    out += attended;
    layer_norm(out, w.output_norm, c.layer_norm_eps);

    for (int i : kept) t.alive_out.push_back(alive[i]);
    t.mean_cosine = mean_pairwise_cosine(out);
    if (options.record_cosine_matrix) t.cosine = pairwise_cosine(out);
    if (options.record_hidden) t.hidden = to_float_matrix(out);
    t.multiply_adds = layer_multiply_adds(c, n, m);
    return t;
}

void run_head(const BertModel& model, Workspace& ws, Trace& trace) {
    const auto& w = model.weights;
    if (!w.pooler) return;
    const int H = model.config.hidden_size;
    Eigen::RowVectorXf cls = ConstMatrixMap(ws.x(), 1, H).row(0);
    Eigen::RowVectorXf pooled = (cls * w.pooler->weight.map().transpose() + w.pooler->bias.map()).array().tanh();
    trace.pooled.assign(pooled.data(), pooled.data() + H);
    trace.multiply_adds += int64_t(H) * H;
    if (!w.classifier) return;
    Eigen::RowVectorXf logits = pooled * w.classifier->weight.map().transpose() + w.classifier->bias.map();
    trace.logits.assign(logits.data(), logits.data() + logits.size());
    trace.multiply_adds += int64_t(H) * model.config.num_labels;
    trace.regression = model.config.regression;
    if (trace.regression) return;
    Eigen::RowVectorXf p = (logits.array() - logits.maxCoeff()).exp();
    p /= p.sum();
    trace.probabilities.assign(p.data(), p.data() + p.size());
    Eigen::Index best = 0;
    p.maxCoeff(&best);
    trace.predicted_label = static_cast<int>(best);
}

}  // namespace

void Workspace::reserve(const ModelConfig& c, int n) {
    const size_t rows = static_cast<size_t>(n), H = c.hidden_size;
    for (auto* b : {&x_, &q_, &k_, &v_, &context_, &attended_}) grow(*b, rows * H);
    grow(intermediate_, rows * c.intermediate_size);
    grow(probabilities_, size_t(c.num_heads) * rows * rows);
    grow(mean_attention_, rows * rows);
}

void validate_input(const ModelConfig& c, std::span<const int32_t> ids, std::span<const int32_t> type_ids) {
    if (ids.empty()) throw Error("input: no tokens (a BERT input holds at least [CLS])");
    if (ids.size() != type_ids.size())
        throw Error("input: " + std::to_string(ids.size()) + " token ids but " + std::to_string(type_ids.size()) +
                    " token type ids");
    if (static_cast<int>(ids.size()) > c.max_position)
        throw Error("input: " + std::to_string(ids.size()) + " tokens exceed the model's maximum of " +
                    std::to_string(c.max_position) + " (max_position_embeddings)");
    for (size_t i = 0; i < ids.size(); ++i) {
        if (ids[i] < 0 || ids[i] >= c.vocab_size)
            throw Error("input: token id " + std::to_string(ids[i]) + " at position " + std::to_string(i) +
                        " is outside the vocabulary of " + std::to_string(c.vocab_size));
        if (type_ids[i] < 0 || type_ids[i] >= c.type_vocab_size)
            throw Error("input: token type id " + std::to_string(type_ids[i]) + " at position " + std::to_string(i) +
                        " is outside [0, " + std::to_string(c.type_vocab_size) + ")");
    }
}

Trace run_model(const BertModel& model, std::span<const int32_t> ids, std::span<const int32_t> type_ids,
                const RetentionPlan& plan, const RunOptions& options, Workspace& ws) {
    const ModelConfig& c = model.config;
    validate_input(c, ids, type_ids);
    if (!plan.keep.empty()) validate_retention(plan.keep, c.num_layers);
    const auto start = std::chrono::steady_clock::now();
    const int n = static_cast<int>(ids.size());
    ws.reserve(c, n);

    Trace trace;
    trace.ids.assign(ids.begin(), ids.end());
    MatrixMap x(ws.x(), n, c.hidden_size);
    embed(model, ids, type_ids, x);
    trace.embedding_mean_cosine = mean_pairwise_cosine(x);
    if (options.record_hidden) trace.embedding_hidden = to_float_matrix(x);

    std::vector<int> alive(n);
    for (int i = 0; i < n; ++i) alive[i] = i;
    for (int layer = 0; layer < c.num_layers; ++layer) {
        trace.layers.push_back(run_layer(model, layer, alive, plan, options, ws));
        alive = trace.layers.back().alive_out;
        trace.multiply_adds += trace.layers.back().multiply_adds;
    }
    run_head(model, ws, trace);
    trace.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return trace;
}

Trace run_model(const BertModel& model, std::span<const int32_t> ids, std::span<const int32_t> type_ids,
                const RetentionPlan& plan, const RunOptions& options) {
    Workspace ws;
    return run_model(model, ids, type_ids, plan, options, ws);
}

}  // namespace pb
