// External merge of CSV rows by session (see csv_groups.hpp).
#include "input/csv_groups.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>

namespace chatqa::io {

std::uint64_t hash_id(std::string_view id) {
  // FNV-1a, then a mix: stable across runs and platforms.
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : id) {
    h ^= c;
    h *= 1099511628211ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h == 0 ? 1 : h;
}

std::uint64_t IdTable::find_or_insert(std::uint64_t hash, std::uint64_t value, bool& inserted) {
  if (hash == 0) hash = 1;
  if ((used_ + 1) * 2 > slots_.size()) grow();
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = static_cast<std::size_t>(hash) & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.hash == hash) {
      inserted = false;
      return s.value;
    }
    if (s.hash == 0) {
      s.hash = hash;
      s.value = value;
      ++used_;
      inserted = true;
      return value;
    }
  }
}

void IdTable::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.hash == 0) continue;
    std::size_t i = static_cast<std::size_t>(s.hash) & mask;
    while (slots_[i].hash != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

namespace {

void put_u32(std::string& out, std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }

bool get_u32(std::string_view& in, std::uint32_t& v) {
  if (in.size() < sizeof v) return false;
  std::memcpy(&v, in.data(), sizeof v);
  in.remove_prefix(sizeof v);
  return true;
}

bool less(const RowGroups::Row& a, const RowGroups::Row& b) {
  if (a.key != b.key) return a.key < b.key;
  if (a.id != b.id) return a.id < b.id;
  return a.seq < b.seq;
}

}  // namespace

void encode_fields(const std::vector<std::string>& fields, std::string& out) {
  out.clear();
  put_u32(out, static_cast<std::uint32_t>(fields.size()));
  for (const std::string& f : fields) {
    put_u32(out, static_cast<std::uint32_t>(f.size()));
    out.append(f);
  }
}

bool decode_fields(std::string_view blob, std::vector<std::string>& out) {
  out.clear();
  std::uint32_t n = 0;
  if (!get_u32(blob, n)) return false;
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint32_t len = 0;
    if (!get_u32(blob, len) || blob.size() < len) return false;
    out.emplace_back(blob.substr(0, len));
    blob.remove_prefix(len);
  }
  return true;
}

// A sorted run in a temporary file (unlinked at once: it goes when closed).
struct RowGroups::Run {
  std::FILE* file = nullptr;
  std::vector<char> buffer;
  ~Run() {
    if (file) std::fclose(file);
  }
};

RowGroups::RowGroups(std::size_t budget, std::string temp_dir) : budget_(budget), temp_dir_(std::move(temp_dir)) {
  if (temp_dir_.empty()) {
    const char* t = std::getenv("TMPDIR");
    temp_dir_ = t && *t ? t : "/tmp";
  }
}

RowGroups::~RowGroups() = default;

std::size_t RowGroups::row_bytes(const Row& r) {
  return r.id.capacity() + r.payload.capacity() + 32;  // + the allocator's own
}

bool RowGroups::add(Kind kind, const std::string& id, std::uint64_t line, std::string payload) {
  if (!error_.empty()) return false;
  Row r;
  r.seq = seq_++;
  r.line = line;
  r.kind = kind;
  if (kind == kLoneError) {
    r.key = r.seq;  // a group of its own
  } else if (have_last_ && id == last_id_) {
    r.key = last_key_;  // the common case: the rows of a session one after another
    r.id = id;
  } else {
    bool inserted = false;
    r.key = first_row_.find_or_insert(hash_id(id), r.seq, inserted);
    r.id = id;
    last_id_ = id;
    last_key_ = r.key;
    have_last_ = true;
  }
  r.payload = std::move(payload);
  held_ += row_bytes(r);
  rows_.push_back(std::move(r));
  // The id table is not counted: it is documented as 32 bytes per session.
  if (held_ + rows_.capacity() * sizeof(Row) > budget_ && rows_.size() > 1) return spill();
  return true;
}

bool RowGroups::spill() {
  std::sort(rows_.begin(), rows_.end(), less);
  std::string path = temp_dir_ + "/chatqa-csv-XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd < 0) {
    error_ = "cannot create a temporary file in " + temp_dir_ + " to group CSV rows: " + std::strerror(errno);
    return false;
  }
  ::unlink(path.c_str());
  auto run = std::make_unique<Run>();
  run->file = ::fdopen(fd, "w+b");
  if (!run->file) {
    ::close(fd);
    error_ = std::string("cannot open a temporary file to group CSV rows: ") + std::strerror(errno);
    return false;
  }
  std::vector<char> wbuf(1 << 20);
  std::setvbuf(run->file, wbuf.data(), _IOFBF, wbuf.size());
  std::string head;
  for (const Row& r : rows_) {
    head.clear();
    head.append(reinterpret_cast<const char*>(&r.key), 8);
    head.append(reinterpret_cast<const char*>(&r.seq), 8);
    head.append(reinterpret_cast<const char*>(&r.line), 8);
    head.push_back(static_cast<char>(r.kind));
    put_u32(head, static_cast<std::uint32_t>(r.id.size()));
    head.append(r.id);
    put_u32(head, static_cast<std::uint32_t>(r.payload.size()));
    if (std::fwrite(head.data(), 1, head.size(), run->file) != head.size() ||
        std::fwrite(r.payload.data(), 1, r.payload.size(), run->file) != r.payload.size()) {
      error_ = std::string("cannot write a temporary file in ") + temp_dir_ + " to group CSV rows: " +
               std::strerror(errno);
      return false;
    }
  }
  if (std::fflush(run->file) != 0 || std::fseek(run->file, 0, SEEK_SET) != 0) {
    error_ = std::string("cannot write a temporary file in ") + temp_dir_ + " to group CSV rows: " + std::strerror(errno);
    return false;
  }
  // Read back through a smaller buffer: many runs may be open at once.
  run->buffer.resize(64 * 1024);
  std::setvbuf(run->file, run->buffer.data(), _IOFBF, run->buffer.size());
  runs_.push_back(std::move(run));
  rows_.clear();
  rows_.shrink_to_fit();
  held_ = 0;
  return true;
}

bool RowGroups::fill(std::size_t source) {
  Row& r = heads_[source];
  if (source == runs_.size()) {  // the rows in memory
    if (memory_pos_ >= rows_.size()) return false;
    r = std::move(rows_[memory_pos_++]);
    return true;
  }
  std::FILE* f = runs_[source]->file;
  char head[25];
  const std::size_t got = std::fread(head, 1, sizeof head, f);
  if (got == 0 && std::feof(f)) return false;
  auto fail = [&] {
    error_ = "cannot read back a temporary file of grouped CSV rows";
    return false;
  };
  if (got != sizeof head) return fail();
  std::memcpy(&r.key, head, 8);
  std::memcpy(&r.seq, head + 8, 8);
  std::memcpy(&r.line, head + 16, 8);
  r.kind = static_cast<Kind>(head[24]);
  std::uint32_t len = 0;
  if (std::fread(&len, 1, 4, f) != 4) return fail();
  r.id.resize(len);
  if (len && std::fread(r.id.data(), 1, len, f) != len) return fail();
  if (std::fread(&len, 1, 4, f) != 4) return fail();
  r.payload.resize(len);
  if (len && std::fread(r.payload.data(), 1, len, f) != len) return fail();
  return true;
}

bool RowGroups::finish() {
  if (!error_.empty()) return false;
  std::sort(rows_.begin(), rows_.end(), less);
  const std::size_t sources = runs_.size() + 1;
  heads_.assign(sources, Row{});
  heap_.clear();
  memory_pos_ = 0;
  auto greater = [this](std::size_t a, std::size_t b) { return less(heads_[b], heads_[a]); };
  for (std::size_t s = 0; s < sources; ++s) {
    if (fill(s)) {
      heap_.push_back(s);
      std::push_heap(heap_.begin(), heap_.end(), greater);
    } else if (!error_.empty()) {
      return false;
    }
  }
  merging_ = true;
  return true;
}

bool RowGroups::next(Row& out) {
  if (!merging_ || !error_.empty() || heap_.empty()) return false;
  auto greater = [this](std::size_t a, std::size_t b) { return less(heads_[b], heads_[a]); };
  std::pop_heap(heap_.begin(), heap_.end(), greater);
  const std::size_t s = heap_.back();
  heap_.pop_back();
  out = std::move(heads_[s]);
  if (fill(s)) {
    heap_.push_back(s);
    std::push_heap(heap_.begin(), heap_.end(), greater);
  } else if (!error_.empty()) {
    return false;
  }
  return true;
}

}  // namespace chatqa::io
