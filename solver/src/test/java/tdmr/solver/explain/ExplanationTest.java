package tdmr.solver.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.tdx.Policy;

class ExplanationTest {
  private static final long GiB = 1L << 30;
  private static final AddressRange SECOND_GIB = new AddressRange(GiB, 2 * GiB);

  @Test
  void holeDemandAndLimitOfOneGranuleReadAsOneSentence() {
    Explanation e =
        new Explanation(
            List.of(
                new Reason.BlockCoverage(new MemoryBlock(0x100000L, 0x5d169000L, 0)),
                new Reason.ReservedLimit(15),
                new Reason.GranuleHoles(SECOND_GIB, 16, Policy.Holes.MEMLIST)),
            true);

    assertEquals(
        List.of(
            "the 1 GiB granule [0x40000000, 0x80000000) holds 16 gaps between memory blocks; each needs"
                + " a reserved area of the TDMR that covers it, and at most 15 are allowed.",
            "memory block [0x100000, 0x5d169000) (node 0, 1.45 GiB) must lie inside a TDMR."),
        e.sentences());
  }

  @Test
  void holesOfSeveralGranulesAreAddedUpAgainstTheLimit() {
    Explanation e =
        new Explanation(
            List.of(
                new Reason.GranuleHoles(new AddressRange(0, GiB), 1, Policy.Holes.MEMLIST),
                new Reason.GranuleHoles(SECOND_GIB, 16, Policy.Holes.MEMLIST),
                new Reason.ReservedLimit(16),
                new Reason.MaxTdmrs(1)),
            true);

    assertEquals(
        List.of(
            "the granules [0x0, 0x40000000) and [0x40000000, 0x80000000) hold 1 and 16 gaps between memory"
                + " blocks (17 in all); each needs a reserved area of the TDMR that covers it, and a TDMR may"
                + " have at most 16 reserved areas.",
            "at most 1 TDMR is allowed."),
        e.sentences());
  }

  @Test
  void cmrHolesAreCalledNonConvertible() {
    Reason.GranuleHoles h = new Reason.GranuleHoles(SECOND_GIB, 2, Policy.Holes.CMR);
    assertEquals(
        "the 1 GiB granule [0x40000000, 0x80000000) holds 2 non-convertible gaps between memory blocks;"
            + " each needs a reserved area of the TDMR that covers it",
        h.sentence());
  }

  @Test
  void trackerIdsAreUniquePerGroup() {
    assertEquals("holes@0x40000000", new Reason.GranuleHoles(SECOND_GIB, 2, Policy.Holes.CMR).id());
    assertEquals("reserved-limit", new Reason.ReservedLimit(2).id());
    assertEquals("pamt-room@node1", new Reason.PamtRoom(1).id());
    assertEquals("pamt-room", new Reason.PamtRoom(-1).id());
  }
}
