/* importers.c - the table of foreign formats (importer.h). A new format is
 * a folder formats/<name>/ with its CMakeLists.txt, defining its
 * kcap_importer, and one line in each list here. */
#include "importer.h"

extern const kcap_importer kcap_json_importer;  /* formats/json */
extern const kcap_importer kcap_audit_importer; /* formats/audit */
extern const kcap_importer kcap_etl_importer;   /* formats/etw */

const kcap_importer *const kcap_importers[] = {
	&kcap_json_importer,
	&kcap_audit_importer,
	&kcap_etl_importer,
	NULL,
};
