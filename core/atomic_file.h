#pragma once
// Every file the tool writes goes through here: a crash or a full disk mid-write must never leave
// a truncated file where the user's previous one was.
#include <filesystem>
#include <span>
#include <string_view>

namespace pb {

// Writes `bytes` to a temporary file beside `target`, flushes it to disk, then renames it over
// `target`. Throws pb::Error naming the file on any failure; the old file stays intact.
void write_file_atomically(const std::filesystem::path& target, std::span<const std::byte> bytes);
void write_file_atomically(const std::filesystem::path& target, std::string_view text);

}  // namespace pb
