package tdmr.greedy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.MemoryMap;
import tdmr.parse.InputException;
import tdmr.parse.RealMaps;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/** The greedy on the real logs, against what the real kernel printed in the same logs. */
class GreedyRealMapsTest {
  private static final long KiB = 1024;

  /**
   * canonical/tdx#135: the log's e820 has 16 usable ranges between 1 MiB and 2 GiB (and none
   * published above 0x90000000), so TDMR 0 is [0, 2G) with 17 holes: [0,1M), the 15 gaps, and
   * [0x6f800000, 2G). The 17th add is the (16+1)-th: the kernel's own failure line, then -28.
   */
  @Test
  void canonicalTdx135FailsExactlyAsItsLogSays() throws InputException {
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    var r = assertInstanceOf(GreedyResult.Failed.class, LinuxGreedy.mainline().construct(map, TdxLimits.DEFAULT));
    assertEquals(-28, r.errno().value());
    // Verbatim from the log (Source B lines of the file).
    assertEquals(
        List.of(
            "initialization failed: TDMR [0x0, 0x80000000): reserved areas exhausted.",
            "module initialization failed (-28)"),
        r.messages());
    assertTrue(map.facts().failure().orElseThrow().text().endsWith(LinuxGreedy.LOG_PREFIX + r.messages().get(0)));
  }

  /**
   * With CMR holes TDMR 0 has CMR[0] = [1M, 0x6f800000) inside it, so its holes are [0,1M) and
   * [0x6f800000, 2G); its own 2053-page PAMT chunk sits at 1 MiB (node 0 has no memory at or above
   * 4 GiB in this map; the lower zone starts at pfn 256 and ALIGN(256, 2053) = 256): 3 areas.
   */
  @Test
  void canonicalTdx135SucceedsWithCmrHoles() throws InputException {
    MemoryMap map = RealMaps.read(RealMaps.EMR_135);
    var r = assertInstanceOf(GreedyResult.Built.class, LinuxGreedy.cmrHoles().construct(map, TdxLimits.DEFAULT));
    LayoutVerifier.requireValid(map, TdxLimits.DEFAULT, Policy.KERNEL.withHoles(Policy.Holes.CMR), r.layout());
    assertEquals(3, r.layout().tdmrs().get(0).reservedCount());
    assertEquals(1L << 20, r.layout().tdmrs().get(0).pamt().fourK().base());
  }

  /**
   * The canonical/tdx README log has only CMRs: [1M, 0x77800000), [4G, 0x407a000000),
   * [0x4080000000, 0x807c000000), [0x8080000000, 0xc07c000000), [0xc080000000, 0x1007c000000).
   * TDMRs: [0, 2G) = 2 GiB; [4G, 258G) = 254 GiB (0x407a000000 rounds up to 258 GiB); then three of
   * 256 GiB each ([258G, 514G), [514G, 770G), [770G, 1026G)). A TDMR of N GiB costs 4104 N + 4 KiB
   * (4 MiB + 8 KiB per GiB, plus one 4 KiB page for the 1G level), so the total is
   * 4104 * (2 + 254 + 3 * 256) + 5 * 4 = 4104 * 1024 + 20 = 4202496 + 20 = 4202516 KB, what the
   * kernel printed.
   */
  @Test
  void readmeLogPamtTotalEqualsTheKernels() throws InputException {
    assertPamtKb(RealMaps.README_1TIB, 4202516);
  }

  /**
   * canonical/tdx#285: CMRs [1M, 0x77800000), [4G, 0x206e000000), [0x2080000000, 0x4070000000).
   * TDMRs [0, 2G) = 2 GiB, [4G, 130G) = 126 GiB, [130G, 258G) = 128 GiB: 4104 * 256 + 3 * 4 =
   * 1050624 + 12 = 1050636 KB, what the kernel printed.
   */
  @Test
  void pr188LogPamtTotalEqualsTheKernels() throws InputException {
    assertPamtKb(RealMaps.CMR_TWICE_285, 1050636);
  }

  private static void assertPamtKb(String file, long expectedKb) throws InputException {
    MemoryMap map = RealMaps.read(file);
    var r = assertInstanceOf(GreedyResult.Built.class, LinuxGreedy.mainline().construct(map, TdxLimits.DEFAULT));
    LayoutVerifier.requireValid(map, TdxLimits.DEFAULT, Policy.KERNEL, r.layout());
    assertEquals(expectedKb * KiB, r.pamtBytes());
    assertEquals(expectedKb, map.facts().pamtKb().getAsLong());
    assertEquals(expectedKb + " KB allocated for PAMT", r.messages().get(r.messages().size() - 2));
  }

  /**
   * Every real map, both hole sources, both PAMT placements: a built layout passes the validator and
   * the OS check whenever the map's memory lies inside its CMRs (mainline does not read CMRs, so for
   * memory outside them only the module can object, which the engine reports as -EIO).
   */
  @Test
  void everyBuiltLayoutOfARealMapPassesTheValidatorAndTheOsCheck() {
    int verified = 0;
    for (String name : RealMaps.all()) {
      MemoryMap map;
      try {
        map = RealMaps.read(name);
      } catch (InputException noMap) {
        continue; // failure lines only (canonical/tdx#415): nothing to build
      }
      boolean insideCmrs = map.blocks().stream().allMatch(b -> map.cmrs().covers(b.range()));
      for (Policy.Holes holes : Policy.Holes.values()) {
        for (PamtPlacement placement : List.of(PamtPlacement.kernel(), new TopDownPamtPlacement())) {
          GreedyResult r = new LinuxGreedy(holes, placement).construct(map, TdxLimits.DEFAULT);
          if (r instanceof GreedyResult.Built b) {
            List<String> failures =
                LayoutVerifier.failures(map, TdxLimits.DEFAULT, Policy.KERNEL.withHoles(holes), b.layout());
            if (insideCmrs) {
              assertEquals(List.of(), failures, () -> name + " " + holes + " " + placement.name());
              verified++;
            } else {
              assertTrue(failures.stream().allMatch(f -> f.startsWith("module: ")),
                  () -> name + " " + holes + " " + placement.name() + ": " + failures);
            }
          }
        }
      }
    }
    assertTrue(verified >= 20, "verified " + verified);
  }
}
