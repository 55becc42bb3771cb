import json, subprocess, sys, os, glob
repo, engine, out = sys.argv[1], sys.argv[2], sys.argv[3]
JAR = os.path.abspath(out + '.jar')
maps = sorted(glob.glob(repo + '/model/src/test/resources/realmaps/*.txt'))
if len(sys.argv) > 4: maps = [m for m in maps if any(s in m for s in sys.argv[4].split(','))]
os.makedirs(out, exist_ok=True)
def run(tag, args):
    f = os.path.join(out, tag + '.json')
    if os.path.exists(f):
        try: return json.load(open(f))
        except Exception: return None
    p = subprocess.run(['nice', 'java', '-jar', JAR] + args + ['--json'], capture_output=True, text=True)
    open(f, 'w').write(p.stdout)
    open(os.path.join(out, tag + '.err'), 'w').write(p.stderr + '\nrc=%d\n' % p.returncode)
    try: return json.load(open(f))
    except Exception: return None
for m in maps:
    name = os.path.basename(m)[:-4]
    fr = run(f'{name}.{engine}.frontier', ['frontier', m, '--solver', engine, '--up-to', '4', '--time-limit', '10'])
    pts = (fr or {}).get('points', [])
    for pt in pts:
        n = pt['maxTdmrs']
        r = pt.get('leastMaxReservedPerTdmr')
        if r is None: r = pt.get('maxReservedPerTdmrAtMost')
        if r is None: continue
        run(f'{name}.{engine}.plan.t{n}.r{r}', ['plan', m, '--solver', engine, '--max-tdmrs', str(n), '--max-rsvd', str(r), '--time-limit', '10'])
        if r >= 1:
            run(f'{name}.{engine}.prove.t{n}.r{r-1}', ['prove', m, '--solver', engine, '--max-tdmrs', str(n), '--max-rsvd', str(r-1), '--time-limit', '10'])
    print(name, 'done', flush=True)
