/**
 * @file campaign_io.h
 * @brief Reading a campaign YAML file into an ate_campaign_spec (docs/input-reference.md).
 *        Not collective.
 *
 * Errors are ATE_ERR_INPUT (ATE_ERR_IO for an unreadable file) with file, line, column and the key
 * path ("families[1].lateral.dopants[0]", 0-based list indices): unknown keys (listing the allowed
 * ones), wrong types, out-of-range values, unknown elements, families, ligands or adsorbates,
 * duplicated keys, YAML syntax errors. On error the spec is left cleared.
 */
#ifndef ATESCREEN_CAMPAIGN_IO_H
#define ATESCREEN_CAMPAIGN_IO_H

#include "atescreen/campaign_spec.h"
#include "atescreen/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Read path; keeps the text verbatim in spec->yaml_text and the path in spec->source_file. */
ATE_API ate_status ate_campaign_read(const char *path, ate_campaign_spec *spec, ate_error *err);
/** Parse YAML text; name (may be NULL) is used in messages and kept in spec->source_file so that
 *  later stages can point at the file too. The text is copied into spec->yaml_text. */
ATE_API ate_status ate_campaign_parse(const char *text, const char *name, ate_campaign_spec *spec,
                                      ate_error *err);

#ifdef __cplusplus
}
#endif
#endif /* ATESCREEN_CAMPAIGN_IO_H */
