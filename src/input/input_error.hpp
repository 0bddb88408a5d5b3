// The one way the input stage (and the live JSON of the C API) makes an
// InputError: messages may echo the input, so personal numbers are masked.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include "chatqa/session.hpp"
#include "chatqa/report.hpp"

namespace chatqa::detail {

inline InputError input_error(const char* code, const std::string& message, std::string pointer = {},
                              std::size_t line = 0) {
  InputError e;
  e.code = code;
  e.message = chatqa::mask_pii(message);
  e.json_pointer = std::move(pointer);
  e.line = line;
  return e;
}

}  // namespace chatqa::detail
