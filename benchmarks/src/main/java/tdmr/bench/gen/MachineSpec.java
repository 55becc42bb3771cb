package tdmr.bench.gen;

import static tdmr.mem.ByteSize.GiB;
import static tdmr.mem.ByteSize.MiB;

import java.util.SplittableRandom;

/**
 * The shape of a synthetic machine; {@link MapGenerator} turns it and a seed into firmware tables.
 *
 * <p>The shape follows the real maps in {@code model/src/test/resources/realmaps/}: node 0 owns the
 * low 2 GiB (RAM up to {@code lowTop}, then the PCI/MMIO hole) and the first {@code nodeBytes - 2
 * GiB} above 4 GiB; every other node follows contiguously; a firmware-reserved tail that is not
 * convertible sits at the top of each CMR group (the EMR host of canonical/tdx#135 has CMRs ending
 * 96 MiB and 64 MiB below the node ends, the Eagle Stream CRB e820 reserves 288 MiB and 256 MiB).
 *
 * @param label short name of the family and size, used in map names ({@code fragmented-40})
 * @param sockets CPU sockets
 * @param nodesPerSocket NUMA nodes per socket: 1, or 2/4 with sub-NUMA clustering (SNC)
 * @param nodeBytes memory per node (a whole number of DIMMs); node 0 includes its low 2 GiB when
 *     {@code nodeBytes >= 4 GiB}, smaller nodes (fake-NUMA style) are all above 4 GiB
 * @param lowTop end of RAM below 4 GiB and of the low CMR (0x6f800000 on EMR/Ice Lake, 0x77800000
 *     on SPR); the PCI/MMIO hole follows
 * @param lowIslands usable e820 ranges between 1 MiB and {@code lowTop}: 2-3 on SPR, 6-7 on Ice
 *     Lake Dell/HPE, 16 on the EMR host of canonical/tdx#135 (its e820 lists 17 usable ranges, one
 *     of them below 1 MiB)
 * @param firstTailBytes reserved, non-convertible tail at the top of the first CMR group
 * @param tailBytes reserved, non-convertible tail at the top of every other CMR group
 * @param nodesPerCmr consecutive nodes that share one CMR (the module reports at most 32 CMRs)
 * @param memmapHoles {@code memmap=nn$ss}-style reserved cut-outs spread over memory above 4 GiB;
 *     they stay convertible
 * @param cxlBytes CXL memory exposed as an e820 {@code soft reserved} window on a memory-only node
 *     (not TDX memory, not convertible); 0 for none
 * @param hotplugRanges SRAT ranges marked {@code hotplug} above populated memory
 */
public record MachineSpec(
    String label,
    int sockets,
    int nodesPerSocket,
    long nodeBytes,
    long lowTop,
    int lowIslands,
    long firstTailBytes,
    long tailBytes,
    int nodesPerCmr,
    int memmapHoles,
    long cxlBytes,
    int hotplugRanges) {

  /** Real low-RAM tops: EMR/Ice Lake (0x6f800000), SPR (0x77800000), and a later one. */
  static final long[] LOW_TOPS = {0x6f800000L, 0x77800000L, 0x7c000000L};

  public MachineSpec {
    if (sockets < 1 || nodesPerSocket < 1) {
      throw new IllegalArgumentException("need at least one socket and node, got %d x %d".formatted(sockets, nodesPerSocket));
    }
    if (nodeBytes < GiB || nodeBytes % (2 * MiB) != 0) {
      throw new IllegalArgumentException("node memory must be a 2 MiB multiple of at least 1 GiB, got 0x%x".formatted(nodeBytes));
    }
    if (lowTop < 512 * MiB || lowTop > 2 * GiB || lowTop % (4 * MiB) != 0) {
      throw new IllegalArgumentException("low RAM top must be a 4 MiB multiple in [512 MiB, 2 GiB], got 0x%x".formatted(lowTop));
    }
    if (lowIslands < 1) {
      throw new IllegalArgumentException("need at least one usable range below 4 GiB, got " + lowIslands);
    }
    if (firstTailBytes < 0 || tailBytes < 0 || firstTailBytes % MiB != 0 || tailBytes % MiB != 0
        || Math.max(firstTailBytes, tailBytes) >= node0HighBytes(nodeBytes) / 2) {
      throw new IllegalArgumentException("reserved tails must be MiB multiples below half a node");
    }
    if (nodesPerCmr < 1 || memmapHoles < 0 || cxlBytes < 0 || cxlBytes % GiB != 0 || hotplugRanges < 0) {
      throw new IllegalArgumentException("bad CMR grouping, memmap, CXL or hotplug count");
    }
  }

  /** Node 0's memory above 4 GiB: its low 2 GiB count towards {@code nodeBytes} when it is large. */
  static long node0HighBytes(long nodeBytes) {
    return nodeBytes >= 4 * GiB ? nodeBytes - 2 * GiB : nodeBytes;
  }

  public int nodes() {
    return sockets * nodesPerSocket;
  }

  /**
   * A machine drawn from what real TDX-class servers look like: mostly 2 sockets (1, 4 and 8 also),
   * SNC off/2/4, 2-16 DIMMs of 8-128 GiB per socket, low-memory fragmentation from a single big
   * range (SPR) through Ice Lake (4-8 islands) to EMR (9-20) and beyond, reserved node tails,
   * sometimes {@code memmap=} cut-outs, a CXL window and hot-plug ranges.
   */
  public static MachineSpec realistic(SplittableRandom rng) {
    int sockets = pick(rng, new int[] {1, 2, 4, 8}, new int[] {15, 60, 20, 5});
    int snc = pick(rng, new int[] {1, 2, 4}, new int[] {60, 30, 10});
    long dimm = GiB * pick(rng, new int[] {8, 16, 32, 64, 96, 128}, new int[] {5, 20, 30, 25, 10, 10});
    int dimms = pick(rng, new int[] {2, 4, 8, 16}, new int[] {10, 20, 50, 20});
    long socketBytes = dimm * dimms;
    while (snc > 1 && socketBytes / snc < 8 * GiB) {
      snc /= 2;
    }
    long nodeBytes = socketBytes / snc;
    long lowTop = LOW_TOPS[rng.nextInt(LOW_TOPS.length)];
    int islands = switch (pick(rng, new int[] {0, 1, 2, 3}, new int[] {30, 40, 25, 5})) {
      case 0 -> rng.nextInt(1, 4); // SPR: one big range (+ the last 4 KiB page)
      case 1 -> rng.nextInt(4, 9); // Ice Lake Dell/HPE: 6-7
      case 2 -> rng.nextInt(9, 21); // EMR canonical/tdx#135: 16
      default -> rng.nextInt(21, 41);
    };
    boolean tails = rng.nextInt(100) < 85;
    long firstTail = tails ? MiB * pick(rng, new int[] {64, 96, 256, 288}, new int[] {25, 25, 25, 25}) : 0;
    long tail = tails ? MiB * pick(rng, new int[] {64, 256}, new int[] {50, 50}) : 0;
    int nodes = sockets * snc;
    int nodesPerCmr = rng.nextBoolean() || nodes >= 32 ? snc : 1;
    int memmap = rng.nextInt(100) < 15 ? rng.nextInt(1, 9) : 0;
    long cxl = rng.nextInt(100) < 20 ? GiB * pick(rng, new int[] {8, 16, 64, 128}, new int[] {25, 25, 25, 25}) : 0;
    int hotplug = rng.nextInt(100) < 10 ? rng.nextInt(2, 9) : 0;
    String label = "realistic-%ds%dn-%dGiB-%di".formatted(sockets, snc, nodeBytes / GiB, islands);
    return new MachineSpec(label, sockets, snc, nodeBytes, lowTop, islands, firstTail, tail, nodesPerCmr, memmap, cxl, hotplug);
  }

  /**
   * A 2-socket EMR-like host with {@code n} small firmware holes in its low 2 GiB ({@code n + 1}
   * usable islands), the pattern behind canonical/tdx#135 at {@code n = 15}: the kernel's TDMR
   * {@code [0x0, 0x80000000)} then needs {@code n + 2} reserved areas for holes alone.
   */
  public static MachineSpec fragmented(int n) {
    return new MachineSpec("fragmented-" + n, 2, 1, 64 * GiB, 0x6f800000L, n + 1, 96 * MiB, 64 * MiB, 1, 0, 0, 0);
  }

  /**
   * {@code n} NUMA nodes of 1.5 GiB each (fake NUMA, or many small memory-only nodes): one block
   * per node, no two node boundaries in the same 1 GiB-aligned place, so the kernel's
   * one-TDMR-per-block greedy runs out of TDMRs past 64 nodes. CMRs group nodes so that at most 32
   * are reported.
   */
  public static MachineSpec manyNodes(int n) {
    int perCmr = Math.max(1, (n + 30) / 31);
    return new MachineSpec("manynodes-" + n, n, 1, 1536 * MiB, 0x77800000L, 3, 0, 0, perCmr, 0, 0, 0);
  }

  /**
   * A 2-socket SPR-like host with 256 GiB per node and {@code n} {@code memmap=nn$ss} reserved
   * cut-outs above 4 GiB: holes for the mainline greedy, convertible memory for the module.
   */
  public static MachineSpec memmapFragmented(int n) {
    return new MachineSpec("memmap-" + n, 2, 1, 256 * GiB, 0x77800000L, 2, 288 * MiB, 256 * MiB, 1, n, 0, 0);
  }

  private static int pick(SplittableRandom rng, int[] values, int[] weights) {
    int total = 0;
    for (int w : weights) {
      total += w;
    }
    int r = rng.nextInt(total);
    for (int i = 0; i < values.length; i++) {
      r -= weights[i];
      if (r < 0) {
        return values[i];
      }
    }
    return values[values.length - 1];
  }
}
