#include "core/batched_timing.h"

#include "core/dataset_evaluation.h"
#include "core/error.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <string>

namespace pb {
namespace {

struct GroupTimes {
    double full = 0, power = 0, padded = 0;
};

double seconds_of(const std::vector<Trace>& traces) {
    double s = 0;
    for (const auto& t : traces) s += t.seconds;  // run_batch splits its time evenly over the batch
    return s;
}

std::vector<SequenceInput> inputs_of(const std::vector<const Encoding*>& group) {
    std::vector<SequenceInput> inputs;
    for (const Encoding* e : group) inputs.push_back({e->ids, e->type_ids});
    return inputs;
}

GroupTimes time_group(const BertModel& model, const BatchedTimingRequest& request, const std::vector<size_t>& group,
                      bool power_first, Workspace& ws) {
    std::vector<const Encoding*> encodings;
    for (size_t i : group) encodings.push_back(&request.encodings[i]);
    const int n = static_cast<int>(encodings.front()->ids.size());
    const int size = static_cast<int>(group.size());
    const int rows = std::max(n, request.padded_length) * size;
    // Touch the workspace before any clock starts (fresh pages cost more than the work here).
    ws.reserve(model.config, rows, size_t(rows) * std::max(n, request.padded_length));

    const RetentionPlan plan = plan_for_length(request.plan, request.keep_fraction, n, model.config.num_layers);
    const auto inputs = inputs_of(encodings);
    GroupTimes t;
    auto run_full = [&] { t.full = seconds_of(run_batch(model, inputs, {}, {}, ws)); };
    auto run_power = [&] { t.power = seconds_of(run_batch(model, inputs, plan, {}, ws)); };
    if (power_first) run_power(), run_full();
    else run_full(), run_power();

    if (request.padded_length <= 0) return t;
    if (n >= request.padded_length) {
        t.padded = t.full;  // nothing to pad: the baseline runs it as it is
        return t;
    }
    std::vector<PaddedInput> padded;  // timed only, outputs unused
    for (const Encoding* e : encodings) padded.push_back(padded_input(*e, request.padded_length, request.pad_id));
    std::vector<SequenceInput> padded_inputs;
    for (const auto& p : padded) padded_inputs.push_back({p.ids, p.type_ids});
    t.padded = seconds_of(run_batch(model, padded_inputs, {}, {}, ws));
    return t;
}

}  // namespace

std::vector<std::vector<size_t>> length_batches(std::span<const int> lengths, int batch) {
    if (batch < 1) throw Error("batch size " + std::to_string(batch) + " must be at least 1");
    std::map<int, std::vector<size_t>> by_length;
    for (size_t i = 0; i < lengths.size(); ++i) by_length[lengths[i]].push_back(i);
    std::vector<std::vector<size_t>> groups;
    for (const auto& [length, indices] : by_length)
        for (size_t begin = 0; begin < indices.size(); begin += size_t(batch)) {
            const size_t end = std::min(indices.size(), begin + size_t(batch));
            groups.emplace_back(indices.begin() + long(begin), indices.begin() + long(end));
        }
    return groups;
}

BatchedTiming time_in_batches(const BertModel& model, const BatchedTimingRequest& request, const Progress& progress) {
    std::vector<int> lengths;
    for (const auto& e : request.encodings) lengths.push_back(static_cast<int>(e.ids.size()));
    const auto groups = length_batches(lengths, request.batch);
    std::vector<GroupTimes> times(groups.size());
    // Progress counts examples, as the one-at-a-time pass did, not batches of varying size.
    std::atomic<size_t> examples_done{0};
    const size_t examples = lengths.size();
    const Progress in_examples = [&](size_t, size_t, std::string_view message) {
        return !progress || progress(examples_done.load(), examples, message);
    };
    parallel_over_examples(
        groups.size(), model.config, 0, in_examples, "timing in batches",
        [&](size_t g, Workspace& ws, const CheckCancelled&) {
            times[g] = time_group(model, request, groups[g], g % 2, ws);
            examples_done.fetch_add(groups[g].size());
        },
        request.threads);

    BatchedTiming r;
    r.batch = request.batch;
    r.passes = groups.size();
    r.padded_timed = request.padded_length > 0;
    for (const auto& t : times) {
        r.full_seconds += t.full;
        r.power_seconds += t.power;
        r.padded_full_seconds += t.padded;
    }
    return r;
}

}  // namespace pb
