// chatqa serve -r RULES: scoring over HTTP/1.1 (docs/embedding.md).
//
//   POST /v1/score                   one session, an array or JSON Lines -> JSON Lines of reports
//   POST /v1/live                    a live session's header -> {"id": ...}
//   POST /v1/live/{id}/messages      one message (or JSON Lines of them) -> {"report": ..., "due": [...]}
//   GET  /v1/live/{id}/due?now=SECS  -> the due warnings by then (default: now)
//   POST /v1/live/{id}/close         -> the final report; the session is gone
//   GET  /healthz                    -> {"status":"ok", ...}
//
// The rule set is compiled at start and again on SIGHUP: requests under way
// finish with the rule set they started with, later ones use the new one (a
// live session keeps the rule set it was opened with). A rule file with
// errors on SIGHUP is reported on stderr and the old rule set stays.
// SIGINT / SIGTERM stop the server after the requests under way.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "rule_options.hpp"
#include "capi/live_json.hpp"
#include "chatqa/chatqa.hpp"
#include "commands.hpp"

namespace chatqa::cli {
namespace {

struct ServeArgs {
  std::string rules;
  std::string host = "127.0.0.1";
  int port = 8080;
  unsigned threads = 8;
  std::size_t max_request_bytes = 16u << 20;
  std::size_t max_live_sessions = 10000;
  double idle_timeout = 1800;
  std::string token_file;
  std::string utc_offset = "+08:00";
};

using Clock = std::chrono::steady_clock;

struct LiveEntry {
  std::mutex mutex;  // one request at a time per live session
  LiveSession session;
  Clock::time_point last_used;
  explicit LiveEntry(LiveSession s) : session(std::move(s)), last_used(Clock::now()) {}
};

class Service {
 public:
  explicit Service(const ServeArgs& args) : args_(args), ids_(std::random_device{}()) {}

  // Compiles the rule file; keeps the old rule set on errors. Returns whether it loaded.
  bool load_rules() {
    CompileResult compiled = compile_rule_file(args_.rules, compile_options());
    for (const Diagnostic& d : compiled.diagnostics) std::cerr << d.to_string() << "\n";
    if (!compiled.ok()) return false;
    std::lock_guard<std::mutex> lock(rules_mutex_);
    rules_ = compiled.rule_set;
    ++reloads_;
    return true;
  }

  std::shared_ptr<const RuleSet> rules() {
    std::lock_guard<std::mutex> lock(rules_mutex_);
    return rules_;
  }

  void set_session_options(const SessionOptions& o) { session_options_ = o; }

  // Authorization: Bearer TOKEN, when a token is set.
  bool authorized(const httplib::Request& req) const {
    if (token_.empty()) return true;
    const std::string header = req.get_header_value("Authorization");
    const std::string want = "Bearer " + token_;
    // Compared in constant time: the token is a secret.
    if (header.size() != want.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < want.size(); ++i) diff |= static_cast<unsigned char>(header[i] ^ want[i]);
    return diff == 0;
  }
  void set_token(std::string token) { token_ = std::move(token); }

  void score(const httplib::Request& req, httplib::Response& res) {
    const std::shared_ptr<const RuleSet> rules = this->rules();
    thread_local EvalScratch scratch;
    thread_local Report report;
    thread_local std::string json;
    std::string out;
    bool any_error = false;
    for (const ParsedSession& p : parse_sessions(req.body, session_options_)) {
      if (p.error) {
        any_error = true;
        out += error_record_json(*p.error, "request");
      } else {
        evaluate(*rules, *p.session, scratch, report);
        to_json(report, json);
        out += json;
      }
      out += '\n';
    }
    res.set_content(out, "application/x-ndjson");
    res.set_header("X-Chatqa-Errors", any_error ? "1" : "0");
  }

  void open_live(const httplib::Request& req, httplib::Response& res) {
    Session header;
    InputError error;
    if (!detail::parse_live_header(req.body, header, error)) return input_problem(res, 400, error);
    auto entry = std::make_shared<LiveEntry>(LiveSession(rules(), std::move(header)));
    std::string id;
    {
      std::lock_guard<std::mutex> lock(live_mutex_);
      if (live_.size() >= args_.max_live_sessions) {
        return input_problem(res, 503,
                             detail::input_error("E0704", "too many live sessions (the limit is " +
                                                              std::to_string(args_.max_live_sessions) + ")"));
      }
      do {
        id = new_id();
      } while (live_.count(id));
      live_.emplace(id, entry);
    }
    std::string body = "{\"id\":\"" + id + "\",\"report\":";
    {
      std::lock_guard<std::mutex> lock(entry->mutex);
      body += to_json(entry->session.report());
    }
    body += "}";
    res.status = 201;
    res.set_content(body, "application/json");
  }

  void add_messages(const std::string& id, const httplib::Request& req, httplib::Response& res) {
    auto entry = find(id, res);
    if (!entry) return;
    std::lock_guard<std::mutex> lock(entry->mutex);
    entry->last_used = Clock::now();
    if (entry->session.closed()) return input_problem(res, 409, detail::input_error("E0701", "the live session is closed"));
    // One message, or JSON Lines of several: all are read before any is added.
    std::vector<Message> messages;
    std::size_t line_no = 0, pos = 0;
    const std::string& body = req.body;
    while (pos <= body.size()) {
      std::size_t end = body.find('\n', pos);
      if (end == std::string::npos) end = body.size();
      ++line_no;
      std::string_view line(body.data() + pos, end - pos);
      pos = end + 1;
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      Message m;
      InputError error;
      if (!detail::parse_live_message(line, m, error)) {
        error.line = line_no;
        return input_problem(res, 400, error);
      }
      messages.push_back(std::move(m));
    }
    if (messages.empty()) return input_problem(res, 400, detail::input_error("E0202", "no message in the request"));
    for (Message& m : messages) entry->session.add(std::move(m));
    // Warnings due at the request's `now`, else at the time of the chat's last message.
    std::int64_t now_ms = entry->session.session().messages.back().time.epoch_ms;
    if (req.has_param("now") && !now_param(req, res, now_ms)) return;
    std::string out = "{\"report\":" + to_json(entry->session.report()) +
                      ",\"due\":" + detail::due_json(entry->session.due(now_ms)) + "}";
    res.set_content(out, "application/json");
  }

  void due(const std::string& id, const httplib::Request& req, httplib::Response& res) {
    auto entry = find(id, res);
    if (!entry) return;
    std::int64_t now_ms = static_cast<std::int64_t>(std::time(nullptr)) * 1000;
    if (req.has_param("now") && !now_param(req, res, now_ms)) return;
    std::lock_guard<std::mutex> lock(entry->mutex);
    entry->last_used = Clock::now();
    res.set_content(detail::due_json(entry->session.due(now_ms)), "application/json");
  }

  void close_live(const std::string& id, httplib::Response& res) {
    std::shared_ptr<LiveEntry> entry;
    {
      std::lock_guard<std::mutex> lock(live_mutex_);
      auto it = live_.find(id);
      if (it != live_.end()) {
        entry = it->second;
        live_.erase(it);
      }
    }
    if (!entry) return unknown_live(id, res);
    std::lock_guard<std::mutex> lock(entry->mutex);
    res.set_content(to_json(entry->session.close()), "application/json");
  }

  void health(httplib::Response& res) {
    const auto rules = this->rules();
    std::size_t live;
    {
      std::lock_guard<std::mutex> lock(live_mutex_);
      live = live_.size();
    }
    std::string out = "{\"status\":\"ok\",\"version\":\"" + std::string(version()) + "\",\"rule_set\":{\"name\":" +
                      quoted(rules->name()) + ",\"version\":" + quoted(rules->version()) +
                      "},\"reloads\":" + std::to_string(reloads_ - 1) + ",\"live_sessions\":" + std::to_string(live) +
                      "}";
    res.set_content(out, "application/json");
  }

  // Drops live sessions idle longer than the idle timeout.
  std::size_t expire_idle() {
    const auto limit = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(args_.idle_timeout));
    const auto now = Clock::now();
    std::lock_guard<std::mutex> lock(live_mutex_);
    std::size_t dropped = 0;
    for (auto it = live_.begin(); it != live_.end();) {
      std::unique_lock<std::mutex> entry_lock(it->second->mutex, std::try_to_lock);
      if (entry_lock.owns_lock() && now - it->second->last_used > limit) {
        entry_lock.unlock();
        it = live_.erase(it);
        ++dropped;
      } else {
        ++it;
      }
    }
    return dropped;
  }

  static void problem(httplib::Response& res, int status, const std::string& code, const std::string& message) {
    InputError e = detail::input_error(code.c_str(), message);
    input_problem(res, status, e);
  }

 private:
  static void input_problem(httplib::Response& res, int status, const InputError& error) {
    res.status = status;
    res.set_content(error_record_json(error, "request"), "application/json");
  }

  static std::string quoted(const std::string& s) { return nlohmann::json(s).dump(); }

  bool now_param(const httplib::Request& req, httplib::Response& res, std::int64_t& now_ms) {
    const std::string text = req.get_param_value("now");
    char* end = nullptr;
    const double seconds = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !std::isfinite(seconds) || std::fabs(seconds) > 253402300799.0) {
      problem(res, 400, "E0706", "bad \"now\": \"" + text + "\" (expected epoch seconds)");
      return false;
    }
    now_ms = static_cast<std::int64_t>(std::llround(seconds * 1000.0));
    return true;
  }

  std::shared_ptr<LiveEntry> find(const std::string& id, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(live_mutex_);
    auto it = live_.find(id);
    if (it == live_.end()) {
      unknown_live(id, res);
      return nullptr;
    }
    return it->second;
  }

  static void unknown_live(const std::string& id, httplib::Response& res) {
    problem(res, 404, "E0702", "no live session \"" + id + "\" (closed, expired after the idle timeout, or never opened)");
  }

  std::string new_id() {
    static const char hex[] = "0123456789abcdef";
    std::string id(16, '0');
    for (char& c : id) c = hex[ids_() & 15];
    return id;
  }

  const ServeArgs& args_;
  SessionOptions session_options_;
  std::string token_;
  std::mutex rules_mutex_;
  std::shared_ptr<const RuleSet> rules_;
  std::atomic<int> reloads_{0};
  std::mutex live_mutex_;
  std::map<std::string, std::shared_ptr<LiveEntry>> live_;
  std::mt19937_64 ids_;  // guarded by live_mutex_
};

// The service's session options (--utc-offset) and token (--token-file); false after telling why not.
bool configure_service(const ServeArgs& args, Service& service) {
  SessionOptions session_options;
  {
    // Same zone syntax as score's --utc-offset: +HH:MM / -HH:MM.
    const std::string& z = args.utc_offset;
    int hh = 0, mm = 0;
    char sign = 0;
    if (std::sscanf(z.c_str(), "%c%2d:%2d", &sign, &hh, &mm) != 3 || (sign != '+' && sign != '-') || hh > 14 ||
        mm > 59) {
      std::cerr << "chatqa serve: bad --utc-offset \"" << z << "\" (expected +HH:MM or -HH:MM)\n";
      return false;
    }
    session_options.default_utc_offset_minutes = (sign == '-' ? -1 : 1) * (hh * 60 + mm);
  }
  service.set_session_options(session_options);
  if (!args.token_file.empty()) {
    std::ifstream in(args.token_file);
    std::string token;
    if (!in || !std::getline(in, token) || token.empty()) {
      std::cerr << "chatqa serve: cannot read a token from " << args.token_file << "\n";
      return false;
    }
    while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
    service.set_token(token);
  }
  return true;
}

// The endpoints (docs/embedding.md) and the error records of requests no endpoint answers.
void add_routes(httplib::Server& server, Service& service) {
  // Every /v1/ route needs the token (when one is set). Checked in the
  // handler, after the body is read: a pre-routing refusal would leave the
  // body unread on a kept-alive connection.
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  auto authorized = [&service](Handler handler) {
    return [&service, handler](const httplib::Request& req, httplib::Response& res) {
      if (!service.authorized(req)) {
        Service::problem(res, 401, "E0705", "missing or wrong bearer token");
        res.set_header("WWW-Authenticate", "Bearer");
        return;
      }
      handler(req, res);
    };
  };
  server.Get("/healthz", [&service](const httplib::Request&, httplib::Response& res) { service.health(res); });
  server.Post("/v1/score", authorized([&service](const httplib::Request& req, httplib::Response& res) {
                service.score(req, res);
              }));
  server.Post("/v1/live", authorized([&service](const httplib::Request& req, httplib::Response& res) {
                service.open_live(req, res);
              }));
  server.Post(R"(/v1/live/([0-9a-f]+)/messages)", authorized([&service](const httplib::Request& req, httplib::Response& res) {
                service.add_messages(req.matches[1], req, res);
              }));
  server.Get(R"(/v1/live/([0-9a-f]+)/due)", authorized([&service](const httplib::Request& req, httplib::Response& res) {
               service.due(req.matches[1], req, res);
             }));
  server.Post(R"(/v1/live/([0-9a-f]+)/close)", authorized([&service](const httplib::Request& req, httplib::Response& res) {
                service.close_live(req.matches[1], res);
              }));
  server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;  // a handler's own error record
    if (res.status == 413) {
      Service::problem(res, 413, "E0703", "request too large");
    } else if (res.status == 404) {
      Service::problem(res, 404, "E0707", "no such endpoint: " + req.method + " " + req.path);
    } else {
      Service::problem(res, res.status, "E0706", "bad request");
    }
  });
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    Service::problem(res, 500, "E0706", "internal error");
  });
}

int run_serve(const ServeArgs& args) {
  Service service(args);
  if (!configure_service(args, service)) return kExitUsage;
  if (!service.load_rules()) return kExitUsage;

  // Signals go to one thread (sigwait), not to whichever thread runs.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  httplib::Server server;
  const unsigned threads = std::max(1u, args.threads);
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(args.max_request_bytes);
  server.set_keep_alive_max_count(1000);

  add_routes(server, service);

  const int port = args.port == 0 ? server.bind_to_any_port(args.host) : (server.bind_to_port(args.host, args.port) ? args.port : -1);
  if (port < 0) {
    std::cerr << "chatqa serve: cannot listen on " << args.host << ":" << args.port << "\n";
    return kExitUsage;
  }
  const auto rules = service.rules();
  std::cerr << "chatqa serve: listening on http://" << args.host << ":" << port << " with " << rules->name() << " "
            << rules->version() << std::endl;

  std::atomic<bool> stopping{false};
  std::thread signal_thread([&] {
    while (true) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) continue;
      if (sig == SIGHUP && !stopping) {
        if (service.load_rules()) {
          const auto r = service.rules();
          std::cerr << "chatqa serve: reloaded " << r->name() << " " << r->version() << std::endl;
        } else {
          std::cerr << "chatqa serve: " << args.rules << " has errors; the rule set in use stays" << std::endl;
        }
        continue;
      }
      stopping = true;
      server.stop();
      return;
    }
  });
  std::mutex janitor_mutex;
  std::condition_variable janitor_wake;
  std::thread janitor([&] {
    std::unique_lock<std::mutex> lock(janitor_mutex);
    const auto period = std::chrono::duration<double>(std::min(60.0, std::max(0.05, args.idle_timeout / 4)));
    while (!janitor_wake.wait_for(lock, period, [&] { return stopping.load(); })) service.expire_idle();
  });

  server.listen_after_bind();
  stopping = true;
  janitor_wake.notify_all();
  janitor.join();
  // The signal thread may still wait: wake it (the signal is blocked, so it goes to sigwait).
  if (signal_thread.joinable()) {
    pthread_kill(signal_thread.native_handle(), SIGTERM);
    signal_thread.join();
  }
  std::cerr << "chatqa serve: stopped" << std::endl;
  return kExitOk;
}

}  // namespace

void add_serve_command(CLI::App& app, std::function<int()>& run) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Score over HTTP: POST /v1/score, live sessions under /v1/live, GET /healthz (see docs/embedding.md).\n"
      "The rule set is reloaded on SIGHUP; SIGINT/SIGTERM stop the server.");
  cmd->add_option("-r,--rules", args->rules, "Rule file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--host", args->host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", args->port, "Port (0: any free port, printed on stderr)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "Worker threads")->check(CLI::Range(1u, 1024u))->capture_default_str();
  cmd->add_option("--max-request-bytes", args->max_request_bytes, "Largest request body (larger: 413, E0703)")
      ->capture_default_str();
  cmd->add_option("--max-live-sessions", args->max_live_sessions, "Most live sessions open at once (more: 503, E0704)")
      ->capture_default_str();
  cmd->add_option("--idle-timeout", args->idle_timeout, "Seconds after which an unused live session is dropped")
      ->check(CLI::Range(0.05, 1e7))
      ->capture_default_str();
  cmd->add_option("--token-file", args->token_file,
                  "File whose first line is a bearer token every /v1/ request must carry (Authorization: Bearer ...)");
  cmd->add_option("--utc-offset", args->utc_offset, "Offset of times without one")->capture_default_str();
  cmd->callback([args, &run] { run = [args] { return run_serve(*args); }; });
}

}  // namespace chatqa::cli
