/* Anchor of the kcap_formats library; the formats live in subfolders. */
#include <kcap/kcap.h>
const char *kcap_formats_version(void);
const char *kcap_formats_version(void) { return KCAP_VERSION_STRING; }
