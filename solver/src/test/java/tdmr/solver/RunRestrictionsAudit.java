package tdmr.solver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * An audit run by hand, not in CI: on {@code -Daudit.runs=N} tiny maps drawn with a fixed seed
 * ({@code -Daudit.seed}, 11 by default), both engines' module-family claims that name {@link
 * ModuleFamilyRestrictions#INSIDE_A_RUN} or {@link ModuleFamilyRestrictions#CHAINS}, and those the
 * referee ({@link ExhaustiveSearch}) beats, written to {@code -Daudit.out} with the maps. The maps:
 * islands of 1 to 4 pages above 1 GiB, a block from 2 GiB over a run of 2 to 4 GiB ending 0, 1, 2
 * or 3078 pages past it, maybe a block of either node up to the next GiB; 1 to 3 TDMRs, 0 to 2
 * areas, every policy. A claim beaten while naming neither is reported apart. For example {@code
 * nice mvn -B -o -q verify -pl model,solver -Dtest=RunRestrictionsAudit -DskipITs -Daudit.runs=20}.
 */
class RunRestrictionsAudit {
  private static final long K = 1024;
  private static final long G = 1024 * 1024 * K;

  @Test
  void audit() throws IOException {
    int runs = Integer.getInteger("audit.runs", 0);
    Assumptions.assumeTrue(runs > 0, "an audit run by hand: -Daudit.runs=N");
    long seed = Long.getLong("audit.seed", 11);
    Random rnd = new Random(seed);
    List<String> out = new ArrayList<>();
    int[] named = new int[4];
    int[] lost = new int[4];
    for (int i = 0; i < runs; i++) {
      MemoryMap map = map(rnd);
      TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(1 + rnd.nextInt(3)).withMaxReservedPerTdmr(rnd.nextInt(3));
      Policy policy = new Policy(pick(rnd, Policy.Holes.values()), pick(rnd, Policy.PamtPlacementPolicy.values()),
          pick(rnd, Policy.Coverage.values()), Policy.Family.MODULE);
      Optional<ExhaustiveSearch.Result> best = new ExhaustiveSearch(map, limits, policy).best();
      int e = 0;
      for (Engine engine : List.of(new CpSatEngine(), new Z3Engine())) {
        EngineResult r = engine.solve(map, limits, policy, new SolveOptions(60, 1, 0));
        boolean inner = r.restrictions().contains(ModuleFamilyRestrictions.INSIDE_A_RUN);
        boolean chains = r.restrictions().contains(ModuleFamilyRestrictions.CHAINS);
        named[2 * e] += inner ? 1 : 0;
        named[2 * e + 1] += chains ? 1 : 0;
        boolean worse;
        if (r.layout().isEmpty()) {
          worse = best.isPresent();
        } else {
          LayoutScore got = LayoutScore.of(map, limits, policy, r.layout().get());
          worse = best.isPresent() && LayoutScore.order(policy).compare(best.get().score(), got) < 0;
        }
        if (worse && (inner || chains)) {
          lost[2 * e] += inner ? 1 : 0;
          lost[2 * e + 1] += chains ? 1 : 0;
          out.add("case " + i + " " + engine.name() + " " + r.status() + " " + r.restrictions() + "\n  map " + map.blocks()
              + "\n  limits " + limits.maxTdmrs() + " tdmrs " + limits.maxReservedPerTdmr() + " areas " + policy
              + "\n  engine " + r.layout().map(l -> LayoutScore.of(map, limits, policy, l).toString()).orElse("none")
              + "\n  referee " + best.get().score() + "\n  " + best.get().layout());
        } else if (worse) {
          out.add("case " + i + " " + engine.name() + " WORSE WITHOUT THESE " + r.status() + " " + r.restrictions());
        }
        e++;
      }
    }
    out.add("named cpsat inner/chains " + named[0] + "/" + named[1] + " z3 " + named[2] + "/" + named[3]);
    out.add("lost  cpsat inner/chains " + lost[0] + "/" + lost[1] + " z3 " + lost[2] + "/" + lost[3]);
    Files.write(Path.of(System.getProperty("audit.out", "/tmp/run-audit.txt")), out);
  }

  private static <T> T pick(Random rnd, T[] values) {
    return values[rnd.nextInt(values.length)];
  }

  /** Islands of 1 to 4 pages above 1G, a block from 2G over a run of 2 to 4 GiB, maybe a block after it. */
  private static MemoryMap map(Random rnd) {
    List<MemoryBlock> blocks = new ArrayList<>();
    long cursor = G + 4 * K;
    int islands = rnd.nextInt(4);
    for (int i = 0; i < islands; i++) {
      long pages = new long[] {1, 1, 2, 3, 4}[rnd.nextInt(5)];
      blocks.add(new MemoryBlock(cursor, cursor + pages * 4 * K, rnd.nextInt(2)));
      cursor += (pages + 1) * 4 * K;
    }
    int run = 2 + rnd.nextInt(3);
    long tail = new long[] {0, 1, 2, 3078}[rnd.nextInt(4)];
    long runEnd = (2 + run) * G + tail * 4 * K;
    int node = rnd.nextInt(2);
    blocks.add(new MemoryBlock(2 * G, runEnd, node));
    int gap = rnd.nextInt(3) - 1;
    if (gap >= 0 && runEnd + gap * 4 * K < (3 + run) * G) {
      int n2 = rnd.nextInt(2);
      if (gap > 0 || n2 != node) {
        blocks.add(new MemoryBlock(runEnd + gap * 4 * K, (3 + run) * G, n2));
      }
    }
    return MemoryMap.of("tiny", blocks, blocks.stream().map(MemoryBlock::range).toList());
  }
}
