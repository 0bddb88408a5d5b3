// A small streaming JSON writer for reports: fixed key order, compact or
// indented output byte-identical to nlohmann's dump(-1) / dump(2), without
// building a DOM per report (the report writer is on the per-session hot path).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace chatqa::detail {

class JsonWriter {
 public:
  // Appends to `out`. Until finish() (or the destructor) `out` may hold
  // spare bytes past what was written: the writer fills its memory directly
  // rather than through std::string's out-of-line append per piece.
  explicit JsonWriter(std::string& out, int indent = -1) : out_(out), length_(out.size()), indent_(indent) {}
  ~JsonWriter() { finish(); }
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;
  // Cuts `out` to what was written.
  void finish() { out_.resize(length_); }

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  // `k` is one of the writer's callers' own keys: ASCII letters, digits and
  // '_' (written as they are, without the escape scan that values get).
  void key(std::string_view k);

  void value(std::string_view s);
  void value(const char* s) { value(std::string_view(s)); }
  // A constant of the caller's that needs no escaping (a status or role
  // name: ASCII letters and '_'), written as it is.
  void literal(std::string_view s);
  void value(bool b);
  void value(long long n);
  void value(unsigned long long n);
  void value(long n) { value(static_cast<long long>(n)); }
  void value(unsigned long n) { value(static_cast<unsigned long long>(n)); }
  // Points and seconds: integers without decimals, else at most 2 decimals.
  void number(double v);

  template <typename T>
  void member(std::string_view k, const T& v) {
    key(k);
    value(v);
  }
  void literal_member(std::string_view k, std::string_view v) {
    key(k);
    literal(v);
  }

 private:
  struct Level {
    bool array;
    bool empty;
  };
  void open(char c);
  void close(char c);
  void before_value();
  void newline();
  void raw_string(std::string_view s);

  Level& top() { return depth_ <= kInlineDepth ? inline_[depth_ - 1] : deep_[depth_ - kInlineDepth - 1]; }

  // Room for n more bytes at out_.data() + length_.
  char* room(std::size_t n) {
    if (length_ + n > out_.size()) grow(n);
    return &out_[length_];
  }
  void grow(std::size_t n);
  void put(char c) {
    *room(1) = c;
    ++length_;
  }
  void put(const char* s, std::size_t n) {
    std::memcpy(room(n), s, n);
    length_ += n;
  }
  void put(std::string_view s) { put(s.data(), s.size()); }

  std::string& out_;
  std::size_t length_;  // bytes of out_ written; the rest is room
  int indent_;
  // The open objects and arrays: a report nests a few levels deep, so they
  // live in the writer (no allocation per report); deeper ones in deep_.
  static constexpr std::size_t kInlineDepth = 16;
  Level inline_[kInlineDepth];
  std::vector<Level> deep_;
  std::size_t depth_ = 0;
  bool after_key_ = false;
};

// The small pieces every value goes through, inline: a report is a few
// hundred of them.

inline void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ == 0) return;
  Level& level = top();
  if (!level.empty) put(',');
  level.empty = false;
  if (indent_ >= 0) newline();
}

inline void JsonWriter::open(char c) {
  before_value();
  put(c);
  const Level level{c == '[', true};
  if (depth_ < kInlineDepth) {
    inline_[depth_] = level;
  } else {
    deep_.push_back(level);
  }
  ++depth_;
}

inline void JsonWriter::close(char c) {
  const bool empty = top().empty;
  if (depth_ > kInlineDepth) deep_.pop_back();
  --depth_;
  if (!empty && indent_ >= 0) newline();
  put(c);
}

inline void JsonWriter::key(std::string_view k) {
  before_value();
  char* p = room(k.size() + 4);
  *p = '"';
  std::memcpy(p + 1, k.data(), k.size());
  std::memcpy(p + 1 + k.size(), "\": ", 3);  // the space only when indented
  length_ += k.size() + (indent_ < 0 ? 3 : 4);
  after_key_ = true;
}

inline void JsonWriter::literal(std::string_view s) {
  before_value();
  char* p = room(s.size() + 2);
  *p = '"';
  std::memcpy(p + 1, s.data(), s.size());
  p[1 + s.size()] = '"';
  length_ += s.size() + 2;
}

}  // namespace chatqa::detail
