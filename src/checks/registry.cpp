// The one list of check types. Adding a check type = one file under
// src/checks/ and one line here.
#include "engine.hpp"

namespace chatqa::detail {

std::unique_ptr<Check> make_response_time_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_required_phrase_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_banned_phrase_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_contains_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_typo_count_check(CompileContext&, const json&, const std::string&);

namespace {
std::unique_ptr<Check> make_manual_check(CompileContext& ctx, const json&, const std::string& ptr) {
  ctx.error("E0105", ptr + "/type", "\"manual\" can only be an item's own check, not nested in another check");
  return nullptr;
}
}  // namespace

const std::map<std::string, CheckFactory>& check_registry() {
  static const std::map<std::string, CheckFactory> registry = {
      {"response_time", make_response_time_check},
      {"required_phrase", make_required_phrase_check},
      {"banned_phrase", make_banned_phrase_check},
      {"contains", make_contains_check},
      {"typo_count", make_typo_count_check},
      {"manual", make_manual_check},
  };
  return registry;
}

}  // namespace chatqa::detail
