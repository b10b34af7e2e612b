#include "core/elimination.h"

#include "core/atomic_file.h"
#include "core/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>
#include <random>
#include <sstream>

namespace pb {

std::string_view strategy_name(Strategy s) {
    switch (s) {
    case Strategy::Attention: return "attn";
    case Strategy::Head: return "head";
    case Strategy::Random: return "rand";
    }
    return "attn";
}

Strategy parse_strategy(std::string_view text) {
    if (text == "attn" || text == "attn-ws" || text == "Attn-WS") return Strategy::Attention;
    if (text == "head" || text == "head-ws" || text == "Head-WS") return Strategy::Head;
    if (text == "rand" || text == "rand-ws" || text == "Rand-WS") return Strategy::Random;
    throw Error("strategy: \"" + std::string(text) + "\" is not one of attn, head, rand");
}

void validate_retention(std::span<const int> keep, int num_layers, const std::string& source) {
    if (static_cast<int>(keep.size()) != num_layers)
        throw Error(source + ": has " + std::to_string(keep.size()) + " values but the model has " +
                    std::to_string(num_layers) + " layers (one value per layer is needed)");
    for (size_t j = 0; j < keep.size(); ++j) {
        if (keep[j] < 1)
            throw Error(source + ": layer " + std::to_string(j + 1) + " keeps " + std::to_string(keep[j]) +
                        " word vectors; every layer must keep at least 1 ([CLS])");
        if (j > 0 && keep[j] > keep[j - 1])
            throw Error(source + ": layer " + std::to_string(j + 1) + " keeps " + std::to_string(keep[j]) +
                        ", more than layer " + std::to_string(j) + " (" + std::to_string(keep[j - 1]) +
                        "); a retention configuration must be non-increasing");
    }
}

std::vector<int> parse_retention(std::string_view text, int num_layers, const std::string& source) {
    std::vector<int> keep;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ',' || text[i] == ' ' || text[i] == '\t')) ++i;
        if (i >= text.size()) break;
        int value = 0;
        auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), value);
        // Hardening fix: quote at most 60 bytes, so a megabyte of garbage does not become the message.
        if (ec != std::errc() || (end < text.data() + text.size() && *end != ',' && *end != ' ' && *end != '\t'))
            throw Error(source + ": \"" + std::string(text.substr(0, 60)) + (text.size() > 60 ? "..." : "") +
                        "\" is not a comma-separated list of integers");
        keep.push_back(value);
        i = static_cast<size_t>(end - text.data());
    }
    validate_retention(keep, num_layers, source);
    return keep;
}

RetentionPlan load_retention_json(const std::filesystem::path& file, int num_layers) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(file.string() + ": cannot open");
    std::stringstream buffer;
    buffer << in.rdbuf();
    auto j = nlohmann::json::parse(buffer.str(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw Error(file.string() + ": not a JSON object");
    if (!j.contains("retention") || !j["retention"].is_array())
        throw Error(file.string() + ": missing the array \"retention\"");
    RetentionPlan plan;
    for (const auto& v : j["retention"]) {
        if (!v.is_number_integer()) throw Error(file.string() + ": \"retention\" must hold integers only");
        // Hardening fix: get<int>() wrapped values beyond int (4294967300 became 4), so a bad file
        // could pass validation with values it never held.
        const bool fits_int = v.is_number_unsigned() ? v.get<uint64_t>() <= uint64_t(std::numeric_limits<int>::max())
                                                     : v.get<int64_t>() >= std::numeric_limits<int>::min() &&
                                                           v.get<int64_t>() <= std::numeric_limits<int>::max();
        if (!fits_int) throw Error(file.string() + ": \"retention\" value " + v.dump() + " is out of range");
        plan.keep.push_back(v.get<int>());
    }
    validate_retention(plan.keep, num_layers, file.string());
    if (j.contains("strategy")) {
        if (!j["strategy"].is_string()) throw Error(file.string() + ": \"strategy\" must be a string");
        try {
            plan.strategy = parse_strategy(j["strategy"].get<std::string>());
        } catch (const Error& e) {
            throw Error(file.string() + ": " + e.what());
        }
    }
    if (j.contains("seed") && j["seed"].is_number_unsigned()) plan.seed = j["seed"].get<uint64_t>();
    return plan;
}

void save_retention_json(const std::filesystem::path& file, const RetentionPlan& plan, const std::string& found_by) {
    nlohmann::ordered_json j;
    j["retention"] = plan.keep;
    j["strategy"] = strategy_name(plan.strategy);
    j["seed"] = plan.seed;
    j["found_by"] = found_by;
    write_file_atomically(file, j.dump(2) + "\n");
}

std::vector<float> significance_scores(std::span<const float> mean_attention, int n) {
    std::vector<float> sig(n, 0.0f);
    for (int q = 0; q < n; ++q)
        for (int k = 0; k < n; ++k) sig[k] += mean_attention[size_t(q) * n + k];
    for (int k = 0; k < n; ++k) sig[k] -= mean_attention[size_t(k) * n + k];
    return sig;
}

namespace {

// Row indices sorted by decreasing significance; ties keep the earlier row first.
std::vector<int> by_significance(std::span<const float> sig, int first) {
    std::vector<int> order(sig.size() - first);
    std::iota(order.begin(), order.end(), first);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return sig[a] > sig[b]; });
    return order;
}

}  // namespace

std::vector<int> significance_ranks(std::span<const float> sig) {
    auto order = by_significance(sig, 0);
    std::vector<int> rank(sig.size());
    for (size_t r = 0; r < order.size(); ++r) rank[order[r]] = static_cast<int>(r) + 1;
    return rank;
}

std::vector<int> select_survivors(std::span<const float> sig, int keep, Strategy strategy, uint64_t seed, int layer) {
    const int n = static_cast<int>(sig.size());
    keep = std::clamp(keep, 1, n);
    std::vector<int> rows;
    if (strategy == Strategy::Head || keep == n) {
        rows.resize(keep);
        std::iota(rows.begin(), rows.end(), 0);
        return rows;
    }
    if (strategy == Strategy::Attention) {
        auto order = by_significance(sig, 1);
        rows.assign(order.begin(), order.begin() + (keep - 1));
    } else {
        // A partial Fisher-Yates shuffle on raw 64-bit draws: the same seed gives the same set on
        // every platform (std::uniform_int_distribution is implementation-defined).
        std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(layer) + 1);
        std::vector<int> pool(n - 1);
        std::iota(pool.begin(), pool.end(), 1);
        for (int i = 0; i < keep - 1; ++i) {
            size_t pick = i + rng() % (pool.size() - i);
            std::swap(pool[i], pool[pick]);
        }
        rows.assign(pool.begin(), pool.begin() + (keep - 1));
    }
    rows.push_back(0);
    std::sort(rows.begin(), rows.end());
    return rows;
}

std::vector<int> drop_single_rank(std::span<const float> sig, int rank) {
    auto order = by_significance(sig, 1);
    std::vector<int> rows(sig.size());
    std::iota(rows.begin(), rows.end(), 0);
    if (rank >= 1 && rank <= static_cast<int>(order.size()))
        rows.erase(std::find(rows.begin(), rows.end(), order[rank - 1]));
    return rows;
}

std::vector<int> geometric_retention(int length, double fraction, int num_layers) {
    if (!(fraction > 0.0 && fraction <= 1.0))
        throw Error("keep fraction " + std::to_string(fraction) + " must lie in (0, 1]");
    std::vector<int> keep;
    double kept = length;
    for (int j = 0; j < num_layers; ++j) {
        kept *= fraction;
        keep.push_back(std::max(1, static_cast<int>(std::ceil(kept - 1e-9))));
    }
    return keep;
}

std::vector<int> scale_retention(std::span<const int> keep, int from_length, int to_length) {
    std::vector<int> out;
    for (int k : keep) {
        int scaled = static_cast<int>(std::lround(double(k) * to_length / from_length));
        out.push_back(std::max(1, std::min(scaled, out.empty() ? to_length : out.back())));
    }
    return out;
}

}  // namespace pb
