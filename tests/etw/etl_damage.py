#!/usr/bin/env python3
"""etl_damage.py KCAP CORPUS_DIR WORKDIR - `kcap convert --from etl` on cut
and flipped copies of corpus files (the plain one cut at every buffer
boundary, inside every 4th buffer, flipped in every 8th; the compressed one
cut at and inside every 90th buffer, flipped in every 120th, to stay within
ctest's time under ASan): one line naming the file and the offset,
exit 3, and every intact buffer's events (counted here by an independent
walk of the records of each buffer). Prints TAP-like lines; exits 1 on any
failure. SKIPs visibly when the corpus is absent."""
import ctypes
import json
import os
import struct
import subprocess
import sys

KCAP, CORPUS, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
PLAIN = os.path.join(CORPUS, 'etl-parser', 'ShutdownPerfDiagLogger.etl')
PACKED = os.path.join(CORPUS, 'perfview', 'net.4.5.2.x64.etl')
if not os.path.exists(PLAIN):
    print('SKIP: ETW corpus not found at %s' % CORPUS)
    sys.exit(0)
os.makedirs(WORK, exist_ok=True)
failed = 0
checks = 0


def check(ok, what):
    global failed, checks
    checks += 1
    if not ok:
        failed += 1
        print('not ok - ' + what)


try:
    fwnt = ctypes.CDLL('libfwnt.so.1')
    fwnt.libfwnt_lzxpress_decompress.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                                                 ctypes.POINTER(ctypes.c_size_t), ctypes.c_void_p]
except OSError:
    fwnt = None


def buffers(raw):
    """(offset, size, records) of every buffer; records counted by walking
    the record sizes from 0x48 to Offset (inflating compressed buffers)."""
    out, off = [], 0
    while off + 0x48 <= len(raw):
        size, fill, flags = struct.unpack_from('<I', raw, off)[0], struct.unpack_from('<I', raw, off + 0x30)[0], \
            struct.unpack_from('<H', raw, off + 0x34)[0]
        body = raw[off:off + size]
        if flags & 0x40:
            if fwnt is None:
                return None
            o = ctypes.create_string_buffer(fill)
            n = ctypes.c_size_t(fill - 0x48)
            fwnt.libfwnt_lzxpress_decompress(bytes(raw[off + 0x48:off + size]), size - 0x48, o, ctypes.byref(n), None)
            body = raw[off:off + 0x48] + o.raw[:n.value]
        pos, recs = 0x48, 0
        while pos + 8 <= fill:
            ht = body[pos + 2]
            if struct.unpack_from('<I', body, pos)[0] in (0, 0xffffffff):
                break
            rs = struct.unpack_from('<H', body, pos + 4 if ht <= 4 or ht in (0x10, 0x11) else pos)[0]
            recs += 1
            pos += (rs + 7) & ~7
        out.append((off, size, recs))
        off += size
    return out


def convert(path):
    """(exit code, stderr lines, events in the output)"""
    out = os.path.join(WORK, 'out.kcap')
    p = subprocess.run([KCAP, 'convert', '--from', 'etl', path, '-o', out], capture_output=True, text=True)
    n = -1
    if os.path.exists(out):
        j = subprocess.run([KCAP, 'info', '--json', out], capture_output=True, text=True)
        n = json.loads(j.stdout)['events'] if j.stdout.strip() else -1
        os.unlink(out)
    return p.returncode, [l for l in p.stderr.splitlines() if l], n


def one_line(lines, path, offset, what):
    check(len(lines) == 1, '%s: one line, got %r' % (what, lines))
    want = '%s: offset %d: ' % (path, offset)
    check(len(lines) == 1 and want in lines[0], '%s: line names %s, got %r' % (what, want.strip(), lines))


def cut_tests(src, bufs, every, name, inside_every):
    raw = open(src, 'rb').read()
    total = sum(b[2] for b in bufs)
    rc, lines, n = convert(src)
    check(rc == 0 and not lines and n == total, '%s: intact: rc %d, %r, %d events of %d' % (name, rc, lines, n, total))
    cut = os.path.join(WORK, 'cut.etl')
    for k in range(1, len(bufs), every):
        off = bufs[k][0]
        open(cut, 'wb').write(raw[:off])
        rc, lines, n = convert(cut)
        want = sum(b[2] for b in bufs[:k])
        check(rc == 3, '%s cut at buffer %d: exit %d' % (name, k, rc))
        one_line(lines, cut, off, '%s cut at buffer %d' % (name, k))
        check(n == want, '%s cut at buffer %d: %d events, intact buffers hold %d' % (name, k, n, want))
        if k % inside_every:
            continue
        # a cut inside the buffer: that buffer's events go, the others stay
        open(cut, 'wb').write(raw[:off + 1000])
        rc, lines, n = convert(cut)
        check(rc == 3 and len(lines) == 1 and n == want,
              '%s cut inside buffer %d: exit %d, %r, %d events of %d' % (name, k, rc, lines, n, want))


def flip_tests(src, bufs, picks, name):
    raw = bytearray(open(src, 'rb').read())
    total = sum(b[2] for b in bufs)
    f = os.path.join(WORK, 'flip.etl')
    for k in picks:
        off, size, recs = bufs[k]
        # the buffer header's size: the buffer is stepped over
        m = bytearray(raw)
        m[off + 3] ^= 0x80
        open(f, 'wb').write(m)
        rc, lines, n = convert(f)
        check(rc == 3, '%s flip in buffer %d header: exit %d' % (name, k, rc))
        one_line(lines, f, off, '%s flip in buffer %d header' % (name, k))
        check(n == total - recs, '%s flip in buffer %d header: %d events, want %d' % (name, k, n, total - recs))
        if recs < 3 or bufs[k][1] != struct.unpack_from('<I', raw, off)[0]:
            continue
        if not (struct.unpack_from('<H', raw, off + 0x34)[0] & 0x40):
            # the size of the buffer's third record: the rest of the buffer goes
            pos = 0x48
            for _ in range(2):
                ht = raw[off + pos + 2]
                rs = struct.unpack_from('<H', raw, off + pos + (4 if ht <= 4 or ht in (0x10, 0x11) else 0))[0]
                pos += (rs + 7) & ~7
            ht = raw[off + pos + 2]
            so = off + pos + (4 if ht <= 4 or ht in (0x10, 0x11) else 0)
            m = bytearray(raw)
            m[so] = m[so + 1] = 0xff
            open(f, 'wb').write(m)
            rc, lines, n = convert(f)
            check(rc == 3, '%s flip in a record size of buffer %d: exit %d' % (name, k, rc))
            one_line(lines, f, off + pos, '%s flip in a record size of buffer %d' % (name, k))
            check(n == total - recs + 2, '%s flip in a record size of buffer %d: %d events, want %d' %
                  (name, k, n, total - recs + 2))
            # a payload byte: values change, nothing is lost, nothing crashes
            m = bytearray(raw)
            m[off + pos + 40] ^= 0xff
            open(f, 'wb').write(m)
            rc, lines, n = convert(f)
            check(rc in (0, 3) and n >= total - recs + 2, '%s flip in a payload of buffer %d: exit %d, %d events' %
                  (name, k, rc, n))
        else:
            # compressed data: that buffer (or its rest) goes with one line
            m = bytearray(raw)
            m[off + 0x48 + size // 2] ^= 0x55
            open(f, 'wb').write(m)
            rc, lines, n = convert(f)
            check(rc in (0, 3) and len(lines) <= 1, '%s flip in compressed buffer %d: exit %d, %r' % (name, k, rc, lines))
            check(n >= total - recs, '%s flip in compressed buffer %d: %d events, want >= %d' % (name, k, n, total - recs))
            if rc == 3:
                check(('%s: offset ' % f) in lines[0], '%s flip in compressed buffer %d: %r' % (name, k, lines))


plain = buffers(open(PLAIN, 'rb').read())
cut_tests(PLAIN, plain, 1, 'plain', 4)
flip_tests(PLAIN, plain, range(1, len(plain), 8), 'plain')
packed = buffers(open(PACKED, 'rb').read()) if os.path.exists(PACKED) else None
if packed is None:
    print('SKIP: compressed cases: no libfwnt.so.1 for the independent count, or no perfview file')
else:
    cut_tests(PACKED, packed, 90, 'compressed', 1)
    flip_tests(PACKED, packed, range(3, len(packed), 120), 'compressed')
print('%d checks, %d failed' % (checks, failed))
sys.exit(1 if failed else 0)
