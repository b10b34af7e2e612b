#pragma once
// A Unigram tokenizer.json (what transformers' AlbertConverter writes) as the serialized
// SentencePiece ModelProto libsentencepiece loads: the pieces with their scores, <unk>, the
// special tokens as control pieces, and the normalisation map (Precompiled) when there is one.
// Only writing is done here; reading and running the model stay libsentencepiece's.
#include "core/albert_preprocessing.h"
#include "core/json_reader.h"

#include <string>

namespace pb {

struct UnigramModelProto {
    std::string serialized;  // ModelProto bytes
    AlbertTextOptions text;  // from the normalizer sequence: Lowercase, NFKD + StripAccents
};

// Throws pb::Error "<file>: key '...' ..." for anything that is not a Unigram tokenizer.json.
UnigramModelProto unigram_model_proto(const nlohmann::json& tokenizer_json, const JsonReader& reader);

}  // namespace pb
