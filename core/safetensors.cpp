#include "core/safetensors.h"

#include "core/atomic_file.h"
#include "core/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pb {
namespace {

struct DTypeInfo {
    DType dtype;
    std::string_view name;
    size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::F64, "F64", 8}, {DType::F32, "F32", 4}, {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2},
    {DType::I64, "I64", 8}, {DType::I32, "I32", 4}, {DType::I16, "I16", 2}, {DType::I8, "I8", 1},
    {DType::U8, "U8", 1},   {DType::BOOL, "BOOL", 1},
};

const DTypeInfo* dtype_by_name(std::string_view name) {
    for (const auto& info : kDTypes)
        if (info.name == name) return &info;
    return nullptr;
}

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& problem) {
    throw Error(path.string() + ": " + problem);
}

uint64_t read_le64(const std::byte* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | std::to_integer<uint64_t>(p[i]);
    return v;
}

std::vector<int64_t> parse_shape(const nlohmann::json& j, const std::string& name,
                                 const std::filesystem::path& path, size_t max_rank, uint64_t& numel) {
    if (!j.is_array()) fail(path, "tensor '" + name + "': \"shape\" is not an array");
    if (j.size() > max_rank) fail(path, "tensor '" + name + "': rank " + std::to_string(j.size()) + " is too large");
    std::vector<int64_t> shape;
    numel = 1;
    for (const auto& d : j) {
        if (!d.is_number_unsigned()) fail(path, "tensor '" + name + "': shape entries must be non-negative integers");
        uint64_t dim = d.get<uint64_t>();
        if (dim > (uint64_t(1) << 40) || (dim != 0 && numel > (uint64_t(1) << 50) / dim))
            fail(path, "tensor '" + name + "': shape is too large (element count overflows)");
        numel *= dim;
        shape.push_back(static_cast<int64_t>(dim));
    }
    return shape;
}

std::pair<uint64_t, uint64_t> parse_offsets(const nlohmann::json& j, const std::string& name,
                                            const std::filesystem::path& path) {
    if (!j.is_array() || j.size() != 2 || !j[0].is_number_unsigned() || !j[1].is_number_unsigned())
        fail(path, "tensor '" + name + "': \"data_offsets\" must be two non-negative integers");
    return {j[0].get<uint64_t>(), j[1].get<uint64_t>()};
}

}  // namespace

std::string_view dtype_name(DType dtype) {
    for (const auto& info : kDTypes)
        if (info.dtype == dtype) return info.name;
    return "?";
}

size_t dtype_size(DType dtype) {
    for (const auto& info : kDTypes)
        if (info.dtype == dtype) return info.size;
    return 0;
}

int64_t TensorView::numel() const {
    int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

SafetensorsFile::SafetensorsFile(const std::filesystem::path& path, SafetensorsLimits limits) : path_(path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(path, std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        fail(path, "not a regular file");
    }
    size_ = static_cast<uint64_t>(st.st_size);
    if (size_ < 8) {
        ::close(fd);
        fail(path, "file is " + std::to_string(size_) + " bytes, too short for a safetensors header");
    }
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (p == MAP_FAILED) fail(path, std::string("cannot memory-map: ") + std::strerror(errno));
    mapped_ = static_cast<const std::byte*>(p);
    try {
        parse(limits);
    } catch (...) {
        release();
        throw;
    }
}

void SafetensorsFile::parse(const SafetensorsLimits& limits) {
    uint64_t header_len = read_le64(mapped_);
    if (header_len > size_ - 8)
        fail(path_, "header length " + std::to_string(header_len) + " reaches beyond the end of the file (" +
                        std::to_string(size_) + " bytes)");
    if (header_len > limits.max_header_bytes)
        fail(path_, "header of " + std::to_string(header_len) + " bytes exceeds the limit of " +
                        std::to_string(limits.max_header_bytes));
    const char* text = reinterpret_cast<const char*>(mapped_ + 8);
    nlohmann::json header = nlohmann::json::parse(text, text + header_len, nullptr, false);
    if (header.is_discarded()) fail(path_, "header is not valid JSON");
    if (!header.is_object()) fail(path_, "header is not a JSON object");
    if (header.size() > limits.max_tensors + 1)
        fail(path_, "header lists " + std::to_string(header.size()) + " tensors, more than the limit of " +
                        std::to_string(limits.max_tensors));

    const uint64_t data_begin = 8 + header_len;
    const uint64_t data_size = size_ - data_begin;
    std::vector<std::pair<uint64_t, uint64_t>> ranges;
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") {
            if (!entry.is_object()) fail(path_, "\"__metadata__\" is not an object");
            for (const auto& [key, value] : entry.items())
                if (value.is_string()) metadata_[key] = value.get<std::string>();
            continue;
        }
        if (!entry.is_object()) fail(path_, "tensor '" + name + "': entry is not an object");
        if (!entry.contains("dtype") || !entry["dtype"].is_string())
            fail(path_, "tensor '" + name + "': missing \"dtype\"");
        const auto* info = dtype_by_name(entry["dtype"].get<std::string>());
        if (!info) fail(path_, "tensor '" + name + "': unknown dtype \"" + entry["dtype"].get<std::string>() + "\"");
        if (!entry.contains("shape")) fail(path_, "tensor '" + name + "': missing \"shape\"");
        if (!entry.contains("data_offsets")) fail(path_, "tensor '" + name + "': missing \"data_offsets\"");
        uint64_t numel = 0;
        auto shape = parse_shape(entry["shape"], name, path_, limits.max_rank, numel);
        auto [begin, end] = parse_offsets(entry["data_offsets"], name, path_);
        if (begin > end || end > data_size)
            fail(path_, "tensor '" + name + "': data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                            "] lie outside the data section of " + std::to_string(data_size) + " bytes");
        if (end - begin != numel * info->size)
            fail(path_, "tensor '" + name + "': data_offsets span " + std::to_string(end - begin) +
                            " bytes but shape and dtype need " + std::to_string(numel * info->size));
        ranges.emplace_back(begin, end);
        tensors_.push_back({name, info->dtype, std::move(shape),
                            std::span<const std::byte>(mapped_ + data_begin + begin, end - begin)});
    }
    std::sort(ranges.begin(), ranges.end());
    for (size_t i = 1; i < ranges.size(); ++i)
        if (ranges[i].first < ranges[i - 1].second && ranges[i].first != ranges[i].second)
            fail(path_, "two tensors overlap in the data section at byte " + std::to_string(ranges[i].first));
}

SafetensorsFile::~SafetensorsFile() { release(); }

void SafetensorsFile::release_pages(const void* data, size_t bytes) const {
    const auto begin = reinterpret_cast<uintptr_t>(data), end = begin + bytes;
    const auto mapped = reinterpret_cast<uintptr_t>(mapped_);
    if (!mapped_ || begin < mapped || end > mapped + size_) return;
    const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    const uintptr_t first = (begin + page - 1) / page * page, last = end / page * page;
    // The mapping is private and read-only, so its pages always equal the file's.
    if (first < last) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

void SafetensorsFile::release() noexcept {
    if (mapped_) ::munmap(const_cast<std::byte*>(mapped_), size_);
    mapped_ = nullptr;
}

SafetensorsFile::SafetensorsFile(SafetensorsFile&& other) noexcept
    : path_(std::move(other.path_)), mapped_(other.mapped_), size_(other.size_),
      tensors_(std::move(other.tensors_)), metadata_(std::move(other.metadata_)) {
    other.mapped_ = nullptr;
}

SafetensorsFile& SafetensorsFile::operator=(SafetensorsFile&& other) noexcept {
    if (this != &other) {
        release();
        path_ = std::move(other.path_);
        mapped_ = other.mapped_;
        size_ = other.size_;
        tensors_ = std::move(other.tensors_);
        metadata_ = std::move(other.metadata_);
        other.mapped_ = nullptr;
    }
    return *this;
}

const TensorView* SafetensorsFile::find(std::string_view name) const {
    for (const auto& t : tensors_)
        if (t.name == name) return &t;
    return nullptr;
}

float half_to_float(uint16_t h) {
    uint32_t sign = uint32_t(h & 0x8000) << 16;
    uint32_t exponent = (h >> 10) & 0x1f;
    uint32_t mantissa = h & 0x3ff;
    uint32_t bits;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else {  // subnormal: renormalise
            int shift = 0;
            while (!(mantissa & 0x400)) { mantissa <<= 1; ++shift; }
            mantissa &= 0x3ff;
            bits = sign | uint32_t(127 - 15 - shift + 1) << 23 | mantissa << 13;
        }
    } else if (exponent == 31) {
        bits = sign | 0x7f800000u | mantissa << 13;
    } else {
        bits = sign | (exponent + 127 - 15) << 23 | mantissa << 13;
    }
    return std::bit_cast<float>(bits);
}

float bfloat16_to_float(uint16_t bits) { return std::bit_cast<float>(uint32_t(bits) << 16); }

uint16_t float_to_bfloat16(float value) {
    uint32_t bits = std::bit_cast<uint32_t>(value);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return uint16_t((bits >> 16) | 0x40);  // keep NaN a NaN
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return uint16_t(bits >> 16);
}

uint16_t float_to_half(float value) {
    uint32_t bits = std::bit_cast<uint32_t>(value);
    uint16_t sign = uint16_t((bits >> 16) & 0x8000);
    uint32_t abs = bits & 0x7fffffffu;
    if (abs > 0x7f800000u) return sign | 0x7e00;           // NaN
    if (abs >= 0x477ff000u) return sign | 0x7c00;          // rounds to infinity
    if (abs < 0x38800000u) {                                // subnormal or zero in half
        float magnitude = std::bit_cast<float>(abs);
        // Adding 0.5 moves the value's bits so the FPU's own nearest-even rounding does the work.
        float shifted = magnitude + 0.5f;
        return sign | uint16_t(std::bit_cast<uint32_t>(shifted) - std::bit_cast<uint32_t>(0.5f));
    }
    uint32_t mantissa_odd = (abs >> 13) & 1u;
    abs += 0xc8000fffu + mantissa_odd;  // re-bias exponent (-112 << 23) and round to nearest even
    return sign | uint16_t(abs >> 13);
}

std::vector<float> to_float32(const TensorView& t, const std::filesystem::path& file) {
    const size_t n = static_cast<size_t>(t.numel());
    std::vector<float> out(n);
    const std::byte* p = t.bytes.data();
    switch (t.dtype) {
    case DType::F32:
        if (n > 0) std::memcpy(out.data(), p, n * 4);  // an empty tensor may have no storage at all
        break;
    case DType::F64:
        for (size_t i = 0; i < n; ++i) { double d; std::memcpy(&d, p + 8 * i, 8); out[i] = float(d); }
        break;
    case DType::F16:
        for (size_t i = 0; i < n; ++i) { uint16_t h; std::memcpy(&h, p + 2 * i, 2); out[i] = half_to_float(h); }
        break;
    case DType::BF16:
        for (size_t i = 0; i < n; ++i) { uint16_t h; std::memcpy(&h, p + 2 * i, 2); out[i] = bfloat16_to_float(h); }
        break;
    default:
        fail(file, "tensor '" + t.name + "' has dtype " + std::string(dtype_name(t.dtype)) +
                       ", but only F32, F16, BF16 and F64 weights are supported");
    }
    return out;
}

std::vector<std::byte> encode_safetensors(const std::vector<TensorToWrite>& tensors,
                                          const std::map<std::string, std::string>& metadata) {
    nlohmann::ordered_json header;
    if (!metadata.empty()) header["__metadata__"] = metadata;
    uint64_t offset = 0;
    for (const auto& t : tensors) {
        uint64_t bytes = t.values.size() * dtype_size(t.dtype);
        header[t.name] = {{"dtype", dtype_name(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    while ((text.size() + 8) % 8 != 0) text.push_back(' ');
    std::vector<std::byte> out(8 + text.size() + offset);
    uint64_t len = text.size();
    for (int i = 0; i < 8; ++i) out[i] = std::byte((len >> (8 * i)) & 0xff);
    std::memcpy(out.data() + 8, text.data(), text.size());
    std::byte* data = out.data() + 8 + text.size();
    for (const auto& t : tensors) {
        for (float v : t.values) {
            if (t.dtype == DType::F32) { std::memcpy(data, &v, 4); data += 4; continue; }
            uint16_t h = t.dtype == DType::F16 ? float_to_half(v) : float_to_bfloat16(v);
            std::memcpy(data, &h, 2);
            data += 2;
        }
    }
    return out;
}

void write_safetensors(const std::filesystem::path& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata) {
    for (const auto& t : tensors)
        if (t.dtype != DType::F32 && t.dtype != DType::F16 && t.dtype != DType::BF16)
            throw Error(path.string() + ": cannot write tensor '" + t.name + "' as " + std::string(dtype_name(t.dtype)));
    write_file_atomically(path, encode_safetensors(tensors, metadata));
}

}  // namespace pb
