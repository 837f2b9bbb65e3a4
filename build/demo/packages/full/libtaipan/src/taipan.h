/* libtaipan: greetings from the environment the library is installed in. */
#ifndef TAIPAN_H
#define TAIPAN_H

#define TAIPAN_VERSION "1.0.0"

/* The greeting for `lang` ("en", "de", ...) from the environment's taipan-greetings,
   or NULL when there is none. The string belongs to the library and lives until the next call. */
const char *taipan_greeting(const char *lang);

/* The environment the library is installed in. */
const char *taipan_prefix(void);

const char *taipan_version(void);

#endif
