package tdmr.solver;

import java.util.List;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;

/**
 * A tiny map several tests derive answers on by hand, each in both families: in granule {@code [0,
 * 1 GiB)} on node 0, memory {@code [1M, 512M)}, a 4 KiB island {@code [512M + 64K, 512M + 68K)}
 * and {@code [513M, 1G)}; so three runs of holes, {@code [0, 1M)} and the two around the island,
 * which the 1G level of a 1 GiB TDMR (one page) can fill to merge them.
 */
public final class FourKiBIslandMap {
  private static final long K = 1024;
  private static final long M = 1024 * K;
  private static final long G = 1024 * M;

  private FourKiBIslandMap() {}

  /** The map, named "island". */
  public static MemoryMap of() {
    return MemoryMap.ofBlocks("island", List.of(
        new MemoryBlock(M, 512 * M, 0),
        new MemoryBlock(512 * M + 64 * K, 512 * M + 68 * K, 0),
        new MemoryBlock(513 * M, G, 0)));
  }
}
