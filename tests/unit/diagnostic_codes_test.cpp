// The diagnostic codes the code can report and the codes docs/diagnostics.md
// documents are the same set: a new code gets its documentation, a removed
// one loses it. Codes are string literals "E0123" / "W0123" in src/, tools/
// and include/.
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::set<std::string> codes_in(const std::string& text, const std::regex& pattern, int group) {
  std::set<std::string> out;
  for (std::sregex_iterator it(text.begin(), text.end(), pattern), end; it != end; ++it) out.insert((*it)[group]);
  return out;
}

// Codes at the start of a line of `text` (pattern anchored with ^, one match a line).
std::set<std::string> codes_at_line_start(const std::string& text, const std::regex& pattern) {
  std::set<std::string> out;
  std::istringstream lines(text);
  std::smatch m;
  for (std::string line; std::getline(lines, line);) {
    if (std::regex_search(line, m, pattern)) out.insert(m[1]);
  }
  return out;
}

std::string joined(const std::set<std::string>& codes) {
  std::string out;
  for (const std::string& c : codes) out += (out.empty() ? "" : " ") + c;
  return out;
}

std::set<std::string> minus(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::set<std::string> out;
  for (const std::string& x : a) {
    if (!b.count(x)) out.insert(x);
  }
  return out;
}

}  // namespace

TEST_CASE("diagnostic codes in the code and in docs/diagnostics.md are the same set", "[diagnostics]") {
  const fs::path root = CHATQA_SOURCE_DIR;
  const std::regex literal(R"re("([EW]0[0-9]{3})")re");
  std::set<std::string> in_code;
  for (const char* dir : {"src", "tools", "include"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".hpp" && ext != ".h" && ext != ".c")) continue;
      for (const std::string& code : codes_in(read_text(entry.path()), literal, 1)) in_code.insert(code);
    }
  }
  REQUIRE(in_code.size() > 30);  // the scan found the sources

  // A code is documented where a heading or a table row names it.
  const std::regex documented(R"re(^(?:### |\| )([EW]0[0-9]{3})\b)re");
  const std::set<std::string> in_docs = codes_at_line_start(read_text(root / "docs" / "diagnostics.md"), documented);

  INFO("used in the code, not documented in docs/diagnostics.md: " << joined(minus(in_code, in_docs)));
  INFO("documented in docs/diagnostics.md, used nowhere in the code: " << joined(minus(in_docs, in_code)));
  CHECK(in_code == in_docs);
}

TEST_CASE("the E05xx table of docs/rule-tests.md lists the test-file codes", "[diagnostics]") {
  const fs::path root = CHATQA_SOURCE_DIR;
  const std::regex row(R"re(^\| (E05[0-9]{2}) \|)re");
  const std::set<std::string> rule_tests = codes_at_line_start(read_text(root / "docs" / "rule-tests.md"), row);
  const std::set<std::string> diagnostics = codes_at_line_start(read_text(root / "docs" / "diagnostics.md"), row);
  CHECK(!rule_tests.empty());
  CHECK(rule_tests == diagnostics);
}
