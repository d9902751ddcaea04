/* note.h - lines for the user from code that never prints: formatted here,
 * handed to the caller's callback (as archive_input.h and importer.h take
 * one). */
#ifndef KCAP_FORMATS_NOTE_H
#define KCAP_FORMATS_NOTE_H

typedef void (*kcap_note_fn)(void *ud, const char *line);

/* Formats one line (at most 1023 bytes) and passes it to fn; fn NULL: none. */
void kcap_notef(kcap_note_fn fn, void *ud, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
