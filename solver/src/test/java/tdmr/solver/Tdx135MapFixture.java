package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;

/**
 * The Emerald Rapids map of canonical/tdx#135 (realmaps/tdx-fail-emr-foxcreekpass-...-135.txt),
 * transcribed by hand: the e820 {@code usable} ranges clipped at 1 MiB (the first one,
 * {@code [0x0, 0x9f000)}, vanishes), all on node 0, and the five CMRs of the log.
 */
public final class Tdx135MapFixture {
  private Tdx135MapFixture() {}

  static final long[][] USABLE = {
    {0x100000L, 0x5d169000L},
    {0x5d22b000L, 0x5d3cf000L},
    {0x5d46a000L, 0x5e5b3000L},
    {0x5e5c3000L, 0x5e5d3000L},
    {0x5e5e5000L, 0x5eb58000L},
    {0x61358000L, 0x6172b000L},
    {0x61795000L, 0x617ff000L},
    {0x61913000L, 0x61999000L},
    {0x619e0000L, 0x619e2000L},
    {0x619ea000L, 0x61a27000L},
    {0x61baf000L, 0x623c3000L},
    {0x62472000L, 0x62824000L},
    {0x63a25000L, 0x63d58000L},
    {0x64158000L, 0x64159000L},
    {0x64195000L, 0x6e9cf000L},
    {0x6f7ff000L, 0x6f800000L},
  };

  static final long[][] CMRS = {
    {0x100000L, 0x6f800000L},
    {0x100000000L, 0x107a000000L},
    {0x1080000000L, 0x207c000000L},
    {0x2080000000L, 0x307c000000L},
    {0x3080000000L, 0x407c000000L},
  };

  public static MemoryMap map() {
    List<MemoryBlock> blocks = new ArrayList<>();
    for (long[] u : USABLE) {
      blocks.add(new MemoryBlock(u[0], u[1], 0));
    }
    List<AddressRange> cmrs = new ArrayList<>();
    for (long[] c : CMRS) {
      cmrs.add(new AddressRange(c[0], c[1]));
    }
    return MemoryMap.of("tdx-135", blocks, cmrs);
  }
}
