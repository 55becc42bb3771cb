package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The chains restriction at one TDMR ({@link ModuleFamilyRestrictions#noPamtInsideOnlyTdmr}): when
 * no place of the only TDMR within an optimum's remote PAMT leaves out less memory than its PAMT,
 * every layout beating it has no PAMT inside its TDMR, so no chain the models leave out, and the
 * claim does not name {@link ModuleFamilyRestrictions#CHAINS}. Values derived by hand, then both
 * engines against {@link ExhaustiveSearch} on a hand-made map and on tiny maps of a fixed seed. In
 * pages of 4 KiB, a TDMR of N GiB needs 1024·N pages of 4K level, 2·N of 2M level and 1 of 1G
 * level; per GiB the levels describe 4 MiB, 8 KiB and 16 bytes.
 */
class OneTdmrChainsTest {
  private static final long K = 1024;
  private static final long G = 1024 * 1024 * K;
  private static final long GIB_PAGES = G / (4 * K);
  private static final TdxLimits ONE = TdxLimits.DEFAULT.withMaxTdmrs(1);

  /**
   * A = [1G, 2G) on node 0 and B = [3G, 4G) on node 1: two runs of one whole GiB, two stretches of
   * 262 144 pages each, no memory in granules 0 and 2.
   */
  private static final MemoryMap TWO_RUNS = MemoryMap.ofBlocks("two runs",
      List.of(new MemoryBlock(G, 2 * G, 0), new MemoryBlock(3 * G, 4 * G, 1)));

  /**
   * With a PAMT of 2 GiB (524 288 pages) and no remote PAMT, no place leaves room for PAMT inside
   * the TDMR: a place holding A but not B leaves B out, whose PAMT lies on node 1 and describes A's
   * granule (no node-1 memory) remotely, 16 bytes at least (the 1G level); B but not A the same way;
   * both, every level describes the other node's granule: 4 MiB + 8 KiB + 16 bytes at least; a place
   * over no memory leaves all 524 288 pages out, no fewer. With 16 bytes of remote PAMT allowed,
   * [1G, 2G) leaves out 262 144 pages, fewer than 524 288, with levels of 1 027 pages: room. With
   * 262 144 pages, only places holding both leave out fewer, and they have 4 202 512 bytes of remote
   * PAMT: no room.
   */
  @Test
  void roomForPamtInsideDependsOnTheRemotePamtAndPamtOfTheOptimum() {
    OnlyTdmrPlaces places = new OnlyTdmrPlaces(Instance.of(TWO_RUNS, ONE, Policy.DEFAULT));
    assertFalse(places.roomForPamtInside(2 * GIB_PAGES, OptionalLong.of(0)));
    assertTrue(places.roomForPamtInside(2 * GIB_PAGES, OptionalLong.of(16)));
    assertFalse(places.roomForPamtInside(GIB_PAGES, OptionalLong.of(16)));
    // Remote PAMT not ranked (PAMT any): [1G, 4G) leaves nothing out and has 3 079 pages of levels,
    // all inside it; every other place holding memory leaves out 262 144 pages or more.
    assertTrue(places.roomForPamtInside(3079, OptionalLong.empty()));
    assertFalse(places.roomForPamtInside(3078, OptionalLong.empty()));
  }

  /**
   * On {@link #TWO_RUNS} at one TDMR (holes memlist, PAMT node-local, coverage all): a TDMR holding
   * memory leaves out the other node's memory or holds both, and either way some level describes a
   * granule remotely (above); a TDMR over no memory (granule 0 or 2) describes none, and its levels
   * (1 024, 2 and 1 pages, padded) fill A and B, the two stretches: no remote PAMT, 2 GiB of PAMT,
   * one TDMR, one area (the TDMR is all gap, reserved). That layout has no PAMT inside its TDMR, and
   * so has every layout beating it: the claims name no chain, and the referee agrees.
   */
  @Test
  void twoNodesAtOneTdmrNameNoChain() {
    LayoutScore optimum = new LayoutScore(0, 0, 2 * G, 1, 1);
    assertTrue(ModuleFamilyRestrictions.noPamtInsideOnlyTdmr(Instance.of(TWO_RUNS, ONE, Policy.DEFAULT), optimum));
    assertEquals(optimum, new ExhaustiveSearch(TWO_RUNS, ONE, Policy.DEFAULT).best().orElseThrow().score());
    for (Engine e : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = e.solve(TWO_RUNS, ONE, Policy.DEFAULT, new SolveOptions(60, 1, 0));
      assertEquals(Status.OPTIMAL, r.status(), e.name() + ": " + r.messages());
      assertTrue(optimum.sameRank(LayoutScore.of(TWO_RUNS, ONE, Policy.DEFAULT, r.layout().orElseThrow()),
          Policy.DEFAULT), e.name());
      assertFalse(r.restrictions().contains(ModuleFamilyRestrictions.CHAINS), e.name() + ": " + r.restrictions());
    }
  }

  /** A tiny case: the map, the limits and the policy. */
  record Case(MemoryMap map, TdxLimits limits, Policy policy) {}

  /**
   * Both engines at one TDMR on tiny two-node maps of runs of whole GiB and small blocks, against
   * {@link ExhaustiveSearch}: a claim naming no restriction equals the referee's best, and no layout
   * beats it ({@link RefereeClaims}); a layout {@link ModuleFamilyRestrictions#unbeatable} calls so
   * ranks with the referee's best.
   */
  @Property(tries = 12, seed = "20261205")
  void claimsAtOneTdmrHold(@ForAll("oneTdmr") Case c) {
    Optional<ExhaustiveSearch.Result> expected = new ExhaustiveSearch(c.map(), c.limits(), c.policy()).best();
    // The cases the argument decides: an optimum of 1 GiB of PAMT or more with no room for PAMT inside.
    boolean decided = expected.isPresent() && expected.get().score().pamtBytes() >= G
        && ModuleFamilyRestrictions.noPamtInsideOnlyTdmr(Instance.of(c.map(), c.limits(), c.policy()), expected.get().score());
    for (Engine e : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = e.solve(c.map(), c.limits(), c.policy(), new SolveOptions(60, 1, 0));
      Statistics.label(e.name()).collect(r.status(), decided ? "1 GiB of PAMT or more, none inside a beating layout" : "other",
          r.restrictions().contains(ModuleFamilyRestrictions.CHAINS) ? "chains named" : "chains not named");
      RefereeClaims.hold(r, expected, c.map(), c.limits(), c.policy(), e.name() + " " + c);
      if (r.layout().isPresent()) {
        // A score the bounds of the whole family call unbeatable is the referee's best.
        LayoutScore got = LayoutScore.of(c.map(), c.limits(), c.policy(), r.layout().get());
        if (ModuleFamilyRestrictions.unbeatable(Instance.of(c.map(), c.limits(), c.policy()), got)) {
          Statistics.label("unbeatable").collect(e.name());
          assertTrue(expected.orElseThrow().score().sameRank(got, c.policy()), e.name() + " " + got + " " + c);
        }
      }
    }
  }

  /**
   * Granules 1 to 3, each empty, a whole GiB (joined with the granule before into one run when that
   * is whole on the same node; twice as likely as each other kind), memory from 1 MiB into it to its
   * end, a block of 2 pages at 4 KiB into it, or its first 2 MiB (joined with a block ending there on
   * the same node: memory running 2 MiB past a granule boundary, which a TDMR's levels may have to
   * fill reaching into it, {@link OnlyTdmrOptimum}); nodes 0 or 1; one TDMR, 1, 2 or 16 areas,
   * every policy of the module family.
   */
  @Provide
  Arbitrary<Case> oneTdmr() {
    Arbitrary<int[]> kinds = Arbitraries.of(0, 1, 1, 2, 3, 4).array(int[].class).ofSize(3);
    Arbitrary<int[]> nodes = Arbitraries.integers().between(0, 1).array(int[].class).ofSize(3);
    Arbitrary<Integer> areas = Arbitraries.of(1, 2, 16);
    return Combinators.combine(kinds, nodes, areas, TinyCaseArbitraries.moduleFamilyPolicies())
        .as((ks, ns, a, p) -> {
          List<MemoryBlock> blocks = new ArrayList<>();
          for (int i = 0; i < 3; i++) {
            long g = (i + 1) * G;
            MemoryBlock last = blocks.isEmpty() ? null : blocks.get(blocks.size() - 1);
            switch (ks[i]) {
              case 1 -> {
                if (last != null && last.range().end() == g && last.node() == ns[i] && ks[i - 1] == 1) {
                  blocks.set(blocks.size() - 1, new MemoryBlock(last.range().start(), g + G, ns[i]));
                } else {
                  blocks.add(new MemoryBlock(g, g + G, ns[i]));
                }
              }
              case 2 -> blocks.add(new MemoryBlock(g + K * K, g + G, ns[i]));
              case 3 -> blocks.add(new MemoryBlock(g + 4 * K, g + 12 * K, ns[i]));
              case 4 -> {
                if (last != null && last.range().end() == g && last.node() == ns[i]) {
                  blocks.set(blocks.size() - 1, new MemoryBlock(last.range().start(), g + 2 * K * K, ns[i]));
                } else {
                  blocks.add(new MemoryBlock(g, g + 2 * K * K, ns[i]));
                }
              }
              default -> { }
            }
          }
          if (blocks.isEmpty()) {
            blocks.add(new MemoryBlock(G, 2 * G, 0));
          }
          return new Case(MemoryMap.ofBlocks("tiny", blocks), ONE.withMaxReservedPerTdmr(a), p);
        });
  }
}
