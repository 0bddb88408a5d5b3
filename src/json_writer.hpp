// A small streaming JSON writer for reports: fixed key order, compact or
// indented output byte-identical to nlohmann's dump(-1) / dump(2), without
// building a DOM per report (the report writer is on the per-session hot path).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chatqa::detail {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out, int indent = -1) : out_(out), indent_(indent) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  void key(std::string_view k);

  void value(std::string_view s);
  void value(const char* s) { value(std::string_view(s)); }
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

  std::string& out_;
  int indent_;
  std::vector<Level> stack_;
  bool after_key_ = false;
};

}  // namespace chatqa::detail
