#include "text/word_frequencies.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "text/utf8.hpp"

namespace chatqa::text {

std::size_t WordFrequencies::Hash::operator()(std::u32string_view s) const noexcept {
  std::uint64_t h = 0xcbf29ce484222325u;
  for (char32_t c : s) h = (h ^ c) * 0x100000001b3u;
  return static_cast<std::size_t>(h ^ (h >> 32));
}

bool WordFrequencies::load(std::string_view content, std::string* error) {
  counts_.clear();
  double total = 0, declared = 0;
  std::size_t line_no = 0, pos = 0;
  std::u32string word;
  while (pos < content.size()) {
    std::size_t eol = content.find('\n', pos);
    if (eol == std::string_view::npos) eol = content.size();
    std::string_view line = content.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (line_no == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty()) continue;
    if (line[0] == '#') {
      const std::string_view directive = "#: total = ";
      if (line.substr(0, directive.size()) == directive) declared = std::atof(std::string(line.substr(directive.size())).c_str());
      continue;
    }
    const auto space = line.find_first_of(" \t");
    std::uint64_t n = 0;
    bool number = space != std::string_view::npos;
    std::size_t k = number ? space + 1 : line.size();
    while (k < line.size() && (line[k] == ' ' || line[k] == '\t')) ++k;
    const std::size_t digits = k;
    while (k < line.size() && line[k] >= '0' && line[k] <= '9' && n < 0xFFFFFFFFu) n = n * 10 + static_cast<unsigned>(line[k++] - '0');
    number = number && k > digits && (k == line.size() || line[k] == ' ' || line[k] == '\t');
    if (!number) {
      if (error) *error = "line " + std::to_string(line_no) + ": expected \"word count\"";
      return false;
    }
    utf8::decode(line.substr(0, space), word);
    if (word.empty()) continue;
    const auto c = static_cast<std::uint32_t>(std::min<std::uint64_t>(n, 0xFFFFFFFFu));
    counts_[word] = c;
    total += c;
    max_length_ = std::max(max_length_, word.size());
  }
  log_total_ = std::log(std::max({declared, total, 1.0}));
  return true;
}

std::uint32_t WordFrequencies::count(std::u32string_view word) const {
  const auto it = counts_.find(std::u32string(word));
  return it == counts_.end() ? 0 : it->second;
}

double WordFrequencies::segment(std::u32string_view s) const {
  if (s.empty()) return 0;
  const std::size_t n = s.size();
  std::vector<double> best(n + 1, -1e300);
  best[0] = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (best[i] <= -1e299) continue;
    for (std::size_t len = 1; len <= max_length_ && i + len <= n; ++len) {
      std::uint32_t c = count(s.substr(i, len));
      if (c == 0 && len == 1) c = 1;  // an unlisted character: seen once
      if (c == 0) continue;
      best[i + len] = std::max(best[i + len], best[i] + std::log(static_cast<double>(c)) - log_total_);
    }
  }
  return best[n];
}

bool WordFrequencies::crossing_word_wins(const NormText& t, std::uint32_t begin, std::uint32_t end,
                                         std::u32string_view right) const {
  if (counts_.empty() || begin >= end) return false;
  const auto n = static_cast<std::uint32_t>(t.chars.size());
  const auto reach = static_cast<std::uint32_t>(max_length_ - 1);
  // The ideographs around the hit that a word may span.
  std::uint32_t lo = begin, hi = end;
  while (lo > 0 && (t.flags[lo - 1] & kHan) && begin - lo < reach) --lo;
  while (hi < n && (t.flags[hi] & kHan) && hi - end < reach) ++hi;
  if (lo == begin && hi == end) return false;  // nothing on either side to cross into
  const std::u32string_view chars(t.chars);
  const double right_reading = segment(right);
  for (std::uint32_t s = lo; s < end; ++s) {
    for (std::uint32_t e = s + 2; e <= hi && e - s <= max_length_; ++e) {
      const bool crosses = (s < begin && begin < e) || (s < end && end < e);
      if (!crosses) continue;
      const std::uint32_t c = count(chars.substr(s, e - s));
      if (c < kMinCrossingFrequency) continue;
      const std::uint32_t u0 = std::min(s, begin), u1 = std::max(e, end);
      const double crossing = std::log(static_cast<double>(c)) - log_total_ + segment(chars.substr(u0, s - u0)) +
                              segment(chars.substr(e, u1 - e));
      const double typo =
          right_reading + segment(chars.substr(u0, begin - u0)) + segment(chars.substr(end, u1 - end));
      if (crossing > typo) return true;
    }
  }
  return false;
}

}  // namespace chatqa::text
