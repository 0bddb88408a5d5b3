/* The C API's contract, from C: results and error paths, ownership, NULLs.
 * (The byte-identical reports are checked by the consumer tests.)
 *   test_capi SOURCE_DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chatqa/chatqa.h>

static int failures = 0;

#define EXPECT(cond)                                                      \
  do {                                                                    \
    if (!(cond)) {                                                        \
      fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                         \
    }                                                                     \
  } while (0)

static int contains(const char* s, const char* part) {
  return s && strstr(s, part) != NULL;
}

static char* add(chatqa_live* live, const char* message) {
  return chatqa_live_add(live, message, strlen(message));
}

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  char path[4096];
  snprintf(path, sizeof path, "%s/tests/data/ruletest/good/mini.json", argv[1]);

  EXPECT(strlen(chatqa_version()) >= 5);

  /* Compile from a file: diagnostics "[]", no error. */
  char* diagnostics = NULL;
  chatqa_rules* rules = chatqa_rules_compile_file(path, &diagnostics);
  EXPECT(rules != NULL);
  EXPECT(diagnostics && strcmp(diagnostics, "[]") == 0);
  chatqa_string_free(diagnostics);
  EXPECT(strcmp(chatqa_last_error(), "") == 0);

  /* A broken rule set: NULL, diagnostics with the code and place. */
  const char* bad = "{\"name\": \"x\", \"version\": \"1\", \"total\": 100,\n \"itmes\": []}";
  chatqa_rules* broken = chatqa_rules_compile(bad, strlen(bad), NULL, &diagnostics);
  EXPECT(broken == NULL);
  EXPECT(contains(diagnostics, "\"code\":\"E0102\""));
  EXPECT(contains(diagnostics, "\"line\":2"));
  EXPECT(contains(chatqa_last_error(), "error[E0"));
  chatqa_string_free(diagnostics);
  /* diagnostics_json may be NULL. */
  EXPECT(chatqa_rules_compile(bad, strlen(bad), NULL, NULL) == NULL);
  /* Text need not be NUL-terminated: only `len` bytes are read. */
  char* text = NULL;
  {
    FILE* f = fopen(path, "rb");
    EXPECT(f != NULL);
    if (f) {
      text = malloc(1 << 16);
      size_t n = fread(text, 1, (1 << 16) - 8, f);
      fclose(f);
      memcpy(text + n, "garbage", 7);
      chatqa_rules* again = chatqa_rules_compile(text, n, "", NULL);
      EXPECT(again != NULL);
      chatqa_rules_free(again);
    }
    free(text);
  }

  /* Scoring: a report; an unreadable session: an error record. */
  const char* session =
      "{\"id\": \"C-1\", \"agent\": \"A1\", \"messages\": ["
      "{\"role\": \"customer\", \"time\": \"2024-05-01T10:00:00+08:00\", \"text\": \"在吗\"},"
      "{\"role\": \"agent\", \"time\": \"2024-05-01T10:00:40+08:00\", \"text\": \"我不知道\"}]}";
  char* report = chatqa_score(rules, session, strlen(session));
  EXPECT(contains(report, "{\"session\":\"C-1\",\"agent\":\"A1\""));
  EXPECT(contains(report, "\"id\":\"first_reply\""));
  EXPECT(contains(report, "\"id\":\"no_shirking\""));
  chatqa_string_free(report);
  const char* late_time =
      "{\"id\": \"C-2\", \"messages\": [{\"role\": \"agent\", \"time\": \"soon\", \"text\": \"x\"}]}";
  report = chatqa_score(rules, late_time, strlen(late_time));
  EXPECT(contains(report, "{\"error\":{\"code\":\"E0204\""));
  EXPECT(contains(report, "\"pointer\":\"/messages/0/time\""));
  chatqa_string_free(report);
  report = chatqa_score(rules, "{", 1);
  EXPECT(contains(report, "\"code\":\"E0201\""));
  chatqa_string_free(report);
  report = chatqa_score(rules, "\xff\xfe", 2);
  EXPECT(contains(report, "\"code\":\"E0206\""));
  chatqa_string_free(report);
  EXPECT(chatqa_score(NULL, session, strlen(session)) == NULL);
  EXPECT(contains(chatqa_last_error(), "no rule set"));

  /* Live: open with a header, add, due, close; the rule set may go first. */
  const char* header = "{\"id\": \"C-3\", \"agent\": \"A1\"}";
  chatqa_live* live = chatqa_live_open(rules, header, strlen(header));
  EXPECT(live != NULL);
  chatqa_rules_free(rules);
  rules = NULL;
  report = add(live, "{\"role\": \"customer\", \"time\": 1714528800, \"text\": \"在吗\"}");
  EXPECT(contains(
      report,
      "\"id\":\"first_reply\",\"title\":\"首次响应不超过30秒\",\"category\":\"响应时间\",\"status\":\"pending\""));
  chatqa_string_free(report);
  char* due = chatqa_live_due(live, 1714528800 + 10);
  EXPECT(due && strcmp(due, "[]") == 0);
  chatqa_string_free(due);
  due = chatqa_live_due(live, 1714528800 + 26);
  EXPECT(contains(due, "\"item\":\"first_reply\",\"kind\":\"reply\",\"message\":0"));
  EXPECT(contains(due, "\"remaining_seconds\":4"));
  chatqa_string_free(due);
  report = add(live, "{\"role\": \"boss\", \"time\": 1714528801, \"text\": \"hi\"}");
  EXPECT(contains(report, "{\"error\":{\"code\":\"E0205\""));
  EXPECT(contains(report, "\"pointer\":\"/role\""));
  chatqa_string_free(report);
  report = add(live, "[1, 2]");
  EXPECT(contains(report, "\"code\":\"E0203\""));
  chatqa_string_free(report);
  report = add(live, "{\"role\": \"agent\", \"time\": 1714528805, \"text\": \"您好\"}");
  EXPECT(contains(report, "\"messages\":2"));
  chatqa_string_free(report);
  report = chatqa_live_close(live);
  EXPECT(contains(report, "\"session\":\"C-3\"") && contains(report, "\"score\":100"));
  char* again = chatqa_live_close(live);
  EXPECT(report && again && strcmp(report, again) == 0);
  chatqa_string_free(report);
  chatqa_string_free(again);
  report = add(live, "{\"role\": \"agent\", \"time\": 1714528809, \"text\": \"再见\"}");
  EXPECT(contains(report, "\"code\":\"E0701\""));
  chatqa_string_free(report);
  chatqa_live_free(live);

  /* A bad header: NULL, and the reason as an error record. */
  EXPECT(chatqa_live_open(NULL, header, strlen(header)) == NULL);
  rules = chatqa_rules_compile_file(path, NULL);
  EXPECT(chatqa_live_open(rules, "{\"agent\": 1.5}", 14) == NULL);
  EXPECT(contains(chatqa_last_error(), "\"code\":\"E0202\""));
  EXPECT(chatqa_rules_compile_file(NULL, NULL) == NULL);

  /* NULLs are accepted by the free functions and refused elsewhere. */
  EXPECT(chatqa_live_add(NULL, "{}", 2) == NULL);
  EXPECT(chatqa_live_due(NULL, 0) == NULL);
  EXPECT(chatqa_live_close(NULL) == NULL);
  chatqa_live_free(NULL);
  chatqa_rules_free(NULL);
  chatqa_string_free(NULL);
  chatqa_rules_free(rules);

  if (failures) {
    fprintf(stderr, "%d failures\n", failures);
    return 1;
  }
  printf("C API: all checks pass\n");
  return 0;
}
