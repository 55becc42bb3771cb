package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.LayoutJson;
import tdmr.parse.RealMaps;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Layout;
import tdmr.tdx.PamtSizing;
import tdmr.tdx.Policy;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * When a kernel-family optimum names the restrictions of {@link Problem} and when it needs none
 * ({@link KernelFamilyClaim}), in both engines.
 */
class KernelFamilyClaimTest {
  private static final long K = 1024;
  private static final long G = 1024 * 1024 * K;

  /**
   * One block [1 GiB + 1 MiB, 3 GiB) on node 0, default limits. Every layout of either family covers
   * both granules (leaving one out would make its memory PAMT), so its PAMT is at least that of one
   * 2 GiB TDMR: 2 x 4 MiB (4K level) + 2 x 8 KiB (2M level) + 4 KiB (1G level, 32 bytes rounded up)
   * = 8 409 088 bytes, with one TDMR (two would pay a second 1G-level page). The hole [1 GiB,
   * 1 GiB + 1 MiB) lies in the TDMR over granule 1 and holds no TDX memory, so it is reserved: at
   * least 1 area. The kernel family's optimum, the TDMR [1G, 3G) with its chunk stacked against that
   * hole (one area for both), meets all three bounds, so no restriction of the model can matter and
   * the claim names none.
   */
  @Test
  void anOptimumMeetingTheModuleFamilysBoundsNamesNoRestriction() {
    MemoryMap map = MemoryMap.ofBlocks("one-block", List.of(new MemoryBlock(G + 1024 * K, 3 * G, 0)));
    for (Engine e : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = e.solve(map, TdxLimits.DEFAULT, Policy.KERNEL, new SolveOptions(60, 1, 0));
      String what = e.name() + " " + r.messages();
      assertEquals(Status.OPTIMAL, r.status(), what);
      assertEquals(8_409_088L, r.pamtBytes().getAsLong(), what);
      assertEquals(1, r.layout().orElseThrow().size(), what);
      assertEquals(1, r.layout().orElseThrow().reservedAreaCount(), what);
      assertEquals(Question.of(Policy.Family.KERNEL), r.question(), what);
      assertTrue(r.messages().contains(KernelFamilyClaim.UNRESTRICTED), what);
    }
  }

  /**
   * tdx#135 under the kernel family at 16 areas: two 1 GiB TDMRs, each chunk stacked against a hole
   * in the other; [0, 1G) reserves [0, 1 MiB), and [1G, 2G) its 15 gaps between blocks plus the tail
   * above 0x6f800000: 17 areas in all (README, "Layout families"). The module family has a layout
   * with 15 ({@code ModuleFamilyClaimsTest}: levels filling islands merge holes), so the module
   * family's areas bound is not met; but no chunk fills those islands, and the kernel family's own
   * bounds ({@link KernelFamilyBounds}, derived by hand in {@code KernelFamilyBoundsTest}: one TDMR
   * would need 17 areas, so 2 054 pages and two TDMRs, 17 areas) are met: both engines claim the
   * optimum for the whole kernel family and name no restriction.
   */
  @Test
  void anOptimumMeetingTheKernelFamilysOwnBoundsNamesNoRestriction() throws Exception {
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    for (Engine e : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = e.solve(map, TdxLimits.DEFAULT, Policy.KERNEL, new SolveOptions(60, 1, 0));
      String what = e.name() + " " + r.messages();
      assertEquals(Status.OPTIMAL, r.status(), what);
      assertEquals(17, r.layout().orElseThrow().reservedAreaCount(), what);
      assertEquals(Question.of(Policy.Family.KERNEL), r.question(), what);
      assertTrue(r.messages().contains(KernelFamilyClaim.KERNEL_UNRESTRICTED), what);
    }
  }

  /**
   * The Supermicro X12DAi: both engines' optimum, [0, 2G) and [4G, 258G) (1026·256 + 2 = 262 658
   * pages, 3 areas: the holes [0, 1M), [1662M+200K, 1748M-4K) and [1784M, 2G), each chunk against
   * one), meets the kernel family's own bounds: no layout covers less than 256 GiB with two TDMRs
   * below that PAMT, nor 257 GiB with one ({@code KernelCoverageTest}); and a layout leaving granule 0
   * out needs 3 areas too (the 9 217-page block keeps granule 1 covered, its holes are two areas,
   * and the PAMT filling granule 0 reaches on into granule 1, no chunk sum being 261 888 pages). So
   * the claim holds for the whole family and names no restriction.
   */
  @Test
  void theX12DAisOptimumMeetsTheKernelFamilysCoverageBound() throws Exception {
    MemoryMap map = RealMaps.read("e820-2socket-icelake-supermicro-X12DAi-N6-linuxhw.txt");
    for (Engine e : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = e.solve(map, TdxLimits.DEFAULT, Policy.KERNEL, new SolveOptions(60, 1, 0));
      String what = e.name() + " " + r.messages();
      assertEquals(Status.OPTIMAL, r.status(), what);
      assertEquals(262_658 * 4096L, r.pamtBytes().getAsLong(), what);
      assertEquals(3, r.layout().orElseThrow().reservedAreaCount(), what);
      assertEquals(Question.of(Policy.Family.KERNEL), r.question(), what);
      assertTrue(r.messages().contains(KernelFamilyClaim.KERNEL_UNRESTRICTED), what);
    }
  }

  /**
   * tdx#135 within 15 areas per TDMR: the TDMR over granule 1 needs 16 in every kernel-family
   * layout ({@code KernelFamilyBoundsTest}), so both engines' {@code INFEASIBLE} holds for the whole
   * family and names no restriction.
   */
  @Test
  void anInfeasibilityTheKernelFamilysBoundsProveNamesNoRestriction() throws Exception {
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    TdxLimits fifteen = TdxLimits.DEFAULT.withMaxReservedPerTdmr(15);
    for (Engine e : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = e.solve(map, fifteen, Policy.KERNEL, new SolveOptions(60, 1, 0));
      String what = e.name() + " " + r.messages();
      assertEquals(Status.INFEASIBLE, r.status(), what);
      assertEquals(Question.of(Policy.Family.KERNEL), r.question(), what);
      assertTrue(r.messages().contains(KernelFamilyClaim.NO_KERNEL_LAYOUT), what);
    }
  }

  /**
   * Real maps where a layout of the kernel's shape outside the model over {@link Problem} has less
   * PAMT than that model's optimum (chunk of an N GiB TDMR, N ≤ 256: 4104·N + 4 KiB = 1026·N + 1
   * pages; 1022 GiB: 1026·1022 + 4 = 1 048 576 pages). Each witness passes the validator and has one
   * contiguous chunk of exactly the kernel's size per TDMR.
   *
   * <ul>
   *   <li>canonical/tdx#391 (CMRs [1M, 1912M), [4G, 65G+928M), ... [194G, 257G+960M), all TDX
   *       memory): the model's [0, 2G) and [4G, 258G) have 2053 + 260 605 = 262 658 pages; [0, 1G)
   *       and [4G, 258G) have 1027 + 260 605 = 261 632, granule 1 left out of every TDMR and its
   *       888 MiB of memory all PAMT: the chunk of the 254 GiB TDMR (1016 MiB + 1 984 KiB + 4 KiB)
   *       ends at 1912M and reaches down across the 1 GiB boundary into granule 0, where the first
   *       TDMR reserves it; that TDMR's own chunk sits on the hole [0, 1M).
   *   <li>canonical/tdx#285 (blocks [1M, 1912M), [4G, 129G+768M), [130G, 257G+768M)): the same
   *       low block, so the same two TDMRs and chunks, 261 632 pages against 262 658.
   *   <li>the canonical/tdx README's 1 TiB host (the same low block, four blocks above 4G up to
   *       1025G+960M): the model's [0, 2G) and [4G, 1026G) have 2053 + 1 048 576 = 1 050 629
   *       pages; the witness [0, 1G), [4G, 258G) and [258G, 1026G) (768 GiB: 1026·768 + 3) has 1027 +
   *       260 605 + 787 971 = 1 049 603. Better still: [0, 2G) and [4G, 1022G), the 1018 GiB TDMR's
   *       chunk (1026·1018 + 4 = 1 044 472 pages) filling the 1 032 192 pages of [1022G, 1025G+960M)
   *       left out of every TDMR and reaching on down into granule 1021: 2053 + 1 044 472 = 1 046 525.
   *   <li>canonical/tdx#331 (blocks [1M, 1912M), [4G, 447G+1992M), [512G, 960G), [1024G,
   *       1026G)): the model's [0, 2G), [4G, 448G), [512G, 960G), [1024G, 1026G) have 2053 + 455 546
   *       + 459 650 + 2053 = 919 302 pages; the witness [0, 2G), [4G, 259G), [259G, 448G), [512G,
   *       768G), [768G, 960G) has 2053 + 261 631 + 193 915 + 262 657 + 196 993 = 917 249: the chunks of
   *       the 255 and 256 GiB TDMRs (261 631 + 262 657 = 524 288 pages) fill the 2 GiB block at 1024G
   *       exactly, which is then PAMT and lies in no TDMR, and the boundaries at 259G and 768G lie
   *       inside uniform memory. Better still, five TDMRs [0, 2G), [4G, 191G), [191G, 447G), [512G,
   *       705G), [705G, 960G): 2053 + (1026·187 + 1) + (1026·256 + 1) + (1026·193 + 1) + (1026·255 + 1)
   *       = 2053 + 191 863 + 262 657 + 198 019 + 261 631 = 916 223 pages.
   * </ul>
   *
   * CP-SAT's kernel family over the module family's instance ({@code cpsat.KernelFamilySolver}) finds
   * those better layouts (the PAMT values derived above), of the kernel's shape, and claims them
   * without any restriction of the model over {@code Problem}; so does Z3's ({@code
   * z3.WideKernelSearch}: on the 1 TiB host and tdx#331 with the covered granules fixed near its
   * model's optimum, which reaches the TDMRs split inside a run and the block left out). Where Z3's
   * search stops before its proof (the time limit under load), its answer is {@code FEASIBLE} for the
   * whole family with a layout of the kernel's shape no better than CP-SAT's optimum and a PAMT bound
   * no higher ({@code KernelFamilyWitness}).
   */
  @ParameterizedTest
  @CsvSource({
      "tdx-cmr-5cmr-256GiB-canonical-tdx-391.txt, tdx391-kernel-chunk-across-a-granule.json, 261632, 261632",
      "tdx-cmr-3cmr-256GiB-spr-8480C-canonical-tdx-285-pr188.txt, tdx285-kernel-chunk-across-a-granule.json, 261632, 261632",
      "tdx-cmr-5cmr-1TiB-spr-canonical-tdx-readme.txt, tdx-readme-1tib-kernel-chunk-across-a-granule.json, 1049603, 1046525",
      "tdx-fail-seamcall-4cmr-canonical-tdx-331.txt, tdx331-kernel-chunks-fill-a-block.json, 917249, 916223"})
  void realMapsWhereTheModelOverProblemHidACheaperKernelLayout(String mapName, String witnessName, long pages,
      long cpSatPages) throws Exception {
    MemoryMap map = RealMaps.read(mapName);
    Layout witness = LayoutJson.read("witness", Files.readString(Path.of("src/test/resources/family/" + witnessName)));
    assertEquals(List.of(), LayoutVerifier.failures(map, TdxLimits.DEFAULT, Policy.KERNEL, witness));
    assertEquals(List.of(), KernelShape.failures(map, TdxLimits.DEFAULT, witness));
    for (Tdmr t : witness.tdmrs()) {
      assertTrue(t.pamt().isContiguousChunk(), t.toString());
      assertEquals(PamtSizing.chunkBytes(t.size(), TdxLimits.DEFAULT), t.pamt().oneG().end() - t.pamt().fourK().base());
    }
    assertEquals(pages * 4096L, witness.pamtBytes());
    EngineResult cpsat = new CpSatEngine().solve(map, TdxLimits.DEFAULT, Policy.KERNEL, new SolveOptions(60, 1, 0));
    String said = cpsat.messages() + " " + cpsat.details();
    assertEquals(Status.OPTIMAL, cpsat.status(), said);
    assertEquals(cpSatPages * 4096L, cpsat.pamtBytes().getAsLong(), said);
    assertEquals(List.of(), KernelShape.failures(map, TdxLimits.DEFAULT, cpsat.layout().orElseThrow()), said);
    assertEquals(List.of(), LayoutVerifier.failures(map, TdxLimits.DEFAULT, Policy.KERNEL, cpsat.layout().orElseThrow()));
    for (String restriction : Problem.kernelQuestion(Policy.KERNEL).restrictions()) {
      assertFalse(cpsat.restrictions().contains(restriction), said);
    }
    EngineResult z3 = new Z3Engine().solve(map, TdxLimits.DEFAULT, Policy.KERNEL, new SolveOptions(60, 1, 0));
    String what = z3.messages().toString();
    if (z3.status() == Status.FEASIBLE) {
      Layout found = z3.layout().orElseThrow();
      assertEquals(Question.of(Policy.Family.KERNEL), z3.question(), what);
      assertEquals(List.of(), LayoutVerifier.failures(map, TdxLimits.DEFAULT, Policy.KERNEL, found), what);
      assertEquals(List.of(), KernelShape.failures(map, TdxLimits.DEFAULT, found), what);
      assertTrue(found.pamtBytes() >= cpSatPages * 4096L, what);
      assertTrue(z3.pamtBoundBytes().orElseThrow() <= cpSatPages * 4096L, what);
      return;
    }
    assertEquals(Status.OPTIMAL, z3.status(), what);
    assertEquals(cpSatPages * 4096L, z3.pamtBytes().getAsLong(), what);
    assertEquals(List.of(), z3.restrictions(), what);
    assertEquals(List.of(), KernelShape.failures(map, TdxLimits.DEFAULT, z3.layout().orElseThrow()), what);
  }

  /**
   * Blocks [1 MiB, 1 GiB) and [2 GiB, 2 GiB + 1027 pages) on node 0, at most 2 TDMRs. The chunk of a
   * 1 GiB TDMR is 4 MiB + 8 KiB + 4 KiB = 1027 pages, so it fills the second block exactly; that
   * memory is then PAMT, which the OS check does not ask to cover. The referee (which searches the
   * whole kernel family) finds the TDMR [0, 1 GiB) alone, its chunk filling the block: 1027 pages =
   * 4 206 592 bytes, the least any layout can have (one TDMR of 1 GiB). That layout's TDMR boundaries are where the map changes and its chunk fills one
   * piece; only its granule 2 outside every TDMR breaks the model's rules. The model covers every
   * granule holding memory, so at least two 1 GiB TDMRs (2 x 1027 pages = 8 413 184 bytes, one
   * TDMR over [0, 3 GiB) would need 3 x 4104 + 4 KiB): its optimum must name that restriction.
   */
  @Test
  void anOptimumCoveringMemoryThatAChunkCouldFillNamesThatRestriction() {
    MemoryMap map = MemoryMap.ofBlocks("filled-island", List.of(new MemoryBlock(1024 * K, G, 0),
        new MemoryBlock(2 * G, 2 * G + 1027 * 4 * K, 0)));
    TdxLimits two = TdxLimits.DEFAULT.withMaxTdmrs(2);
    ExhaustiveSearch.Result best = new ExhaustiveSearch(map, two, Policy.KERNEL).best().orElseThrow();
    assertEquals(4_206_592L, best.score().pamtBytes());
    assertEquals(List.of(new AddressRange(0, G)), best.layout().tdmrs().stream().map(Tdmr::range).toList());
    for (Engine e : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = e.solve(map, two, Policy.KERNEL, new SolveOptions(60, 1, 0));
      String what = e.name() + " " + r.messages();
      assertEquals(Status.OPTIMAL, r.status(), what);
      // CP-SAT's kernel family over the module family's instance holds the referee's layout; a
      // model over Problem must name the restriction that hides it.
      boolean referee = r.pamtBytes().getAsLong() == 4_206_592L;
      assertTrue(referee || e.name().equals("z3"), what);
      assertTrue(referee || r.pamtBytes().getAsLong() == 8_413_184L
          && r.restrictions().contains(Problem.KERNEL_FAMILY_RESTRICTIONS.get(2)), what);
      RefereeClaims.hold(r, Optional.of(best), map, two, Policy.KERNEL, what);
    }
  }
  /**
   * Granule 1 holds the holes [1G, 1G+1M), [1G+100M, 1G+200M) and [I end, 1G+300M) around an island
   * I of 2053 pages at 1G+200M, and [2G-1M, 2G); granule 2 is empty, granule 3 all memory; at most
   * 2 TDMRs of 3 areas. A TDMR over granule 1 alone has 4 runs of holes, and its 1027-page chunk
   * cannot fill I; over granules 1 to 3 its 3079-page chunk cannot either, so 4 areas again: the
   * model has no layout. But [1G, 3G) ends over the empty granule 2 (at 3G, where memory starts): its
   * chunk is the 2053 pages of a 2 GiB TDMR, fills I and merges the two holes around it, and the
   * last hole runs on to 3G: 3 areas; [3G, 4G) puts its chunk against a hole of granule 1, 0 areas.
   * The referee finds that, 2053 + 1027 = 3080 pages, so the model's {@code INFEASIBLE} must name
   * the restriction that TDMRs start and end in granules holding memory.
   */
  @Test
  void anInfeasibilityOnlyATdmrEndingOverAnEmptyGranuleEscapesNamesThatRestriction() {
    long i0 = G + 200 * 1024 * K;
    MemoryMap map = MemoryMap.ofBlocks("empty-end", List.of(new MemoryBlock(G + 1024 * K, G + 100 * 1024 * K, 0),
        new MemoryBlock(i0, i0 + 2053 * 4 * K, 0), new MemoryBlock(G + 300 * 1024 * K, 2 * G - 1024 * K, 0),
        new MemoryBlock(3 * G, 4 * G, 0)));
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(2).withMaxReservedPerTdmr(3);
    ExhaustiveSearch.Result best = new ExhaustiveSearch(map, limits, Policy.KERNEL).best().orElseThrow();
    assertEquals(3080 * 4096L, best.score().pamtBytes());
    assertEquals(List.of(new AddressRange(G, 3 * G), new AddressRange(3 * G, 4 * G)),
        best.layout().tdmrs().stream().map(Tdmr::range).toList());
    for (Engine e : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = e.solve(map, limits, Policy.KERNEL, new SolveOptions(60, 1, 0));
      String what = e.name() + " " + r.messages();
      // CP-SAT's kernel family over the module family's instance (extension cells beside the
      // memory) finds the referee's optimum; a model over Problem must name the restriction.
      boolean referee = r.status() == Status.OPTIMAL && r.pamtBytes().getAsLong() == 3080 * 4096L;
      assertTrue(referee || e.name().equals("z3"), what);
      assertTrue(referee || r.status() == Status.INFEASIBLE
          && r.restrictions().contains(Problem.KERNEL_FAMILY_RESTRICTIONS.get(3)), what);
      RefereeClaims.hold(r, Optional.of(best), map, limits, Policy.KERNEL, what);
    }
  }

  /**
   * Coverage {@code max}, holes {@code memlist}, PAMT {@code node-local}, 2 TDMRs of 1 area each;
   * blocks [1G+8K, 2G) on node 0, [3G+4K, 3G+8K) and [3G+16K, 4G) on node 1 (CMRs the blocks). The
   * TDMR [3G, 4G) keeping the 4 KiB block has the holes [3G, 3G+4K) and [3G+8K, 3G+16K) apart, two
   * areas; its 1027-page chunk does not fit that block. Giving the block up makes [3G, 3G+16K) one
   * gap, reserved, the chunk against it on node 1 (the kernel picks node 1 from the next block it
   * keeps): one area. With [1G, 2G), its chunk against the hole [1G, 1G+8K): 4 KiB uncovered, the
   * best there is (covering everything needs [3G, 4G) with the block, or one TDMR [1G, 4G) with
   * three runs of holes). The model never gives up a TDMR's first piece, so it leaves [3G, 4G) out,
   * 1 GiB - 12 KiB uncovered: found by {@code NodeSplitProperties} against the restricted referee
   * (the claim named the kernel restrictions, none of them this). Now the claim names it, and
   * {@link RefereeClaims} holds.
   */
  @Test
  void anOptimumThatKeepsATdmrsFirstPieceNamesThatRestriction() {
    MemoryMap map = MemoryMap.ofBlocks("first-piece", List.of(new MemoryBlock(G + 8 * K, 2 * G, 0),
        new MemoryBlock(3 * G + 4 * K, 3 * G + 8 * K, 1), new MemoryBlock(3 * G + 16 * K, 4 * G, 1)));
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(2).withMaxReservedPerTdmr(1);
    Policy policy = new Policy(Policy.Holes.MEMLIST, Policy.PamtPlacementPolicy.NODE_LOCAL, Policy.Coverage.MAX,
        Policy.Family.KERNEL);
    ExhaustiveSearch.Result best = new ExhaustiveSearch(map, limits, policy).best().orElseThrow();
    assertEquals(4096L, best.score().uncoveredBytes());
    for (Engine e : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = e.solve(map, limits, policy, new SolveOptions(60, 1, 0));
      String what = e.name() + " " + r.messages();
      assertEquals(Status.OPTIMAL, r.status(), what);
      assertEquals(G - 12 * K, r.uncoveredBytes(), what);
      assertTrue(r.restrictions().contains(Problem.COVERAGE_MAX_RESTRICTION), what);
      RefereeClaims.hold(r, Optional.of(best), map, limits, policy, what);
    }
  }
}
