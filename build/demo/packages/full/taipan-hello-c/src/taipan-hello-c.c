/* taipan-hello-c: prints a greeting from libtaipan, and where the library is installed. */
#include <stdio.h>
#include <taipan.h>

int main(int argc, char **argv) {
  const char *lang = argc > 1 ? argv[1] : "en";
  const char *greeting = taipan_greeting(lang);
  if (!greeting) {
    fprintf(stderr, "taipan-hello-c: no greeting for language '%s'\n", lang);
    return 1;
  }
  printf("%s\n(libtaipan %s in %s)\n", greeting, taipan_version(), taipan_prefix());
  return 0;
}
