#pragma once
// Reading the JSON files of a model folder (tokenizer.json, tokenizer_config.json) with errors
// that name the file and the key at fault.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace pb {

// Throws pb::Error "<file>: ..." for a folder, an unreadable file or invalid JSON.
nlohmann::json read_json(const std::filesystem::path& path);

// Typed access to one JSON key; every error is "<file>: key '<key>' <problem>".
class JsonReader {
public:
    using Json = nlohmann::json;
    explicit JsonReader(std::string file) : file_(std::move(file)) {}

    [[noreturn]] void fail(const std::string& key, const std::string& what) const;
    const Json& object(const Json& parent, const std::string& name, const std::string& key) const;
    bool boolean(const Json& parent, const std::string& name, const std::string& key, bool fallback) const;
    std::optional<bool> optional_boolean(const Json& parent, const std::string& name, const std::string& key) const;
    // A string, or a serialised AddedToken's "content" (tokenizer_config.json stores special tokens so).
    std::string string(const Json& parent, const std::string& name, const std::string& key,
                       const std::string& fallback) const;
    int64_t integer(const Json& v, const std::string& key, int64_t lo, int64_t hi) const;
    // The "type" of an optional object (a tokenizer.json component); empty when absent or null.
    std::string type_of(const Json& parent, const std::string& name, const std::string& key) const;
    const std::string& file() const { return file_; }

private:
    std::string file_;
};

// tokenizer_config.json's model_max_length when it is a real length: Hugging Face stores "no limit"
// as a huge sentinel (1e30); the model's own max_position_embeddings limits inputs anyway.
std::optional<int> sane_model_max_length(const nlohmann::json& config);

// tokenizer_config.json's special tokens into any options type with unk/cls/sep/pad/mask_token
// members (WordPiece's and SentencePiece's), keeping each default the file does not override.
template <class Options>
void read_special_tokens(const JsonReader& r, const nlohmann::json& config, Options& o) {
    o.unk_token = r.string(config, "unk_token", "unk_token", o.unk_token);
    o.cls_token = r.string(config, "cls_token", "cls_token", o.cls_token);
    o.sep_token = r.string(config, "sep_token", "sep_token", o.sep_token);
    o.pad_token = r.string(config, "pad_token", "pad_token", o.pad_token);
    o.mask_token = r.string(config, "mask_token", "mask_token", o.mask_token);
}

}  // namespace pb
