/*
 * archive_dl.h - libarchive opened at first use, not linked (archive_dl.c
 * says why and how). Not in the Windows build, which has no libarchive
 * (noarchive.h).
 *
 * archive_read_new(), archive_write_new() and archive_entry_new() return
 * NULL when libarchive cannot be opened or lacks a function kcap calls;
 * kcap_archive_dl_error() then gives the reason, naming the library (a
 * static string), and NULL while libarchive is usable. Nothing here prints.
 */
#ifndef KCAP_FORMATS_ARCHIVE_DL_H
#define KCAP_FORMATS_ARCHIVE_DL_H

const char *kcap_archive_dl_error(void);

#endif
