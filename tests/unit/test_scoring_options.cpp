// Rule-set scoring options: renormalize_not_applicable and escalating per_hit.
#include "test_checks_helpers.hpp"

using namespace checks_test;
using chatqa::ItemStatus;



TEST_CASE("renormalize_not_applicable and escalating per_hit", "[checks][logic]") {
  const std::string items = R"(, "items": [
    {"id": "web_only", "points": 40, "when": {"type": "meta", "field": "channel", "equals": "web"},
     "check": {"type": "banned_phrase", "phrases": ["不知道"]}},
    {"id": "address", "points": 60, "per_hit": [10, 20, 30], "check": {"type": "address_form", "avoid": ["你"]}}]})";
  const std::string plain = R"({"name": "t", "version": "1", "total": 100)" + items;
  const std::string renorm =
      R"({"name": "t", "version": "1", "total": 100, "options": {"renormalize_not_applicable": true})" + items;
  auto app = chat({{"agent", 0, "你好,你的订单到了"}}, R"({"meta": {"channel": "app"}})");
  auto r1 = report(plain, app);
  CHECK(item(r1, "web_only").status == ItemStatus::not_applicable);
  CHECK(item(r1, "address").hits == 2);
  CHECK(item(r1, "address").deducted == 30);  // 10 + 20
  CHECK(r1.score == 70);
  auto r2 = report(renorm, app);
  CHECK(r2.score == Approx(50));  // (60 - 30) / 60 * 100
  auto many = chat({{"agent", 0, "你你你你你"}}, R"({"meta": {"channel": "web"}})");
  auto r3 = report(plain, many);
  CHECK(item(r3, "address").deducted == 60);  // 10 + 20 + 30 + 30 + 30, capped at the item's points
  CHECK(report(renorm, many).score == 40);    // web: nothing n/a, no re-normalising
}
