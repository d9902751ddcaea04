/*
 * fuzz_json.c - libFuzzer target for kcap_json_parse_event (JSON lines in).
 *
 * Each input is one line. Besides "no crash, no leak, no UB", it checks a
 * round-trip property: when a line parses, rendering the event and parsing
 * that rendering must succeed and render to the same bytes. The one known
 * exception is a JSON-typed param whose text starts with '{' or '[' but is
 * not valid JSON (the renderer embeds such text verbatim), which is skipped.
 *
 * Build: cmake -B build-fuzz -DKCAP_FUZZ=ON -DCMAKE_C_COMPILER=clang
 * Run:   build-fuzz/tests/fuzz/fuzz_json -dict=tests/fuzz/json.dict -max_len=4096
 *        NEW_CORPUS_DIR tests/fuzz/json_seeds
 * Every build also replays the seeds with mutations (fuzz_json_replay).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <kcap/kcap.h>
#include "json/json_in.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const kcap_sym open_syms[] = {
	{0, 3, "O_RDONLY"}, {1, 3, "O_WRONLY"}, {2, 3, "O_RDWR"}, {0x40, 0x40, "O_CREAT"}, {0x80000, 0x80000, "O_CLOEXEC"},
};
static const kcap_sym errno_syms[] = {{1, 0, "EPERM"}, {2, 0, "ENOENT"}};
static const kcap_sym zero_syms[] = {{0, 0, "NONE"}, {4, 4, "FOUR"}};

static kcap_schema *schema;
static kcap_json_scratch *scratch;
static unsigned runs;

/* A type with one param of every type (named after it; json at the top
 * level), and a small one. */
static void setup(void)
{
	kcap_schema_free(schema);
	kcap_json_scratch_free(scratch);
	schema = kcap_schema_new();
	scratch = kcap_json_scratch_new();
	if (!schema || !scratch)
		abort();
	kcap_symset fl = {1, KCAP_SYMSET_FLAGS, "open_flags", 5, open_syms};
	kcap_symset er = {2, KCAP_SYMSET_ENUM, "errno", 2, errno_syms};
	kcap_symset zf = {3, KCAP_SYMSET_FLAGS, "zero", 2, zero_syms};
	kcap_param_def ps[KCAP_T_MAX_ + 1];
	for (int t = 1; t <= KCAP_T_MAX_; t++) {
		ps[t - 1].name = kcap_ptype_name(t);
		ps[t - 1].type = (uint8_t)t;
		ps[t - 1].flags = t == KCAP_T_JSON ? KCAP_PF_TOPLEVEL : 0;
		ps[t - 1].symset = t == KCAP_T_FLAGS ? 1 : t == KCAP_T_ERRNO ? 2 : t == KCAP_T_ENUM ? 3 : 0;
	}
	ps[KCAP_T_MAX_] = (kcap_param_def){"rawflags", KCAP_T_FLAGS, 0, 0};
	kcap_type_def all = {1, "all", "test", "", KCAP_T_MAX_ + 1, ps};
	kcap_param_def op[] = {{"path", KCAP_T_PATH, KCAP_PF_TOPLEVEL, 0}, {"flags", KCAP_T_FLAGS, 0, 1}};
	kcap_type_def open = {2, "open", "file", "", 2, op};
	if (kcap_schema_add_symset(schema, &fl) || kcap_schema_add_symset(schema, &er) ||
	    kcap_schema_add_symset(schema, &zf) || kcap_schema_add_type(schema, &all) ||
	    kcap_schema_add_type(schema, &open))
		abort();
}

/* 1 if ev has a JSON param whose text the renderer cannot embed. */
static int unrenderable(const kcap_event *ev)
{
	for (uint32_t i = 0; i < ev->nparams; i++) {
		const kcap_value *v = &ev->params[i];
		if (v->type != KCAP_T_JSON || !v->present || !v->len || (v->p[0] != '{' && v->p[0] != '['))
			continue;
		json_t *j = json_loadb((const char *)v->p, v->len, JSON_ALLOW_NUL, NULL);
		if (!j)
			return 1;
		json_decref(j);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!schema || ++runs % 2048 == 0)
		setup(); /* keep inferred types from piling up */
	kcap_event ev;
	kcap_error err;
	memset(&err, 0, sizeof err);
	int rc = kcap_json_parse_event(scratch, (const char *)data, size, schema, &ev, &err);
	if (rc) {
		/* a syntax error points into the line (or just past its end) */
		if (rc == KCAP_E_SYNTAX && (err.column < 1 || (size_t)err.column > size + 1 || !err.msg[0]))
			abort();
		return 0;
	}
	if (unrenderable(&ev))
		return 0;
	kcap_buf b1 = {0}, b2 = {0};
	if (kcap_render_json(&b1, &ev, schema))
		abort();
	/* the same scratch: inferred types resolve to the variant just used */
	if (kcap_json_parse_event(scratch, b1.data, b1.len, schema, &ev, &err))
		abort();
	if (kcap_render_json(&b2, &ev, schema) || b1.len != b2.len || memcmp(b1.data, b2.data, b1.len))
		abort();
	kcap_buf_free(&b1);
	kcap_buf_free(&b2);
	return 0;
}
