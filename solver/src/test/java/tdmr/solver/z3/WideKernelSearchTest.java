package tdmr.solver.z3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.RealMaps;
import tdmr.solver.EngineResult;
import tdmr.solver.ExhaustiveSearch;
import tdmr.solver.Question;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Layout;
import tdmr.tdx.PamtSizing;
import tdmr.tdx.Policy;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/** Z3's kernel family looked at again over the wide model ({@link WideKernelSearch}). */
class WideKernelSearchTest {
  private static final long K = 1024;
  private static final long G = 1024 * 1024 * K;

  /**
   * canonical/tdx#391 and tdx#285 share the low block [1M, 1912M). {@link Z3Model}'s optimum, [0, 2G)
   * and [4G, 258G), has 2053 + 260 605 = 262 658 pages of PAMT (chunk of an N GiB TDMR, N ≤ 256:
   * 1026·N + 1 pages) and names the restrictions of {@code Problem}. [0, 1G) and [4G, 258G) have
   * 1027 + 260 605 = 261 632 pages: granule 1 lies in no TDMR, its 888 MiB of memory all PAMT (the
   * 254 GiB TDMR's chunk, 1016 MiB + 1 984 KiB + 4 KiB, ends at 1912M and reaches down across the
   * 1 GiB boundary into granule 0). The wide model holds that layout ({@code
   * KernelFamilyClaimTest}'s fixtures), found with the first TDMR shrunk by one granule; 261 632
   * pages is the module family's PAMT bound, which the layout meets in every tier, so the claim
   * names no restriction.
   */
  @ParameterizedTest
  @ValueSource(strings = {"tdx-cmr-5cmr-256GiB-canonical-tdx-391.txt",
      "tdx-cmr-3cmr-256GiB-spr-8480C-canonical-tdx-285-pr188.txt"})
  void aGranuleLeftOutAndFilledByAChunkIsTheOptimumOfTheWholeFamily(String name) throws Exception {
    MemoryMap map = RealMaps.read(name);
    EngineResult r = new Z3Engine().solve(map, TdxLimits.DEFAULT, Policy.KERNEL, new SolveOptions(60, 1, 0));
    String what = r.messages().toString();
    assertEquals(Status.OPTIMAL, r.status(), what);
    assertEquals(261_632L * 4096, r.pamtBytes().getAsLong(), what);
    assertEquals(Question.of(Policy.Family.KERNEL), r.question(), what);
    Layout layout = r.layout().orElseThrow();
    assertEquals(List.of(new AddressRange(0, G), new AddressRange(4 * G, 258 * G)),
        layout.tdmrs().stream().map(Tdmr::range).toList());
    assertKernelShaped(map, TdxLimits.DEFAULT, layout);
  }

  /**
   * Blocks [1 MiB, 1 GiB) and [2 GiB, 2 GiB + 1027 pages), at most 2 TDMRs ({@code
   * KernelFamilyClaimTest}): the TDMR [0, 1 GiB) alone, its 1027-page chunk filling the second
   * block, which then lies in no TDMR, is the referee's best (4 206 592 bytes); {@link Z3Model}
   * covers every granule holding memory (8 413 184 bytes, named). The wide model holds it: Z3 now
   * answers the referee's optimum.
   */
  @Test
  void anIslandAChunkFillsLiesOutsideEveryTdmr() {
    MemoryMap map = MemoryMap.ofBlocks("filled-island", List.of(new MemoryBlock(1024 * K, G, 0),
        new MemoryBlock(2 * G, 2 * G + 1027 * 4 * K, 0)));
    TdxLimits two = TdxLimits.DEFAULT.withMaxTdmrs(2);
    ExhaustiveSearch.Result best = new ExhaustiveSearch(map, two, Policy.KERNEL).best().orElseThrow();
    EngineResult r = new Z3Engine().solve(map, two, Policy.KERNEL, new SolveOptions(60, 1, 0));
    String what = r.messages().toString();
    assertEquals(Status.OPTIMAL, r.status(), what);
    assertTrue(best.score().sameRank(tdmr.solver.LayoutScore.of(map, two, Policy.KERNEL, r.layout().orElseThrow()),
        Policy.KERNEL), what);
    assertEquals(4_206_592L, r.pamtBytes().getAsLong(), what);
    assertKernelShaped(map, two, r.layout().orElseThrow());
  }

  /**
   * Blocks A = [4G, 8G) and B = [16G, 16G + 4106 pages), the 8 GiB between them empty (so the whole
   * wide model is not searched: {@link WideKernelSearch#longEmptyRun}). The chunk of an n GiB TDMR
   * (n ≤ 256) is 1024n + 2n + 1 = 1026n + 1 pages. {@link Z3Model} covers both blocks: [4G, 8G) and
   * [16G, 17G), 4105 + 1027 = 5132 pages. Better: B left out of every TDMR and filled by chunks,
   * which needs chunks summing to its 4106 pages; A's 4 GiB cannot be left out (no PAMT fills it),
   * so at least 4 GiB are covered, 1026·4 + 1 = 4105 pages with one TDMR, one short of B; two TDMRs
   * of a + b = 4 GiB have 1026·4 + 2 = 4106 pages and fill it exactly. So the optimum is 4106 pages
   * (16 818 176 bytes) in two TDMRs splitting A inside its run of whole GiB, with no reserved area
   * (A is all memory; B is PAMT outside every TDMR). No TDMR set a granule off the model's reaches
   * it (B's TDMR must go, A's must split); a coverage near it does: [16G, 17G) dropped.
   */
  @Test
  void aBlockLeftOutIsFilledByTheChunksOfARunSplitInTwo() {
    MemoryMap map = MemoryMap.ofBlocks("split-run-fills-a-block", List.of(new MemoryBlock(4 * G, 8 * G, 0),
        new MemoryBlock(16 * G, 16 * G + 4106 * 4 * K, 0)));
    EngineResult r = new Z3Engine().solve(map, TdxLimits.DEFAULT, Policy.KERNEL, new SolveOptions(60, 1, 0));
    String what = r.messages().toString();
    assertEquals(Status.OPTIMAL, r.status(), what);
    assertEquals(4106L * 4096, r.pamtBytes().getAsLong(), what);
    assertEquals(Question.of(Policy.Family.KERNEL), r.question(), what);
    Layout layout = r.layout().orElseThrow();
    List<AddressRange> tdmrs = layout.tdmrs().stream().map(Tdmr::range).toList();
    assertEquals(2, tdmrs.size(), tdmrs.toString());
    assertEquals(4 * G, tdmrs.get(0).start());
    assertEquals(tdmrs.get(0).end(), tdmrs.get(1).start());
    assertEquals(8 * G, tdmrs.get(1).end());
    assertEquals(0, layout.reservedAreaCount());
    assertKernelShaped(map, TdxLimits.DEFAULT, layout);
  }

  /** Valid, and one contiguous chunk of exactly the kernel's size per TDMR. */
  /**
   * Blocks [1 MiB, 1 GiB + 1027 pages) and [4 GiB, 5 GiB + 1027 pages) on node 0, default limits
   * (derived in {@code cpsat.KernelFamilySolverTest}: chunk of an N GiB TDMR 1026·N + 1 pages).
   * {@link Z3Model}'s optimum, [0, 2G) and [4G, 6G), has 2 × 2053 = 4106 pages and names the
   * restriction that every granule holding memory lies in a TDMR. The wide search, held to the TDMR
   * sets near it (each TDMR shrunk by one granule, one at a time; neither the coverages near it nor the
   * whole model are searched), finds [0, 1G) and [4G, 6G): granule 1's 1027 pages of memory are the chunk of
   * [0, 1G), 1027 + 2053 = 3080 pages = 12 615 680 bytes; shrinking [0, 2G) at its low end would
   * leave granule 0's 1023 MiB out, more than any chunk, and [0, 2G) with [4G, 5G) ties at 3080. That
   * misses the family's bound, 2 × 1027 = 2054 pages = 8 413 184 bytes (granules 0 and 4 hold more
   * memory than such a PAMT, so they are covered, by two TDMRs or one of at least 5 GiB), which [0,
   * 1G) and [4G, 5G) meet: nothing is proven, and the answer is {@code FEASIBLE} with the better
   * layout, that bound, about the whole kernel family, the restricted proof kept as a message.
   */
  @Test
  void aBetterLayoutTheSearchCannotProveIsAFeasibleAnswerForTheWholeFamily() {
    MemoryMap map = MemoryMap.ofBlocks("two-fillable-granules", List.of(new MemoryBlock(1024 * K, G + 1027 * 4 * K, 0),
        new MemoryBlock(4 * G, 5 * G + 1027 * 4 * K, 0)));
    EngineResult r = Z3Engine.wideGuessesOnly().solve(map, TdxLimits.DEFAULT, Policy.KERNEL, new SolveOptions(60, 1, 0));
    String what = r.messages().toString();
    assertEquals(Status.FEASIBLE, r.status(), what);
    assertEquals(12_615_680L, r.pamtBytes().getAsLong(), what);
    assertEquals(8_413_184L, r.pamtBoundBytes().getAsLong(), what);
    assertEquals(Question.of(Policy.Family.KERNEL), r.question(), what);
    Layout layout = r.layout().orElseThrow();
    assertEquals(List.of(new AddressRange(0, G), new AddressRange(4 * G, 6 * G)),
        layout.tdmrs().stream().map(Tdmr::range).toList());
    assertKernelShaped(map, TdxLimits.DEFAULT, layout);
    assertTrue(r.messages().stream().anyMatch(m -> m.startsWith("proven optimal only among the layouts of the kernel"
        + " family in which") && m.contains(tdmr.solver.Problem.KERNEL_FAMILY_RESTRICTIONS.get(2))
        && m.contains("PAMT 16818176 bytes")), what);
  }

  private static void assertKernelShaped(MemoryMap map, TdxLimits limits, Layout layout) {
    assertEquals(List.of(), LayoutVerifier.failures(map, limits, Policy.KERNEL, layout));
    for (Tdmr t : layout.tdmrs()) {
      assertTrue(t.pamt().isContiguousChunk(), t.toString());
      assertEquals(PamtSizing.chunkBytes(t.size(), limits), t.pamt().oneG().end() - t.pamt().fourK().base(),
          t.toString());
    }
  }
}
