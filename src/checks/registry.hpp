// The check types by name, for the compiler (CompileContext::compile_check).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "eval/check_interface.hpp"
#include "rules/compile_context.hpp"

namespace chatqa::detail {

using CheckFactory = std::unique_ptr<Check> (*)(CompileContext& ctx, const json& check, const std::string& pointer);
// Check type name -> factory. The one list of check types: see checks/registry.cpp.
const std::map<std::string, CheckFactory>& check_registry();

}  // namespace chatqa::detail
