// Maps JSON pointers of a document to their line:column in the source text,
// so diagnostics about a rule file can point at the offending key or value.
// The text is normally valid JSON (nlohmann parsed it first); it may also be
// broken (to place a syntax error): positions are then best effort, and
// nothing in the text makes the locator throw, loop or crash.
#pragma once

#include <cstddef>
#include <string>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace chatqa {

struct TextPosition {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, code points
};

// nlohmann's exception message without its "[json.exception.parse_error.101] "
// prefix and, for parse errors, without the "parse error at line 1, column 5: "
// part (we give the position ourselves).
std::string json_error_detail(const std::string& what);
// Byte offset in `text` of what a failed nlohmann::json::parse(text) threw
// about: a parse_error's byte, or the number that a "number overflow parsing
// 'N'" error (out_of_range.406, which carries no offset) names; nullopt if
// neither can be told.
std::optional<std::size_t> json_error_offset(std::string_view text, const nlohmann::json::exception& error);

class JsonLocator {
 public:
  explicit JsonLocator(std::string_view text);

  // Position of the value at `pointer` ("" = the root).
  TextPosition value(const std::string& pointer) const;
  // Position of the key naming the member at `pointer` (falls back to the value).
  TextPosition key(const std::string& pointer) const;
  // Line:column of a byte offset.
  TextPosition at_offset(std::size_t byte_offset) const;

  static std::string escape_token(std::string_view token);

  // A key an object has twice (JSON parsers keep the last value).
  struct DuplicateKey {
    std::string pointer;  // of the member
    std::size_t first = 0, second = 0;  // byte offsets of the two keys
  };
  // In text order of the second occurrence.
  const std::vector<DuplicateKey>& duplicate_keys() const { return duplicates_; }

 private:
  static constexpr int kMaxDepth = 256;  // deeper values are skipped, not located
  void scan_value(std::size_t& pos, const std::string& pointer, int depth);
  void skip_value(std::size_t& pos) const;
  void skip_ws(std::size_t& pos) const;
  std::string read_string(std::size_t& pos) const;
  // The code unit of four hex digits at `pos`, or nullopt if they are not there.
  std::optional<char32_t> hex4(std::size_t pos) const;

  std::string_view text_;
  std::unordered_map<std::string, std::size_t> values_;
  std::unordered_map<std::string, std::size_t> keys_;
  std::vector<DuplicateKey> duplicates_;
};

}  // namespace chatqa
