package tdmr.solver.cpsat;

import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Tdmr;

/** What a comparison with the greedy needs to know about the greedy's layout. */
final class GreedyComparison {
  private GreedyComparison() {}

  /**
   * True when every TDMR's PAMT chunk lies in a block of the node {@code tdmr_get_nid} gives the
   * TDMR (the node of the first block ending after its base), i.e. the kernel did not fall back.
   */
  static boolean nodeLocal(MemoryMap map, Layout layout) {
    for (Tdmr t : layout.tdmrs()) {
      int node = map.blocks().stream().filter(b -> b.end() > t.base()).findFirst().map(MemoryBlock::node).orElse(0);
      long base = t.pamt().fourK().base();
      boolean onNode = map.blocks().stream().anyMatch(b -> b.node() == node && b.range().contains(base));
      if (!onNode) {
        return false;
      }
    }
    return true;
  }
}
