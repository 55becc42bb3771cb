package tdmr.render;

import static tdmr.mem.ByteSize.GiB;
import static tdmr.mem.ByteSize.MiB;
import static tdmr.mem.ByteSize.TiB;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * Maps and layouts written out by hand for picture tests, so the renderer is tested without any
 * engine: a sparse two-node host with a fragmented first GiB, a 4 KiB block and a 1 TiB node.
 */
final class CodeBuiltLayouts {
  private CodeBuiltLayouts() {}

  /** The 4 KiB block below 2 GiB that must stay visible next to the 1 TiB node. */
  static final MemoryBlock TINY_BLOCK = new MemoryBlock(0x64158000L, 0x64159000L, 0);

  /** Node 1: exactly 1 TiB at [512 GiB, 1536 GiB). */
  static final MemoryBlock TIB_NODE = new MemoryBlock(512 * GiB, 512 * GiB + TiB, 1);

  /**
   * Blocks (from the #135 e820 pattern, shortened): [1M, 0x5d169000), [0x5d22b000, 0x5d3cf000),
   * the 4 KiB block, [0x64195000, 0x6e9cf000) on node 0; [4G, 512G) on node 0; the 1 TiB node 1.
   * CMRs: [1M, 0x6f800000) and [4G, 1536G).
   */
  static MemoryMap sparseTwoNodeHost() {
    List<MemoryBlock> blocks =
        List.of(
            new MemoryBlock(MiB, 0x5d169000L, 0),
            new MemoryBlock(0x5d22b000L, 0x5d3cf000L, 0),
            TINY_BLOCK,
            new MemoryBlock(0x64195000L, 0x6e9cf000L, 0),
            new MemoryBlock(4 * GiB, 512 * GiB, 0),
            TIB_NODE);
    List<AddressRange> cmrs =
        List.of(new AddressRange(MiB, 0x6f800000L), new AddressRange(4 * GiB, 512 * GiB + TiB));
    return MemoryMap.of("sparse-two-node-host", blocks, cmrs);
  }

  /**
   * The kernel's TDMRs for {@link #sparseTwoNodeHost()}: [0, 2G), [4G, 512G), [512G, 1536G), with
   * each PAMT a kernel chunk at the given base and reserved areas made the kernel's way (every gap
   * between blocks inside the TDMR, then every PAMT chunk overlapping it, sorted by offset).
   */
  static Layout kernelStyle(MemoryMap map, List<AddressRange> tdmrRanges, List<Long> pamtBases) {
    TdxLimits limits = TdxLimits.DEFAULT;
    List<Pamt> pamts = new ArrayList<>();
    for (int i = 0; i < tdmrRanges.size(); i++) {
      pamts.add(Pamt.kernelChunk(pamtBases.get(i), tdmrRanges.get(i).size(), limits));
    }
    List<Tdmr> tdmrs = new ArrayList<>();
    for (int i = 0; i < tdmrRanges.size(); i++) {
      AddressRange t = tdmrRanges.get(i);
      List<AddressRange> reserved = new ArrayList<>();
      long prevEnd = t.start();
      for (MemoryBlock b : map.blocks()) {
        if (b.start() >= t.end()) {
          break;
        }
        if (b.end() < t.start()) {
          continue;
        }
        if (b.start() > prevEnd) {
          reserved.add(new AddressRange(prevEnd, b.start()));
        }
        prevEnd = b.end();
      }
      if (prevEnd < t.end()) {
        reserved.add(new AddressRange(prevEnd, t.end()));
      }
      for (Pamt p : pamts) {
        AddressRange chunk = new AddressRange(p.fourK().base(), p.oneG().end());
        if (chunk.overlaps(t)) {
          reserved.add(chunk.intersect(t));
        }
      }
      reserved.sort(Comparator.naturalOrder());
      tdmrs.add(
          new Tdmr(t.start(), t.size(), pamts.get(i),
              reserved.stream().map(r -> new ReservedArea(r.start() - t.start(), r.size())).toList()));
    }
    return new Layout(tdmrs);
  }

  /** Three TDMRs like the kernel's, PAMTs of node 0 at 4 GiB and node 1's at 512 GiB. */
  static Layout greedyLike(MemoryMap map) {
    long pamt0 = 4 * GiB;
    long pamt1 = pamt0 + 16 * MiB;
    return kernelStyle(
        map,
        List.of(new AddressRange(0, 2 * GiB), new AddressRange(4 * GiB, 512 * GiB), TIB_NODE.range()),
        List.of(pamt0, pamt1, 512 * GiB));
  }

  /** A second layout of the same map: PAMTs at the top of their node, as an optimiser might place them. */
  static Layout pamtsAtNodeTops(MemoryMap map) {
    long tdmr1Pamt = 512 * GiB - 4 * GiB;
    long tdmr0Pamt = tdmr1Pamt - 16 * MiB;
    long tdmr2Pamt = 512 * GiB + TiB - 8 * GiB;
    return kernelStyle(
        map,
        List.of(new AddressRange(0, 2 * GiB), new AddressRange(4 * GiB, 512 * GiB), TIB_NODE.range()),
        List.of(tdmr0Pamt, tdmr1Pamt, tdmr2Pamt));
  }

  /**
   * Eighteen 32 MiB blocks every 64 MiB from 1 MiB up, then [4 GiB, 64 GiB), all on node 0; CMRs
   * equal to the blocks. The kernel's TDMR [0, 2 GiB) needs 19 reserved areas: [0, 1 MiB), the 17
   * gaps between the small blocks, and the tail from the last block's end to 2 GiB.
   */
  static MemoryMap fragmentedFirstTwoGiB() {
    List<MemoryBlock> blocks = new ArrayList<>();
    for (int k = 0; k < 18; k++) {
      long start = MiB + k * 64 * MiB;
      blocks.add(new MemoryBlock(start, start + 32 * MiB, 0));
    }
    blocks.add(new MemoryBlock(4 * GiB, 64 * GiB, 0));
    return MemoryMap.ofBlocks("fragmented-first-2GiB", blocks);
  }

  /** The kernel's TDMRs for {@link #fragmentedFirstTwoGiB()}, PAMTs at 4 GiB: TDMR 0 breaks the limit. */
  static Layout fragmentedAsBuilt(MemoryMap map) {
    return kernelStyle(
        map,
        List.of(new AddressRange(0, 2 * GiB), new AddressRange(4 * GiB, 64 * GiB)),
        List.of(4 * GiB, 4 * GiB + 16 * MiB));
  }
}
