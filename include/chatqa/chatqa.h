/* chatqa — the C API.
 *
 * For programs in any language that can call C (Java, Go, Python, PHP,
 * Node, ...): rule sets, sessions, messages and reports cross this API as
 * UTF-8 JSON text, in the formats of docs/rules.md and README.md; no C++
 * type crosses it, and no exception escapes it.
 *
 *   char* diagnostics = NULL;
 *   chatqa_rules* rules = chatqa_rules_compile_file("rules/zh-CN/online-chat.json", &diagnostics);
 *   if (!rules) { fprintf(stderr, "%s\n", diagnostics); ... }
 *   chatqa_string_free(diagnostics);
 *   char* report = chatqa_score(rules, session_json, strlen(session_json));
 *   puts(report);   // the line `chatqa score` writes for this session
 *   chatqa_string_free(report);
 *   chatqa_rules_free(rules);
 *
 * Ownership: every `char*` a function returns is a NUL-terminated string
 * the caller owns and frees with chatqa_string_free() (not free()). Input
 * strings are only read during the call; `len` is their length in bytes
 * (they need not be NUL-terminated). A function returns NULL only where
 * its comment says so; then chatqa_last_error() says why.
 *
 * Thread safety: a chatqa_rules* is immutable once compiled and may be used
 * from any number of threads at once (chatqa_score, chatqa_live_open). A
 * chatqa_live* is used from one thread at a time (the caller serialises).
 *
 * ABI: the library is libchatqa.so.CHATQA_ABI_VERSION; functions are only
 * added, never changed, while that number stays. The number also changes
 * when the C++ API's structs change (docs/embedding.md "ABI"); the C
 * functions and their JSON stay compatible across it.
 */
#ifndef CHATQA_CHATQA_H
#define CHATQA_CHATQA_H

#include <stddef.h>

#if defined(__GNUC__) || defined(__clang__)
#define CHATQA_C_API __attribute__((visibility("default")))
#else
#define CHATQA_C_API
#endif

#define CHATQA_ABI_VERSION 2

#ifdef __cplusplus
extern "C" {
#endif

/* A compiled rule set. */
typedef struct chatqa_rules chatqa_rules;
/* A chat scored while it runs. */
typedef struct chatqa_live chatqa_live;

/* "MAJOR.MINOR.PATCH" of the library. Static storage: do not free. */
CHATQA_C_API const char* chatqa_version(void);

/* Compiles rule-set JSON text. Lexicon files named in it resolve relative to
 * `base_dir` (NULL or "" = the current directory). Returns NULL if the rule
 * set has errors. If `diagnostics_json` is not NULL, *diagnostics_json is
 * set to a JSON array of the errors and warnings (empty: "[]"), each
 * {"severity","code","message","file","pointer","line","column","text"}
 * ("text" is the one-line form file:line:col: error[E0102]: ...); the caller
 * frees it. It is NULL only if memory ran out. */
CHATQA_C_API chatqa_rules* chatqa_rules_compile(const char* rules_json, size_t len, const char* base_dir,
                                                char** diagnostics_json);

/* Compiles the rule file at `path` (lexicons resolve relative to it). As
 * chatqa_rules_compile otherwise. */
CHATQA_C_API chatqa_rules* chatqa_rules_compile_file(const char* path, char** diagnostics_json);

/* Scores one session (a JSON object). Returns its report, one line of JSON
 * byte-identical to what `chatqa score` writes for it, or, if the session
 * cannot be read, an error record {"error":{"code","message","input":"","line",
 * "pointer"}} (codes in docs/diagnostics.md). NULL only if `rules` is NULL or
 * memory ran out. */
CHATQA_C_API char* chatqa_score(const chatqa_rules* rules, const char* session_json, size_t len);

/* Opens a live session. `session_json` is the session's header: an object
 * with "id" and optionally "agent", "team", "meta" and "messages" (messages
 * already exchanged; they are added in order). The live session keeps its
 * own reference to the rule set: chatqa_rules_free may come first. Returns
 * NULL if the header cannot be read (chatqa_last_error() says why). */
CHATQA_C_API chatqa_live* chatqa_live_open(const chatqa_rules* rules, const char* session_json, size_t len);

/* Adds one message ({"role","time","text","event"}, as in a session) and
 * returns the report so far: items that can only be decided at the end of the
 * chat are "pending". A message that cannot be read is not added; the result
 * is then an error record, as chatqa_score's. After close: an error record.
 * NULL only if `live` is NULL or memory ran out. */
CHATQA_C_API char* chatqa_live_add(chatqa_live* live, const char* message_json, size_t len);

/* What will be broken if nothing happens: a JSON array of the deadlines of
 * the chat that are due by `now_epoch_seconds` (e.g. the customer has waited
 * 25 s of a 30 s reply limit; a promised return after a hold has 20 s left)
 * or already missed, earliest first. Each is {"item","kind","message","since",
 * "deadline","limit_seconds","remaining_seconds","explanation"}; see
 * docs/embedding.md. NULL only if `live` is NULL or memory ran out. */
CHATQA_C_API char* chatqa_live_due(chatqa_live* live, double now_epoch_seconds);

/* Closes the session and returns its final report: byte-identical to
 * chatqa_score on the whole session. Closing again returns the same report.
 * NULL only if `live` is NULL or memory ran out. */
CHATQA_C_API char* chatqa_live_close(chatqa_live* live);

/* Free functions; each accepts NULL. */
CHATQA_C_API void chatqa_live_free(chatqa_live* live);
CHATQA_C_API void chatqa_rules_free(chatqa_rules* rules);
CHATQA_C_API void chatqa_string_free(char* s);

/* Why the last call on this thread that returned NULL did so ("" if it did
 * not). Valid until the next chatqa call on the same thread; do not free. */
CHATQA_C_API const char* chatqa_last_error(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CHATQA_CHATQA_H */
