package tdmr.solver.cpsat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.MemoryMap;
import tdmr.parse.MapReader;
import tdmr.solver.EngineResult;
import tdmr.solver.ExhaustiveSearch;
import tdmr.solver.LayoutScore;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * A padded PAMT level filling memory between holes that crosses a 1 GiB boundary, where the memory
 * is larger than any layout's unpadded PAMT (a roomy segment of {@link ModuleModel}). The model once
 * asked one piece per filled atom, so such memory cost two levels: with few TDMRs it then claimed a
 * false least remote PAMT, or a false INFEASIBLE. Found on the Dell R650 map, whose usable memory
 * [1 MiB, 0x4a441000) crosses 1 GiB: {@code prove --max-tdmrs 2 --max-rsvd 0} claimed 67 240 192
 * bytes of remote PAMT (node 1's whole TDMR described from node 0) as least, while the frontier found
 * a layout of 2 TDMRs with 16 bytes. Holes memlist, PAMT node-local, coverage all.
 */
class ModuleFamilyRoomyFillTest {
  private static final long K = 1024;
  private static final long G = 1024 * 1024 * K;
  private static final Policy MODULE = Policy.DEFAULT.withFamily(Policy.Family.MODULE);

  private static EngineResult cpsat(MemoryMap map, TdxLimits limits) {
    return new CpSatEngine().solve(map, limits, MODULE, new SolveOptions(60, 1, 0));
  }

  /**
   * Node 0: island I1 = [1 MiB, 1 GiB + 64 MiB) (crossing 1 GiB), island I2 = [0x50000000, +8 KiB),
   * memory [2G, 3G); node 1: memory [4G, 5G). No reserved area: no TDMR can hold a hole (I1, I2 lie
   * between holes; [3G, 4G) is one) nor PAMT, so I1, I2 and all memory outside TDMRs are filled
   * exactly by padded levels. One TDMR has three levels; covering [2G, 3G) (a TDMR over node 1 would
   * leave three regions of node 0 to fill, all its levels remote: 4 MiB + 8 KiB + 16 bytes), its 2M
   * level (2 pages) fills I2, its 4K level I1 and its 1G level (1 page) node 1: 16 bytes of remote PAMT
   * (the 1G level's share of one GiB), the least, since node 1 needs a level of node 0's TDMR. PAMT:
   * I1 (1 139 802 112) + I2 (8 192) + 1 GiB = 2 213 552 128 bytes. A second TDMR does not help: one
   * over node 1 has no node-1 memory outside it for its levels. {@link ExhaustiveSearch} agrees.
   */
  @Test
  void aPaddedLevelFillsMemoryAcrossAGranuleBoundary() throws Exception {
    MemoryMap map = MapReader.read(Path.of("src/test/resources/family/roomy-fill-across-a-granule.json"));
    LayoutScore hand = new LayoutScore(0, 16, (0x44000000L - 0x100000L) + 8 * K + G, 1, 0);
    for (int tdmrs = 1; tdmrs <= 2; tdmrs++) {
      TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(tdmrs).withMaxReservedPerTdmr(0);
      assertEquals(hand, new ExhaustiveSearch(map, limits, MODULE).best().orElseThrow().score(), tdmrs + " TDMRs");
      EngineResult r = cpsat(map, limits);
      assertEquals(Status.OPTIMAL, r.status(), tdmrs + " TDMRs: " + r.messages());
      assertEquals(List.of(), LayoutVerifier.failures(map, limits, MODULE, r.layout().orElseThrow()));
      assertEquals(hand, LayoutScore.of(map, limits, MODULE, r.layout().orElseThrow()), tdmrs + " TDMRs");
    }
  }

  /**
   * The Dell R650 at 2 TDMRs and no reserved area. Below 4 GiB five islands lie between holes
   * (usable [1 MiB, 0x4a441000), [0x4b441000, 0x4bfc3000), [0x4c0c9000, 0x4d000000), [0x4d200000,
   * 0x5eefe000), [0x6f7ff000, 0x6f800000): 1 571 786 752 bytes); node 0 has [4G, 18G), node 1 [18G,
   * 34G). With no area no TDMR holds a hole or PAMT, so each island is filled exactly by levels, one
   * level at least each: five of the six levels. Remote 0 would need node 1's TDMR to keep its three
   * levels on node 1, leaving three for five islands; so some level is remote, at least 16 bytes (the
   * 1G level of a 1 GiB TDMR). 16 bytes is reached only with node 1 in no TDMR, filled whole by the 1G
   * level of a 1 GiB TDMR of node 0 (a node-1 TDMR of 1 GiB with only its 1G level remote leaves four
   * levels for five islands): TDMRs covering [4G, 18G), the sixth level filling node 1's 16 GiB. PAMT
   * 1 571 786 752 + 17 179 869 184 = 18 751 655 936 bytes.
   */
  @Test
  void theDellR650AtTwoTdmrsAndNoAreaHasSixteenBytesRemote() throws Exception {
    MemoryMap map = MapReader.read(
        Path.of("../model/src/test/resources/realmaps/e820-2socket-icelake-dell-r650-32GiB-linuxhw.txt"));
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(2).withMaxReservedPerTdmr(0);
    EngineResult r = cpsat(map, limits);
    assertEquals(Status.OPTIMAL, r.status(), r.messages().toString());
    assertEquals(new LayoutScore(0, 16, 1_571_786_752L + 16 * G, 2, 0),
        LayoutScore.of(map, limits, MODULE, r.layout().orElseThrow()));
  }

  /**
   * The Dell R650 at 3 TDMRs and no reserved area (README, "frontier"). The five islands below 4 GiB
   * (1 571 786 752 bytes) are PAMT in every layout, as above. Remote 0: node 1's memory [18G, 34G)
   * needs a TDMR of node 1 whose three levels lie on node 1 outside every TDMR, so at least one GiB
   * of node 1 is outside every TDMR and, under coverage all, wholly PAMT: PAMT is at least 1 571 786
   * 752 + 1 GiB. Two TDMRs of node 0 over [4G, 18G) give six levels for the five islands, and a
   * node-1 TDMR of 15 GiB has its levels padded to fill the GiB it leaves out (a chain of 1 GiB
   * against the 1 GiB boundary inside node 1's block): 2 645 528 576 bytes, no remote PAMT. Fewer
   * TDMRs cannot keep PAMT local (the test above). The model once left such chains out and answered
   * 17.46 GiB with 16 bytes remote under a restriction.
   */
  @Test
  void theDellR650AtThreeTdmrsAndNoAreaKeepsPamtLocal() throws Exception {
    MemoryMap map = MapReader.read(
        Path.of("../model/src/test/resources/realmaps/e820-2socket-icelake-dell-r650-32GiB-linuxhw.txt"));
    TdxLimits limits = TdxLimits.DEFAULT.withMaxTdmrs(3).withMaxReservedPerTdmr(0);
    EngineResult r = cpsat(map, limits);
    assertEquals(Status.OPTIMAL, r.status(), r.messages().toString());
    assertEquals(List.of(), LayoutVerifier.failures(map, limits, MODULE, r.layout().orElseThrow()));
    assertEquals(new LayoutScore(0, 0, 1_571_786_752L + G, 3, 0),
        LayoutScore.of(map, limits, MODULE, r.layout().orElseThrow()));
    // Nor a straddling level over 18G: without remote PAMT it could only belong to a TDMR without
    // memory, which under holes memlist is all hole and needs an area. Solved node by node, node 0's
    // optimum (2 TDMRs, the five islands' 1 571 786 752 bytes) meets the PAMT bound at 0 areas of
    // ReservedAreaBounds (every usable page outside the run [4G, 18G), the one run without a hole, is
    // PAMT), so no restriction is named (until that bound, a TDMR inside a run was).
    assertEquals(List.of(), r.restrictions(), r.details().toString());
  }
}
