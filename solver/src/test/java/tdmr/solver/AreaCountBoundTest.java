package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.RealMaps;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link AreaCountBound} on maps whose values are derived by hand (pages of 4 KiB; a TDMR of 1 GiB
 * has 1024 + 2 + 1 = 1027 pages of PAMT).
 */
class AreaCountBoundTest {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;
  private static final Policy MODULE = Policy.DEFAULT.withFamily(Policy.Family.MODULE);

  private static AreaCountBound bound(MemoryMap map, Policy policy) {
    return new AreaCountBound(Instance.of(map, TdxLimits.DEFAULT, policy));
  }

  @Test
  void aHoleInsideAGranuleNeedsAnAreaUnlessThePamtFillsTheGranule() {
    // [1G, 1G+16M) and [1G+20M, 2G): the 4 MiB hole lies inside the granule, which holds 1020 MiB
    // (261 120 pages) of memory. With one TDMR's 1027 pages the granule cannot be left out: 1 area;
    // with 261 120 pages it might be (all of it PAMT), and nothing is known.
    MemoryMap map = MemoryMap.ofBlocks("hole", List.of(new MemoryBlock(G, G + 16 * M, 0),
        new MemoryBlock(G + 20 * M, 2 * G, 0)));
    AreaCountBound b = bound(map, MODULE);
    assertEquals(1, b.leastAreas(1027));
    assertEquals(1, b.leastAreas(261_119));
    assertEquals(0, b.leastAreas(261_120));
  }

  @Test
  void twoHolesAroundAnIslandTheOneGibLevelFillsMergeIntoOneArea() {
    // Holes of 4 KiB around a 4 KiB island: filling the island (one page, the 1G level of a 1 GiB
    // TDMR) merges both holes into one area; nothing merges them with fewer pages than that.
    MemoryMap map = MemoryMap.ofBlocks("island", List.of(new MemoryBlock(G, G + 16 * M, 0),
        new MemoryBlock(G + 16 * M + 4 * K, G + 16 * M + 8 * K, 0), new MemoryBlock(G + 16 * M + 12 * K, 2 * G, 0)));
    AreaCountBound b = bound(map, MODULE);
    assertEquals(2, b.leastAreas(0));
    assertEquals(1, b.leastAreas(1027));
  }

  /** [1G, 1G+16M), then {@code islands} islands of {@code pages} pages each between holes of 4 KiB, then memory to 2G. */
  private static MemoryMap islandsBetweenHoles(int islands, long pages) {
    List<MemoryBlock> blocks = new java.util.ArrayList<>();
    blocks.add(new MemoryBlock(G, G + 16 * M, 0));
    long cursor = G + 16 * M + 4 * K;
    for (int i = 0; i < islands; i++) {
      blocks.add(new MemoryBlock(cursor, cursor + pages * 4 * K, 0));
      cursor += pages * 4 * K + 4 * K;
    }
    blocks.add(new MemoryBlock(cursor, 2 * G, 0));
    return MemoryMap.ofBlocks("islands", blocks);
  }

  @Test
  void eachFilledIslandNeedsALevelThatFitsInIt() {
    // Five holes of 4 KiB inside one granule (about 1 GiB of memory, never left out at these PAMT
    // sizes) around four islands of one page: five runs. Merging two runs fills the island between
    // them with PAMT, and a level lies in one island, so each filled island needs a level of its
    // own that fits in one page: only a 1G level does (a 2M level has at least 2 pages, a 4K level
    // 1024). One TDMR (1027 pages) fills one island: 4 areas; two TDMRs (2054 pages) two: 3. The
    // pages alone (four of them) would allow all four islands: 1 area; but 1027 pages leave no page
    // for a second TDMR's 1G level, so whatever the TDMR limit the one TDMR [1G, 2G) is known, with
    // its 3 levels (TdmrSetsWithoutRoom): 4 areas.
    AreaCountBound b = bound(islandsBetweenHoles(4, 1), MODULE);
    assertEquals(4, b.leastAreas(1027));
    assertEquals(4, b.leastAreas(1027, 1));
    assertEquals(3, b.leastAreas(2054, 2));
    assertEquals(1, b.leastAreas(4 * 1027, 4));
    // Islands of two pages take a 1G or a 2M level, so counting alone lets one TDMR fill two of
    // them (3 areas); but at 1027 pages the one TDMR is known, as above, and its levels are
    // unpadded: only the 2M level fills a 2-page island exactly, 4 areas, which the exhaustive search
    // confirms.
    MemoryMap twoPages = islandsBetweenHoles(4, 2);
    AreaCountBound two = bound(twoPages, MODULE);
    assertEquals(4, two.leastAreas(1027, 1));
    assertEquals(4, two.leastAreas(1027));
    ExhaustiveSearch.Result best = new ExhaustiveSearch(twoPages, TdxLimits.DEFAULT.withMaxTdmrs(1), MODULE).best()
        .orElseThrow();
    assertEquals(1027 * 4096L, best.score().pamtBytes());
    assertEquals(4, best.score().reservedAreas());
  }

  @Test
  void holesOnGibBoundariesCostNothing() {
    // [1G, 2G) and [3G, 4G): the hole [2G, 3G) can lie between two TDMRs; no area is forced.
    MemoryMap map = MemoryMap.ofBlocks("aligned", List.of(new MemoryBlock(G, 2 * G, 0), new MemoryBlock(3 * G, 4 * G, 0)));
    assertEquals(0, bound(map, MODULE).leastAreas(2054));
  }

  @Test
  void nothingIsKnownInTheKernelFamilyOrUnderCoverageMax() {
    MemoryMap map = MemoryMap.ofBlocks("hole", List.of(new MemoryBlock(G, G + 16 * M, 0),
        new MemoryBlock(G + 20 * M, 2 * G, 0)));
    assertEquals(0, bound(map, Policy.DEFAULT.withFamily(Policy.Family.KERNEL)).leastAreas(1027));
    assertEquals(0, bound(map, MODULE.withCoverage(Policy.Coverage.MAX)).leastAreas(1027));
  }

  @Test
  void tdx381NeedsThreeAreasAtItsLeastPamt() throws Exception {
    // CMRs [1M, 0x77800000), [4G, 0x103e000000), [66G, 129G), [130G, 193G): the runs [0, 1M),
    // [0x77800000, 4G) and [0x103e000000, 66G) start or end inside granules of 1023, 888 and 992 MiB
    // of memory, each more than the least PAMT of 193 918 pages (757 MiB, ModuleFamilyBounds), so
    // none escapes; the island between the first two holds 1 911 MiB, more than all PAMT, so none
    // merges: 3 areas. With 1 GiB of PAMT the 888 MiB granule could be left out: 2.
    AreaCountBound b = bound(RealMaps.read("tdx-cmr-4plus-cmr-canonical-tdx-381.txt"), MODULE);
    assertEquals(3, b.leastAreas(193_918));
    assertEquals(2, b.leastAreas(262_144));
  }

  @Test
  void tdx391NeedsSixAreasWithTwoTdmrsAtItsLeastPamt() throws Exception {
    // CMRs [1M, 1912M), [4G, 65G+928M), [66G, 129G+960M), [130G, 193G+960M), [194G, 257G+960M), all
    // memory: granule 0 holds 1023 MiB, granule 1 888 MiB, granules 65, 129, 193 and 257 960 MiB but
    // 65 (928 MiB), the others 1 GiB. Six runs: [0, 1M), [1912M, 4G) and the four holes at the CMRs'
    // tops. PAMT 261 632 pages (1022 MiB) = 255 · 1026 + 2: two TDMRs cover 255 of the 256 memory
    // granules with no padding, so one granule is left out, holding at most 1022 MiB: granule 1
    // (TDMRs [0, 1G) and [4G, 258G)) or 257 ([0, 2G) and [4G, 257G)); leaving out 65, 129 or 193
    // would need three TDMRs. The count alone lets one run escape (5 areas): but granule 1's 888 MiB
    // (227 328 pages) is no sum of the levels 1024, 2, 1, 260 096, 508, 1, nor granule 257's 960 MiB
    // (245 760 pages) one of 2048, 4, 1, 259 072, 506, 1, so a level crosses into the neighbouring
    // TDMR's edge and needs an area there of its own (joining it to a hole would take all memory
    // from that edge to the hole, 1023 MiB or 63 GiB, as PAMT): 5 + 1 = 6 either way.
    AreaCountBound b = bound(RealMaps.read("tdx-cmr-5cmr-256GiB-canonical-tdx-391.txt"), MODULE);
    assertEquals(6, b.leastAreas(261_632, 2));
  }

  @Test
  void theOneTibHostNeedsSixAreasWithTwoTdmrsAtItsLeastPamt() throws Exception {
    // CMRs [1M, 1912M), [4G, 257G+928M), [258G, 513G+960M), [514G, 769G+960M), [770G, 1025G+960M):
    // granules 0 and 1 hold 1023 and 888 MiB, 257 928 MiB, 513, 769 and 1025 960 MiB, the other 1018
    // 1 GiB; six runs as on tdx#391. PAMT 1 046 525 pages = 1020 · 1026 + 5 (ModuleFamilyBounds): two
    // TDMRs of 1020 GiB in all (a 1021st GiB costs 1026 pages more) with rounded 1G levels of 4 or 5
    // pages, so four memory granules are left out (five hold more than 4 GiB) and no TDMR covers
    // granules 2 and 3. Either the low run is left out whole, its 489 216 pages filled exactly by
    // levels of TDMRs of a and 1020 - a GiB (1024·a + at most 2 · 1020 + 5, so a = 476 or 477, and
    // then 1792 or 768 pages are no sum of 952, 1088, 2, 3 or 954, 1086, 2, 3): impossible. Or one
    // TDMR covers granule 0 or 1 or both and the other a single range of the high run, leaving
    // out its ends: the left-out end of the high run, and granule 0 or 1 when left out, is no sum
    // of the levels (one of 1 018 or 1 019 GiB is too large, the rest sum to at most 4 093 pages),
    // so each needs an area at the TDMR edge it meets; the runs inside the TDMRs and those parts
    // give at least 6 in every case (e.g. [0, 2G) and [4G, 1022G): 5 runs inside and the part
    // [1022G, 1025G+960M) 1 more), while the count alone gives 2 (four runs escape).
    AreaCountBound b = bound(RealMaps.read("tdx-cmr-5cmr-1TiB-spr-canonical-tdx-readme.txt"), MODULE);
    assertEquals(6, b.leastAreas(1_046_525, 2));
  }

  /**
   * Node 0 of a generated two-socket host of 128 GiB per node (seed 1 of the sweep): [1M, 0x60338000)
   * then 16 islands between holes in granule 1 (461, 15, 1 271, 2 771, 51, 7, 5 493, 19, 105, 20, 16,
   * 4 103, 11 292, 4 954, 4 137 and 1 pages) up to 0x6f800000, and [4G, 0x207a000000): runs [0, 2G)
   * and [4G, 130G), B = 128 · 1026 + 2 = 131 330 pages; at P = B + 1 with at most 3 TDMRs the sets
   * are [0, 2G) and [4G, 130G) with a page of padding, [0, 1G), [1G, 2G) and [4G, 130G), or [0, 2G)
   * and [4G, 130G) cut at x, unpadded (TdmrSetsWithoutRoom: every granule holds more than P pages).
   * Each has 19 runs of holes: [0, 1M), 17 in granule 1 and the gap at the end of [4G, 130G). Levels fill few islands:
   * the 1-page island takes a 1G level, the 7-page one 4 + 2 + 1 pages (2M levels of the 2 GiB TDMR
   * and of a 1 GiB one cut from [4G, 130G), a 1G level), islands of 15 to 20 pages the 2M level of
   * a TDMR of 7 to 10 GiB with a 1G level; with one TDMR of 1 GiB beside [0, 2G) no third island is
   * a sum of what is left (the other 2M level has 250 pages, the 4K levels 1 024 and 128 000 or
   * more), with [0, 1G) and [1G, 2G) the 7 pages take all three 1G levels, and with a page of
   * padding the two 1G levels go to the 1 and 7 pages or to neither. So at least 19 - 2 = 17 areas,
   * which CP-SAT reaches with [0, 2G), [4G, 129G) and [129G, 130G) (16 + 0 + 1); counting alone said
   * 13.
   */
  @Test
  void aRealisticNodeZeroNeedsSeventeenAreasAPageAboveTheCoveringBound() throws Exception {
    MemoryMap map = tdmr.parse.MapReader.read(java.nio.file.Path.of("src/test/resources/family/realistic-128gib-node0-map.json"));
    Instance instance = Instance.of(map, TdxLimits.DEFAULT, Policy.DEFAULT);
    assertEquals(java.util.OptionalLong.of(131_330), new ModuleFamilyBounds(instance, true).leastPamtPages());
    assertEquals(131_331, new FilledIslandsPamtBound(instance, true).raise(131_330));
    // The engines take the larger of TdmrCountBound and FilledIslandsPamtBound#raiseTdmrs.
    assertEquals(3, new FilledIslandsPamtBound(instance, true).raiseTdmrs(131_331,
        new TdmrCountBound(instance).leastTdmrs(131_331).orElse(1)));
    int[] sets = {0};
    assertTrue(TdmrSetsWithoutRoom.visit(instance, 131_331, 3, set -> ++sets[0] > 0));
    assertEquals(127, sets[0]);
    assertEquals(17, new AreaCountBound(instance).leastAreas(131_331, 3));
    // FilledStart reaches all three with [0, 2G), [4G, 129G) and [129G, 130G).
    tdmr.tdx.Layout built = new FilledStart(instance).find().orElseThrow();
    assertEquals(List.of(), tdmr.check.LayoutVerifier.failures(map, TdxLimits.DEFAULT, Policy.DEFAULT, built));
    assertEquals(131_331 * 4096L, built.pamtBytes());
    assertEquals(3, built.size());
    assertEquals(17, built.reservedAreaCount());
  }

  @Test
  void tdx331NeedsThreeAreasWithFiveTdmrsAtItsLeastPamt() throws Exception {
    // Runs A = [0, 2G) (granule 0: [1M, 1G), 261 888 pages; granule 1: [1G, 0x77800000), 227 328),
    // B = [4G, 448G) (granule 447: 253 952 pages up to 448G - 32M), C = [512G, 960G), D = [1T, 1T +
    // 2G) (524 288 pages), each one stretch of memory. Holes needing an area inside a TDMR: h0 =
    // [0, 1M) in granule 0, h1 from 0x77800000 in granule 1, h2 from 448G - 32M in granule 447.
    // P = 916 223 = 893 · 1026 + 5 (TdmrCountBoundTest): three granules are left out, A or D
    // wholly, the TDMRs cover the other 893 GiB within runs, and with 5 TDMRs their 5 pages of 1G
    // level leave no padding: levels of an s GiB TDMR are exactly 1024·s, 2·s and 1 pages, s ≤ 256,
    // and the 2M and 1G levels make at most 2 · 893 + 5 = 1 791 pages. A stretch left out wholly
    // is filled exactly by levels; a left-out part beside a TDMR is, or a level crosses into that
    // TDMR and needs an area at its edge.
    // A left out wholly (with one more granule): the TDMRs are two over B (p + q = 443 or 444), two
    // over C (r + s = 447 or 448, each of the four 187..256) and one over D (d = 1 or 2). A's 489
    // 216 pages = 1024 · 477 + 768 need 4K levels of 477 GiB (476 would leave 1 792 > 1 791): one
    // of p, q and one of r, s, maybe with d (any other subset sums to at most 258, 444..450, or at
    // least 634), and 2M levels of 382..384 GiB with 4, 2 or 0 pages of 1G level, again one of p, q
    // and one of r, s (maybe with d). The same pair sums to 475..477; the two others to 893 - d -
    // (477 - d or 477) = 414..416; one shared, say u + v = 477 - δ and u + (r + s - v) ≤ 384, gives
    // 2v ≥ 475 + 447 - 384 = 538 (v > 256), and the same for p, q. So no layout leaves A out.
    // D left out wholly: its 524 288 pages need 4K levels of 511 or 512 GiB, one of B's and one of
    // C's TDMRs (u + v, maybe with A's TDMR of 1 or 2 GiB); the third granule g is:
    // - in B or C (or h2 not escaping): A has one TDMR [0, 2G) holding h0 and h1, which share an area
    //   only if A's 489 216 pages are all PAMT (at most P - 524 288 - 227 328 are left): 2 areas,
    //   and h2 needs a third unless g is granule 447. Then its part [447G, 448G - 32M) does: its
    //   253 952 pages need 4K of 247 or 248 GiB, one of ū = 443 - u, v̄ = 448 - v (maybe with 2;
    //   ū + v̄ ≥ 379), where u + v ≥ 509: ū ≥ 245 gives u ≤ 198 and v ≥ 311 > 256, v̄ ≥ 245 gives
    //   v ≤ 203 and u ≥ 306. A level crosses into B's top TDMR: 3 areas.
    // - granule 0 (TDMR [1G, 2G) of 1 GiB): its part [1M, 1G) needs 4K of 255 GiB and 768 pages of
    //   finer levels, so D gets 512 GiB of 4K alone (1 024 + 768 > 1 791); 255 is ū, v̄ (444 - u,
    //   448 - v) or one of them + 1: u + v ≥ 511 with ū ≥ 254 gives v ≥ 317, and the same for v̄.
    //   So a level crosses into [1G, 2G), whose h1 is another area (joining them takes [1G,
    //   0x77800000) as PAMT, 227 328 > P - 524 288 - 261 888 pages), and h2: 3 areas.
    // - granule 1 (TDMR [0, 1G)): [1G, 0x77800000) needs 4K of 221 or 222 GiB from ū, v̄ (maybe
    //   + 1): ū ≤ 222 gives u ≥ 222 and v ≥ 510 - 224 > 256, likewise for v̄. A level crosses into
    //   [0, 1G), apart from h0 (261 888 > P - 524 288 - 227 328 pages between them), and h2: 3.
    // So every layout has at least 3 areas, as the one of ModuleFamilyBoundsTest has.
    Instance instance = Instance.of(RealMaps.read(RealMaps.SEAMCALL_331), TdxLimits.DEFAULT, MODULE);
    assertEquals(3, new AreaCountBound(instance).leastAreas(916_223, 5));
  }

  @Test
  void aSetWhoseTdmrCannotKeepWithinTheLimitIsNoLayoutsSet() throws Exception {
    // Node 0 of the seed-1 sweep's memmap-48: the run [0, 2G) (3 runs of holes: the first MiB, the
    // ACPI run from 0x714ad000 and the hole from 0x77800000, one usable page between the last two)
    // and the run [4G, 258G) with 29 memmap holes and the tail from 0x406e000000 (in granule 257,
    // whose 188 416 = 184 · 1024 pages are the 4K level of a 184 GiB TDMR exactly). At 261 633 pages
    // (one granule left out) and 3 TDMRs, leaving out granule 257 with [0, 2G), [4G, 73G) and
    // [73G, 257G) would give 2 + 6 + 23 = 31 areas (the page filled by a 1G level), with 75, 186 or
    // 188 for 73 likewise; but its 184 GiB TDMR holds 23 (or, [4G, 188G), 20) runs, so within 16
    // areas at least 7 (or 4) of its islands would be all PAMT, and its four smallest islands hold
    // 63 666 + 108 179 + 367 323 + 498 000 = 1 037 168 pages, far more than 261 633. No layout has
    // those sets; the least is 32, the areas of the layout FilledStart builds (granule 1 left out,
    // a chain reaching into [0, 1G)), which the validator accepts.
    tdmr.mem.MemoryMap map;
    try (var in = AreaCountBoundTest.class.getResourceAsStream("/memmap/memmap-48-seed1.txt")) {
      map = tdmr.parse.MapReader.readBytes("memmap-48", in.readAllBytes());
    }
    MemoryMap node0 = new MemoryMap(map.source(), map.blocks().stream().filter(b -> b.node() == 0).toList(),
        map.cmrs(), map.firmwareMap(), map.facts(), map.notes());
    Policy module = Policy.KERNEL.withFamily(Policy.Family.MODULE);
    Instance instance = Instance.of(node0, TdxLimits.DEFAULT, module);
    assertEquals(32, new AreaCountBound(instance).leastAreas(261_633, 3));
    tdmr.tdx.Layout built = new FilledStart(instance).find().orElseThrow();
    assertEquals(List.of(), tdmr.check.LayoutVerifier.failures(node0, TdxLimits.DEFAULT, module, built));
    assertEquals(261_633 * 4096L, built.pamtBytes());
    assertEquals(32, built.reservedAreaCount());
  }

  /**
   * Node 1 of the seed-1 sweep's memmap-64: the run [258G, 514G) with 33 memmap holes and the tail
   * from 0x8070000000 above its CMR. At 261 633 pages (one granule left out, 255 · 1026 + 3) and 3
   * TDMRs, leaving out the top granule 513 (its hole at 0x8061f02000 and the tail: 2 runs) with
   * [258G, 314G), [314G, 400G) and [400G, 513G) leaves 33 runs in TDMRs. The granule's memory below
   * the hole, 139 010 pages, goes on into [400G, 513G), and 139 010 = 135 · 1024 + 770 is no sum of
   * the levels (the 2M and 1G levels sum to at most 513), so a level reaches past it into that TDMR
   * (an area there); the 57 519 pages between the hole and the tail are filled exactly (57 344 + 172 +
   * 1 + 1 + 1, LevelGroupsTest). Counting pages alone, the island of 57 631 pages between two holes,
   * [0x6d4a108000, 0x6d58227000), fits the 65 104 pages left, which gave 33; but it is filled only
   * with the 4K level of 56 GiB, which the 57 519 pages need: 34, the areas of the layout FilledStart
   * builds, which then meets every tier's bound.
   */
  @Test
  void memmap64NodeOneReachesIntoATdmrAndFillsNoIsland() throws Exception {
    tdmr.mem.MemoryMap map;
    try (var in = AreaCountBoundTest.class.getResourceAsStream("/memmap/memmap-64-seed1.txt")) {
      map = tdmr.parse.MapReader.readBytes("memmap-64", in.readAllBytes());
    }
    MemoryMap node1 = new MemoryMap(map.source(), map.blocks().stream().filter(b -> b.node() == 1).toList(),
        map.cmrs(), map.firmwareMap(), map.facts(), map.notes());
    Policy module = Policy.KERNEL.withFamily(Policy.Family.MODULE);
    Instance instance = Instance.of(node1, TdxLimits.DEFAULT, module);
    TdmrSetsAtPamt.TdmrSet set = new TdmrSetsAtPamt.TdmrSet(List.of(new long[] {258, 314}, new long[] {314, 400},
        new long[] {400, 513}), List.of(57_344L, 112L, 1L, 88_064L, 172L, 1L, 115_712L, 226L, 1L), 0);
    assertEquals(java.util.OptionalLong.of(34), new AreasWithKnownTdmrs(instance).leastAreas(set, 261_633));
    tdmr.tdx.Layout built = new FilledStart(instance).find().orElseThrow();
    assertEquals(List.of(), tdmr.check.LayoutVerifier.failures(node1, TdxLimits.DEFAULT, module, built));
    assertEquals(261_633 * 4096L, built.pamtBytes());
    assertEquals(3, built.size());
    assertEquals(34, built.reservedAreaCount());
    assertTrue(BuiltOptimum.of(instance, java.util.Optional.of(built)).isPresent());
  }
}
