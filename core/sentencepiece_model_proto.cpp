#include "core/sentencepiece_model_proto.h"

#include <array>
#include <cstring>

namespace pb {
namespace {

using Json = nlohmann::json;

// Protocol buffer wire format (https://protobuf.dev/programming-guides/encoding/), the little of it
// sentencepiece_model.proto needs.
void put_varint(std::string& out, uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7F) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

void put_bytes(std::string& out, int field, std::string_view bytes) {
    put_varint(out, uint64_t(field) << 3 | 2);
    put_varint(out, bytes.size());
    out.append(bytes);
}

void put_float(std::string& out, int field, float v) {
    put_varint(out, uint64_t(field) << 3 | 5);
    std::array<char, 4> raw;
    std::memcpy(raw.data(), &v, 4);  // little-endian on the platforms the engine supports
    out.append(raw.data(), 4);
}

void put_enum(std::string& out, int field, int v) {
    put_varint(out, uint64_t(field) << 3);
    put_varint(out, static_cast<uint64_t>(v));
}

enum PieceType { Normal = 1, Unknown = 2, Control = 3 };

std::string base64_decode(std::string_view text, const JsonReader& r, const std::string& key) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    std::string out;
    uint32_t bits = 0;
    int count = 0;
    for (char c : text) {
        if (c == '=') break;
        const int v = value(c);
        if (v < 0) r.fail(key, "is not base64");
        bits = bits << 6 | uint32_t(v);
        if ((count += 6) >= 8) {
            count -= 8;
            out.push_back(static_cast<char>((bits >> count) & 0xFF));
        }
    }
    return out;
}

// AlbertConverter's normaliser: Replace, Replace, [NFKD, StripAccents], [Lowercase], [Precompiled], Replace.
std::string read_normalizer(const Json& root, const JsonReader& r, AlbertTextOptions& text) {
    text.lowercase = false;
    text.keep_accents = true;
    std::string charsmap;
    if (r.type_of(root, "normalizer", "normalizer").empty()) return charsmap;
    const Json& n = root.at("normalizer");
    const Json steps = n.contains("normalizers") ? n.at("normalizers") : Json::array({n});
    if (!steps.is_array()) r.fail("normalizer.normalizers", "must be an array");
    for (const Json& step : steps) {
        if (!step.is_object()) r.fail("normalizer.normalizers", "must hold objects");
        const std::string type = r.string(step, "type", "normalizer.type", "");
        if (type == "Lowercase") text.lowercase = true;
        if (type == "StripAccents") text.keep_accents = false;
        if (type == "Precompiled")
            charsmap = base64_decode(r.string(step, "precompiled_charsmap", "normalizer.precompiled_charsmap", ""), r,
                                     "normalizer.precompiled_charsmap");
    }
    return charsmap;
}

}  // namespace

UnigramModelProto unigram_model_proto(const Json& root, const JsonReader& r) {
    if (!root.is_object()) r.fail("(root)", "must be an object");
    const Json& model = r.object(root, "model", "model");
    if (const std::string type = r.string(model, "type", "model.type", ""); type != "Unigram")
        r.fail("model.type", "is '" + type + "', a SentencePiece tokenizer needs Unigram");
    if (!model.contains("vocab") || !model.at("vocab").is_array() || model.at("vocab").empty())
        r.fail("model.vocab", "must be a non-empty array of [piece, score]");
    const Json& vocab = model.at("vocab");
    const auto unk = model.contains("unk_id") ? r.integer(model.at("unk_id"), "model.unk_id", 0, int64_t(vocab.size()) - 1) : -1;
    if (unk < 0) r.fail("model.unk_id", "is missing (SentencePiece needs an unknown piece)");
    std::vector<bool> special(vocab.size(), false);
    if (root.contains("added_tokens") && root.at("added_tokens").is_array())
        for (const Json& t : root.at("added_tokens"))
            if (t.is_object() && t.value("special", false) && t.contains("id") && t.at("id").is_number_unsigned() &&
                t.at("id").get<uint64_t>() < vocab.size())
                special[t.at("id").get<uint64_t>()] = true;

    UnigramModelProto out;
    std::string& proto = out.serialized;
    for (size_t i = 0; i < vocab.size(); ++i) {
        const Json& entry = vocab[i];
        if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() || !entry[1].is_number())
            r.fail("model.vocab[" + std::to_string(i) + "]", "must be [piece, score]");
        const std::string piece = entry[0].get<std::string>();
        if (piece.empty()) r.fail("model.vocab[" + std::to_string(i) + "]", "is an empty piece");
        std::string message;
        put_bytes(message, 1, piece);
        put_float(message, 2, entry[1].get<float>());
        put_enum(message, 3, i == size_t(unk) ? Unknown : special[i] ? Control : Normal);
        put_bytes(proto, 1, message);
    }
    std::string trainer;
    put_enum(trainer, 3, 1);  // model_type: UNIGRAM
    put_bytes(proto, 2, trainer);
    std::string normalizer;
    const std::string charsmap = read_normalizer(root, r, out.text);
    put_bytes(normalizer, 1, charsmap.empty() ? "identity" : "nmt_nfkc");
    if (!charsmap.empty()) put_bytes(normalizer, 2, charsmap);
    put_bytes(proto, 3, normalizer);
    return out;
}

}  // namespace pb
