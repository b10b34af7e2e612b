#pragma once
// COMPARE_NEAR: two doubles equal to 1e-12, printed with all 17 digits when they are not (for metrics
// checked against hand-worked values).
#include <QString>
#include <QtTest>

#include <cmath>

#define COMPARE_NEAR(actual, expected)                                                                  \
    do {                                                                                                \
        const double a_ = (actual), e_ = (expected);                                                    \
        QVERIFY2(std::abs(a_ - e_) < 1e-12, qPrintable(QString("%1 != %2").arg(a_, 0, 'g', 17).arg(e_, 0, 'g', 17))); \
    } while (0)
