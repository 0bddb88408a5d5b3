// chatqa — which declarations libchatqa.so exports.
//
// The library is built with symbols hidden by default. Every public header
// wraps its declarations in CHATQA_PUBLIC_BEGIN / CHATQA_PUBLIC_END, so the
// documented C++ API (and the C API of chatqa.h) is what the shared library
// exports, and nothing of its internals (RE2, ICU, nlohmann, the matchers).
// For a program using the headers the macros change nothing.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define CHATQA_PUBLIC_BEGIN _Pragma("GCC visibility push(default)")
#define CHATQA_PUBLIC_END _Pragma("GCC visibility pop")
#else
#define CHATQA_PUBLIC_BEGIN
#define CHATQA_PUBLIC_END
#endif
