#include <stdio.h>
#include <string.h>
#include "taipan.h"

#ifndef TAIPAN_PREFIX
#error "build with -DTAIPAN_PREFIX='\"/the/install/prefix\"'"
#endif

/* The prefix is compiled in, as autotools' datadir is; the installer rewrites it in this
   binary. Each path is a single string literal, so the rewrite keeps the part after the
   prefix and pads the string with NULs. */
static const char prefix[] = TAIPAN_PREFIX;
static const char greetings_file[] = TAIPAN_PREFIX "/share/taipan-greetings/greetings.txt";

const char *taipan_greeting(const char *lang) {
  static char line[512];
  const char *found = NULL;
  size_t n = strlen(lang);
  FILE *f = fopen(greetings_file, "r");
  if (!f) return NULL;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, lang, n) == 0 && line[n] == ' ') {
      line[strcspn(line, "\n")] = '\0';
      found = line + n + 1;
      break;
    }
  }
  fclose(f);
  return found;
}

const char *taipan_prefix(void) {
  return prefix;
}

const char *taipan_version(void) {
  return TAIPAN_VERSION;
}
