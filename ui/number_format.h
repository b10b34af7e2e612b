#pragma once
// Human-readable numbers for labels and the status bar.
#include <QString>

#include <cstdint>

namespace pb::ui {

QString formatCount(int64_t count);       // 987, 12.3 k, 45.6 M, 1.23 G
QString formatBytes(uint64_t bytes);      // 512 B, 12.0 KiB, 438.0 MiB, 1.2 GiB
QString formatDuration(double seconds);   // 850 µs, 3.2 ms, 1.25 s

}  // namespace pb::ui
