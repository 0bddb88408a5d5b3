#include "input/json_locator.hpp"

#include "text/pii_detect.hpp"
#include "text/utf8.hpp"

namespace chatqa {

std::string json_error_detail(const std::string& what) {
  std::size_t from = 0;
  if (what.rfind("[json.exception.", 0) == 0) {
    const auto close = what.find("] ");
    if (close != std::string::npos) from = close + 2;
  }
  const auto column = what.find("column", from);
  if (column != std::string::npos) {
    const auto colon = what.find(": ", column);
    if (colon != std::string::npos) from = colon + 2;
  }
  std::string detail = what.substr(from);
  // "last read: '...'" echoes the input up to the error, which may be a whole
  // long string: keep its last 40 code points (the input is valid UTF-8 here).
  static constexpr std::string_view kLastRead = "last read: '";
  const auto lr = detail.find(kLastRead);
  if (lr != std::string::npos) {
    const std::size_t begin = lr + kLastRead.size();
    const std::size_t end = detail.rfind('\'');
    if (end != std::string::npos && end > begin) {
      std::size_t cut = end, kept = 0;
      while (cut > begin && kept < 40) {
        --cut;
        if ((static_cast<unsigned char>(detail[cut]) & 0xC0) != 0x80) ++kept;
      }
      // A number cut short by the error escapes the pii detector: mask its digits.
      const std::string tail = text::mask_digit_runs(std::string_view(detail).substr(cut, end - cut));
      detail.replace(begin, end - begin, (cut > begin ? "\u2026" : "") + tail);
    }
  }
  return detail;
}

std::optional<std::size_t> json_error_offset(std::string_view text, const nlohmann::json::exception& error) {
  if (const auto* parse = dynamic_cast<const nlohmann::json::parse_error*>(&error)) {
    return parse->byte > 0 ? parse->byte - 1 : 0;
  }
  static constexpr std::string_view kMarker = "number overflow parsing '";
  const std::string_view what = error.what();
  const auto begin = what.find(kMarker);
  if (begin == std::string_view::npos) return std::nullopt;
  const auto number_begin = begin + kMarker.size();
  const auto number_end = what.find('\'', number_begin);
  if (number_end == std::string_view::npos || number_end == number_begin) return std::nullopt;
  const auto at = text.find(what.substr(number_begin, number_end - number_begin));
  if (at == std::string_view::npos) return std::nullopt;
  return at;
}

JsonLocator::JsonLocator(std::string_view text) : text_(text) {
  std::size_t pos = 0;
  if (text_.size() >= 3 && text_.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;
  skip_ws(pos);
  if (pos < text_.size()) scan_value(pos, "", 0);
}

std::string JsonLocator::escape_token(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<char32_t> JsonLocator::hex4(std::size_t pos) const {
  if (pos + 4 > text_.size()) return std::nullopt;
  char32_t value = 0;
  for (std::size_t i = pos; i < pos + 4; ++i) {
    const char c = text_[i];
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    value = value * 16 + static_cast<char32_t>(digit);
  }
  return value;
}

void JsonLocator::skip_ws(std::size_t& pos) const {
  while (pos < text_.size() && (text_[pos] == ' ' || text_[pos] == '\n' || text_[pos] == '\r' || text_[pos] == '\t')) {
    ++pos;
  }
}

std::string JsonLocator::read_string(std::size_t& pos) const {
  std::string out;
  ++pos;  // opening quote
  while (pos < text_.size() && text_[pos] != '"') {
    if (text_[pos] == '\\' && pos + 1 < text_.size()) {
      const char e = text_[pos + 1];
      if (e == 'u') {
        // The text may be broken (that is often why it is being located):
        // a \u without four hex digits is kept as it is, never thrown on.
        const auto cp = hex4(pos + 2);
        if (!cp) {
          out += text_[pos++];
          continue;
        }
        char32_t c = *cp;
        pos += 6;
        if (c >= 0xD800 && c <= 0xDBFF && pos + 1 < text_.size() && text_[pos] == '\\' && text_[pos + 1] == 'u') {
          const auto lo = hex4(pos + 2);
          if (lo && *lo >= 0xDC00 && *lo <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + (*lo - 0xDC00);
            pos += 6;
          }
        }
        utf8::append(out, c);
        continue;
      }
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        default: out += e; break;
      }
      pos += 2;
      continue;
    }
    out += text_[pos++];
  }
  ++pos;  // closing quote
  return out;
}

void JsonLocator::skip_value(std::size_t& pos) const {
  // Iterative, so nesting deeper than kMaxDepth costs no recursion.
  std::size_t open = 0;
  while (pos < text_.size()) {
    const char c = text_[pos];
    if (c == '"') {
      read_string(pos);
      if (open == 0) return;
      continue;
    }
    if (c == '{' || c == '[') {
      ++open;
    } else if (c == '}' || c == ']') {
      if (open == 0) return;
      if (--open == 0) {
        ++pos;
        return;
      }
    } else if (open == 0 && (c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
      return;
    }
    ++pos;
  }
}

void JsonLocator::scan_value(std::size_t& pos, const std::string& pointer, int depth) {
  // A key given twice: its last value is the one a JSON parser keeps, and
  // the one located.
  values_.insert_or_assign(pointer, pos);
  if (pos >= text_.size()) return;
  if (depth > kMaxDepth) {
    skip_value(pos);
    return;
  }
  const char c = text_[pos];
  if (c == '{') {
    ++pos;
    skip_ws(pos);
    std::unordered_map<std::string, std::size_t> seen;  // this object's keys
    while (pos < text_.size() && text_[pos] != '}') {
      const std::size_t key_pos = pos;
      const std::string key = read_string(pos);
      const std::string child = pointer + "/" + escape_token(key);
      if (auto [it, fresh] = seen.emplace(key, key_pos); !fresh) {
        duplicates_.push_back(DuplicateKey{child, it->second, key_pos});
        it->second = key_pos;
      }
      keys_.insert_or_assign(child, key_pos);
      skip_ws(pos);
      ++pos;  // ':'
      skip_ws(pos);
      scan_value(pos, child, depth + 1);
      skip_ws(pos);
      if (pos < text_.size() && text_[pos] == ',') {
        ++pos;
        skip_ws(pos);
      }
    }
    ++pos;
  } else if (c == '[') {
    ++pos;
    skip_ws(pos);
    std::size_t index = 0;
    while (pos < text_.size() && text_[pos] != ']') {
      const std::size_t start = pos;
      scan_value(pos, pointer + "/" + std::to_string(index++), depth + 1);
      // A stray '}' in an array (the text is broken: that is why it is being
      // located) is no value: step over it, or this loop would never end.
      if (pos == start) ++pos;
      skip_ws(pos);
      if (pos < text_.size() && text_[pos] == ',') {
        ++pos;
        skip_ws(pos);
      }
    }
    ++pos;
  } else if (c == '"') {
    read_string(pos);
  } else {
    while (pos < text_.size() && text_[pos] != ',' && text_[pos] != '}' && text_[pos] != ']' && text_[pos] != ' ' &&
           text_[pos] != '\n' && text_[pos] != '\r' && text_[pos] != '\t') {
      ++pos;
    }
  }
}

TextPosition JsonLocator::at_offset(std::size_t offset) const {
  TextPosition p{1, 1};
  if (offset > text_.size()) offset = text_.size();
  // A UTF-8 byte order mark is not a column.
  const std::size_t begin = text_.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  for (std::size_t i = begin; i < offset; ++i) {
    const auto c = static_cast<unsigned char>(text_[i]);
    if (c == '\n') {
      ++p.line;
      p.column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++p.column;
    }
  }
  return p;
}

TextPosition JsonLocator::value(const std::string& pointer) const {
  std::string p = pointer;
  for (;;) {
    auto it = values_.find(p);
    if (it != values_.end()) return at_offset(it->second);
    const auto slash = p.rfind('/');
    if (slash == std::string::npos) return {};
    p.resize(slash);
  }
}

TextPosition JsonLocator::key(const std::string& pointer) const {
  auto it = keys_.find(pointer);
  if (it != keys_.end()) return at_offset(it->second);
  return value(pointer);
}

}  // namespace chatqa
