#pragma once
// Reading and writing the safetensors format (https://huggingface.co/docs/safetensors).
// Reading memory-maps the file and validates the whole tensor table up front, so a hostile or
// truncated file is rejected with a precise message before any tensor is touched.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pb {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

std::string_view dtype_name(DType dtype);
size_t dtype_size(DType dtype);

struct TensorView {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    std::span<const std::byte> bytes;  // points into the mapped file

    int64_t numel() const;
};

// Limits that keep a hostile header from exhausting memory or time.
struct SafetensorsLimits {
    uint64_t max_header_bytes = 100u << 20;
    size_t max_tensors = 100000;
    size_t max_rank = 8;
};

class SafetensorsFile {
public:
    explicit SafetensorsFile(const std::filesystem::path& path, SafetensorsLimits limits = {});
    ~SafetensorsFile();
    SafetensorsFile(SafetensorsFile&& other) noexcept;
    SafetensorsFile& operator=(SafetensorsFile&& other) noexcept;
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::filesystem::path& path() const { return path_; }
    uint64_t file_size() const { return size_; }
    const std::vector<TensorView>& tensors() const { return tensors_; }
    const std::map<std::string, std::string>& metadata() const { return metadata_; }
    const TensorView* find(std::string_view name) const;
    // Drops the mapped pages wholly inside [data, data + bytes) from this process's memory (they
    // are read from the file again if touched): for tensors that were copied into another layout.
    void release_pages(const void* data, size_t bytes) const;

private:
    void parse(const SafetensorsLimits& limits);
    void release() noexcept;

    std::filesystem::path path_;
    const std::byte* mapped_ = nullptr;
    uint64_t size_ = 0;
    std::vector<TensorView> tensors_;
    std::map<std::string, std::string> metadata_;
};

// Converts any floating-point tensor to float32 (F16 and BF16 exactly, F64 rounded).
std::vector<float> to_float32(const TensorView& tensor, const std::filesystem::path& file);
float half_to_float(uint16_t bits);
float bfloat16_to_float(uint16_t bits);
uint16_t float_to_half(float value);      // round to nearest even
uint16_t float_to_bfloat16(float value);  // round to nearest even

struct TensorToWrite {
    std::string name;
    std::vector<int64_t> shape;
    std::span<const float> values;
    DType dtype = DType::F32;  // F32, F16 or BF16: values are rounded to it
};

// Serialises tensors (in the given order) into a safetensors file, written atomically.
std::vector<std::byte> encode_safetensors(const std::vector<TensorToWrite>& tensors,
                                          const std::map<std::string, std::string>& metadata = {});
void write_safetensors(const std::filesystem::path& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace pb
