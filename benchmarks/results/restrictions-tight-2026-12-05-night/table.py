import json, sys, glob, os, re
out = sys.argv[1]
rows = []
short = {"no TDMR lies wholly inside": "I", "no PAMT level straddles the edge between two touching memory blocks into": "S",
         "no chain of 1 GiB": "C", "no PAMT level straddles": "S0"}
def code(s):
    for k, v in short.items():
        if s.startswith(k): return v
    return s[:20]
print("| map | T | cpsat | z3 |")
print("|---|---:|---|---|")
for f in sorted(glob.glob(out + "/*.json")):
    m = re.match(r"(.*)\.t(\d)\.json", os.path.basename(f))
    try: d = json.load(open(f))
    except Exception: continue
    cells = {}
    for r in d.get("results", []):
        rs = ",".join(code(x) for x in (r.get("restrictions") or []))
        cells[r["solver"]] = "%s %s B, remote %s%s" % (r["status"], format(r.get("pamtBytes") or 0, ","), format(r.get("remotePamtBytes") or 0, ","), (" [" + rs + "]") if rs else "")
    print("| %s | %s | %s | %s |" % (m.group(1)[:40], m.group(2), cells.get("cpsat", "-"), cells.get("z3", "-")))
