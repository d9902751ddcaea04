#!/usr/bin/env python3
"""kblocks.py: the blocks of a capture, and changes to its own bytes, for the
evidence tests (docs/FORMAT.md "Blocks").
  list FILE                         one line per structure: N OFFSET LEN TYPE
  flip FILE OUT OFFSET [fix]        xor 0x01 into the byte at OFFSET; with fix,
                                    the block around it gets its CRCs recomputed
                                    (a forger's change, which only a seal sees)
  patch FILE OUT OFFSET HEX [fix]   the bytes at OFFSET become HEX (same)
  drop FILE OUT N                   structure N removed
  swap FILE OUT I J                 structures I and J exchanged
  splice FILE OTHER OUT I J         structure I of FILE replaced by J of OTHER
"""
import struct, sys

MAGIC = b'\x89KCP\r\n\x1a\n'
SYNC = b'\xb5kB\x1a'
_T = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    _T.append(c)

def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for b in data:
        crc = _T[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF

def structures(d):
    out, pos = [], 0
    while pos < len(d):
        if d[pos:pos + 8] == MAGIC:
            out.append((pos, 16, 0))
            pos += 16
        elif d[pos:pos + 4] == SYNC and pos + 20 <= len(d):
            typ, _, plen = struct.unpack_from('<HHI', d, pos + 4)
            out.append((pos, 24 + plen, typ))
            pos += 24 + plen
        else:
            sys.exit("kblocks.py: no structure at offset %d" % pos)
    return out

def fix(d, at):
    for off, ln, typ in structures(bytes(d)):
        if typ and off <= at < off + ln:
            plen = struct.unpack_from('<I', d, off + 8)[0]
            crc = crc32c(bytes(d[off + 20:off + 20 + plen]), crc32c(bytes(d[off:off + 12])))
            struct.pack_into('<I', d, off + 12, crc)
            struct.pack_into('<I', d, off + 16, crc32c(bytes(d[off:off + 16])))

def main(a):
    d = bytearray(open(a[1], 'rb').read())
    if a[0] == 'list':
        for i, (off, ln, typ) in enumerate(structures(bytes(d))):
            print(i, off, ln, typ)
        return
    if a[0] in ('flip', 'patch'):
        at = int(a[3])
        if a[0] == 'flip':
            d[at] ^= 1
            rest = a[4:]
        else:
            h = bytes.fromhex(a[4])
            d[at:at + len(h)] = h
            rest = a[5:]
        if rest and rest[0] == 'fix':
            fix(d, at)
        open(a[2], 'wb').write(d)
        return
    s = structures(bytes(d))
    parts = [bytes(d[o:o + n]) for o, n, _ in s]
    if a[0] == 'drop':
        del parts[int(a[3])]
        out = a[2]
    elif a[0] == 'swap':
        i, j = int(a[3]), int(a[4])
        parts[i], parts[j] = parts[j], parts[i]
        out = a[2]
    elif a[0] == 'splice':
        o = open(a[2], 'rb').read()
        so = structures(o)
        j = int(a[5])
        parts[int(a[4])] = o[so[j][0]:so[j][0] + so[j][1]]
        out = a[3]
    else:
        sys.exit(__doc__)
    open(out, 'wb').write(b''.join(parts))

main(sys.argv[1:])
