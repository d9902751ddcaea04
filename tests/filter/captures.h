/*
 * captures.h - small, hand-made captures for the filter tests, written with
 * the writer API. Their events are listed in tests/filter/filter.test.
 */
#ifndef KCAP_TEST_FILTER_CAPTURES_H
#define KCAP_TEST_FILTER_CAPTURES_H

#include <stdint.h>
#include <kcap/kcap.h>

/* 2026-11-21T10:00:00Z; event seq N of "base" is at T0 + N seconds. */
#define CAP_T0 1795255200000000000LL

/* Writes the named capture ("base" or "multi") to path with events blocks of
 * about block_size bytes. Returns 0 or a negative KCAP_E_* code. */
int cap_write(const char *name, const char *path, uint32_t block_size);

#endif
