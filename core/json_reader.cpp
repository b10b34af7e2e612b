#include "core/json_reader.h"

#include "core/error.h"

#include <fstream>

namespace pb {

nlohmann::json read_json(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw Error(path.string() + ": is a folder, not a JSON file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path.string() + ": cannot open the file");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw Error(path.string() + ": not valid JSON (" + e.what() + ")");
    }
}

void JsonReader::fail(const std::string& key, const std::string& what) const {
    throw Error(file_ + ": key '" + key + "' " + what);
}

const JsonReader::Json& JsonReader::object(const Json& parent, const std::string& name, const std::string& key) const {
    if (!parent.contains(name)) fail(key, "is missing");
    const Json& v = parent.at(name);
    if (!v.is_object()) fail(key, "must be an object");
    return v;
}

bool JsonReader::boolean(const Json& parent, const std::string& name, const std::string& key, bool fallback) const {
    if (!parent.contains(name) || parent.at(name).is_null()) return fallback;
    if (!parent.at(name).is_boolean()) fail(key, "must be true or false");
    return parent.at(name).get<bool>();
}

std::optional<bool> JsonReader::optional_boolean(const Json& parent, const std::string& name,
                                                 const std::string& key) const {
    if (!parent.contains(name) || parent.at(name).is_null()) return std::nullopt;
    return boolean(parent, name, key, false);
}

std::string JsonReader::string(const Json& parent, const std::string& name, const std::string& key,
                               const std::string& fallback) const {
    if (!parent.contains(name) || parent.at(name).is_null()) return fallback;
    const Json& v = parent.at(name);
    if (v.is_object() && v.contains("content") && v.at("content").is_string()) return v.at("content").get<std::string>();
    if (!v.is_string()) fail(key, "must be a string");
    return v.get<std::string>();
}

int64_t JsonReader::integer(const Json& v, const std::string& key, int64_t lo, int64_t hi) const {
    if (!v.is_number_integer()) fail(key, "must be an integer");
    const bool is_unsigned = v.is_number_unsigned();
    const auto value =
        is_unsigned ? static_cast<int64_t>(std::min<uint64_t>(v.get<uint64_t>(), INT64_MAX)) : v.get<int64_t>();
    if (value < lo || value > hi) fail(key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    return value;
}

std::string JsonReader::type_of(const Json& parent, const std::string& name, const std::string& key) const {
    if (!parent.contains(name) || parent.at(name).is_null()) return {};
    const Json& v = parent.at(name);
    if (!v.is_object()) fail(key, "must be an object or null");
    return string(v, "type", key + ".type", "");
}

std::optional<int> sane_model_max_length(const nlohmann::json& config) {
    if (!config.contains("model_max_length") || !config.at("model_max_length").is_number()) return std::nullopt;
    const double v = config.at("model_max_length").get<double>();
    if (v < 1 || v > 1e7) return std::nullopt;
    return static_cast<int>(v);
}

}  // namespace pb
