#include "core/atomic_file.h"

#include "core/error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <unistd.h>

namespace pb {
namespace {

std::string system_error_text() { return std::strerror(errno); }

std::filesystem::path temporary_sibling(const std::filesystem::path& target) {
    std::random_device entropy;
    auto name = "." + target.filename().string() + ".tmp" + std::to_string(entropy() % 1000000);
    return target.parent_path() / name;
}

void write_all(int fd, std::span<const std::byte> bytes, const std::filesystem::path& target) {
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw Error(target.string() + ": cannot write: " + system_error_text());
        done += static_cast<size_t>(n);
    }
}

}  // namespace

void write_file_atomically(const std::filesystem::path& target, std::span<const std::byte> bytes) {
    auto temporary = temporary_sibling(target);
    int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) throw Error(target.string() + ": cannot create a temporary file beside it: " + system_error_text());
    try {
        write_all(fd, bytes, target);
        if (::fsync(fd) != 0) throw Error(target.string() + ": cannot flush to disk: " + system_error_text());
    } catch (...) {
        ::close(fd);
        ::unlink(temporary.c_str());
        throw;
    }
    ::close(fd);
    if (::rename(temporary.c_str(), target.c_str()) != 0) {
        auto reason = system_error_text();
        ::unlink(temporary.c_str());
        throw Error(target.string() + ": cannot replace the file: " + reason);
    }
}

void write_file_atomically(const std::filesystem::path& target, std::string_view text) {
    write_file_atomically(target, std::as_bytes(std::span(text.data(), text.size())));
}

}  // namespace pb
