import glob, os, re, subprocess, sys
repo='/work/wt/restrict6'; M=repo+'/model/src/test/resources/realmaps/'
src, out, jar = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])
eng = sys.argv[4]
os.makedirs(out, exist_ok=True)
for f in sorted(glob.glob(src + '/*.%s.plan.*.json' % eng)):
    base = os.path.basename(f)[:-5]
    m = re.match(r'(.*)\.(cpsat|z3)\.plan\.t(\d+)\.r(\d+)$', base)
    mp, e, t, r = m.groups()
    o = os.path.join(out, base + '.json')
    if os.path.exists(o): continue
    p = subprocess.run(['nice', 'java', '-jar', jar, 'plan', M + mp + '.txt', '--solver', e, '--max-tdmrs', t, '--max-rsvd', r, '--time-limit', '10', '--json'], capture_output=True, text=True)
    open(o, 'w').write(p.stdout)
    print(base, flush=True)
