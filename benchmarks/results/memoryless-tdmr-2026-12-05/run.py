import subprocess, sys, json, os
jar, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
M = 'model/src/test/resources/realmaps/'
cases = [('e820-2socket-icelake-hpe-dl360gen10plus-linuxhw',2,4),('e820-2socket-icelake-supermicro-X12DAi-N6-linuxhw',2,3),
 ('e820-2socket-icelake-supermicro-X12DAi-N6-linuxhw',3,2),('e820-2socket-sapphirerapids-intel-archercity-cxl-linuxhw',2,3),
 ('e820-2socket-skylake-lenovo-sr950-linuxhw',2,4),('e820-4socket-westmereex-qci-qssc-s4r-lkp-2014',4,1),
 ('tdx-tdmr-pamt-2socket-spr-intel-eaglestream-linuxhw',2,5)]
for mp,t,r in cases:
  for e in ['cpsat','z3']:
    name=f'{mp}.{e}.plan.t{t}.r{r}'
    p = subprocess.run(['nice','java','-jar',jar,'plan',M+mp+'.txt','--solver',e,'--max-tdmrs',str(t),'--max-rsvd',str(r),'--time-limit','10','--json'],capture_output=True,text=True)
    open(f'{out}/{name}.json','w').write(p.stdout)
    try:
      j=json.loads(p.stdout); it=j.get('results',[j])[0]
      rs=it.get('restrictions') or []
      print(name, it.get('status'), it.get('pamtBytes'), 'NAMED' if any('every TDMR holds' in x for x in rs) else '-', [x[:20] for x in rs], flush=True)
    except Exception as ex:
      print(name, 'ERR', p.returncode, p.stderr[-300:], flush=True)
