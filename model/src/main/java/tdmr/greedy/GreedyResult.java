package tdmr.greedy;

import java.util.List;
import java.util.OptionalInt;
import tdmr.tdx.Layout;

/**
 * What the kernel's construction ends with: a layout, or the kernel's error. Either way {@link
 * #messages()} holds the lines the kernel would print, without the {@code virt/tdx: } prefix.
 */
public sealed interface GreedyResult permits GreedyResult.Built, GreedyResult.Failed {

  /** The kernel's lines, in order. */
  List<String> messages();

  /** The TDMRs as far as the construction got. */
  List<GreedyTdmr> tdmrs();

  /** The construction finished: this layout goes to TDH.SYS.CONFIG. */
  record Built(Layout layout, List<GreedyTdmr> tdmrs, List<String> messages) implements GreedyResult {
    public Built {
      tdmrs = List.copyOf(tdmrs);
      messages = List.copyOf(messages);
    }

    /** PAMT bytes as the kernel counts them ({@code tdmrs_count_pamt_kb} times 1024). */
    public long pamtBytes() {
      return layout.pamtBytes();
    }
  }

  /**
   * The construction failed with {@code errno} in {@code stage}.
   *
   * @param failingTdmr the TDMR the failure names (reserved areas exhausted, PAMT allocation),
   *     empty when the failure is not about one TDMR
   */
  record Failed(Errno errno, Stage stage, OptionalInt failingTdmr, List<GreedyTdmr> tdmrs, List<String> messages)
      implements GreedyResult {
    public Failed {
      tdmrs = List.copyOf(tdmrs);
      messages = List.copyOf(messages);
    }
  }

  /** The step of {@code construct_tdmrs} (and the memory list before it) where a failure happened. */
  enum Stage {
    /** {@code build_tdx_memlist} (with the CMR patch: a block outside the CMRs). */
    MEMORY_LIST,
    /** {@code fill_out_tdmrs}: TDMRs exhausted. */
    FILL_OUT_TDMRS,
    /** {@code tdmrs_set_up_pamt_all}: no room for a PAMT chunk. */
    PAMT_ALLOCATION,
    /** {@code tdmrs_populate_rsvd_areas_all}: reserved areas exhausted (or misaligned). */
    RESERVED_AREAS
  }
}
