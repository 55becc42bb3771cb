package tdmr.greedy;

import static tdmr.mem.ByteSize.PAGE;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/** The greedy against the literal transcription of the kernel, on generated maps. */
class LinuxGreedyPropertyTest {
  private static final long MiB = 1L << 20;

  @Property(tries = 150, seed = "20261203")
  void greedyMatchesTheLiteralKernelTranscription(
      @ForAll("maps") MemoryMap map, @ForAll("limits") TdxLimits limits) {
    GreedyResult mine = LinuxGreedy.mainline().construct(map, limits);
    net.jqwik.api.statistics.Statistics.collect(
        mine instanceof GreedyResult.Failed f ? f.stage().name() : "BUILT");
    LiteralKernelGreedy.Outcome oracle = LiteralKernelGreedy.run(LinuxGreedy.memoryList(map.blocks()), limits);
    if (oracle.entries() == null) {
      var failed = assertInstanceOf(GreedyResult.Failed.class, mine, () -> String.join("\n", mine.messages()));
      assertEquals(oracle.errno(), failed.errno().value());
      if (oracle.failure() != null) {
        assertEquals(oracle.failure(), failed.messages().get(failed.messages().size() - 2));
      }
      assertEquals("module initialization failed (%d)".formatted(oracle.errno()),
          failed.messages().get(failed.messages().size() - 1));
      return;
    }
    var built = assertInstanceOf(GreedyResult.Built.class, mine, () -> String.join("\n", mine.messages()));
    List<Tdmr> tdmrs = built.layout().tdmrs();
    assertEquals(oracle.entries().size(), tdmrs.size());
    for (int i = 0; i < tdmrs.size(); i++) {
      var e = oracle.entries().get(i);
      Tdmr t = tdmrs.get(i);
      assertEquals(e.base(), t.base());
      assertEquals(e.size(), t.size());
      assertEquals(e.pamtBase(), t.pamt().fourK().base());
      assertEquals(e.pamtSize(), t.pamt().totalBytes());
      assertEquals(e.rsvd().size(), t.reserved().size());
      for (int k = 0; k < e.rsvd().size(); k++) {
        assertEquals(e.rsvd().get(k)[0], t.reserved().get(k).offset());
        assertEquals(e.rsvd().get(k)[1], t.reserved().get(k).size());
      }
    }
  }

  /**
   * Maps of equal 1-3 GiB islands give many TDMRs of one size, so the placement's repeated searches
   * (resumed where the previous one of that size stopped) are exercised against the oracle, which
   * always starts from the zone start. Reserved-area limits are raised so most maps build.
   */
  @Property(tries = 60, seed = "20261203")
  void repeatedSearchesOfOneSizeMatchTheLiteralKernelTranscription(
      @ForAll("uniformMaps") MemoryMap map, @ForAll("limits") TdxLimits limits) {
    greedyMatchesTheLiteralKernelTranscription(map, limits.withMaxReservedPerTdmr(16 + limits.maxReservedPerTdmr() * 4));
  }

  @Provide
  Arbitrary<MemoryMap> uniformMaps() {
    return Combinators.combine(
            Arbitraries.integers().between(2, 40),
            Arbitraries.integers().between(1, 3),
            Arbitraries.integers().between(1, 4),
            Arbitraries.integers().between(0, 3))
        .as((count, gib, nodes, holeMiB) -> {
          List<MemoryBlock> blocks = new ArrayList<>();
          long g = 1L << 30;
          for (int k = 0; k < count; k++) {
            long start = k == 0 ? MiB : k * (gib + 1) * g + holeMiB * MiB;
            blocks.add(new MemoryBlock(start, k * (gib + 1) * g + gib * g, k * nodes / count));
          }
          return MemoryMap.ofBlocks("uniform", blocks);
        });
  }

  /**
   * Every built layout, for both hole sources and both PAMT placements, passes the module validator
   * and the OS check, and every block byte lies in a TDMR outside its reserved areas except the
   * bytes its PAMT chunks took.
   */
  @Property(tries = 100, seed = "20261203")
  void builtLayoutsPassTheValidatorAndCoverEveryBlock(
      @ForAll("maps") MemoryMap map, @ForAll("limits") TdxLimits limits) {
    for (Policy.Holes holes : Policy.Holes.values()) {
     for (PamtPlacement placement : List.of(PamtPlacement.kernel(), new TopDownPamtPlacement())) {
      GreedyResult r = new LinuxGreedy(holes, placement).construct(map, limits);
      if (!(r instanceof GreedyResult.Built b)) {
        continue;
      }
      tdmr.check.LayoutVerifier.requireValid(map, limits, Policy.KERNEL.withHoles(holes), b.layout());
      for (MemoryBlock block : LinuxGreedy.memoryList(map.blocks())) {
        long covered = 0;
        for (Tdmr t : b.layout().tdmrs()) {
          AddressRange in = t.range().intersect(block.range());
          long reservedInside = t.reservedRanges().stream()
              .mapToLong(rr -> rr.intersect(in).size()).sum();
          covered += in.size() - reservedInside;
        }
        // PAMT chunks are carved out of blocks, so a block loses exactly its PAMT bytes.
        long pamtInside = b.layout().tdmrs().stream()
            .mapToLong(t -> AddressRange.ofSize(t.pamt().fourK().base(), t.pamt().totalBytes())
                .intersect(block.range()).size())
            .sum();
        assertEquals(block.size() - pamtInside, covered, () -> "block " + block);
      }
      assertTrue(b.layout().maxReservedPerTdmr() <= limits.maxReservedPerTdmr());
     }
    }
  }

  @Provide
  Arbitrary<MemoryMap> maps() {
    Arbitrary<long[]> block = Combinators.combine(
            Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.longs().between(0, 64)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(0, 300_000))),
            Arbitraries.longs().between(1, 150_000),
            Arbitraries.integers().between(0, 3))
        .as((gap, size, node) -> new long[] {gap, size, node});
    return block.list().ofMinSize(1).ofMaxSize(30).map(specs -> {
      List<MemoryBlock> blocks = new ArrayList<>();
      long cursor = MiB;
      for (long[] s : specs) {
        long start = cursor + s[0] * PAGE;
        long end = start + s[1] * PAGE;
        blocks.add(new MemoryBlock(start, end, (int) s[2]));
        cursor = end;
      }
      return MemoryMap.ofBlocks("generated", blocks);
    });
  }

  @Provide
  Arbitrary<TdxLimits> limits() {
    return Combinators.combine(
            Arbitraries.integers().between(1, 64),
            Arbitraries.integers().between(1, 16),
            Arbitraries.of(false, true))
        .as((t, r, d) -> d ? dynamicPamt(t, r) : TdxLimits.DEFAULT.withMaxTdmrs(t).withMaxReservedPerTdmr(r));
  }

  /** Dynamic PAMT needs HKID bits starting at or below bit 48 (rule A7); Linux enables it only then. */
  private static TdxLimits dynamicPamt(int maxTdmrs, int maxRsvd) {
    return new TdxLimits(maxTdmrs, maxRsvd, 16, 16, 16, true, 48);
  }
}
