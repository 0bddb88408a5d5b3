// Fuzz target: any bytes as an input file of `chatqa score` (JSON object,
// array or Lines; CSV; either gzip-compressed) -> the command line's
// reader (SessionReader, chatqa::io) -> SessionReader::parse of each record.
// The first byte picks JSON or CSV (and a small record-size limit); the rest
// is the file. Every record must be a text or an error with a code, lines
// must never go back, and a record's text must parse or fail with a code.
#include <unistd.h>

#include <cstdint>
#include <fstream>

#include "fuzz_common.hpp"
#include "chatqa/reader.hpp"

using namespace chatqa;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  static const std::string base = "/tmp/chatqa-fuzz-input-" + std::to_string(::getpid());
  const std::string path = base + ((mode & 1) ? ".csv" : ".jsonl");
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
  }
  ReadOptions options;
  if (mode & 2) options.max_record_bytes = 64;  // the oversized-record path
  if (mode & 4) options.csv.delimiter = ';';
  if (mode & 8) options.csv.roles = {{"客户", "customer"}, {"客服", "agent"}};
  std::size_t last_line = 0;
  SessionReader reader = SessionReader::open(path, options);
  InputRecord r;
  while (reader.next_record(r)) {
    if (r.error) {
      fuzz::require(r.error->code.size() == 5 && r.error->code[0] == 'E', "an input error has a code", r.error->code);
      continue;
    }
    fuzz::require(r.line >= 1 && r.line >= last_line, "record lines start at 1 and never go back",
                  std::to_string(last_line) + " then " + std::to_string(r.line));
    last_line = r.line;
    const ParsedSession p = SessionReader::parse(r, options);
    fuzz::require(p.session.has_value() != p.error.has_value(), "exactly one of session / error");
    if (p.error) fuzz::require(p.error->code.size() == 5, "a session error has a code", p.error->code);
  }
  // The same bytes held in memory read to the same records.
  {
    const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    SessionReader from_file = SessionReader::open(path, options);
    SessionReader from_text = SessionReader::from_text(text, options, path);
    InputRecord a, b;
    while (true) {
      const bool more_a = from_file.next_record(a), more_b = from_text.next_record(b);
      fuzz::require(more_a == more_b, "file and text give as many records");
      if (!more_a) break;
      fuzz::require(a.text == b.text && a.line == b.line && a.error.has_value() == b.error.has_value(),
                    "file and text give the same records");
    }
  }
  ::unlink(path.c_str());
  return 0;
}
