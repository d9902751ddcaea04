#!/usr/bin/env python3
"""make_big_scap.py SRC OUT EVENTS - a large .scap for the benchmarks: SRC's
context blocks (section header, machine info, interface/user/process/fd
lists) once, then its event blocks repeated until OUT holds at least EVENTS
event blocks, each repetition shifted in time past the previous one so that
timestamps keep rising. SRC may be gzip'd. sysdig reads the result as any
capture of that host. (Until the export can write a 2M-event synthetic
capture, this is the big.scap of issue 12 section 4.)"""
import gzip, struct, sys

src, out, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
raw = open(src, 'rb').read()
if raw[:2] == b'\x1f\x8b':
    raw = gzip.decompress(raw)
EVENT_BLOCKS = {0x204, 0x216, 0x221, 0x208, 0x217, 0x222}
ctx, evs, off = [], [], 0
while off + 12 <= len(raw):
    t, l = struct.unpack_from('<II', raw, off)
    (evs if t in EVENT_BLOCKS else ctx).append(raw[off:off + l])
    off += l
# the event header's ts is after the block header and the u16 cpu (and the
# u32 flags of EVF blocks)
def ts_at(b):
    t = struct.unpack_from('<I', b, 0)[0]
    return 10 + (4 if t in (0x208, 0x217, 0x222) else 0)
stamps = [struct.unpack_from('<Q', b, ts_at(b))[0] for b in evs]
first, last = min(s for s in stamps if s), max(stamps)
span = last - first + 1000000
n = 0
with open(out, 'wb') as f:
    for b in ctx:
        f.write(b)
    rep = 0
    while n < want:
        shift = rep * span
        for b, s in zip(evs, stamps):
            if rep and s == 0:
                continue  # leading container events once
            nb = bytearray(b)
            struct.pack_into('<Q', nb, ts_at(b), s + shift if s else 0)
            f.write(nb)
            n += 1
            if n >= want:
                break
        rep += 1
print(f"{out}: {n} event blocks, {rep} repetitions of {src}", file=sys.stderr)
