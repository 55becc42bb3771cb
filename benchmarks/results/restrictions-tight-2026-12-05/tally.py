import re
import json, glob, os, sys, collections
d = sys.argv[1]
short = {'no TDMR lies wholly inside a run': 'INSIDE_A_RUN', 'into memory filled wholly': 'STRADDLING_INTO_FILL',
         'no chain of 1 GiB': 'CHAINS', 'straddles the edge between two touching memory blocks': 'STRADDLING'}
def key(s):
    for k, v in short.items():
        if k in s: return v
    return s[:40]
tally = collections.Counter(); maps = collections.defaultdict(set); claims = collections.Counter(); rows = []
for f in sorted(glob.glob(d + '/*.json')):
    base = os.path.basename(f)[:-5]
    m_ = re.match(r'(.*)\.(cpsat|z3)\.(frontier|plan|prove)', base); mp, eng, kind = m_.groups()
    try: j = json.load(open(f))
    except Exception: continue
    items = j.get('points') if kind == 'frontier' else j.get('results', [j])
    if kind != 'plan' and '-planonly' in sys.argv: continue
    for it in items or []:
        st = it.get('status'); rs = it.get('restrictions') or []
        if st in ('OPTIMAL', 'INFEASIBLE') or (kind == 'frontier' and it.get('leastMaxReservedPerTdmr') is not None):
            claims[eng, kind] += 1
            for r in rs:
                tally[eng, kind, key(r)] += 1; maps[eng, key(r)].add(mp)
            if rs: rows.append((base, it.get('maxTdmrs', ''), st, [key(r) for r in rs]))
print('proven claims', dict(claims))
for k, v in sorted(tally.items()): print(k, v)
for k, v in sorted(maps.items()): print(k, len(v), sorted(v))
if '-v' in sys.argv:
    for r in rows: print(r)
