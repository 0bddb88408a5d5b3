// The one list of check types. Adding a check type = one file under
// src/checks/ and one line here.
#include "checks/registry.hpp"

namespace chatqa::detail {

std::unique_ptr<Check> make_response_time_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_required_phrase_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_banned_phrase_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_contains_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_typo_count_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_sequence_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_silence_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_repetition_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_rushed_close_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_punctuation_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_pii_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_template_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_address_form_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_length_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_all_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_any_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_not_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_meta_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_has_role_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_message_count_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_event_check(CompileContext&, const json&, const std::string&);
std::unique_ptr<Check> make_last_message_check(CompileContext&, const json&, const std::string&);

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
      {"sequence", make_sequence_check},
      {"silence", make_silence_check},
      {"repetition", make_repetition_check},
      {"rushed_close", make_rushed_close_check},
      {"punctuation", make_punctuation_check},
      {"pii", make_pii_check},
      {"template", make_template_check},
      {"address_form", make_address_form_check},
      {"length", make_length_check},
      {"all", make_all_check},
      {"any", make_any_check},
      {"not", make_not_check},
      {"meta", make_meta_check},
      {"event", make_event_check},
      {"has_role", make_has_role_check},
      {"message_count", make_message_count_check},
      {"last_message", make_last_message_check},
  };
  return registry;
}

}  // namespace chatqa::detail
