// A set of roles (customer, agent, bot, system), as a bit mask over
// chatqa::Role: which messages a check or a phrase group reads.
#pragma once

#include <cstdint>
#include <string>

#include "chatqa/session.hpp"

namespace chatqa::detail {

struct RoleMask {
  std::uint8_t bits = 0;
  static RoleMask of(Role r) { return RoleMask{static_cast<std::uint8_t>(1u << static_cast<int>(r))}; }
  bool has(Role r) const { return bits & (1u << static_cast<int>(r)); }
  bool empty() const { return bits == 0; }
  RoleMask operator|(RoleMask o) const { return RoleMask{static_cast<std::uint8_t>(bits | o.bits)}; }
};

// "agent", "customer/agent": the roles of the mask in enum order.
inline std::string describe(RoleMask roles) {
  std::string out;
  for (int r = 0; r < 4; ++r) {
    if (roles.has(static_cast<Role>(r))) out += (out.empty() ? "" : "/") + std::string(to_string(static_cast<Role>(r)));
  }
  return out;
}

}  // namespace chatqa::detail
