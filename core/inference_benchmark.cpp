#include "core/inference_benchmark.h"

#include "core/bert_model.h"
#include "core/flops.h"
#include "core/linear_kernel.h"
#include "core/model_folder.h"
#include "core/seeded_weights.h"

#include <Eigen/Core>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <random>

namespace pb {
namespace {

struct Spread {
    double median = 0, min = 0, max = 0;
};

Spread spread(std::vector<double> ms) {
    std::sort(ms.begin(), ms.end());
    size_t n = ms.size();
    double median = n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
    return {median, ms.front(), ms.back()};
}

nlohmann::json to_json(const Spread& s) { return {{"median", s.median}, {"min", s.min}, {"max", s.max}}; }

template <typename F>
double milliseconds(F&& work) {
    auto start = std::chrono::steady_clock::now();
    work();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// The same matrix products as one full forward pass (same weights, same shapes, the same product
// routine), nothing else: the ceiling the forward pass is measured against. Every product reads
// fixed random inputs rather than the previous product's output, so values stay bounded (chained
// without normalisation they overflow, and special values can slow the arithmetic down).
struct PlainProducts {
    int length, batch;
    RowMatrix embedded, hidden_in, context_in, attended_in, inner_in;  // fixed inputs
    RowMatrix x;                                                       // the projection's output
    RowMatrix q, k, v, context, out, inner;                  // outputs
    std::vector<RowMatrix> scores;                           // per thread
    std::vector<float> scratch;

    PlainProducts(const ModelConfig& c, int n, int sequences)
        : length(n), batch(sequences), embedded(RowMatrix::Random(n * sequences, c.embedding_width())),
          hidden_in(RowMatrix::Random(n * sequences, c.hidden_size)),
          context_in(RowMatrix::Random(n * sequences, c.hidden_size)),
          attended_in(RowMatrix::Random(n * sequences, c.hidden_size)),
          inner_in(RowMatrix::Random(n * sequences, c.intermediate_size)), x(n * sequences, c.hidden_size),
          q(n * sequences, c.hidden_size), k(n * sequences, c.hidden_size), v(n * sequences, c.hidden_size),
          context(n * sequences, c.hidden_size), out(n * sequences, c.hidden_size),
          inner(n * sequences, c.intermediate_size), scores(omp_get_max_threads(), RowMatrix(n, n)),
          scratch(linear_scratch_size(n * sequences, std::max(c.hidden_size, c.intermediate_size))) {}

    static ConstMatrixMap view(const RowMatrix& m) { return ConstMatrixMap(m.data(), m.rows(), m.cols()); }

    // One team of threads for all layers, as in the forward pass (core/bert_model).
    void run(const BertModel& model) {
        const auto& c = model.config;
        if (model.weights.embedding_projection)
            x.noalias() = embedded * model.weights.embedding_projection->weight.map().transpose();
        const bool team = linear_wants_threads(length * batch, model.packed->layers.front().intermediate);
#pragma omp parallel if (team)
        for (const auto& w : model.packed->layers) run_layer(c, w);
    }

    void run_layer(const ModelConfig& c, const PackedEncoderLayer& w) {
        constexpr auto team = LinearThreads::CallerTeam;
        const int d = c.head_dim();
        float* const qkv[] = {q.data(), k.data(), v.data()};
        linear_packed(view(hidden_in), w.query_key_value, qkv, {}, scratch.data(), team);
#pragma omp for schedule(dynamic)
        for (int task = 0; task < batch * c.num_heads; ++task) {
            const int r = task / c.num_heads * length, h = task % c.num_heads;
            RowMatrix& p = scores[omp_get_thread_num()];
            p.noalias() = q.block(r, h * d, length, d) * k.block(r, h * d, length, d).transpose();
            context.block(r, h * d, length, d).noalias() = p * v.block(r, h * d, length, d);
        }
        float* const outputs[] = {out.data(), inner.data(), out.data()};
        linear_packed(view(context_in), w.attention_output, std::span(outputs, 1), {}, scratch.data(), team);
        linear_packed(view(attended_in), w.intermediate, std::span(outputs + 1, 1), {}, scratch.data(), team);
        linear_packed(view(inner_in), w.output, std::span(outputs + 2, 1), {}, scratch.data(), team);
    }
};

// Reads every packed weight once, split over the threads as the products split them, and does
// nothing else: the least time any forward pass needs to bring its weights in (from memory, or
// from the last-level cache for what stayed there).
struct WeightRead {
    uint32_t checksum = 0;  // what was read, so that the reading cannot be left out

    void run(const BertModel& model) {
        using Words = Eigen::Map<const Eigen::Matrix<uint32_t, Eigen::Dynamic, 1>>;
        uint32_t sum = 0;
#pragma omp parallel reduction(+ : sum)
        for (const auto& layer : model.packed->layers)
            for (const PackedMatrix* m :
                 {&layer.query_key_value, &layer.attention_output, &layer.intermediate, &layer.output}) {
                const size_t words = m->panel_elements() / (m->precision == WeightPrecision::F32 ? 1 : 2);
#pragma omp for schedule(static) nowait
                for (int p = 0; p < m->panel_count(); ++p)
                    sum += Words(static_cast<const uint32_t*>(m->panels) + size_t(p) * words, Eigen::Index(words))
                               .sum();
            }
        checksum += sum;
    }
};

// `batch` random sequences of n tokens between [CLS] and [SEP]; the inputs view `ids` and `types`.
std::vector<SequenceInput> random_inputs(const ModelConfig& config, int n, uint64_t seed,
                                         std::vector<std::vector<int32_t>>& ids, std::vector<int32_t>& types) {
    std::mt19937_64 rng(seed);
    types.assign(size_t(n), 0);
    std::vector<SequenceInput> inputs;
    for (auto& sequence : ids) {
        sequence.resize(size_t(n));
        for (auto& id : sequence) id = 1000 + static_cast<int32_t>(rng() % (config.vocab_size - 1000));
        sequence.front() = config.is_albert() ? 2 : 101;  // [CLS]
        sequence.back() = config.is_albert() ? 3 : 102;   // [SEP]
        inputs.push_back({sequence, types});
    }
    return inputs;
}

nlohmann::json measure_length(const BertModel& model, const InferenceBenchmarkOptions& o, int n) {
    const int batch = std::max(1, o.batch);
    std::vector<std::vector<int32_t>> ids(static_cast<size_t>(batch));
    std::vector<int32_t> types;
    const std::vector<SequenceInput> inputs = random_inputs(model.config, n, o.seed + n, ids, types);
    RetentionPlan plan;  // Attn-WS
    plan.keep = scale_retention(o.reference_retention, o.reference_length, n);
    plan.keep.resize(model.config.num_layers, plan.keep.empty() ? n : plan.keep.back());

    Workspace ws;
    PlainProducts plain(model.config, n, batch);
    WeightRead weight_read;
    std::vector<double> full_ms, power_ms, plain_ms, read_ms;
    std::vector<Trace> full_traces, power_traces;
    for (int r = 0; r < o.warmup + o.repeats; ++r) {
        double f = milliseconds([&] { full_traces = run_batch(model, inputs, {}, {}, ws); });
        double p = milliseconds([&] { power_traces = run_batch(model, inputs, plan, {}, ws); });
        double g = milliseconds([&] { plain.run(model); });
        double w = milliseconds([&] { weight_read.run(model); });
        if (r < o.warmup) continue;
        full_ms.push_back(f);
        power_ms.push_back(p);
        plain_ms.push_back(g);
        read_ms.push_back(w);
    }
    auto fs = spread(full_ms), ps = spread(power_ms), gs = spread(plain_ms), rs = spread(read_ms);
    int64_t full_macs = 0, power_macs = 0, plain_macs = 0;
    for (const auto& t : full_traces) full_macs += t.multiply_adds;
    for (const auto& t : power_traces) power_macs += t.multiply_adds;
    for (int l = 0; l < model.config.num_layers; ++l) plain_macs += batch * layer_multiply_adds(model.config, n, n);
    plain_macs += batch * embedding_multiply_adds(model.config, n);
    const double full_gflops = 2.0 * full_macs / (fs.median * 1e6);
    const double plain_gflops = 2.0 * plain_macs / (gs.median * 1e6);
    const double mac_ratio = double(full_macs) / double(power_macs);
    const double speedup = fs.median / ps.median;
    const double attainable = fs.median / roofline_floor_ms(model.config, plan.keep, n, batch, plain_macs / gs.median,
                                                         rs.median / model.config.num_layers);
    return {{"length", n},
            {"batch", batch},
            {"retention", plan.keep},
            {"full_ms", to_json(fs)},
            {"power_ms", to_json(ps)},
            {"plain_products_ms", to_json(gs)},
            {"full_multiply_adds", full_macs},
            {"power_multiply_adds", power_macs},
            {"multiply_add_ratio", mac_ratio},
            {"measured_speedup", speedup},
            {"speedup_over_multiply_add_ratio", speedup / mac_ratio},
            {"weight_read_ms", to_json(rs)},
            {"attainable_speedup", attainable},
            {"speedup_over_attainable", speedup / attainable},
            {"full_gflops", full_gflops},
            {"plain_products_gflops", plain_gflops},
            {"full_over_plain_gflops", full_gflops / plain_gflops}};
}

}  // namespace

ModelConfig bert_base_config() {
    ModelConfig c;
    c.vocab_size = 30522;
    c.hidden_size = 768;
    c.num_layers = 12;
    c.num_heads = 12;
    c.intermediate_size = 3072;
    c.max_position = 512;
    c.num_labels = 2;
    c.id2label = {"LABEL_0", "LABEL_1"};
    return c;
}

ModelConfig albert_base_config() {
    ModelConfig c = bert_base_config();
    c.model_type = "albert";
    c.vocab_size = 30000;
    c.embedding_size = 128;
    c.num_hidden_groups = 1;
    c.inner_group_num = 1;
    c.activation = Activation::GeluTanh;
    c.activation_name = "gelu_new";
    return c;
}

double roofline_floor_ms(const ModelConfig& c, const std::vector<int>& keep, int n, int batch, double macs_per_ms,
                         double layer_read_ms) {
    double floor = 0;
    int n_in = n;
    for (int k : keep) {
        const double macs = double(batch) * layer_multiply_adds(c, n_in, k);
        floor += std::max(layer_read_ms, macs / macs_per_ms);
        n_in = k;
    }
    return floor;
}

nlohmann::json run_inference_benchmark(const InferenceBenchmarkOptions& o, const Progress& progress) {
    auto folder = o.scratch_folder.empty() ? std::filesystem::temp_directory_path() / "powerbert-bench-model"
                                           : o.scratch_folder;
    report(progress, 0, o.lengths.size() + 1, "writing a seeded model");
    write_seeded_bert_folder(folder, o.config, o.seed);
    BertModel model = load_bert_model(folder, o.precision);
    nlohmann::json results = nlohmann::json::array();
    for (size_t i = 0; i < o.lengths.size(); ++i) {
        report(progress, i + 1, o.lengths.size() + 1, "length " + std::to_string(o.lengths[i]));
        results.push_back(measure_length(model, o, o.lengths[i]));
    }
    model = {};
    std::filesystem::remove_all(folder);
    return {{"benchmark", "inference"},
            {"threads", omp_get_max_threads()},
            {"simd", Eigen::SimdInstructionSetsInUse()},
            {"precision", o.precision == WeightPrecision::BF16 ? "bf16" : "f32"},
            {"model", {{"model_type", o.config.model_type}, {"layers", o.config.num_layers},
                       {"hidden_size", o.config.hidden_size}, {"heads", o.config.num_heads},
                       {"intermediate_size", o.config.intermediate_size},
                       {"embedding_size", o.config.embedding_width()},
                       {"weight_groups", o.config.is_albert() ? o.config.num_hidden_groups : o.config.num_layers}}},
            {"warmup", o.warmup},
            {"repeats", o.repeats},
            {"results", results}};
}

}  // namespace pb
