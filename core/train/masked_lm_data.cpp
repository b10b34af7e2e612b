#include "core/train/masked_lm_data.h"

#include "core/error.h"
#include "core/glue_dataset.h"

#include <fstream>
#include <random>
#include <sstream>

namespace pb::train {
namespace {

// A paragraph can be a whole chapter of unbroken text; no single encode call needs to see more.
constexpr int kLongestParagraphTokens = 1 << 20;

std::vector<std::string> paragraphs_of(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(file.string() + ": cannot open");
    std::vector<std::string> out;
    std::string line, paragraph;
    auto flush = [&] {
        if (!paragraph.empty()) out.push_back(std::move(paragraph));
        paragraph.clear();
    };
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) {
            flush();
            continue;
        }
        if (!paragraph.empty()) paragraph += ' ';
        paragraph += line;
    }
    flush();
    return out;
}

std::vector<int32_t> word_pieces(const WordpieceTokenizer& tokenizer, const std::string& text) {
    auto enc = tokenizer.encode(text, std::nullopt, kLongestParagraphTokens);
    if (enc.ids.size() <= 2) return {};
    return {enc.ids.begin() + 1, enc.ids.end() - 1};  // without [CLS] and [SEP]
}

}  // namespace

std::vector<std::vector<int32_t>> tokenize_corpus_file(const std::filesystem::path& file,
                                                       const WordpieceTokenizer& tokenizer) {
    std::vector<std::string> texts;
    if (file.extension() == ".tsv") {
        const auto data = load_glue_tsv(file);
        for (const auto& e : data.examples) {
            texts.push_back(e.text_a);
            if (e.text_b) texts.push_back(*e.text_b);
        }
    } else {
        texts = paragraphs_of(file);
    }
    std::vector<std::vector<int32_t>> out;
    for (const auto& t : texts)
        if (auto ids = word_pieces(tokenizer, t); !ids.empty()) out.push_back(std::move(ids));
    if (out.empty()) throw Error(file.string() + ": no text to pre-train on");
    return out;
}

std::vector<TrainExample> make_masked_lm_examples(const std::vector<std::vector<int32_t>>& texts,
                                                  const WordpieceTokenizer& tokenizer, const MaskingOptions& o) {
    if (o.max_length < 3) throw Error("masked-LM data: the sequence length must be at least 3");
    if (!(o.mask_probability > 0 && o.mask_probability < 1)) throw Error("masked-LM data: the mask probability must lie in (0, 1)");
    const auto cls = tokenizer.token_id(tokenizer.options().cls_token), sep = tokenizer.token_id(tokenizer.options().sep_token),
               mask = tokenizer.token_id(tokenizer.options().mask_token);
    if (!cls || !sep || !mask) throw Error("masked-LM data: the vocabulary lacks [CLS], [SEP] or [MASK]");
    const int vocab = tokenizer.vocab_size(), body = o.max_length - 2;

    std::vector<std::vector<int32_t>> sequences(1);
    for (const auto& text : texts)
        for (int32_t id : text) {
            if (static_cast<int>(sequences.back().size()) == body) sequences.emplace_back();
            sequences.back().push_back(id);
        }
    if (sequences.back().size() < 2) sequences.pop_back();

    std::mt19937_64 rng(o.seed);
    auto uniform = [&] { return double(rng() >> 11) / 9007199254740992.0; };
    std::vector<TrainExample> out;
    out.reserve(sequences.size());
    for (const auto& seq : sequences) {
        TrainExample e;
        e.ids.reserve(seq.size() + 2);
        e.ids.push_back(*cls);
        e.ids.insert(e.ids.end(), seq.begin(), seq.end());
        e.ids.push_back(*sep);
        e.type_ids.assign(e.ids.size(), 0);
        e.mlm_targets.assign(e.ids.size(), -1);
        int chosen = 0;
        for (size_t i = 1; i + 1 < e.ids.size(); ++i) {
            if (uniform() >= o.mask_probability) continue;
            ++chosen;
            e.mlm_targets[i] = e.ids[i];
            const double r = uniform();
            if (r < 0.8) e.ids[i] = *mask;
            else if (r < 0.9) e.ids[i] = static_cast<int32_t>(rng() % uint64_t(vocab));
        }
        if (chosen == 0) {  // every sequence teaches something
            const size_t i = 1 + rng() % (e.ids.size() - 2);
            e.mlm_targets[i] = e.ids[i];
            e.ids[i] = *mask;
        }
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace pb::train
