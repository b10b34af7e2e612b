#include "ui/session.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "ui/qt_paths.h"

#include <nlohmann/json.hpp>

#include <QFile>

#include <limits>

namespace pb::ui {

namespace {

std::string utf8(const QString& s) { return s.toStdString(); }
QString qstr(const std::string& s) { return QString::fromStdString(s); }

[[noreturn]] void fail(const std::string& source, const std::string& key, const std::string& problem) {
    throw pb::Error(source + ": " + key + ": " + problem);
}

const nlohmann::json& required(const nlohmann::json& j, const std::string& key, const std::string& source) {
    auto it = j.find(key);
    if (it == j.end()) fail(source, key, "missing");
    return *it;
}

QString requiredString(const nlohmann::json& j, const std::string& key, const std::string& source) {
    const auto& v = required(j, key, source);
    if (!v.is_string()) fail(source, key, "must be a string, not " + std::string(v.type_name()));
    return qstr(v.get<std::string>());
}

}  // namespace

nlohmann::ordered_json sessionToJson(const SessionState& s) {
    nlohmann::ordered_json j;  // keys in the documented order, for people reading the file
    j["schema"] = kSessionSchema;
    j["model"] = utf8(s.modelPath);
    j["sentence"] = utf8(s.sentence);
    j["pair"] = s.pair ? nlohmann::ordered_json(utf8(*s.pair)) : nlohmann::ordered_json(nullptr);
    j["strategy"] = std::string(pb::strategy_name(s.strategy));
    j["seed"] = s.seed;
    j["retention"] = s.retention;
    j["retention_preset"] = {{"name", utf8(s.retentionPreset)}, {"parameter", s.presetParameter}};
    j["current_tab"] = utf8(s.currentTab);
    j["highlighted_position"] = s.highlightedPosition;
    return j;
}

// Arrays and objects are named by type, not printed: dump() recurses once per nesting level, and a
// hostile file with 100,000 nested brackets would overflow the stack while building the message.
static std::string describe(const nlohmann::json& v) {
    return v.is_structured() ? std::string("an ") + v.type_name() : v.dump();
}

SessionState sessionFromJson(const nlohmann::json& j, const std::string& source) {
    if (!j.is_object()) throw pb::Error(source + ": a session must be a JSON object, not " + std::string(j.type_name()));
    const auto& schema = required(j, "schema", source);
    if (!schema.is_string() || schema.get<std::string>() != kSessionSchema)
        fail(source, "schema", "expected \"" + std::string(kSessionSchema) + "\", found " + describe(schema));

    SessionState s;
    s.modelPath = requiredString(j, "model", source);
    s.sentence = requiredString(j, "sentence", source);
    const auto& pair = required(j, "pair", source);
    if (pair.is_string()) s.pair = qstr(pair.get<std::string>());
    else if (!pair.is_null()) fail(source, "pair", "must be a string or null, not " + std::string(pair.type_name()));

    const QString strategy = requiredString(j, "strategy", source);
    try {
        s.strategy = pb::parse_strategy(utf8(strategy));
    } catch (const pb::Error& e) {
        fail(source, "strategy", e.what());
    }
    const auto& seed = required(j, "seed", source);
    if (!seed.is_number_unsigned() && !(seed.is_number_integer() && seed.get<int64_t>() >= 0))
        fail(source, "seed", "must be a non-negative integer, not " + describe(seed));
    s.seed = seed.get<uint64_t>();

    const auto& retention = required(j, "retention", source);
    if (!retention.is_array()) fail(source, "retention", "must be an array of integers");
    for (size_t i = 0; i < retention.size(); ++i) {
        const auto& v = retention[i];
        if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > std::numeric_limits<int>::max())
            fail(source, "retention[" + std::to_string(i) + "]", "must be a positive integer, not " + describe(v));
        s.retention.push_back(v.get<int>());
    }
    if (!s.retention.empty()) {
        try {
            pb::validate_retention(s.retention, static_cast<int>(s.retention.size()), "retention");
        } catch (const pb::Error& e) {
            throw pb::Error(source + ": " + e.what());
        }
    }
    if (auto it = j.find("retention_preset"); it != j.end() && !it->is_null()) {
        if (!it->is_object()) fail(source, "retention_preset", "must be an object {\"name\", \"parameter\"}");
        s.retentionPreset = requiredString(*it, "name", source + ": retention_preset");
        const auto& parameter = required(*it, "parameter", source + ": retention_preset");
        if (!parameter.is_number()) fail(source, "retention_preset: parameter", "must be a number");
        s.presetParameter = parameter.get<double>();
    }
    s.currentTab = requiredString(j, "current_tab", source);
    const auto& highlighted = required(j, "highlighted_position", source);
    if (!highlighted.is_number_integer() || highlighted.get<int64_t>() < -1 ||
        highlighted.get<int64_t>() > std::numeric_limits<int>::max())
        fail(source, "highlighted_position", "must be an integer >= -1, not " + describe(highlighted));
    s.highlightedPosition = highlighted.get<int>();
    return s;
}

void saveSession(const QString& path, const SessionState& state) {
    pb::write_file_atomically(toFsPath(path), sessionToJson(state).dump(2) + "\n");
}

SessionState loadSession(const QString& path) {
    const std::string source = utf8(path);
    QFile file(path);
    if (!file.exists()) throw pb::Error(source + ": no such file");
    if (!file.open(QIODevice::ReadOnly)) throw pb::Error(source + ": cannot open: " + utf8(file.errorString()));
    const QByteArray bytes = file.readAll();
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(bytes.constData(), bytes.constData() + bytes.size());
    } catch (const nlohmann::json::exception& e) {
        // parse_error, and out_of_range for a number too large for a double (found by fuzz_session).
        const std::string what = e.what();
        const size_t start = what.find(' ') == std::string::npos ? std::string::npos : what.find(' ') + 1;
        throw pb::Error(source + ": not valid JSON: " + (start == std::string::npos ? what : what.substr(start)));
    }
    return sessionFromJson(j, source);
}

}  // namespace pb::ui
