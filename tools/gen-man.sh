#!/bin/sh
# gen-man.sh KCAP OUT_DIR - writes the man pages kcap(1) and kcap-CMD(1), one
# per subcommand, from the built CLI's own --help texts (the one source of
# truth for options), the way help2man does, so that `man kcap-filter` and
# `kcap filter --help` cannot disagree. The build runs it; `cmake --install`
# puts the pages in share/man/man1.
set -eu
K=$1
OUT=$2
mkdir -p "$OUT"
version=$("$K" --version | cut -d' ' -f2)
# no build date unless asked for (reproducible builds set SOURCE_DATE_EPOCH)
date=""
[ -z "${SOURCE_DATE_EPOCH:-}" ] || date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)

# roff-safe text: backslashes, hyphens (so options copy and paste as typed),
# and lines that would start with a control character
roff() { sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

# page NAME SUMMARY HELP_TEXT_FILE SEE_ALSO
page() {
	{
		printf '.TH %s 1 "%s" "kcap %s" "kcap manual"\n' "$(echo "$1" | tr a-z A-Z)" "$date" "$version"
		printf '.SH NAME\n%s \\- %s\n' "$(echo "$1" | roff)" "$(echo "$2" | roff)"
		printf '.SH DESCRIPTION\n.nf\n'
		roff < "$3"
		printf '.fi\n'
		printf '.SH EXIT STATUS\n.nf\n'
		printf '0  ok\n1  error\n2  usage: a bad option, argument or expression\n'
		printf '3  an input was damaged; every intact event was still delivered\n'
		printf '4  events were lost while recording\n.fi\n'
		printf '.SH SEE ALSO\n%s\n' "$4"
		printf '.PP\nThe reference documents, installed with kcap (share/doc/kcap): CLI.md (commands),\n'
		printf 'FILTER.md (the filter language), FORMAT.md (the .kcap format), EVENTS.md (the event taxonomy).\n'
	} > "$OUT/$1.1"
}

tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.table"' EXIT
"$K" --help > "$tmp"
# the command table of `kcap --help`, read once: "NAME SUMMARY..." lines
sed -n '/^commands:/,/^$/p' "$tmp" | awk 'NR > 1 && NF && $1 != "help"' > "$tmp.table"
see=""
while read -r c _; do
	see="$see${see:+, }\\fBkcap\\-$c\\fR(1)"
done < "$tmp.table"
page kcap "record, read, filter, slice, merge, convert and replay kernel-event captures" "$tmp" "$see"
while read -r c summary; do
	"$K" "$c" --help > "$tmp.$c"
	page "kcap-$c" "$summary" "$tmp.$c" "\\fBkcap\\fR(1)"
	rm -f "$tmp.$c"
done < "$tmp.table"
rm -f "$tmp.table"
