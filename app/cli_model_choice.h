#pragma once
// What several subcommands choose the same way: the weight precision (--bf16), the model folder when
// --model is omitted (the embedded default model), and the generated model shapes (--arch, --shape).
#include "core/model_config.h"
#include "core/packed_weights.h"

#include <string>

namespace pb::cli {

// --bf16: weights rounded to bfloat16 (products still accumulate in float); never the default.
WeightPrecision precision_of(bool bf16);

// An empty --model becomes the embedded default model, looked up beside the executable.
void use_default_model(std::string& model);

// BERT-base or ALBERT-base (`base`), or their 4 x 256 versions (`small`).
ModelConfig shape_config(const std::string& arch, const std::string& shape);

}  // namespace pb::cli
