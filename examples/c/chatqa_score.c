/* chatqa_score — scores chat sessions through the C API.
 *
 *   chatqa_score RULES [SESSIONS.jsonl]    (standard input without SESSIONS)
 *
 * Compiles the rule file once, then writes one report per line of JSON Lines
 * input, flushed as it goes: for sessions that can be read, the same bytes
 * as `chatqa score -r RULES SESSIONS`. A line that cannot be read gives an
 * error record (without the input name and line `chatqa score` adds).
 *
 * Build: cc chatqa_score.c $(pkg-config --cflags --libs chatqa)
 * Exit: 0 all scored, 1 some lines were error records, 2 usage or rule errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chatqa/chatqa.h>

/* Reads one line of any length into *buf (without the newline); -1 at EOF. */
static long read_line(FILE* in, char** buf, size_t* cap) {
  size_t len = 0;
  int c;
  while ((c = fgetc(in)) != EOF && c != '\n') {
    if (len + 1 >= *cap) {
      size_t bigger = *cap ? *cap * 2 : 4096;
      char* p = realloc(*buf, bigger);
      if (!p) return -1;
      *buf = p;
      *cap = bigger;
    }
    (*buf)[len++] = (char)c;
  }
  if (c == EOF && len == 0) return -1;
  if (len > 0 && (*buf)[len - 1] == '\r') --len;
  return (long)len;
}

static int blank(const char* s, long len) {
  for (long i = 0; i < len; ++i) {
    if (s[i] != ' ' && s[i] != '\t') return 0;
  }
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: chatqa_score RULES [SESSIONS.jsonl]   (chatqa %s)\n", chatqa_version());
    return 2;
  }
  char* diagnostics = NULL;
  chatqa_rules* rules = chatqa_rules_compile_file(argv[1], &diagnostics);
  if (!rules) {
    fprintf(stderr, "%s: %s\ndiagnostics: %s\n", argv[1], chatqa_last_error(), diagnostics ? diagnostics : "");
    chatqa_string_free(diagnostics);
    return 2;
  }
  chatqa_string_free(diagnostics);

  FILE* in = argc == 3 ? fopen(argv[2], "rb") : stdin;
  if (!in) {
    perror(argv[2]);
    chatqa_rules_free(rules);
    return 2;
  }
  int status = 0;
  char* line = NULL;
  size_t cap = 0;
  long len;
  while ((len = read_line(in, &line, &cap)) >= 0) {
    if (blank(line, len)) continue;
    char* report = chatqa_score(rules, line, (size_t)len);
    if (!report) {
      fprintf(stderr, "chatqa_score: %s\n", chatqa_last_error());
      status = 2;
      break;
    }
    if (strncmp(report, "{\"error\":", 9) == 0) status = status ? status : 1;
    fputs(report, stdout);
    fputc('\n', stdout);
    fflush(stdout);
    chatqa_string_free(report);
  }
  free(line);
  if (in != stdin) fclose(in);
  chatqa_rules_free(rules);
  return status;
}
