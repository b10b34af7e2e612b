// powerbert analyze | info | make-demo-model: one input through both models, a folder's summary, and a
// seeded model to try the tool with.
#include "app/cli_commands.h"
#include "app/cli_model_choice.h"
#include "core/analysis.h"
#include "core/analysis_report.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/model_folder.h"
#include "core/seeded_weights.h"
#include "core/sentencepiece_tokenizer.h"
#include "core/trace_json.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

namespace pb::cli {
namespace {

struct AnalyzeArgs {
    std::string model, text, retention, retention_file;
    std::optional<std::string> pair, strategy;
    std::optional<uint64_t> seed;
    std::optional<double> keep_fraction;
    bool json = false, attention = false, hidden = false, bf16 = false;
};

pb::RetentionPlan plan_from(const AnalyzeArgs& a, const pb::ModelFolder& folder, int length) {
    const int layers = folder.model.config.num_layers;
    pb::RetentionPlan plan;
    if (!a.retention_file.empty()) plan = pb::load_retention_json(a.retention_file, layers);
    else if (!a.retention.empty()) plan.keep = pb::parse_retention(a.retention, layers);
    else if (a.keep_fraction) plan.keep = pb::geometric_retention(length, *a.keep_fraction, layers);
    else if (folder.retention) plan = *folder.retention;
    if (a.strategy) plan.strategy = pb::parse_strategy(*a.strategy);
    if (a.seed) plan.seed = *a.seed;
    return plan;
}

// An input without a word piece would analyse [CLS] and [SEP] alone: refused rather than answered.
void require_word_pieces(const pb::Encoding& e, bool pair) {
    auto pieces = [&](int segment) { return std::count(e.segment.begin(), e.segment.end(), segment); };
    const char* why = " no word pieces (empty, or only characters the tokenizer drops)";
    if (pieces(0) == 0) throw pb::Error(std::string("--text:") + why);
    if (pair && pieces(1) == 0) throw pb::Error(std::string("--pair:") + why);
}

int analyze(const AnalyzeArgs& a) {
    auto folder = pb::load_model_folder(a.model, precision_of(a.bf16));
    pb::RunOptions options{a.attention, a.hidden, false};
    const pb::Encoding encoding = a.pair ? folder.encode(a.text, *a.pair) : folder.encode(a.text);
    require_word_pieces(encoding, a.pair.has_value());
    const auto length = static_cast<int>(encoding.ids.size());
    auto analysis = pb::analyze(folder, a.text, a.pair, plan_from(a, folder, length), options);
    if (analysis.encoding.truncated) std::cerr << "powerbert: " << analysis.encoding.notice << '\n';
    if (a.json) std::cout << pb::analysis_to_json(analysis).dump(1) << '\n';
    else std::cout << pb::format_analysis(analysis);
    return 0;
}

struct DemoArgs {
    std::string out, vocab, shape = "small", arch = "bert";
    uint64_t seed = 1;
};

// An untrained, seeded model with a real vocabulary: enough to exercise every view and command
// before a trained model is at hand. Its predictions mean nothing, and its config says so.
int make_demo_model(const DemoArgs& d) {
    pb::ModelConfig c = shape_config(d.arch, d.shape);
    c.id2label = {"negative", "positive"};
    if (c.is_albert()) c.vocab_size = pb::SentencepieceTokenizer::from_model_file(d.vocab).vocab_size();
    pb::write_seeded_bert_folder(d.out, c, d.seed, pb::DType::F32, d.vocab);
    if (c.is_albert())  // AlbertTokenizer's settings (the defaults, written out for the reader)
        pb::write_file_atomically(std::filesystem::path(d.out) / "tokenizer_config.json",
                                  nlohmann::json{{"tokenizer_class", "AlbertTokenizer"}, {"do_lower_case", true},
                                                 {"remove_space", true}, {"keep_accents", false},
                                                 {"model_max_length", 512}}
                                          .dump(2) + "\n");
    std::cerr << "powerbert: wrote an untrained seeded " << d.shape << " " << d.arch << " model to " << d.out << '\n';
    return 0;
}

struct InfoArgs {
    std::string model;
};

int info(const InfoArgs& i) {
    auto folder = pb::load_model_folder(i.model);
    nlohmann::json j = pb::to_json(folder.model.config);
    j["weight_bytes"] = folder.weight_bytes;
    j["tokenizer_vocabulary"] = folder.tokenizer->vocab_size();
    j["max_tokens"] = folder.max_tokens;
    if (folder.retention) j["retention"] = pb::plan_to_json(*folder.retention);
    std::cout << j.dump(2) << '\n';
    return 0;
}

CLI::App* add_analyze_command(CLI::App& app, AnalyzeArgs& a) {
    auto* cmd = app.add_subcommand("analyze", "Run the full model and PoWER-BERT on one input and compare them");
    cmd->add_option("--model", a.model, "Hugging Face model folder (default: the embedded default model)");
    cmd->add_option("--text", a.text, "The sentence to analyse")->required();
    cmd->add_option("--pair", a.pair, "An optional second sentence");
    cmd->add_option("--retention", a.retention, "Word vectors kept per layer, e.g. 12,10,8,...");
    cmd->add_option("--retention-file", a.retention_file, "A retention.json file");
    cmd->add_option("--keep-fraction", a.keep_fraction, "Keep ceil(n * f^j) vectors after layer j (a quick preset)");
    cmd->add_option("--strategy", a.strategy, "attn (Attn-WS), head (Head-WS) or rand (Rand-WS)");
    cmd->add_option("--seed", a.seed, "Seed of Rand-WS");
    cmd->add_flag("--json", a.json, "Print one JSON document (schema in README.md)");
    cmd->add_flag("--attention", a.attention, "Include per-head attention matrices in the JSON");
    cmd->add_flag("--bf16", a.bf16, "Encoder weights rounded to bfloat16 (faster on short inputs, slightly less accurate)");
    return cmd;
}

CLI::App* add_demo_command(CLI::App& app, DemoArgs& d) {
    auto* cmd = app.add_subcommand("make-demo-model", "Write an untrained seeded BERT or ALBERT with a real vocabulary (for trying the tool)");
    cmd->add_option("--out", d.out, "Folder to create")->required();
    cmd->add_option("--vocab", d.vocab,
                    "vocab.txt (BERT, e.g. resources/vocab/bert-base-uncased.txt) or spiece.model (ALBERT, e.g. "
                    "resources/vocab/albert-spiece-8k.model) to copy")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--arch", d.arch, "bert or albert")->check(CLI::IsMember({"bert", "albert"}));
    cmd->add_option("--shape", d.shape, "small (4x256) or base (12x768)")->check(CLI::IsMember({"base", "small"}));
    cmd->add_option("--seed", d.seed, "Weight seed");
    return cmd;
}

}  // namespace

void add_model_commands(CLI::App& app, Commands& out) {
    auto a = std::make_shared<AnalyzeArgs>();
    out.push_back(with_default_model(add_analyze_command(app, *a), a, analyze));
    auto i = std::make_shared<InfoArgs>();
    auto* info_cmd = app.add_subcommand("info", "Print the model's configuration and files");
    info_cmd->add_option("--model", i->model, "Hugging Face model folder (default: the embedded default model)");
    out.push_back(with_default_model(info_cmd, i, info));
    auto d = std::make_shared<DemoArgs>();
    out.push_back({add_demo_command(app, *d), [d] { return make_demo_model(*d); }});
}

}  // namespace pb::cli
