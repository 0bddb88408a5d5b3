// Shared by the fuzz targets: a failed invariant prints what broke and aborts,
// so libFuzzer (or the replay driver) reports the input that caused it.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "chatqa/chatqa.hpp"

namespace chatqa::fuzz {

[[noreturn]] inline void fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz invariant broken: %s%s%s\n", what, detail.empty() ? "" : ": ", detail.c_str());
  std::abort();
}

inline void require(bool ok, const char* what, const std::string& detail = {}) {
  if (!ok) fail(what, detail);
}

// Code points of valid UTF-8 (message texts, quotes and the normaliser's
// UTF-8 form all are): utf8::decode.
std::u32string code_points(std::string_view utf8);

// The invariants every report must keep, whatever the session or rule set:
// one result per item, a score in [0, total], spans inside their message,
// quotes equal to the original text they point at, valid JSON out.
void check_report(const Report& report, const Session& session, const RuleSet& rules);

}  // namespace chatqa::fuzz
