#pragma once
// The message of the pb::Error a call throws, and an assertion on its parts.
#include "core/error.h"

#include <QString>
#include <QtTest>

template <class F>
QString error_of(F&& f) {
    try {
        f();
    } catch (const pb::Error& e) {
        return QString::fromUtf8(e.what());
    }
    return "(no pb::Error thrown)";
}

#define QVERIFY_ERROR_MENTIONS(call, ...)                                             \
    do {                                                                              \
        const QString message = error_of([&] { (void)(call); });                      \
        for (const char* part : {__VA_ARGS__})                                        \
            QVERIFY2(message.contains(QString::fromUtf8(part)), qPrintable(message)); \
    } while (false)
