#!/usr/bin/env python3
"""Writes a capture whose first events block's summary lies: two of its
counts per type are swapped (they still add up to the block's count), in the
block and in its index entry, with every CRC recomputed. kcap verify must
name the lie; kcap info, which trusts the summaries, says it answered from
the index. With "badsum", one count is raised instead: the counts no longer
add up to the block's count, and readers must not take them (info reads the
block). With "index", the swap is made in the index entry only: the block
keeps its true counts, so the index disagrees with its block, and every
reader must report it once and answer from the blocks.
usage: lie_counts.py OUT KCAP [badsum|index]"""
import subprocess
import sys

def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF

def u16(b, o): return int.from_bytes(b[o:o + 2], 'little')
def u32(b, o): return int.from_bytes(b[o:o + 4], 'little')

def varint(b, o):
    v = s = 0
    while True:
        c = b[o]; o += 1
        v |= (c & 0x7F) << s; s += 7
        if not c & 0x80:
            return v, o

def reframe(f, off):
    """Recomputes the CRC and header check of the block at off."""
    plen = u32(f, off + 8)
    crc = crc32c(f[off + 20:off + 20 + plen], crc32c(f[off:off + 12]))
    f[off + 12:off + 16] = crc.to_bytes(4, 'little')
    f[off + 16:off + 20] = crc32c(f[off:off + 16]).to_bytes(4, 'little')

out, kcap = sys.argv[1], sys.argv[2]
badsum = len(sys.argv) > 3 and sys.argv[3] == 'badsum'
index_only = len(sys.argv) > 3 and sys.argv[3] == 'index'
subprocess.run([kcap, 'synth', '-n', '60', '--level', '0', '-o', out], check=True)
f = bytearray(open(out, 'rb').read())
off, old_meta, new_meta = 16, None, None
while off < len(f):
    typ, plen = u16(f, off + 4), u32(f, off + 8)
    if typ == 4 and old_meta is None:
        mlen = u32(f, off + 20)
        m = off + 28
        old_meta = bytes(f[m:m + mlen])
        bits = u32(f, m + 68)
        p = m + 104 + bits // 8
        n, p = varint(f, p)
        pairs = []
        for _ in range(n):
            _, q = varint(f, p)
            c, r = varint(f, q)
            pairs.append((q, c, r - q))
            p = r
        a, b = next((x, y) for i, x in enumerate(pairs) for y in pairs[i + 1:]
                    if x[1] != y[1] and x[2] == 1 and y[2] == 1)
        if badsum:
            f[a[0]] = a[1] + 1 if a[1] < 127 else a[1] - 1
        else:
            f[a[0]], f[b[0]] = b[1], a[1]
        new_meta = bytes(f[m:m + mlen])
        if index_only:
            f[m:m + mlen] = old_meta
        else:
            reframe(f, off)
    elif typ == 6:
        assert (u16(f, off + 6) >> 8) & 15 == 0, 'index block compressed'
        at = f.find(old_meta, off + 20, off + 20 + plen)
        assert at > 0, 'meta not in the index'
        f[at:at + len(new_meta)] = new_meta
        reframe(f, off)
    off += 24 + plen
open(out, 'wb').write(f)
