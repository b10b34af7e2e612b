#include "core/sentencepiece_charsmap_check.h"

#include "core/error.h"

#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

namespace pb {
namespace {

// Darts-clone's DoubleArrayUnit, as libsentencepiece reads it.
struct Unit {
    uint32_t bits;
    bool has_leaf() const { return (bits >> 8) & 1; }
    uint32_t value() const { return bits & ((1U << 31) - 1); }
    uint32_t label() const { return bits & ((1U << 31) | 0xFF); }
    uint32_t offset() const { return (bits >> 10) << ((bits & (1U << 9)) >> 6); }
};

uint32_t read_u32(std::string_view bytes, size_t at) {
    uint32_t v;
    std::memcpy(&v, bytes.data() + at, 4);  // little-endian, as the map is written
    return v;
}

// One field of a protocol buffer message (wire format); nullopt at the end or on a malformed field.
struct Field {
    uint64_t number;
    std::string_view bytes;  // length-delimited fields only
};

std::optional<uint64_t> varint(std::string_view data, size_t& at) {
    uint64_t value = 0;
    for (int shift = 0; shift < 64 && at < data.size(); shift += 7) {
        const auto byte = static_cast<uint8_t>(data[at++]);
        value |= uint64_t(byte & 0x7F) << shift;
        if (!(byte & 0x80)) return value;
    }
    return std::nullopt;
}

std::optional<Field> next_field(std::string_view data, size_t& at) {
    const auto key = varint(data, at);
    if (!key) return std::nullopt;
    Field f{*key >> 3, {}};
    switch (*key & 7) {
    case 0: return varint(data, at) ? std::optional<Field>(f) : std::nullopt;
    case 1: at += 8; break;
    case 5: at += 4; break;
    case 2: {
        const auto size = varint(data, at);
        if (!size || *size > data.size() - at) return std::nullopt;
        f.bytes = data.substr(at, *size);
        at += *size;
        break;
    }
    default: return std::nullopt;
    }
    return at <= data.size() ? std::optional<Field>(f) : std::nullopt;
}

}  // namespace

void check_precompiled_charsmap(std::string_view map, const std::string& source) {
    auto fail = [&](const std::string& what) {
        throw Error(source + ": the normalisation map (precompiled_charsmap) is corrupt: " + what);
    };
    if (map.empty()) return;  // no map: no normalisation
    if (map.size() <= 4) fail("it is too short");
    const uint32_t trie_bytes = read_u32(map, 0);
    // The library itself only rejects a trie size of the whole map or more.
    if (trie_bytes > map.size() - 4) fail("its trie is larger than the map");
    if (trie_bytes % 4 != 0) fail("its trie is not made of 4-byte units");
    const std::string_view trie = map.substr(4, trie_bytes), strings = map.substr(4 + trie_bytes);
    const size_t n = trie_bytes / 4;
    if (n == 0) fail("its trie is empty");
    if (strings.empty() || strings.back() != '\0') fail("its strings are not NUL-terminated");
    auto unit = [&](size_t i) { return Unit{read_u32(trie, 4 * i)}; };
    // Walk every node any input can reach: from a node's base, byte c leads to unit base ^ c when
    // that unit's label is c; a unit with a leaf keeps its result at its own base.
    std::vector<bool> seen(n, false);
    std::vector<size_t> bases = {unit(0).offset()};
    while (!bases.empty()) {
        const size_t base = bases.back();
        bases.pop_back();
        if ((base | 0xFF) >= n) fail("a transition leaves its trie");
        for (uint32_t c = 0; c < 256; ++c) {
            const size_t child = base ^ c;
            const Unit u = unit(child);
            if (u.label() != c || seen[child]) continue;
            seen[child] = true;
            const size_t next = child ^ u.offset();
            if (next >= n) fail("a transition leaves its trie");
            if (u.has_leaf() && unit(next).value() >= strings.size()) fail("a result lies outside its strings");
            bases.push_back(next);
        }
    }
}

void check_model_charsmaps(std::string_view proto, const std::string& source) {
    size_t at = 0;
    while (const auto field = next_field(proto, at)) {
        if (field->number != 3 && field->number != 5) continue;  // normalizer_spec, denormalizer_spec
        size_t inner = 0;
        while (const auto spec = next_field(field->bytes, inner))
            if (spec->number == 2) check_precompiled_charsmap(spec->bytes, source);  // precompiled_charsmap
    }
}

}  // namespace pb
