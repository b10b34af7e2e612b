#include "core/bert_model.h"

#include "core/error.h"
#include "core/flops.h"
#include "core/linear_kernel.h"
#include "core/similarity.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>

#include <omp.h>

namespace pb {
namespace {

void grow(Workspace::Buffer& buffer, size_t size) {
    if (buffer.size() < size) buffer.resize(size);
}

template <typename Row>
void layer_norm_row(Row row, const LayerNormWeights& w, float eps) {
    const float inv_h = 1.0f / static_cast<float>(row.size());
    auto a = row.array();
    const float mean = a.sum() * inv_h;
    a -= mean;
    const float variance = a.square().sum() * inv_h;
    a = a * (1.0f / std::sqrt(variance + eps)) * w.gamma.map().array() + w.beta.map().array();
}

void layer_norm(MatrixMap rows, const LayerNormWeights& w, float eps) {
    for (Eigen::Index i = 0; i < rows.rows(); ++i) layer_norm_row(rows.row(i), w, eps);
}

// The same, its rows split over the threads of the forward's team.
void share_layer_norm(MatrixMap rows, const LayerNormWeights& w, float eps) {
#pragma omp for schedule(static)
    for (Eigen::Index i = 0; i < rows.rows(); ++i) layer_norm_row(rows.row(i), w, eps);
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

// Rows of one input sequence inside the stacked batch: rows [offset, offset + alive.size()) of x.
struct Segment {
    int offset = 0;
    std::vector<int> alive;  // original positions of those rows
    size_t probabilities_offset = 0;
    size_t mean_offset = 0;
    int rows() const { return static_cast<int>(alive.size()); }
};

// Sequences are stacked without padding: every linear layer runs once over all their rows, and
// attention runs per sequence on its own block.
std::vector<Segment> stack_segments(std::span<const SequenceInput> inputs, int heads) {
    std::vector<Segment> segments;
    int offset = 0;
    size_t probs = 0, means = 0;
    for (const auto& in : inputs) {
        Segment s;
        s.offset = offset;
        s.alive.resize(in.ids.size());
        for (size_t i = 0; i < in.ids.size(); ++i) s.alive[i] = static_cast<int>(i);
        s.probabilities_offset = probs;
        s.mean_offset = means;
        offset += s.rows();
        probs += size_t(heads) * s.rows() * s.rows();
        means += size_t(s.rows()) * s.rows();
        segments.push_back(std::move(s));
    }
    return segments;
}

void restack(std::vector<Segment>& segments, int heads) {
    int offset = 0;
    size_t probs = 0, means = 0;
    for (auto& s : segments) {
        s.offset = offset;
        s.probabilities_offset = probs;
        s.mean_offset = means;
        offset += s.rows();
        probs += size_t(heads) * s.rows() * s.rows();
        means += size_t(s.rows()) * s.rows();
    }
}

int total_rows(const std::vector<Segment>& segments) {
    int rows = 0;
    for (const auto& s : segments) rows += s.rows();
    return rows;
}

// Word + position + type embeddings and their LayerNorm into x; ALBERT's narrower embeddings go
// through the workspace and are projected to the hidden size.
void embed(const BertModel& model, std::span<const SequenceInput> inputs, MatrixMap x, Workspace& ws) {
    const auto& w = model.weights;
    const auto words = w.word_embeddings.map();
    const auto positions = w.position_embeddings.map();
    const auto type_rows = w.token_type_embeddings.map();
    MatrixMap e = w.embedding_projection ? MatrixMap(ws.embedded(), x.rows(), model.config.embedding_width()) : x;
    int row = 0;
    for (const auto& in : inputs)
        for (size_t i = 0; i < in.ids.size(); ++i, ++row)
            e.row(row) = words.row(in.ids[i]) + positions.row(i) + type_rows.row(in.type_ids[i]);
    layer_norm(e, w.embedding_norm, model.config.layer_norm_eps);
    if (const auto& p = w.embedding_projection) {
        // One small product (embedding_size inputs) per forward: Eigen's, on the mapped weights.
        x.noalias() = e * p->weight.map().transpose();
        x.rowwise() += p->bias.map();
    }
}

// The segment that stacked row r belongs to.
const Segment& segment_of(const std::vector<Segment>& segments, int r) {
    auto after = std::upper_bound(segments.begin(), segments.end(), r,
                                  [](int row, const Segment& s) { return row < s.offset; });
    return *std::prev(after);
}

// Scores and softmax per (sequence, head), then each sequence's head-mean, shared by the team.
void attention_probabilities(const ModelConfig& c, const std::vector<Segment>& segments, Workspace& ws) {
    const int heads = c.num_heads, d = c.head_dim(), H = c.hidden_size;
    const int rows = total_rows(segments);
    ConstMatrixMap q(ws.q(), rows, H), k(ws.k(), rows, H);
    const float scale = 1.0f / std::sqrt(static_cast<float>(d));
    const int tasks = static_cast<int>(segments.size()) * heads;
#pragma omp for schedule(dynamic)
    for (int task = 0; task < tasks; ++task) {
        const Segment& s = segments[task / heads];
        const int h = task % heads, n = s.rows();
        MatrixMap p(ws.probabilities() + s.probabilities_offset + size_t(h) * n * n, n, n);
        p.noalias() = (q.block(s.offset, h * d, n, d) * k.block(s.offset, h * d, n, d).transpose()) * scale;
        softmax_rows(p);
    }
#pragma omp for schedule(static)
    for (int r = 0; r < rows; ++r) {
        const Segment& s = segment_of(segments, r);
        const int n = s.rows(), i = r - s.offset;
        auto head_row = [&](int h) {
            return ConstRowVectorMap(ws.probabilities() + s.probabilities_offset + (size_t(h) * n + i) * n, n);
        };
        Eigen::Map<Eigen::RowVectorXf> mean(ws.mean_attention() + s.mean_offset + size_t(i) * n, n);
        mean = head_row(0);
        for (int h = 1; h < heads; ++h) mean += head_row(h);
        mean *= 1.0f / static_cast<float>(heads);
    }
}

// context rows = P_h[kept] * V_h per (sequence, head), only for the kept rows, stacked anew;
// shared by the team.
void attend_kept_rows(const ModelConfig& c, const std::vector<Segment>& segments,
                      const std::vector<std::vector<int>>& kept, const std::vector<int>& new_offsets, Workspace& ws) {
    const int heads = c.num_heads, d = c.head_dim(), H = c.hidden_size;
    ConstMatrixMap v(ws.v(), total_rows(segments), H);
    MatrixMap context(ws.context(), new_offsets.back(), H);
    const int tasks = static_cast<int>(segments.size()) * heads;
#pragma omp for schedule(dynamic)
    for (int task = 0; task < tasks; ++task) {
        const int index = task / heads, h = task % heads;
        const Segment& s = segments[index];
        const auto& rows = kept[index];
        const int n = s.rows(), m = static_cast<int>(rows.size());
        MatrixMap p(ws.probabilities() + s.probabilities_offset + size_t(h) * n * n, n, n);
        // rows is ascending, so rows can be compacted in place: rows[i] >= i.
        if (m < n)
            for (int i = 0; i < m; ++i) p.row(i) = p.row(rows[i]);
        context.block(new_offsets[index], h * d, m, d).noalias() = p.topRows(m) * v.block(s.offset, h * d, n, d);
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

// What the threads of a forward's team share while they run a layer: one of them decides which
// rows survive and records the traces; all of them run the products and the attention.
struct LayerSteps {
    std::vector<LayerTrace> traces;        // one per sequence
    std::vector<std::vector<int>> kept;    // the surviving rows of each sequence's block
    std::vector<int> new_offsets;          // where each sequence's kept rows start, restacked
    std::vector<int> kept_rows;            // each kept row's row in x (its residual)
    std::exception_ptr error;              // an exception cannot leave an OpenMP region
};

// Runs `work` on one thread of the team while the others wait at the end; an exception is kept
// in `error`, and the team stops at its next check.
template <typename Work>
void on_one_thread(std::exception_ptr& error, Work&& work) {
#pragma omp single
    {
        try {
            work();
        } catch (...) {
            error = std::current_exception();
        }
    }
}

// Significance and survivors of every sequence; fills the first part of each layer trace.
void choose_survivors(const ModelConfig& c, int layer, const std::vector<Segment>& segments,
                      const RetentionPlan& plan, const RunOptions& options, Workspace& ws, LayerSteps& steps) {
    steps.traces.assign(segments.size(), {});
    steps.kept.clear();
    steps.new_offsets.assign(1, 0);
    steps.kept_rows.clear();
    for (size_t i = 0; i < segments.size(); ++i) {
        const Segment& s = segments[i];
        const int n = s.rows();
        LayerTrace& t = steps.traces[i];
        t.alive_in = s.alive;
        t.significance = significance_scores({ws.mean_attention() + s.mean_offset, size_t(n) * n}, n);
        t.rank = significance_ranks(t.significance);
        if (options.record_attention)
            for (int h = 0; h < c.num_heads; ++h)
                t.attention.push_back(to_float_matrix(
                    ConstMatrixMap(ws.probabilities() + s.probabilities_offset + size_t(h) * n * n, n, n)));
        const auto& kept = steps.kept.emplace_back(choose_rows(plan, layer, t.significance));
        t.multiply_adds = layer_multiply_adds(c, n, static_cast<int64_t>(kept.size()));
        steps.new_offsets.push_back(steps.new_offsets.back() + static_cast<int>(kept.size()));
        for (int r : kept) steps.kept_rows.push_back(s.offset + r);
    }
}

// The survivors' positions and the rest of each layer trace, from the layer's output `out`.
void record_layer(const RunOptions& options, MatrixMap out, int heads, std::vector<Segment>& segments,
                  LayerSteps& steps, std::vector<Trace>& traces) {
    for (size_t i = 0; i < segments.size(); ++i) {
        std::vector<int> alive;
        for (int r : steps.kept[i]) alive.push_back(segments[i].alive[r]);
        segments[i].alive = std::move(alive);
        LayerTrace& t = steps.traces[i];
        t.alive_out = segments[i].alive;
        auto block = out.middleRows(steps.new_offsets[i], steps.kept[i].size());
        t.mean_cosine = mean_pairwise_cosine(block);
        if (options.record_cosine_matrix) t.cosine = pairwise_cosine(block);
        if (options.record_hidden) t.hidden = to_float_matrix(block);
        traces[i].multiply_adds += t.multiply_adds;
        traces[i].layers.push_back(std::move(t));
    }
    restack(segments, heads);
}

// One encoder layer over all stacked rows in ws.x(), run by every thread of the forward's team;
// leaves the kept rows' outputs, stacked anew, in ws.x() and adds a LayerTrace to each trace.
void run_layer(const BertModel& model, int layer, std::vector<Segment>& segments, const RetentionPlan& plan,
               const RunOptions& options, Workspace& ws, LayerSteps& steps, std::vector<Trace>& traces) {
    const ModelConfig& c = model.config;
    const EncoderLayerWeights& w = model.weights.layers[layer];
    const PackedEncoderLayer& p = model.packed->layers[layer];
    const int rows = total_rows(segments), H = c.hidden_size, I = c.intermediate_size;
    constexpr auto team = LinearThreads::CallerTeam;
    float* const qkv[] = {ws.q(), ws.k(), ws.v()};
    linear_packed(ConstMatrixMap(ws.x(), rows, H), p.query_key_value, qkv, {}, ws.scratch(), team);
    attention_probabilities(c, segments, ws);
    on_one_thread(steps.error, [&] { choose_survivors(c, layer, segments, plan, options, ws, steps); });
    if (steps.error) return;
    attend_kept_rows(c, segments, steps.kept, steps.new_offsets, ws);

    const int m = steps.new_offsets.back();
    MatrixMap attended(ws.attended(), m, H);
    float* const attended_out[] = {ws.attended()};
    linear_packed(ConstMatrixMap(ws.context(), m, H), p.attention_output, attended_out,
                  LinearEpilogue::add(ws.x(), steps.kept_rows), ws.scratch(), team);
    share_layer_norm(attended, w.attention_norm, c.layer_norm_eps);

    float* const inner[] = {ws.intermediate()};
    linear_packed(ConstMatrixMap(ws.attended(), m, H), p.intermediate, inner, LinearEpilogue::activate(c.activation),
                  ws.scratch(), team);
    MatrixMap out(ws.x(), m, H);  // the layer's input is no longer needed
    float* const outputs[] = {ws.x()};
    linear_packed(ConstMatrixMap(ws.intermediate(), m, I), p.output, outputs, LinearEpilogue::add(ws.attended()),
                  ws.scratch(), team);
    share_layer_norm(out, w.output_norm, c.layer_norm_eps);
    on_one_thread(steps.error, [&] { record_layer(options, out, c.num_heads, segments, steps, traces); });
}

// Every encoder layer, on one team of threads when the products pay for a second thread: it stays
// together between the steps of a layer, where a team per product would fall asleep between
// products and be woken again (tens of microseconds each on a virtual machine). When another
// process took a core during recent team runs, one thread is faster (TeamBackoff).
void run_encoder(const BertModel& model, std::vector<Segment>& segments, const RetentionPlan& plan,
                 const RunOptions& options, Workspace& ws, std::vector<Trace>& traces) {
    const ModelConfig& c = model.config;
    LayerSteps steps;
    const bool team = c.num_layers > 0 && omp_get_max_threads() > 1 && !omp_in_parallel() &&
                      linear_wants_threads(total_rows(segments), model.packed->layers.front().intermediate) &&
                      ws.team_backoff.team_allowed();
    int64_t switches = 0;
    int threads = 1;
    const auto start = std::chrono::steady_clock::now();
#pragma omp parallel if (team) reduction(+ : switches)
    {
        const int64_t switches_before = team ? involuntary_context_switches() : 0;
        // Nothing inside starts threads of its own. Eigen's product (attention; the panels of
        // builds without AVX-512) would, in a region of one thread, and block its sums differently:
        // a forward must give the same bits on a team, on one thread and inside another region.
        omp_set_num_threads(1);
        for (int layer = 0; layer < c.num_layers; ++layer) {
            run_layer(model, layer, segments, plan, options, ws, steps, traces);
            if (steps.error) break;
        }
        if (team) switches = involuntary_context_switches() - switches_before;
#pragma omp master
        threads = omp_get_num_threads();
    }
    if (team) {
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        ws.team_backoff.record_team_run(switches, ms * threads);
    }
    if (steps.error) std::rethrow_exception(steps.error);
}

// Pooler and classifier on every sequence's [CLS] row (always the first row of its block).
void run_head(const BertModel& model, const std::vector<Segment>& segments, Workspace& ws, std::vector<Trace>& traces) {
    const auto& w = model.weights;
    if (!w.pooler) return;
    const int H = model.config.hidden_size, S = static_cast<int>(segments.size());
    ConstMatrixMap x(ws.x(), total_rows(segments), H);
    RowMatrix cls(S, H);
    for (int i = 0; i < S; ++i) cls.row(i) = x.row(segments[i].offset);
    RowMatrix pooled = ((cls * w.pooler->weight.map().transpose()).rowwise() + w.pooler->bias.map()).array().tanh();
    RowMatrix logits;
    if (w.classifier) logits = (pooled * w.classifier->weight.map().transpose()).rowwise() + w.classifier->bias.map();
    for (int i = 0; i < S; ++i) {
        Trace& t = traces[i];
        t.pooled.assign(pooled.row(i).data(), pooled.row(i).data() + H);
        t.multiply_adds += int64_t(H) * H;
        if (!w.classifier) continue;
        t.logits.assign(logits.row(i).data(), logits.row(i).data() + logits.cols());
        t.multiply_adds += int64_t(H) * model.config.num_labels;
        t.regression = model.config.regression;
        if (t.regression) continue;
        Eigen::RowVectorXf p = (logits.row(i).array() - logits.row(i).maxCoeff()).exp();
        p /= p.sum();
        t.probabilities.assign(p.data(), p.data() + p.size());
        Eigen::Index best = 0;
        p.maxCoeff(&best);
        t.predicted_label = static_cast<int>(best);
    }
}

}  // namespace

void Workspace::reserve(const ModelConfig& c, int rows, size_t squares) {
    const size_t H = c.hidden_size;
    for (auto* b : {&x_, &q_, &k_, &v_, &context_, &attended_}) grow(*b, size_t(rows) * H);
    grow(intermediate_, size_t(rows) * c.intermediate_size);
    grow(scratch_, linear_scratch_size(rows, std::max(c.hidden_size, c.intermediate_size)));
    grow(probabilities_, size_t(c.num_heads) * squares);
    grow(mean_attention_, squares);
    if (c.has_embedding_projection()) grow(embedded_, size_t(rows) * c.embedding_width());
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

std::vector<Trace> run_batch(const BertModel& model, std::span<const SequenceInput> inputs, const RetentionPlan& plan,
                             const RunOptions& options, Workspace& ws) {
    const ModelConfig& c = model.config;
    if (!model.packed) throw Error("run_batch: the model's weights are not packed (load it with load_bert_model)");
    for (const auto& in : inputs) validate_input(c, in.ids, in.type_ids);
    if (!plan.keep.empty()) validate_retention(plan.keep, c.num_layers);
    if (inputs.empty()) return {};
    const auto start = std::chrono::steady_clock::now();
    auto segments = stack_segments(inputs, c.num_heads);
    size_t squares = 0;
    for (const auto& s : segments) squares += size_t(s.rows()) * s.rows();
    ws.reserve(c, total_rows(segments), squares);

    std::vector<Trace> traces(inputs.size());
    MatrixMap x(ws.x(), total_rows(segments), c.hidden_size);
    embed(model, inputs, x, ws);
    for (size_t i = 0; i < inputs.size(); ++i) {
        Trace& t = traces[i];
        t.ids.assign(inputs[i].ids.begin(), inputs[i].ids.end());
        t.multiply_adds += embedding_multiply_adds(c, segments[i].rows());
        auto block = x.middleRows(segments[i].offset, segments[i].rows());
        t.embedding_mean_cosine = mean_pairwise_cosine(block);
        if (options.record_hidden) t.embedding_hidden = to_float_matrix(block);
    }
    run_encoder(model, segments, plan, options, ws, traces);
    run_head(model, segments, ws, traces);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (auto& t : traces) t.seconds = seconds / static_cast<double>(traces.size());
    return traces;
}

Trace run_model(const BertModel& model, std::span<const int32_t> ids, std::span<const int32_t> type_ids,
                const RetentionPlan& plan, const RunOptions& options, Workspace& ws) {
    SequenceInput input{ids, type_ids};
    return std::move(run_batch(model, std::span(&input, 1), plan, options, ws).front());
}

Trace run_model(const BertModel& model, std::span<const int32_t> ids, std::span<const int32_t> type_ids,
                const RetentionPlan& plan, const RunOptions& options) {
    Workspace ws;
    return run_model(model, ids, type_ids, plan, options, ws);
}

}  // namespace pb
