#!/bin/sh
# Bundles (issue 14 §4): kcap bundle writes a tar.zst of captures and a
# manifest.json (SHA-256, size, hosts, sources, span, events, loss, seal,
# who/when/version); kcap verify names missing, extra, changed and damaged
# members; info shows the manifest; reading commands read the captures.
# Safety: '../../x' and absolute names are refused when bundling; in a
# crafted archive they, and symlinks, are never used nor followed, and
# nothing is written anywhere.
# usage: bundle_cli.sh KCAP WORKDIR
set -u
KCAP=$1
. "$(dirname "$0")/../harness.sh"
harness_workdir "$2/bundle-cli.$$"
j() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
mkdir -p "$DIR/w/host2" "$DIR/w/sub" && cd "$DIR/w/sub" || exit 1
if ! "$KCAP" keygen -o k 2> /dev/null; then echo "SKIP: kcap built without libcrypto (libssl-dev)"; exit 0; fi

"$KCAP" synth -n 3000 --seed 5 --block-size 16k -o a.kcap || exit 1
"$KCAP" synth -n 2000 --seed 6 --block-size 16k -o host2.kcap || exit 1
"$KCAP" seal a.kcap -o sealed.kcap --key k || exit 1
mkdir -p h2 && mv host2.kcap h2/b.kcap
"$KCAP" bundle -o case.tar.zst a.kcap h2/b.kcap sealed.kcap
check "bundle: exit 0" 0 "$?"
check "bundle: members, manifest first" "manifest.json a.kcap h2/b.kcap sealed.kcap" "$(tar --zstd -tf case.tar.zst | tr '\n' ' ' | sed 's/ $//')"
tar --zstd -xOf case.tar.zst manifest.json > manifest.json
check "manifest: SHA-256 and size of a.kcap" "$(sha256sum < a.kcap | cut -d' ' -f1) $(wc -c < a.kcap | tr -d ' ')" \
	"$(j '" ".join([d["files"][0]["sha256"], str(d["files"][0]["size"])])' < manifest.json)"
check "manifest: hosts, sources, events, lost" "['synth-host'] ['synth'] 3000 0" \
	"$(j '" ".join(map(str, [d["files"][0]["hosts"], d["files"][0]["sources"], d["files"][0]["events"], d["files"][0]["lost"]]))' < manifest.json)"
check "manifest: time span" "$("$KCAP" info --json a.kcap | j '" ".join(map(str, [d["first_ts"], d["last_ts"]]))')" \
	"$(j '" ".join(map(str, [d["files"][0]["first_ts"], d["files"][0]["last_ts"]]))' < manifest.json)"
check "manifest: seal status" "False True True" "$(j '" ".join(map(str, [d["files"][0]["seal"]["sealed"], d["files"][2]["seal"]["sealed"], d["files"][2]["seal"]["holds"]]))' < manifest.json)"
check "manifest: who, when, version" "$(id -un) 0.1.0 1" \
	"$(j '" ".join(map(str, [d["created_by"]["user"], d["kcap_version"], int(len(d["created_at"]) > 20)]))' < manifest.json)"

"$KCAP" verify case.tar.zst > out
check "verify bundle: exit 0" 0 "$?"
check "verify bundle: intact" "case.tar.zst: bundle: intact: 3 captures match the manifest, each intact" "$(head -n 1 out)"
"$KCAP" info case.tar.zst > out 2> err
check "info bundle: exit 0" 0 "$?"
check "info bundle: shows the manifest" 1 "$(grep -c '^Bundle manifest:   manifest.json' out)"
check "info bundle: no note about the manifest" "" "$(cat err)"
check "info bundle: the captures' events" "Events:            8000" "$(grep '^Events:' out)"
check "convert reads a bundle as its captures" 8000 "$("$KCAP" convert --json case.tar.zst 2> /dev/null | wc -l | tr -d ' ')"
"$KCAP" info --json case.tar.zst | j 'd["manifest"]["files"][1]["name"]' > out
check "info --json bundle: the manifest" "h2/b.kcap" "$(cat out)"

# missing, extra, changed, damaged: a tar whose manifest does not match
mkdir x && (cd x && tar --zstd -xf ../case.tar.zst) || exit 1
"$KCAP" synth -n 100 --seed 9 -o x/extra.kcap
python3 - x/a.kcap <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read()); d[20000] ^= 1; open(sys.argv[1], 'wb').write(d)
PY
cp x/sealed.kcap x/sealed.tmp && head -c 5000 x/sealed.tmp > x/sealed.kcap && rm x/sealed.tmp
(cd x && tar -cf ../bad.tar manifest.json a.kcap sealed.kcap extra.kcap)   # h2/b.kcap left out
"$KCAP" verify bad.tar > out
check "bad bundle: exit 3" 3 "$?"
check "bad bundle: h2/b.kcap missing" 1 "$(grep -c '^  h2/b.kcap: missing: in the manifest but not in the archive' out)"
check "bad bundle: extra.kcap extra" 1 "$(grep -c '^  extra.kcap: extra: ' out)"
check "bad bundle: a.kcap changed" 1 "$(grep -c '^  a.kcap: changed: ' out)"
check "bad bundle: sealed.kcap changed (cut)" 1 "$(grep -c '^  sealed.kcap: changed: 5000 bytes' out)"
# damaged: the manifest's hash of a damaged capture (bundled as it was)
cp ../../w/sub/a.kcap dmg.kcap && python3 - dmg.kcap <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read()); d[20000] ^= 1; open(sys.argv[1], 'wb').write(d)
PY
"$KCAP" bundle -o d.tar.zst a.kcap dmg.kcap 2> /dev/null
check "bundling a damaged capture: exit 3" 3 "$?"
"$KCAP" verify --json d.tar.zst > out
check "damaged member: named" "damaged" "$(j '[m["status"] for m in d["members"] if m["name"] == "dmg.kcap"][0]' < out)"

# safety: names refused when bundling
"$KCAP" bundle -o no.tar ../sub/a.kcap 2> err
check "bundle ../sub/a.kcap: refused (exit 2)" 2 "$?"
"$KCAP" bundle -o no.tar "$PWD/a.kcap" 2> err
check "bundle an absolute path: refused (exit 2)" 2 "$?"
check "refused: no output" no "$([ -e no.tar ] && echo yes || echo no)"
# a crafted archive: ../../x, an absolute name, a symlink to a file outside
python3 - "$DIR/w/sub" <<'PY'
import io, sys, tarfile, os
d = sys.argv[1]
m = open(os.path.join(d, "manifest.json"), "rb").read()
cap = open(os.path.join(d, "a.kcap"), "rb").read()
with tarfile.open(os.path.join(d, "evil.tar"), "w", format=tarfile.PAX_FORMAT) as t:
    for name, data in (("manifest.json", m), ("../../x.kcap", cap), ("/tmp/kcap-evil-abs.kcap", cap)):
        i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
    i = tarfile.TarInfo("link.kcap"); i.type = tarfile.SYMTYPE; i.linkname = "/etc/passwd"; t.addfile(i)
PY
rm -f /tmp/kcap-evil-abs.kcap
before=$(cd "$DIR" && find . | sort | cksum)
"$KCAP" verify evil.tar > out
check "crafted: exit 3" 3 "$?"
check "crafted: ../../x.kcap refused" 1 "$(grep -c '^  ../../x.kcap: refused: member name refused' out)"
check "crafted: absolute name refused" 1 "$(grep -c '^  /tmp/kcap-evil-abs.kcap: refused: member name refused (an absolute path)' out)"
check "crafted: symlink not followed" 1 "$(grep -c '^  link.kcap: refused: not a regular file' out)"
for cmd in "info" "convert --json" "cat -o cat.kcap" "filter pid=1 -o f.kcap" "recover -o r.kcap"; do
	"$KCAP" $cmd evil.tar > /dev/null 2>&1
done
rm -f cat.kcap f.kcap r.kcap
check "crafted: nothing written anywhere" "$before" "$(cd "$DIR" && find . | sort | cksum)"
check "crafted: no absolute member written" no "$([ -e /tmp/kcap-evil-abs.kcap ] && echo yes || echo no)"
check "crafted: no ../../x.kcap written" no "$([ -e "$DIR/x.kcap" ] || [ -e "$DIR/../x.kcap" ] && echo yes || echo no)"
harness_done
