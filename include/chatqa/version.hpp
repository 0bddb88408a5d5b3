// chatqa — library version.
#pragma once

#include "chatqa/export.hpp"

CHATQA_PUBLIC_BEGIN
namespace chatqa {
// "MAJOR.MINOR.PATCH" of the linked library.
const char* version() noexcept;
}  // namespace chatqa
CHATQA_PUBLIC_END
