// Golden-file tests: tests/golden/<case>/{rules.json, session.json,
// options.json (optional)} -> expected.json, compared byte for byte.
//
// Regenerate after an intended change, then review the diff:
//   CHATQA_UPDATE_GOLDEN=1 ctest --test-dir <build dir> -R golden
//   git diff tests/golden
// See tests/golden/README.md.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "chatqa/chatqa.hpp"

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool update_mode() {
  const char* v = std::getenv("CHATQA_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) != "" && std::string(v) != "0";
}

// The report(s) of one case as the text expected.json must hold.
std::string run_case(const fs::path& dir) {
  chatqa::CompileResult compiled = chatqa::compile_rule_file((dir / "rules.json").string());
  ojson out = ojson::array();
  if (!compiled.ok()) {
    // A case may also pin a rule file's diagnostics.
    for (const auto& d : compiled.diagnostics) out.push_back({{"diagnostic", d.to_string()}});
    return out.dump(2) + "\n";
  }
  chatqa::SessionOptions session_options;
  chatqa::EvalOptions eval_options;
  if (fs::exists(dir / "options.json")) {
    const ojson options = ojson::parse(read_file(dir / "options.json"));
    session_options.default_utc_offset_minutes =
        options.value("default_utc_offset_minutes", session_options.default_utc_offset_minutes);
    eval_options.session_closed = options.value("session_closed", true);
  }
  chatqa::JsonReportOptions report_options;
  report_options.include_passed = true;
  for (const chatqa::ParsedSession& p : chatqa::parse_sessions(read_file(dir / "session.json"), session_options)) {
    if (p.error) {
      out.push_back(ojson::parse(chatqa::error_record_json(*p.error, "session.json")));
    } else {
      const chatqa::Report report = chatqa::evaluate(*compiled.rule_set, *p.session, eval_options);
      const std::string first = chatqa::to_json(report, report_options);
      // Reports must not depend on anything but their input.
      REQUIRE(chatqa::to_json(chatqa::evaluate(*compiled.rule_set, *p.session, eval_options), report_options) == first);
      out.push_back(ojson::parse(first));
    }
  }
  return out.dump(2) + "\n";
}

}  // namespace

TEST_CASE("golden reports", "[golden]") {
  const fs::path root = fs::path(CHATQA_SOURCE_DIR) / "tests" / "golden";
  std::vector<fs::path> cases;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory() && fs::exists(entry.path() / "rules.json")) cases.push_back(entry.path());
  }
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() >= 8);
  for (const fs::path& dir : cases) {
    DYNAMIC_SECTION(dir.filename().string()) {
      const std::string actual = run_case(dir);
      const fs::path expected_path = dir / "expected.json";
      if (update_mode()) {
        std::ofstream(expected_path, std::ios::binary) << actual;
        WARN("updated " << expected_path.string());
        continue;
      }
      REQUIRE(fs::exists(expected_path));
      const std::string expected = read_file(expected_path);
      INFO("case " << dir.filename().string()
                   << ": report differs from expected.json; if the change is intended run"
                      " CHATQA_UPDATE_GOLDEN=1 ctest -R golden and review git diff tests/golden");
      CHECK(actual == expected);
    }
  }
}
