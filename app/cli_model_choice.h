#pragma once
// What several subcommands choose the same way: the weight precision (--bf16), the model folder when
// --model is omitted (the embedded default model), and the generated model shapes (--arch, --shape).
#include "app/cli_commands.h"
#include "core/model_config.h"
#include "core/packed_weights.h"

#include <memory>
#include <string>

namespace pb::cli {

// --bf16: weights rounded to bfloat16 (products still accumulate in float); never the default.
WeightPrecision precision_of(bool bf16);

// An empty --model becomes the embedded default model, looked up beside the executable.
void use_default_model(std::string& model);

// A subcommand whose --model (args->model) may be omitted: the default model is filled in, then `run`.
template <class Args>
Command with_default_model(CLI::App* app, std::shared_ptr<Args> args, int (*run)(const Args&)) {
    return {app, [args, run] {
                use_default_model(args->model);
                return run(*args);
            }};
}

// BERT-base or ALBERT-base (`base`), or their 4 x 256 versions (`small`).
ModelConfig shape_config(const std::string& arch, const std::string& shape);

}  // namespace pb::cli
