#pragma once
// A studio session: which model, which input, which retention configuration, which tab and which
// highlighted token, as one JSON file written atomically:
//   {"schema": "powerbert-studio-session/1", "model": "/abs/path", "sentence": "...", "pair": "..." | null,
//    "strategy": "attn", "seed": 0, "retention": [6,4,3,2],
//    "retention_preset": {"name": "Keep fraction ρ per layer", "parameter": 0.7},
//    "current_tab": "Token survival", "highlighted_position": -1}
#include "core/elimination.h"

#include <QString>

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace pb::ui {

inline constexpr const char* kSessionSchema = "powerbert-studio-session/1";

struct SessionState {
    QString modelPath;  // absolute; empty without a model
    QString sentence;
    std::optional<QString> pair;
    pb::Strategy strategy = pb::Strategy::Attention;
    uint64_t seed = 0;
    std::vector<int> retention;  // one value per layer (empty without a model)
    QString retentionPreset;     // RetentionEditor::presetName(); empty = Custom
    double presetParameter = 0.0;
    QString currentTab;          // the title of the current view's tab
    int highlightedPosition = -1;

    bool operator==(const SessionState&) const = default;
};

nlohmann::ordered_json sessionToJson(const SessionState& state);
// Throws pb::Error "<source>: <key>: <problem>" for anything missing or of the wrong type.
SessionState sessionFromJson(const nlohmann::json& json, const std::string& source);

// Atomic (pb::write_file_atomically); throws pb::Error naming the file.
void saveSession(const QString& path, const SessionState& state);
// Throws pb::Error naming the file: missing, unreadable, not JSON (with the parser's position), wrong schema.
SessionState loadSession(const QString& path);

}  // namespace pb::ui
