# The layout of 131 340 pages derived by hand for the seed-1 sweep map realistic-1s1n-128GiB-29i
# (benchmarks/README.md, 2026-12-05 05:30 UTC section). Usage: python3 witness-29i.py MAP OUT.json;
# then: bin/tdmr check OUT.json --map MAP
import json, re, sys
G = 1 << 30; P = 4096
lines = open(sys.argv[1]).read().splitlines()
e820 = []
for l in lines:
    m = re.search(r'mem 0x([0-9a-f]+)-0x([0-9a-f]+)\] (.*)$', l)
    if m and 'e820' in l:
        e820.append((int(m.group(1), 16), int(m.group(2), 16) + 1, m.group(3).strip()))
usable = [(max(a, 0x100000), b) for a, b, t in e820 if t == 'usable' and b > 0x100000]
# islands of granule 1 (usable stretches strictly between holes, above 0x72b40000, below 2G)
isl = {(a, b): (b - a) // P for a, b in usable if G <= a and b <= 2 * G and a > 0x72b40000}
def find(pages, skip=()):
    for r, p in sorted(isl.items()):
        if p == pages and r not in skip:
            return r
    raise SystemExit("no island of %d" % pages)
# TDMRs: T0 [0,1G), T1 [1G,2G), high pieces from 4G
pieces = [79, 12, 7, 6, 5, 5, 3, 3, 3, 3]
names = ['T0', 'T1'] + ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']
tdmr = {'T0': (0, G), 'T1': (G, 2 * G)}
at = 4 * G
for n, k in zip(names[2:], pieces):
    tdmr[n] = (at, at + k * G); at += k * G
assert at == 130 * G
def lv(n):
    k = (tdmr[n][1] - tdmr[n][0]) // G
    return {'4k': 1024 * k, '2m': 2 * k, '1g': 1}
place = {}  # (tdmr, level) -> (start, pages)
used = set()
def fill(pages, parts):
    r = find(pages, used); used.add(r)
    a = r[0]
    total = sum(lv(n)[l] for n, l in parts)
    assert total == pages, (pages, total)
    for n, l in parts:
        place[(n, l)] = (a, lv(n)[l]); a += lv(n)[l] * P
fill(1, [('j', '1g')])
fill(5, [('T0', '2m'), ('T1', '2m'), ('T0', '1g')])
fill(6, [('a', '1g'), ('b', '1g'), ('c', '1g'), ('d', '1g'), ('e', '1g'), ('f', '1g')])
fill(6, [('g', '2m')])
fill(7, [('h', '2m'), ('g', '1g')])
fill(7, [('i', '2m'), ('h', '1g')])
fill(7, [('j', '2m'), ('i', '1g')])
fill(10, [('e', '2m')])
fill(10, [('f', '2m')])
fill(12, [('d', '2m')])
fill(24, [('b', '2m')])
fill(2062, [('T0', '4k'), ('T1', '4k'), ('c', '2m')])
fill(7326, [('c', '4k'), ('a', '2m')])
assert len(used) == 13
a = 0x100000
for n in names:
    for l in ('4k', '2m', '1g'):
        if (n, l) not in place:
            place[(n, l)] = (a, lv(n)[l]); a += lv(n)[l] * P
stack_end = a
total = sum(p for _, p in place.values())
print("PAMT pages", total, "bytes", total * P)
# reserved areas: T0 [0, stack_end); T1: non-usable parts of granule 1 and filled islands, merged
filled = [(r[0], r[1]) for r in used]
def areas_in(lo, hi):
    # covered = everything in [lo,hi) that is not usable, or is a filled island / PAMT stack
    pts = []
    cur = lo
    segs = []
    us = sorted([(max(a, lo), min(b, hi)) for a, b in usable if b > lo and a < hi])
    # free (non-reserved) = usable minus PAMT placed inside
    pam = sorted([(s, s + p * P) for s, p in place.values() if s < hi and s + p * P > lo])
    free = []
    for a, b in us:
        parts = [(a, b)]
        for s, e in pam:
            nxt = []
            for x, y in parts:
                if e <= x or s >= y: nxt.append((x, y))
                else:
                    if x < s: nxt.append((x, s))
                    if e < y: nxt.append((e, y))
            parts = nxt
        free += parts
    free.sort()
    out = []; c = lo
    for a, b in free:
        if a > c: out.append((c, a))
        c = max(c, b)
    if c < hi: out.append((c, hi))
    return out
doc = {'tdmrs': []}
for n in names:
    s, e = tdmr[n]
    t = {'start': hex(s), 'end': hex(e), 'pamt': {}, 'reserved': []}
    for l in ('4k', '2m', '1g'):
        st, p = place[(n, l)]
        t['pamt'][l] = {'start': hex(st), 'end': hex(st + p * P)}
    for a, b in areas_in(s, e):
        t['reserved'].append({'start': hex(a), 'end': hex(b)})
    print(n, hex(s), hex(e), len(t['reserved']), 'areas')
    doc['tdmrs'].append(t)
json.dump(doc, open(sys.argv[2], 'w'), indent=1)
