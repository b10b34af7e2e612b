#pragma once
// Shared by the fuzz targets. Every target treats pb::Error as the expected outcome of a bad input
// and catches nothing else: any other exception escaping a parser (std::out_of_range, a
// nlohmann::json exception, std::filesystem::filesystem_error, ...) aborts the run and is a bug,
// because the public functions promise to throw only pb::Error.
#include "core/error.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>

namespace pb_fuzz {

// A scratch file private to this process (libFuzzer's -fork/-jobs run several processes), in
// memory when /dev/shm exists: the targets write a file per input, and some fsync it.
inline std::filesystem::path scratch_file(const std::string& name) {
    // Never destroyed, so that the exit handler below can still use it.
    static const std::filesystem::path* const dir = [] {
        std::error_code ec;
        const std::filesystem::path base =
            std::filesystem::is_directory("/dev/shm", ec) ? "/dev/shm" : std::filesystem::temp_directory_path();
        auto* d = new std::filesystem::path(base / ("powerbert-fuzz-" + std::to_string(::getpid())));
        std::filesystem::create_directories(*d);
        std::atexit([] {
            std::error_code ignored;
            std::filesystem::remove_all(scratch_file("").parent_path(), ignored);
        });
        return d;
    }();
    return *dir / name;
}

inline std::filesystem::path write_scratch(const std::string& name, const uint8_t* data, size_t size) {
    auto path = scratch_file(name);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) {
        std::fprintf(stderr, "fuzz harness: cannot write %s\n", path.c_str());
        std::abort();
    }
    return path;
}

// An invariant the code promises; a violation is a bug, reported like a crash.
#define PB_FUZZ_CHECK(condition)                                                                  \
    do {                                                                                          \
        if (!(condition)) {                                                                       \
            std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #condition); \
            std::abort();                                                                         \
        }                                                                                         \
    } while (0)

// Runs f; a pb::Error is the expected outcome for bad input. Returns whether f succeeded.
template <typename F>
bool expect_pb_error(F&& f) {
    try {
        f();
        return true;
    } catch (const pb::Error& e) {
        // The contract: "<thing at fault>: <what is wrong>" -- never an empty message.
        PB_FUZZ_CHECK(std::string_view(e.what()).find(": ") != std::string_view::npos);
        return false;
    }
}

}  // namespace pb_fuzz
