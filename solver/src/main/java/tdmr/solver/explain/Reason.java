package tdmr.solver.explain;

import tdmr.check.Rule;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.MemoryBlock;
import tdmr.tdx.Policy;

/**
 * One named group of constraints that may take part in a proof that no layout exists. An engine
 * asserts each group under its {@link #id()}; a minimal set of groups that cannot hold together is
 * the explanation, each group read as its {@link #sentence()}.
 */
public sealed interface Reason
    permits Reason.MaxTdmrs,
        Reason.BlockCoverage,
        Reason.GranuleHoles,
        Reason.ReservedLimit,
        Reason.PamtRoom {

  /** A stable name for the group, unique within one problem (used as the solver's tracking label). */
  String id();

  /** The rule the group encodes (docs/tdx-module-rules.md). */
  Rule rule();

  /** The group as one clause a person can check against the memory map. */
  String sentence();

  /** Rule A4: at most {@code limit} TDMRs (MAX_TDMRS). */
  record MaxTdmrs(int limit) implements Reason {
    @Override
    public String id() {
      return "max-tdmrs";
    }

    @Override
    public Rule rule() {
      return Rule.A4_TDMR_COUNT;
    }

    @Override
    public String sentence() {
      return "at most %s %s allowed".formatted(Count.of(limit, "TDMR"), limit == 1 ? "is" : "are");
    }
  }

  /** Coverage {@code all}: the block lies inside the TDMRs (the kernel adds all of it to TDX memory). */
  record BlockCoverage(MemoryBlock block) implements Reason {
    @Override
    public String id() {
      return "cover@0x%x".formatted(block.start());
    }

    @Override
    public Rule rule() {
      return Rule.O1_TDX_MEMORY_COVERED;
    }

    @Override
    public String sentence() {
      return "memory block %s (node %d, %s) must lie inside a TDMR"
          .formatted(block.range(), block.node(), ByteSize.human(block.size()));
    }
  }

  /**
   * Rules C and E1: every hole of the policy inside a TDMR must be covered by a reserved area, and a
   * reserved area is one contiguous range, so each separate hole in the granule needs its own area
   * of whichever TDMR covers the granule.
   *
   * @param granule the 1 GiB granule (or a longer run of granules no TDMR boundary can split)
   * @param holes separate holes that start inside the granule
   * @param holeKind the hole policy, for the wording
   */
  record GranuleHoles(AddressRange granule, int holes, Policy.Holes holeKind) implements Reason {
    @Override
    public String id() {
      return "holes@0x%x".formatted(granule.start());
    }

    /** Non-convertible gaps must be reserved by E1; under memlist every gap is, by O3. */
    @Override
    public Rule rule() {
      return holeKind == Policy.Holes.CMR ? Rule.E1_USABLE_MEMORY_IN_CMRS : Rule.O3_GAPS_RESERVED;
    }

    @Override
    public String sentence() {
      return "%s holds %s; each needs a reserved area of the TDMR that covers it".formatted(where(granule), holesPhrase());
    }

    /** "the 1 GiB granule [...)" or, for a run no TDMR boundary splits, "the range [...)". */
    static String where(AddressRange r) {
      return r.size() == 1L << 30 ? "the 1 GiB granule " + r : "the range " + r;
    }

    /** "3 gaps between memory blocks", "1 non-convertible gap between memory blocks". */
    String holesPhrase() {
      return Count.of(holes, holeKind == Policy.Holes.CMR ? "non-convertible gap" : "gap") + " between memory blocks";
    }
  }

  /** Rule C1 with MAX_RESERVED_PER_TDMR: every TDMR has at most {@code limit} reserved areas. */
  record ReservedLimit(int limit) implements Reason {
    @Override
    public String id() {
      return "reserved-limit";
    }

    @Override
    public Rule rule() {
      return Rule.C1_RESERVED_SLOTS;
    }

    @Override
    public String sentence() {
      return "a TDMR may have at most " + Count.of(limit, "reserved area");
    }
  }

  /**
   * Rules D4, D5, D6 and the OS's PAMT placement: each TDMR's PAMT is one chunk inside TDX memory
   * (on the TDMR's node under the node-local policy), chunks do not overlap, and a chunk inside a
   * TDMR is reserved there.
   *
   * @param node the NUMA node, or -1 for all TDX memory (policy {@code any})
   */
  record PamtRoom(int node) implements Reason {
    @Override
    public String id() {
      return node < 0 ? "pamt-room" : "pamt-room@node%d".formatted(node);
    }

    /** D5 (a chunk inside a TDMR is reserved there), with D4, D6, O2 and, per node, O4. */
    @Override
    public Rule rule() {
      return Rule.D5_PAMT_NOT_IN_USABLE_MEMORY;
    }

    @Override
    public String sentence() {
      return node < 0
          ? "each TDMR (the module needs at least one) has its PAMT as one contiguous chunk in TDX memory,"
              + " and the chunk needs a reserved area of the TDMR it lies in unless it touches a hole there"
          : ("each TDMR (the module needs at least one) whose PAMT belongs on node %d has it as one contiguous"
                  + " chunk in that node's memory, and the chunk needs a reserved area of the TDMR it lies in"
                  + " unless it touches a hole there")
              .formatted(node);
    }
  }
}
