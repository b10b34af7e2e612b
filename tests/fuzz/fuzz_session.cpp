// Studio session files (ui/session.h): the fuzz input is the file's text, read both through
// pb::ui::sessionFromJson (on nlohmann::json::parse(..., nullptr, false)) and through
// pb::ui::loadSession on a file. A session that loads must survive sessionToJson and load back equal.
// Built only when ui/session.cpp exists; it needs Qt Core (QString, QFile), nothing else of the GUI.
#include "fuzz_common.h"

#include "ui/session.h"

#include <nlohmann/json.hpp>

#include <QString>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto json = nlohmann::json::parse(data, data + size, nullptr, false);
    if (!json.is_discarded()) {
        pb_fuzz::expect_pb_error([&] {
            const pb::ui::SessionState state = pb::ui::sessionFromJson(json, "session.json");
            PB_FUZZ_CHECK(state.highlightedPosition >= -1);
            for (size_t i = 0; i < state.retention.size(); ++i) {
                PB_FUZZ_CHECK(state.retention[i] >= 1);
                if (i > 0) PB_FUZZ_CHECK(state.retention[i] <= state.retention[i - 1]);
            }
            // Our own output must always be accepted, and mean the same.
            const nlohmann::json again = nlohmann::json::parse(pb::ui::sessionToJson(state).dump());
            PB_FUZZ_CHECK(pb::ui::sessionFromJson(again, "round trip") == state);
        });
    }
    const auto path = pb_fuzz::write_scratch("session.json", data, size);
    pb_fuzz::expect_pb_error([&] { (void)pb::ui::loadSession(QString::fromStdString(path.string())); });
    return 0;
}
