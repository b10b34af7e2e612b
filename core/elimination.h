#pragma once
// PoWER-BERT's word-vector elimination: significance scores, the three selection strategies and
// retention configurations (one `keep` value per encoder layer).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pb {

enum class Strategy {
    Attention,  // Attn-WS: keep the most significant vectors (dynamic, per input)
    Head,       // Head-WS: keep the first keep[j] vectors
    Random,     // Rand-WS: keep a seeded random set ([CLS] always)
};

std::string_view strategy_name(Strategy strategy);  // "attn", "head", "rand"
Strategy parse_strategy(std::string_view text);     // throws pb::Error listing the choices

// For the mutual-information experiment: eliminate only the vector of significance rank `rank`
// (1 = most significant among the vectors other than [CLS]) at encoder `layer` (0-based).
struct SingleElimination {
    int layer = 0;
    int rank = 1;
};

struct RetentionPlan {
    std::vector<int> keep;  // empty: no elimination (the full model)
    Strategy strategy = Strategy::Attention;
    uint64_t seed = 0;      // Rand-WS only
    std::optional<SingleElimination> single{};

    bool eliminates() const { return !keep.empty() || single.has_value(); }
};

// Throws pb::Error "<source>: ..." unless there is one positive value per layer, non-increasing.
void validate_retention(std::span<const int> keep, int num_layers, const std::string& source = "retention configuration");
// "12,11,10" or "12 11 10"; validated.
std::vector<int> parse_retention(std::string_view text, int num_layers, const std::string& source = "--retention");

// retention.json: {"retention": [...], "strategy": "attn", "seed": 0, ...}; extra keys are kept by the writer's caller.
RetentionPlan load_retention_json(const std::filesystem::path& file, int num_layers);
void save_retention_json(const std::filesystem::path& file, const RetentionPlan& plan, const std::string& found_by);

// Sig(k) = sum_q Abar[q][k] - Abar[k][k], Abar = mean over heads (row-major n x n, rows = queries).
std::vector<float> significance_scores(std::span<const float> mean_attention, int n);
// rank[i] = 1 + number of vectors more significant than i (ties: the earlier position ranks higher).
std::vector<int> significance_ranks(std::span<const float> significance);

// Local indices (into the current rows) of the survivors, ascending; row 0 ([CLS]) always survives.
std::vector<int> select_survivors(std::span<const float> significance, int keep, Strategy strategy, uint64_t seed,
                                  int layer);
// All rows but the one of the given rank among rows 1..n-1 (nothing removed if the rank is beyond them).
std::vector<int> drop_single_rank(std::span<const float> significance, int rank);

// keep[j] = ceil(length * fraction^(j+1)), at least 1: a simple family for presets and sweeps.
std::vector<int> geometric_retention(int length, double fraction, int num_layers);

// Scales a configuration to another sequence length (the paper's configurations are for N=64/128/256).
std::vector<int> scale_retention(std::span<const int> keep, int from_length, int to_length);

}  // namespace pb
