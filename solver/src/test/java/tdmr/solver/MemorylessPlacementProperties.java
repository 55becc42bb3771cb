package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * Both engines' module-family claims against {@link ExhaustiveSearch} on tiny maps where TDMRs
 * without TDX memory can only lie below the memory or in a granule without memory between it: the
 * HKID limit (2 or 4 GiB) right at the end of the memory, so nothing lies above it, the memory
 * starting at 1 or 2 GiB, and maybe an empty granule inside. Tiny islands a page apart at the
 * memory's start want PAMT levels to fill them when areas are few; a block of at least 4 MiB holds
 * a 4K level. CMRs are the blocks, or one CMR from 0 over everything (so granules without memory
 * are convertible, and under holes {@code cmr} a TDMR on them needs no area). An {@code OPTIMAL} or
 * {@code INFEASIBLE} naming no restriction must equal the referee; no layout may beat the referee.
 */
class MemorylessPlacementProperties {
  private static final long K = 1024;
  private static final long G = 1024 * 1024 * K;

  /** A tiny case: the map, the limits and the policy. */
  record Case(MemoryMap map, TdxLimits limits, Policy policy) {}

  @Property(tries = 30, seed = "20261205")
  void claimsHoldWhereTdmrsWithoutMemoryLieBelowOrInside(@ForAll("belowOrInside") Case c) {
    Optional<ExhaustiveSearch.Result> expected = new ExhaustiveSearch(c.map(), c.limits(), c.policy()).best();
    for (Engine e : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = e.solve(c.map(), c.limits(), c.policy(), new SolveOptions(60, 1, 0));
      holdsAgainst(expected, r, c, e.name());
    }
  }

  private static void holdsAgainst(Optional<ExhaustiveSearch.Result> expected, EngineResult r, Case c, String engine) {
    Statistics.label(engine).collect(r.status(), r.restrictions().isEmpty() ? "whole family" : "restricted");
    assertFalse(r.restrictions().contains("TDMRs without TDX memory lie above all of it"), engine + " " + c);
    RefereeClaims.hold(r, expected, c.map(), c.limits(), c.policy(), engine + " " + c);
  }

  /**
   * HKID limit 2 GiB (memory in granule 1 only) or 4 GiB (memory from granule 1 or 2 to 4 GiB, the
   * large block maybe leaving granule 2 empty); 1 to 3 islands of 1, 2 or 4 pages a page apart from
   * 4 KiB into the first granule, the large block from 1 MiB into it (or from the empty granule's
   * end) to the HKID limit; 1 to 3 TDMRs, 0 to 2 areas, every policy.
   */
  @Provide
  Arbitrary<Case> belowOrInside() {
    Arbitrary<List<Long>> islands = Arbitraries.of(1L, 2L, 4L).list().ofMinSize(1).ofMaxSize(3);
    Arbitrary<int[]> nodes = Arbitraries.integers().between(0, 1).array(int[].class).ofSize(4);
    Arbitrary<Integer> shape = Arbitraries.integers().between(0, 3);
    Arbitrary<Boolean> wideCmr = Arbitraries.of(false, true);
    return Combinators.combine(islands, nodes, shape, wideCmr, TinyCaseArbitraries.tinyLimits(),
            TinyCaseArbitraries.moduleFamilyPolicies())
        .as((pages, ns, s, wide, l, p) -> {
          // shape 0: HKID 2 GiB, memory in granule 1; 1: HKID 4 GiB, memory in granules 1-3;
          // 2: HKID 4 GiB, granule 2 empty; 3: HKID 4 GiB, memory in granules 2-3.
          int hkidBit = s == 0 ? 31 : 32;
          long top = 1L << hkidBit;
          long first = s == 3 ? 2 * G : G;
          List<MemoryBlock> blocks = new ArrayList<>();
          long cursor = first + 4 * K;
          for (int i = 0; i < pages.size(); i++) {
            blocks.add(new MemoryBlock(cursor, cursor + pages.get(i) * 4 * K, ns[i]));
            cursor += (pages.get(i) + 1) * 4 * K;
          }
          if (s == 2) {
            blocks.add(new MemoryBlock(first + 1024 * K, first + 8 * 1024 * K, ns[3]));
            blocks.add(new MemoryBlock(3 * G, top, ns[3]));
          } else {
            blocks.add(new MemoryBlock(first + 1024 * K, top, ns[3]));
          }
          List<AddressRange> cmrs = wide ? List.of(new AddressRange(0, top))
              : blocks.stream().map(MemoryBlock::range).toList();
          TdxLimits limits = new TdxLimits(l.maxTdmrs(), l.maxReservedPerTdmr(), l.pamtEntrySize4k(),
              l.pamtEntrySize2m(), l.pamtEntrySize1g(), l.dynamicPamt(), hkidBit);
          return new Case(MemoryMap.of("tiny", blocks, cmrs), limits, p);
        });
  }
}
