// Retention configurations: the fuzz input is both the text of --retention (pb::parse_retention)
// and a retention.json file (pb::load_retention_json); the first byte picks the layer count.
#include "fuzz_common.h"

#include "core/elimination.h"

#include <string_view>
#include <vector>

namespace {

void check_keep(const std::vector<int>& keep, int num_layers) {
    PB_FUZZ_CHECK(static_cast<int>(keep.size()) == num_layers);
    for (size_t j = 0; j < keep.size(); ++j) {
        PB_FUZZ_CHECK(keep[j] >= 1);
        if (j > 0) PB_FUZZ_CHECK(keep[j] <= keep[j - 1]);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const int num_layers = data[0] % 25;  // 0..24: BERT-base has 12, BERT-large 24
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    pb_fuzz::expect_pb_error([&] { check_keep(pb::parse_retention(text, num_layers), num_layers); });
    pb_fuzz::expect_pb_error([&] { (void)pb::parse_strategy(text); });

    const auto path = pb_fuzz::write_scratch("retention.json", data + 1, size - 1);
    pb_fuzz::expect_pb_error([&] {
        const pb::RetentionPlan plan = pb::load_retention_json(path, num_layers);
        check_keep(plan.keep, num_layers);
        // What we load we can save, and it loads back the same.
        const auto copy = pb_fuzz::scratch_file("retention-copy.json");
        pb::save_retention_json(copy, plan, "fuzz");
        const pb::RetentionPlan again = pb::load_retention_json(copy, num_layers);
        PB_FUZZ_CHECK(again.keep == plan.keep && again.strategy == plan.strategy && again.seed == plan.seed);
    });
    return 0;
}
