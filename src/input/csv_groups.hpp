// Grouping the rows of CSV sessions that are not consecutive (internal to
// chatqa::io): an external merge sort by session within a memory budget.
//
// Rows are added in input order. Each row's group key is the input position
// of the first row of its session id, so the rows come back grouped by
// session, the sessions in the order of their first row, the rows of a
// session in input order: a CSV sorted by conversation comes back unchanged,
// a CSV sorted by time comes back as if it had been sorted by conversation.
//
// Memory: the rows held (up to `budget` bytes; above it they are sorted and
// written to a temporary file, a "run") plus 32 bytes per distinct session id
// (a table from a 64-bit hash of the id to its first row). Two ids with the
// same hash still form two sessions (the id itself is part of the sort key);
// only their relative order could then differ from first appearance.
// The runs are merged at the end, each read through a 64 KiB buffer.
//
// Thread safety: one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace chatqa::io {

// A table from 64-bit keys to 64-bit values, open addressing (32 bytes a key
// at the lowest load).
class IdTable {
 public:
  // The value stored for `hash`, or inserts `value` and returns it.
  std::uint64_t find_or_insert(std::uint64_t hash, std::uint64_t value, bool& inserted);
  std::size_t bytes() const { return slots_.size() * sizeof(Slot); }

 private:
  struct Slot {
    std::uint64_t hash = 0;  // 0 = empty (a hash of 0 is stored as 1)
    std::uint64_t value = 0;
  };
  void grow();
  std::vector<Slot> slots_;
  std::size_t used_ = 0;
};

std::uint64_t hash_id(std::string_view id);

// Fields <-> one string (length-prefixed), for holding and spilling rows.
void encode_fields(const std::vector<std::string>& fields, std::string& out);
bool decode_fields(std::string_view blob, std::vector<std::string>& out);

class RowGroups {
 public:
  enum Kind : std::uint8_t {
    kRow = 0,        // payload: the fields of a data row
    kBrokenRow = 1,  // payload: code, message of a bad row of this session
    kLoneError = 2,  // payload: code, message of a bad row that names no session
  };
  struct Row {
    std::uint64_t key = 0;  // input position of the session's first row
    std::uint64_t seq = 0;  // input position of this row
    std::uint64_t line = 0;
    Kind kind = kRow;
    std::string id;
    std::string payload;
  };

  // `temp_dir` empty: $TMPDIR, else /tmp.
  RowGroups(std::size_t budget, std::string temp_dir);
  ~RowGroups();
  RowGroups(const RowGroups&) = delete;
  RowGroups& operator=(const RowGroups&) = delete;

  // Adds a row; false if a run could not be written (see error()).
  bool add(Kind kind, const std::string& id, std::uint64_t line, std::string payload);
  // No more rows: sorts what is held and starts the merge.
  bool finish();
  // The next row in group order; false at the end or on an error.
  bool next(Row& out);
  // Why add/finish/next failed ("" if they did not).
  const std::string& error() const { return error_; }
  // Rows added, runs written (for tests and the documentation's figures).
  std::uint64_t rows() const { return seq_; }
  std::size_t runs() const { return runs_.size(); }
  bool empty() const { return seq_ == 0; }

 private:
  struct Run;
  bool spill();
  bool fill(std::size_t source);
  static std::size_t row_bytes(const Row& r);

  std::size_t budget_;
  std::string temp_dir_;
  IdTable first_row_;
  std::uint64_t seq_ = 0;
  std::uint64_t last_key_ = 0;
  std::string last_id_;
  bool have_last_ = false;
  std::vector<Row> rows_;
  std::size_t held_ = 0;
  std::vector<std::unique_ptr<Run>> runs_;
  // Merge state: one current row per source (runs, then the rows in memory).
  std::vector<Row> heads_;
  std::vector<std::size_t> heap_;
  std::size_t memory_pos_ = 0;
  bool merging_ = false;
  std::string error_;
};

}  // namespace chatqa::io
