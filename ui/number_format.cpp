#include "ui/number_format.h"

#include <cmath>
#include <cstdlib>

namespace pb::ui {

QString formatCount(int64_t count) {
    const double v = static_cast<double>(count), a = std::fabs(v);
    if (a >= 1e9) return QStringLiteral("%1 G").arg(v / 1e9, 0, 'f', a >= 1e11 ? 0 : 2);
    if (a >= 1e6) return QStringLiteral("%1 M").arg(v / 1e6, 0, 'f', a >= 1e8 ? 0 : 1);
    if (a >= 1e4) return QStringLiteral("%1 k").arg(v / 1e3, 0, 'f', 1);
    return QString::number(count);
}

QString formatBytes(uint64_t bytes) {
    const double b = static_cast<double>(bytes);
    if (b >= 1024.0 * 1024 * 1024) return QStringLiteral("%1 GiB").arg(b / (1024.0 * 1024 * 1024), 0, 'f', 2);
    if (b >= 1024.0 * 1024) return QStringLiteral("%1 MiB").arg(b / (1024.0 * 1024), 0, 'f', 1);
    if (b >= 1024.0) return QStringLiteral("%1 KiB").arg(b / 1024.0, 0, 'f', 1);
    return QStringLiteral("%1 B").arg(bytes);
}

QString formatDuration(double seconds) {
    if (seconds < 1e-3) return QStringLiteral("%1 µs").arg(seconds * 1e6, 0, 'f', 0);
    if (seconds < 1.0) return QStringLiteral("%1 ms").arg(seconds * 1e3, 0, 'f', seconds < 0.1 ? 1 : 0);
    return QStringLiteral("%1 s").arg(seconds, 0, 'f', 2);
}

}  // namespace pb::ui
