#include "core/analysis.h"

#include "core/model_folder.h"

namespace pb {

Analysis analyze(const ModelFolder& folder, const std::string& text, const std::optional<std::string>& pair,
                 const RetentionPlan& plan, const RunOptions& options) {
    Analysis a;
    a.model_path = folder.path.string();
    a.config = folder.model.config;
    a.text = text;
    a.pair = pair;
    a.plan = plan;
    a.encoding = pair ? folder.encode(text, std::string_view(*pair)) : folder.encode(text);
    Workspace workspace;
    a.full = run_model(folder.model, a.encoding.ids, a.encoding.type_ids, {}, options, workspace);
    a.power = run_model(folder.model, a.encoding.ids, a.encoding.type_ids, plan, options, workspace);
    return a;
}

}  // namespace pb
