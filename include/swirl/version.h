/* swirl/version.h — version numbers and the export macro every header uses. */
#ifndef SWIRL_VERSION_H
#define SWIRL_VERSION_H

#define SWIRL_VERSION_MAJOR 0
#define SWIRL_VERSION_MINOR 1
#define SWIRL_VERSION_PATCH 0
#define SWIRL_VERSION_STRING "0.1.0"
/* One integer that grows with every release: 0xMMmmpp. */
#define SWIRL_VERSION_HEX                                                                          \
    ((SWIRL_VERSION_MAJOR << 16) | (SWIRL_VERSION_MINOR << 8) | SWIRL_VERSION_PATCH)

/* The library is built with -fvisibility=hidden; only SWIRL_API symbols are
 * exported from libswirl.so. */
#if defined(__GNUC__)
#define SWIRL_API __attribute__((visibility("default")))
#else
#define SWIRL_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the library actually linked, e.g. "0.1.0". Static string. */
SWIRL_API const char *swirl_version_string(void);

/* SWIRL_VERSION_HEX of the library actually linked. */
SWIRL_API unsigned swirl_version_hex(void);

#ifdef __cplusplus
}
#endif
#endif
