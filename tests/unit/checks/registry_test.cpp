// The check registry and the layout it implies: every check type is
// documented in docs/checks.md, and every check file src/checks/<check>.cpp
// has its tests in tests/unit/checks/<check>_test.cpp and a "Code: ... Tests:"
// line in docs/checks.md naming both. Also the "manual" type, which lives in
// the registry.
// Code: src/checks/registry.cpp. Docs: docs/checks.md#manual.
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "checks/registry.hpp"
#include "test_checks_helpers.hpp"

using namespace checks_test;
using chatqa::ItemStatus;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const fs::path kRoot = CHATQA_SOURCE_DIR;

// The stems of src/checks/*.cpp that define a check factory (make_<type>_check(...) { ... }).
std::set<std::string> check_files() {
  static const std::regex factory(R"(make_\w+_check\([^)]*\)\s*\{)");
  std::set<std::string> stems;
  for (const auto& entry : fs::directory_iterator(kRoot / "src" / "checks")) {
    if (entry.path().extension() != ".cpp") continue;
    if (std::regex_search(slurp(entry.path()), factory)) stems.insert(entry.path().stem().string());
  }
  return stems;
}

// "Code: [src/checks/X.cpp](../src/checks/X.cpp) · Tests: [tests/unit/checks/Y_test.cpp](...)" lines: X -> Y.
std::set<std::pair<std::string, std::string>> doc_links(const std::string& doc) {
  static const std::regex line(
      R"(Code: \[src/checks/(\w+)\.cpp\]\(\.\./src/checks/(\w+)\.cpp\) · )"
      R"(Tests: \[tests/unit/checks/(\w+)_test\.cpp\]\(\.\./tests/unit/checks/(\w+)_test\.cpp\))");
  std::set<std::pair<std::string, std::string>> links;
  for (std::sregex_iterator it(doc.begin(), doc.end(), line), end; it != end; ++it) {
    const std::smatch& m = *it;
    CHECK(m[1] == m[2]);  // the link text and its target agree
    CHECK(m[3] == m[4]);
    links.insert({m[1], m[3]});
  }
  return links;
}

}  // namespace

TEST_CASE("layout: every check file has its tests beside the others and a docs/checks.md section",
          "[checks][registry][layout]") {
  const std::string doc = slurp(kRoot / "docs" / "checks.md");
  const auto links = doc_links(doc);
  const auto stems = check_files();
  REQUIRE(stems.size() >= 19);  // the parser found the check files
  for (const std::string& stem : stems) {
    INFO("src/checks/" << stem << ".cpp");
    CHECK(fs::is_regular_file(kRoot / "tests" / "unit" / "checks" / (stem + "_test.cpp")));
    bool documented = false;
    for (const auto& [code, test] : links) documented = documented || (code == stem && test == stem);
    CHECK(documented);  // a "Code: ... · Tests: ..." line in docs/checks.md names both
  }
  // ...and the docs link nothing that is gone.
  for (const auto& [code, test] : links) {
    INFO(code << " / " << test);
    CHECK(fs::is_regular_file(kRoot / "src" / "checks" / (code + ".cpp")));
    CHECK(fs::is_regular_file(kRoot / "tests" / "unit" / "checks" / (test + "_test.cpp")));
  }
}

TEST_CASE("layout: every registered check type has a section in docs/checks.md", "[checks][registry][layout]") {
  const std::string doc = slurp(kRoot / "docs" / "checks.md");
  std::set<std::string> headings;
  static const std::regex heading(R"((?:^|\n)#{2,3} ([^\n]+))");
  for (std::sregex_iterator it(doc.begin(), doc.end(), heading), end; it != end; ++it) {
    // "## all / any / not" documents three types.
    std::istringstream words((*it)[1].str());
    for (std::string w; words >> w;) headings.insert(w);
  }
  for (const auto& [type, factory] : chatqa::detail::check_registry()) {
    INFO(type);
    CHECK(headings.count(type) == 1);
    CHECK(factory != nullptr);
  }
}

TEST_CASE("manual: an item's own check only, listed for review and never scored", "[checks][manual]") {
  auto r = run(one_item(R"({"type": "manual", "note": "听录音"})"), chat({{"agent", 0, "不知道"}}));
  CHECK(r.status == ItemStatus::manual_review);
  CHECK(r.deducted == 0);
  CHECK(r.findings.empty());
  CHECK(has_error(one_item(R"({"type": "all", "checks": [{"type": "manual"}]})"), "E0105",
                  "/items/0/check/checks/0/type"));
  CHECK(has_error(one_item(R"({"type": "not", "check": {"type": "manual"}})"), "E0105", "/items/0/check/check/type"));
}
