#pragma once
// Checks a SentencePiece model's precompiled normalisation map before libsentencepiece uses it.
// The library (0.1.97) trusts the map's double-array trie and reads out of bounds on a corrupt
// one (found by tests/fuzz/fuzz_spiece_model), so a hostile spiece.model could crash the tool.
#include <string>
#include <string_view>

namespace pb {

// The map: uint32 trie size, the Darts-clone double array (uint32 units), then the normalised
// strings, NUL-terminated. Every transition any input can take must stay inside the array and
// every result inside the strings; throws pb::Error "<source>: ..." otherwise.
void check_precompiled_charsmap(std::string_view charsmap, const std::string& source);

// The same for the maps in a serialized ModelProto (normalizer_spec and denormalizer_spec),
// found by walking the protocol buffer's fields; a malformed message is left to the library.
void check_model_charsmaps(std::string_view model_proto, const std::string& source);

}  // namespace pb
