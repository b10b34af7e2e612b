#pragma once
// QString <-> std::filesystem::path without losing non-ASCII names (UTF-8 on Linux, UTF-16 on Windows).
#include <QString>

#include <filesystem>

namespace pb::ui {

inline std::filesystem::path toFsPath(const QString& path) { return std::filesystem::path(path.toStdU16String()); }
inline QString fromFsPath(const std::filesystem::path& path) { return QString::fromStdU16String(path.u16string()); }

}  // namespace pb::ui
