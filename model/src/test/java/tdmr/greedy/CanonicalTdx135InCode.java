package tdmr.greedy;

import java.util.ArrayList;
import java.util.List;
import tdmr.mem.AddressRange;
import tdmr.mem.ConvertibleMemory;
import tdmr.mem.E820Entry;
import tdmr.mem.LogFacts;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;

/**
 * The canonical/tdx#135 machine (realmaps/tdx-fail-emr-foxcreekpass-...-135.txt) typed in by hand:
 * its published e820 below 0x90000000 and its five CMRs. The e820 above 0x90000000 was never
 * published, so memory above 4 GiB is taken from the CMRs (one node per CMR above 4 GiB; the low
 * memory is on node 0). Its TDX memory is the usable e820 RAM above 1 MiB, as the readers take it.
 */
final class CanonicalTdx135InCode {
  private CanonicalTdx135InCode() {}

  private static final long FIRST_MIB = 0x100000L;

  /** {start, end exclusive, type} of the published e820 lines. */
  private static final Object[][] E820 = {
    {0x0L, 0x9f000L, "usable"},
    {0x9f000L, 0x100000L, "reserved"},
    {0x100000L, 0x5d169000L, "usable"},
    {0x5d169000L, 0x5d22b000L, "ACPI data"},
    {0x5d22b000L, 0x5d3cf000L, "usable"},
    {0x5d3cf000L, 0x5d46a000L, "reserved"},
    {0x5d46a000L, 0x5e5b3000L, "usable"},
    {0x5e5b3000L, 0x5e5c3000L, "reserved"},
    {0x5e5c3000L, 0x5e5d3000L, "usable"},
    {0x5e5d3000L, 0x5e5e5000L, "reserved"},
    {0x5e5e5000L, 0x5eb58000L, "usable"},
    {0x5eb58000L, 0x61358000L, "ACPI NVS"},
    {0x61358000L, 0x6172b000L, "usable"},
    {0x6172b000L, 0x61795000L, "ACPI data"},
    {0x61795000L, 0x617ff000L, "usable"},
    {0x617ff000L, 0x61913000L, "ACPI data"},
    {0x61913000L, 0x61999000L, "usable"},
    {0x61999000L, 0x619e0000L, "ACPI data"},
    {0x619e0000L, 0x619e2000L, "usable"},
    {0x619e2000L, 0x619ea000L, "reserved"},
    {0x619ea000L, 0x61a27000L, "usable"},
    {0x61a27000L, 0x61baf000L, "ACPI data"},
    {0x61baf000L, 0x623c3000L, "usable"},
    {0x623c3000L, 0x62472000L, "reserved"},
    {0x62472000L, 0x62824000L, "usable"},
    {0x62824000L, 0x63a25000L, "reserved"},
    {0x63a25000L, 0x63d58000L, "usable"},
    {0x63d58000L, 0x64158000L, "reserved"},
    {0x64158000L, 0x64159000L, "usable"},
    {0x64159000L, 0x64195000L, "reserved"},
    {0x64195000L, 0x6e9cf000L, "usable"},
    {0x6e9cf000L, 0x6eccf000L, "reserved"},
    {0x6eccf000L, 0x6f6ff000L, "ACPI NVS"},
    {0x6f6ff000L, 0x6f7ff000L, "ACPI data"},
    {0x6f7ff000L, 0x6f800000L, "usable"},
    {0x6f800000L, 0x90000000L, "reserved"},
  };

  static final List<AddressRange> CMRS = List.of(
      new AddressRange(0x100000L, 0x6f800000L),
      new AddressRange(0x100000000L, 0x107a000000L),
      new AddressRange(0x1080000000L, 0x207c000000L),
      new AddressRange(0x2080000000L, 0x307c000000L),
      new AddressRange(0x3080000000L, 0x407c000000L));

  static MemoryMap map() {
    List<E820Entry> firmware = new ArrayList<>();
    List<MemoryBlock> blocks = new ArrayList<>();
    for (Object[] e : E820) {
      AddressRange r = new AddressRange((Long) e[0], (Long) e[1]);
      firmware.add(new E820Entry(r, (String) e[2], 0));
      // TDX memory is the usable RAM above 1 MiB, as the readers clip it: [0, 0x9f000) is not.
      if (e[2].equals("usable") && r.end() > FIRST_MIB) {
        blocks.add(new MemoryBlock(Math.max(r.start(), FIRST_MIB), r.end(), 0));
      }
    }
    for (int i = 1; i < CMRS.size(); i++) {
      blocks.add(new MemoryBlock(CMRS.get(i), i - 1));
    }
    return new MemoryMap(
        "canonical-tdx-135 (typed in)", blocks, new ConvertibleMemory(CMRS), firmware, LogFacts.NONE, List.of());
  }
}
