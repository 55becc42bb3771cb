package tdmr.solver.cpsat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.MemoryMap;
import tdmr.parse.LayoutJson;
import tdmr.parse.MapReader;
import tdmr.parse.RealMaps;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * The layouts issue #11 gives, written by hand (solver/src/test/resources/family), pass the module's
 * rules and the OS check under the limits the issue names, with the TDMR, area and PAMT counts
 * derived here from the rules: a TDMR of N GiB needs 4 MiB per GiB at the 4K level, 8 KiB per GiB
 * at the 2M level and 4 KiB per started 256 GiB at the 1G level; a level may be larger (D2 rejects
 * only less). They are what the module family contains and the kernel family's answers miss.
 */
class ModuleFamilyWitnessesTest {
  private static final Path DIR = Path.of("src/test/resources/family");
  private static final long K = 1024;
  private static final long M = K * K;

  private static Layout layout(String file) throws Exception {
    return LayoutJson.read(file, Files.readString(DIR.resolve(file)));
  }

  private static void valid(MemoryMap map, TdxLimits limits, Layout layout) {
    assertEquals(List.of(), LayoutVerifier.failures(map, limits, Policy.KERNEL, layout));
  }

  /**
   * canonical/tdx#135, one TDMR [0, 8 GiB): 17 holes under memlist ([0, 1M), the 15 gaps between
   * the 16 blocks, [0x6f800000, 8G)). Its 2M level (8 · 8 KiB = 64 KiB) fills the 64 KiB island
   * [0x5e5c3000, 0x5e5d3000) and its 1G level (4 KiB) the island [0x6f7ff000, 0x6f800000), each
   * merging the holes on its two sides: 15 areas. The 4K level (8 · 4 MiB = 32 MiB) ends where the
   * hole [0x6e9cf000, 0x6f7ff000) starts, in that hole's area. PAMT 32 MiB + 64 KiB + 4 KiB.
   */
  @Test
  void tdx135OneTdmrOfEightGibWithFifteenAreas() throws Exception {
    Layout l = layout("emr-135-one-8gib-tdmr-15-areas.json");
    valid(RealMaps.read(RealMaps.EMR_135), TdxLimits.DEFAULT.withMaxReservedPerTdmr(15), l);
    assertEquals(1, l.size());
    assertEquals(15, l.maxReservedPerTdmr());
    assertEquals(32 * M + 64 * K + 4 * K, l.pamtBytes());
  }

  /**
   * canonical/tdx#135, TDMRs [0, 1G) and [1G, 2G): the second holds 16 holes. The 1G levels (4 KiB
   * each) fill the two 4 KiB islands, the first TDMR's 2M level (8 KiB) the 8 KiB island
   * [0x619e0000, 0x619e2000), the second's 2M level padded from 8 KiB to 64 KiB the 64 KiB island:
   * 16 - 4 = 12 areas. Both 4K levels (4 MiB each) sit from 1 MiB up against the hole [0, 1M): one
   * area in the first TDMR. PAMT 2 · 4 MiB + 8 KiB + 64 KiB + 2 · 4 KiB.
   */
  @Test
  void tdx135TwoTdmrsWithTwelveAreas() throws Exception {
    Layout l = layout("emr-135-two-tdmrs-12-areas.json");
    valid(RealMaps.read(RealMaps.EMR_135), TdxLimits.DEFAULT.withMaxReservedPerTdmr(12), l);
    assertEquals(2, l.size());
    assertEquals(12, l.maxReservedPerTdmr());
    assertEquals(8 * M + 8 * K + 64 * K + 8 * K, l.pamtBytes());
  }

  /**
   * canonical/tdx#135, eleven TDMRs [k GiB, k+1 GiB), k = 0..10; nine of them hold no TDX memory
   * (one area each: the whole TDMR, as holes memlist requires). Ten 1G levels, padded, fill the ten
   * smallest islands of [1G, 2G) exactly (4, 4, 8, 64, 244, 424, 536, 1680, 3276 and 3784 KiB), so
   * the 16 holes there make 6 areas. The eleven 4K levels, eleven 2M levels and the last 1G level
   * sit from 1 MiB up against the hole [0, 1M). PAMT 11 · (4 MiB + 8 KiB) + 4 KiB + 10 024 KiB.
   */
  @Test
  void tdx135ElevenTdmrsWithSixAreas() throws Exception {
    Layout l = layout("emr-135-eleven-tdmrs-6-areas.json");
    valid(RealMaps.read(RealMaps.EMR_135), TdxLimits.DEFAULT.withMaxReservedPerTdmr(6), l);
    assertEquals(11, l.size());
    assertEquals(6, l.maxReservedPerTdmr());
    assertEquals(11 * (4 * M + 8 * K) + 4 * K + 10_024 * K, l.pamtBytes());
  }

  /**
   * The 512 GiB three-CMR host of issue #11 at 4 TDMRs and 1 area: [0, 1G), [1G, 2G), [4G, 258G),
   * [258G, 514G) need 4108 + 4108 + (4104 · 254 + 4) + (4104 · 256 + 4) KiB = 2 151 694 336 bytes
   * of PAMT, each chunk at the end of a block. A kernel-family layout (one chunk per TDMR).
   */
  @Test
  void host512ThreeCmrsFourTdmrsOneArea() throws Exception {
    MemoryMap map = MapReader.read(DIR.resolve("host512-3cmr-map.json"));
    Layout l = layout("host512-3cmr-4tdmrs-1area.json");
    valid(map, TdxLimits.DEFAULT.withMaxTdmrs(4).withMaxReservedPerTdmr(1), l);
    assertEquals(2_151_694_336L, l.pamtBytes());
    assertEquals((4108 + 4108 + (4104 * 254 + 4) + (4104 * 256 + 4)) * K, l.pamtBytes());
  }
}
