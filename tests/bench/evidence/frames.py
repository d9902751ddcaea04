#!/usr/bin/env python3
"""frames.py CAPTURE OUT: writes the zstd frames of the capture's blocks, as
they lie in the file (docs/FORMAT.md "Blocks": the body after the payload
prefix and the block meta), one after the other into OUT, for `zstd -t`."""
import struct, sys

data = open(sys.argv[1], 'rb').read()
out = open(sys.argv[2], 'wb')
SYNC = b'\xb5kB\x1a'
pos = 0
n = 0
while pos + 20 <= len(data):
    if data[pos:pos + 8] == b'\x89KCP\r\n\x1a\n':
        pos += 16
        continue
    if data[pos:pos + 4] != SYNC:
        sys.exit("frames.py: no block at offset %d" % pos)
    typ, flags, plen = struct.unpack_from('<HHI', data, pos + 4)
    p = pos + 20
    meta_len, raw_len = struct.unpack_from('<II', data, p)
    if (flags >> 8) & 15 == 1:
        out.write(data[p + 8 + meta_len:p + plen])
        n += 1
    pos = p + plen + 4
print("%d frames" % n, file=sys.stderr)
