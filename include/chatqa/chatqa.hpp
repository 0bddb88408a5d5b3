// chatqa — umbrella header.
//
//   auto compiled = chatqa::compile_rule_file("rules/zh-CN/online-chat.json");
//   if (!compiled.ok()) { for (auto& d : compiled.diagnostics) std::cerr << d.to_string() << "\n"; }
//   std::shared_ptr<const chatqa::RuleSet> rules = compiled.rule_set;   // share across threads
//   chatqa::ParsedSession parsed = chatqa::parse_session(json_text);
//   if (parsed.session) { chatqa::Report r = chatqa::evaluate(*rules, *parsed.session);
//                         std::cout << chatqa::to_json(r) << "\n"; }
#pragma once

#include "chatqa/diagnostic.hpp"
#include "chatqa/live.hpp"
#include "chatqa/reader.hpp"  // SessionReader, parse_sessions: link chatqa::io
#include "chatqa/report.hpp"
#include "chatqa/rule_set.hpp"
#include "chatqa/session.hpp"
#include "chatqa/version.hpp"
