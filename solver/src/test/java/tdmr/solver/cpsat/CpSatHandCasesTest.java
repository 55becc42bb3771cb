package tdmr.solver.cpsat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.ExhaustiveSearch;
import tdmr.solver.RefereeClaims;
import tdmr.solver.FourKiBIslandMap;
import tdmr.solver.LayoutScore;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * CP-SAT against the referee on the hand-derived maps of ExhaustiveSearchTest, in both families.
 * The referee searches each family without restrictions. In the module family CP-SAT must match it
 * (these maps are small enough that no restriction {@link Restrictions} names applies). In the
 * kernel family CP-SAT's instance ({@link tdmr.solver.Problem}) has restrictions: where it differs
 * from the referee, its answer must name them and must never be better than the referee's optimum.
 */
class CpSatHandCasesTest {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final TdxLimits THREE = TdxLimits.DEFAULT.withMaxTdmrs(3);

  private static void agree(MemoryMap map, TdxLimits limits, Policy policy) {
    var expected = new ExhaustiveSearch(map, limits, policy).best();
    EngineResult r = new CpSatEngine().solve(map, limits, policy, new SolveOptions(30, 1, 0));
    assertEquals(policy.family(), r.family());
    if (policy.family() == Policy.Family.KERNEL) {
      restrictedButNeverBetter(map, limits, policy, expected.map(ExhaustiveSearch.Result::score), r);
      RefereeClaims.hold(r, expected, map, limits, policy, policy + " " + map);
      return;
    }
    if (expected.isEmpty()) {
      assertEquals(Status.INFEASIBLE, r.status(), r.messages().toString());
      return;
    }
    assertEquals(Status.OPTIMAL, r.status(), r.messages().toString());
    assertEquals(expected.get().score(), LayoutScore.of(map, limits, policy, r.layout().orElseThrow()),
        policy + " " + r.messages());
  }

  /** A kernel-family answer: the referee's optimum, or a claim naming restrictions and no better than it. */
  private static void restrictedButNeverBetter(MemoryMap map, TdxLimits limits, Policy policy,
      Optional<LayoutScore> expected, EngineResult r) {
    assertTrue(r.status() == Status.OPTIMAL || r.status() == Status.INFEASIBLE, r.messages().toString());
    if (expected.isEmpty()) {
      assertEquals(Status.INFEASIBLE, r.status(), r.messages().toString());
      return;
    }
    if (r.status() == Status.INFEASIBLE) {
      assertFalse(r.restrictions().isEmpty(), "an INFEASIBLE where the referee has a layout names restrictions");
      return;
    }
    LayoutScore found = LayoutScore.of(map, limits, policy, r.layout().orElseThrow());
    assertFalse(found.betterThan(expected.get(), policy), policy + ": " + found + " beats the referee " + expected);
    if (!found.equals(expected.get())) {
      assertFalse(r.restrictions().isEmpty(), "an OPTIMAL worse than the referee's names restrictions");
    }
  }

  private static List<Policy> policies() {
    List<Policy> out = new ArrayList<>();
    for (Policy.Family f : Policy.Family.values()) {
      for (Policy.Holes h : Policy.Holes.values()) {
        for (Policy.Coverage c : Policy.Coverage.values()) {
          out.add(new Policy(h, Policy.PamtPlacementPolicy.NODE_LOCAL, c, f));
        }
      }
    }
    return out;
  }


  @Test
  void plainGranule() {
    for (Policy p : policies()) {
      agree(MemoryMap.ofBlocks("plain", List.of(new MemoryBlock(G, 2 * G, 0))), THREE, p);
    }
  }

  @Test
  void islands() {
    for (Policy p : policies()) {
      agree(FourKiBIslandMap.of(), THREE, p);
      agree(FourKiBIslandMap.of(), THREE.withMaxReservedPerTdmr(2), p);
      MemoryMap cmr = MemoryMap.of("cmr", FourKiBIslandMap.of().blocks(), List.of(new AddressRange(M, G)));
      agree(cmr, THREE.withMaxReservedPerTdmr(1), p);
    }
  }

  @Test
  void paddedFill() {
    MemoryMap map = MemoryMap.ofBlocks("island64", List.of(
        new MemoryBlock(M, 512 * M, 0),
        new MemoryBlock(512 * M + 64 * K, 512 * M + 128 * K, 0),
        new MemoryBlock(513 * M, G, 0)));
    for (Policy p : policies()) {
      agree(map, THREE.withMaxReservedPerTdmr(2), p);
    }
  }

  /**
   * Four 4 KiB islands between 4 KiB gaps at 256 MiB, 2 TDMRs and 4 areas. [0, 1 GiB) alone has 6
   * holes; each 1G level (4 KiB) fills an island, so the TDMR without memory [1 GiB, 2 GiB) lends
   * the second one: two adjacent islands filled leave [0, 1M), the merged run and the last two gaps,
   * 4 areas (and 1 for the memoryless TDMR): 2 · 4108 KiB. Once, ModuleModel "filled" an island with
   * a chain of padding alone (no piece) and claimed one TDMR of 4112 KiB; a used place now holds a
   * piece.
   */
  @Test
  void memorylessTdmrLendsLevels() {
    long base = 256 * M;
    List<MemoryBlock> blocks = new ArrayList<>(List.of(new MemoryBlock(M, base, 0)));
    for (int i = 0; i < 4; i++) {
      long s = base + 4 * K + 8 * K * i;
      blocks.add(new MemoryBlock(s, s + 4 * K, 0));
    }
    blocks.add(new MemoryBlock(base + 40 * K, G, 0));
    MemoryMap map = MemoryMap.ofBlocks("islands", blocks);
    for (Policy p : policies()) {
      agree(map, TdxLimits.DEFAULT.withMaxTdmrs(2).withMaxReservedPerTdmr(4), p);
    }
  }
}
