#!/bin/sh
# check_layers.sh SRC_DIR LIBKCAP_A
# The library's arrows run downwards only (docs/ARCHITECTURE.md, "Layers"):
#   query/  (filter, procstate, render)  may use core/ and common/
#   core/   (codec, schema, meta, reader, writer, ...) may use common/ only
#   common/ (buffers, errors, CRC, the JSON escaper, value parsers) uses nothing above it
# Checked twice: by the #include lines of every file, and by the symbols each
# object file of libkcap.a takes from the others (a call site that reaches up
# through a public header shows there). Fails naming every arrow that points up.
set -u
src=$1
lib=$2
rank() { case $1 in common) echo 0 ;; core) echo 1 ;; query) echo 2 ;; *) echo 3 ;; esac; }
bad=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# 1. #include lines. Query-layer public headers count as query/.
for f in $(cd "$src" && find common core query -name '*.[ch]' | sort); do
	layer=${f%%/*}
	r=$(rank "$layer")
	grep -n '^[[:space:]]*#[[:space:]]*include' "$src/$f" | while IFS= read -r line; do
		inc=$(printf '%s\n' "$line" | sed -n 's/.*include[[:space:]]*["<]\([^">]*\)[">].*/\1/p')
		case $inc in
		common/*|core/*|query/*) to=${inc%%/*} ;;
		kcap/filter.h|kcap/procstate.h) to=query ;;
		*) continue ;;
		esac
		if [ "$(rank "$to")" -gt "$r" ]; then
			echo "layering: $f:${line%%:*} includes $inc ($layer must not reach up into $to)"
			echo x >>"$tmp/bad"
		fi
	done
done

# 2. Symbols: which object defines what, and what each object needs.
for f in $(cd "$src" && find . -name '*.c' | sed 's|^\./||' | sort); do
	base=$(basename "$f")
	case $f in */*) layer=${f%%/*} ;; *) layer=top ;; esac
	echo "$base.o $layer" >>"$tmp/layers"
done
nm -A --defined-only "$lib" 2>/dev/null | awk '$2 ~ /^[TDBR]$/ { n = split($1, a, ":"); print a[n-1], $3 }' >"$tmp/defs"
nm -A -u "$lib" 2>/dev/null | awk '{ n = split($1, a, ":"); print a[n-1], $NF }' >"$tmp/uses"
if [ ! -s "$tmp/defs" ]; then
	echo "layering: no symbols read from $lib"
	exit 1
fi
awk -v lf="$tmp/layers" -v df="$tmp/defs" '
	function rank(l) { return l == "common" ? 0 : l == "core" ? 1 : l == "query" ? 2 : 3 }
	BEGIN {
		while ((getline line < lf) > 0) { split(line, a, " "); layer[a[1]] = a[2] }
		while ((getline line < df) > 0) { split(line, a, " "); def[a[2]] = a[1] }
	}
	{
		obj = $1; sym = $2
		if (!(sym in def)) next
		from = layer[obj]; to = layer[def[sym]]
		if (from == "" || to == "") next
		if (rank(to) > rank(from)) { printf "layering: %s (%s) calls %s from %s (%s)\n", obj, from, sym, def[sym], to; bad = 1 }
	}
	END { exit bad }' "$tmp/uses" || echo x >>"$tmp/bad"

if [ -s "$tmp/bad" ]; then
	echo "FAIL: libkcap has arrows pointing up"
	exit 1
fi
echo "layering: $(wc -l <"$tmp/layers") sources, every include and call runs downwards"
