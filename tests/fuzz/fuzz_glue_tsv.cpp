// GLUE TSV: the fuzz input is the file, loaded as each of several tasks (and with the task guessed
// from its header) under both MalformedPolicy values.
#include "fuzz_common.h"

#include "core/glue_dataset.h"

#include <cmath>
#include <optional>

namespace {

void check_dataset(const pb::GlueDataset& d, pb::MalformedPolicy policy, size_t max_examples) {
    PB_FUZZ_CHECK(!d.examples.empty());
    if (max_examples) PB_FUZZ_CHECK(d.examples.size() <= max_examples);
    if (policy == pb::MalformedPolicy::Reject) PB_FUZZ_CHECK(d.skipped.empty());
    int previous_line = 0;
    for (const auto& e : d.examples) {
        PB_FUZZ_CHECK(!e.text_a.empty());
        PB_FUZZ_CHECK(e.line > previous_line);
        previous_line = e.line;
        if (!e.label) continue;
        PB_FUZZ_CHECK(std::isfinite(*e.label) && *e.label >= 0);
        if (!d.is_regression()) PB_FUZZ_CHECK(*e.label < static_cast<float>(d.num_labels()));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto path = pb_fuzz::write_scratch("data.tsv", data, size);
    const std::optional<pb::GlueTask> tasks[] = {std::nullopt,        pb::GlueTask::Generic, pb::GlueTask::CoLA,
                                                 pb::GlueTask::SST2,  pb::GlueTask::MRPC,    pb::GlueTask::STSB,
                                                 pb::GlueTask::MNLI,  pb::GlueTask::QNLI};
    for (const auto& task : tasks)
        for (auto policy : {pb::MalformedPolicy::Reject, pb::MalformedPolicy::Skip})
            for (size_t max_examples : {size_t(0), size_t(2)})
                pb_fuzz::expect_pb_error(
                    [&] { check_dataset(pb::load_glue_tsv(path, task, policy, max_examples), policy, max_examples); });
    return 0;
}
