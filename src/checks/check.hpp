// The one internal header a check includes. A check is a class implementing
// Check (eval/check_interface.hpp), built by its factory from JSON at compile
// time and evaluated for each session:
//   - compile side: Params reads the check's JSON object (unknown keys, types,
//     ranges reported as diagnostics), CompileContext makes phrase groups and
//     nested checks (rules/compile_context.hpp);
//   - evaluation side: EvalContext gives normalised texts, phrase hits,
//     times and recycled findings (eval/eval_context.hpp);
//   - text for people: format_seconds, counted (report/format.hpp), did_you_mean.
// Adding a check type = one file under src/checks/ and one line in registry.cpp.
#pragma once

#include "eval/check_interface.hpp"
#include "eval/eval_context.hpp"
#include "report/format.hpp"
#include "rules/compile_context.hpp"
#include "rules/did_you_mean.hpp"
#include "rules/role_mask.hpp"
