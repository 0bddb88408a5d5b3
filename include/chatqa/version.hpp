// chatqa — library version.
#pragma once

namespace chatqa {
// "MAJOR.MINOR.PATCH" of the linked library.
const char* version() noexcept;
}  // namespace chatqa
