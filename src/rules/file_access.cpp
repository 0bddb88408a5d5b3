// Confined reads of the files a rule file names (see file_access.hpp).
#include "rules/file_access.hpp"

#include <filesystem>
#include <system_error>

#include "rules/read_file.hpp"

namespace chatqa::detail {

namespace fs = std::filesystem;

std::string canonical_dir(const std::string& dir) {
  std::error_code ec;
  const fs::path p = fs::canonical(dir.empty() ? fs::path(".") : fs::path(dir), ec);
  if (ec || !fs::is_directory(p, ec)) return {};
  return p.string();
}

bool path_inside(const std::string& path, const std::string& root) {
  if (root.empty() || path.empty()) return false;
  if (root == "/") return true;
  return path.size() >= root.size() && path.compare(0, root.size(), root) == 0 &&
         (path.size() == root.size() || path[root.size()] == '/');
}

std::string resolved_path(const std::string& path) {
  std::error_code ec;
  const fs::path absolute = fs::absolute(path.empty() ? fs::path(".") : fs::path(path), ec);
  if (ec) return {};
  const fs::path target = fs::weakly_canonical(absolute, ec);
  return ec ? std::string() : target.string();
}

namespace {

std::string normalised(const std::string& path) {
  if (path.empty()) return path;
  std::string out = fs::path(path).lexically_normal().string();
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace

std::string FileAccess::join(const std::string& base, const std::string& rel) {
  if (rel.empty() || rel[0] == '/' || base.empty()) return rel;
  return base.back() == '/' ? base + rel : base + "/" + rel;
}

FileAccess::FileAccess(const CompileOptions& options, const std::string& base_dir) : options_(options) {
  if (options.file_resolver) return;
  auto add = [](std::vector<std::string>& to, const std::string& dir) {
    const std::string c = canonical_dir(dir);
    if (!c.empty()) to.push_back(c);
  };
  add(roots_, base_dir);
  add(roots_, join(base_dir.empty() ? std::string("..") : base_dir + "/..", "lexicons"));
  for (const std::string& root : options.allowed_roots) add(roots_, root);
  add(word_roots_, "/usr/share/dict");
  add(word_roots_, "/usr/share/hunspell");
}

bool FileAccess::allowed(const std::string& canonical, std::string_view kind) const {
  for (const std::string& root : roots_) {
    if (path_inside(canonical, root)) return true;
  }
  if (kind == "known_words") {
    for (const std::string& root : word_roots_) {
      if (path_inside(canonical, root)) return true;
    }
  }
  return false;
}

NamedFileRead FileAccess::read(const NamedPath& path, std::string_view kind, std::size_t max_bytes) const {
  NamedFileRead out;
  if (options_.file_resolver) {
    FileRequest request;
    request.path = path.written;
    request.resolved = normalised(path.joined);
    request.kind = std::string(kind);
    FileContent content;
    try {
      content = options_.file_resolver(request);
    } catch (const std::exception& e) {
      content.ok = false;
      content.error = std::string("the file resolver failed: ") + e.what();
    } catch (...) {
      content.ok = false;
      content.error = "the file resolver failed";
    }
    if (!content.ok) {
      out.error = content.error.empty() ? "not found" : content.error;
      return out;
    }
    if (content.text.size() > max_bytes) {
      out.error = "larger than the limit of " + byte_size_text(max_bytes) + " (" + std::to_string(content.text.size()) +
                  " bytes)";
      return out;
    }
    out.text = std::move(content.text);
    out.ok = true;
    return out;
  }
  // Symlinks and ".." are resolved before the check: what is read is what was checked.
  const std::string target = resolved_path(path.joined);
  if (target.empty() || !allowed(target, kind)) {
    out.refused = true;
    const bool absolute = !path.written.empty() && path.written[0] == '/';
    out.error = absolute ? "an absolute path outside the folders a rule file may read"
                         : "outside the folders a rule file may read (\"..\" or a symlink leaves them)";
    return out;
  }
  FileRead file = read_file_limited(target, max_bytes);
  out.ok = file.ok;
  out.text = std::move(file.text);
  out.error = std::move(file.error);
  return out;
}

}  // namespace chatqa::detail
