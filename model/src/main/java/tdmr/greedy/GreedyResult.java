package tdmr.greedy;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import tdmr.check.Rule;
import tdmr.check.Violation;
import tdmr.mem.AddressRange;
import tdmr.tdx.Headroom;
import tdmr.tdx.Layout;

/**
 * What the kernel's construction ends with: a layout, or the kernel's error as a value. Either way
 * {@link #messages()} holds the lines the kernel would print, without the {@code virt/tdx: }
 * prefix; they are for people, and every decision reads the typed fields instead.
 */
public sealed interface GreedyResult permits GreedyResult.Built, GreedyResult.Failed {

  /** The kernel's lines, in order. */
  List<String> messages();

  /** The TDMRs as far as the construction got. */
  List<GreedyTdmr> tdmrs();

  /**
   * The construction finished: this layout goes to TDH.SYS.CONFIG.
   *
   * @param headroom how close the layout is to the limits it was built under
   * @param constructionMessages the kernel's lines up to the call of TDH.SYS.CONFIG
   */
  record Built(Layout layout, List<GreedyTdmr> tdmrs, Headroom headroom, List<String> constructionMessages)
      implements GreedyResult {
    public Built {
      tdmrs = List.copyOf(tdmrs);
      constructionMessages = List.copyOf(constructionMessages);
    }

    /** The construction's lines, then the two the kernel prints once the module accepted the layout. */
    @Override
    public List<String> messages() {
      List<String> all = new java.util.ArrayList<>(constructionMessages);
      all.add("%d KB allocated for PAMT".formatted(layout.pamtBytes() / 1024));
      all.add("module initialized");
      return List.copyOf(all);
    }

    /** PAMT bytes as the kernel counts them ({@code tdmrs_count_pamt_kb} times 1024). */
    public long pamtBytes() {
      return layout.pamtBytes();
    }
  }

  /**
   * TDX initialisation failed: what ran out or was rejected, where, and the TDMRs as they stood.
   *
   * @param cause what failed; gives the error number and the step
   * @param failingTdmr the TDMR the failure is about (reserved areas exhausted or misaligned, PAMT
   *     allocation, the first TDMR the module rejects), empty when it is not about one TDMR
   * @param offendingRange the range the failure names besides the TDMR: the memory block outside
   *     the CMRs, the misaligned reserved area, the first TDMR that did not fit; empty otherwise
   * @param tdmrs the TDMRs as the construction left them: for {@link Cause#TDMRS_EXHAUSTED} the
   *     {@code maxTdmrs} that fit (no PAMT yet); for a PAMT failure every TDMR, those before the
   *     failing one with their PAMT; for reserved areas every TDMR with every area it asked for
   *     (the failing one beyond the limit); for a module rejection the whole layout
   * @param violations the module's violations, for {@link Cause#MODULE_REJECTED} (the first is the
   *     one TDH.SYS.CONFIG returns), empty otherwise
   * @param messages the kernel's lines, in order
   */
  record Failed(
      Cause cause,
      OptionalInt failingTdmr,
      Optional<AddressRange> offendingRange,
      List<GreedyTdmr> tdmrs,
      List<Violation> violations,
      List<String> messages)
      implements GreedyResult {
    public Failed {
      tdmrs = List.copyOf(tdmrs);
      violations = List.copyOf(violations);
      messages = List.copyOf(messages);
      if (failingTdmr.isPresent() && failingTdmr.getAsInt() >= tdmrs.size()) {
        throw new IllegalArgumentException("failing TDMR %d of %d".formatted(failingTdmr.getAsInt(), tdmrs.size()));
      }
      if (cause == Cause.MODULE_REJECTED && violations.isEmpty()) {
        throw new IllegalArgumentException("a module rejection needs the module's violation");
      }
    }

    /** The error the kernel returns ({@code module initialization failed (-28)}). */
    public Errno errno() {
      return cause.errno();
    }

    /** The step that failed. */
    public Stage stage() {
      return cause.stage();
    }

    /** The rule the failure runs into: the kernel's limit, or the first rule the module finds broken. */
    public Rule rule() {
      return cause == Cause.MODULE_REJECTED ? violations.get(0).rule() : cause.rule;
    }

    /** The range of {@link #failingTdmr()}. */
    public Optional<AddressRange> failingTdmrRange() {
      return failingTdmr.isPresent() ? Optional.of(tdmrs.get(failingTdmr.getAsInt()).range()) : Optional.empty();
    }

    /**
     * The failure in one line, made from the fields: the kernel's own line where it prints one
     * ({@code initialization failed: TDMR [0x0, 0x80000000): reserved areas exhausted.}), otherwise
     * the kernel's wording extended to say what failed.
     */
    public String failureLine() {
      String tdmr = failingTdmrRange().map(r -> "TDMR " + r).orElse("");
      return switch (cause) {
        case EMPTY_MEMORY_LIST -> "no TDX memory: the memory list is empty";
        case MEMORY_OUTSIDE_CMRS -> "memory region %s is not TDX convertible memory.".formatted(offendingRange.orElseThrow());
        case TDMRS_EXHAUSTED -> "initialization failed: TDMRs exhausted.";
        case PAMT_ALLOCATION -> "%s: no free memory for its PAMT (module initialization failed (%d))"
            .formatted(tdmr, errno().value());
        case RESERVED_AREA_MISALIGNED -> "%s: reserved area %s is not 4K aligned".formatted(tdmr, offendingRange.orElseThrow());
        case RESERVED_AREAS_EXHAUSTED -> "initialization failed: %s: reserved areas exhausted.".formatted(tdmr);
        case MODULE_REJECTED -> "TDH.SYS.CONFIG rejects the kernel's layout: " + violations.get(0);
      };
    }

    /** {@link #failureLine()} as the log shows it: with the kernel's prefix where the kernel logs it. */
    public String headline() {
      return (cause.loggedByKernel() ? LinuxGreedy.LOG_PREFIX : "") + failureLine();
    }
  }

  /** The step of TDX initialisation (the memory list, {@code construct_tdmrs}, the module call) where a failure happened. */
  enum Stage {
    /** {@code build_tdx_memlist} (with the CMR patch: a block outside the CMRs). */
    MEMORY_LIST,
    /** {@code fill_out_tdmrs}: TDMRs exhausted. */
    FILL_OUT_TDMRS,
    /** {@code tdmrs_set_up_pamt_all}: no room for a PAMT chunk. */
    PAMT_ALLOCATION,
    /** {@code tdmrs_populate_rsvd_areas_all}: reserved areas exhausted (or misaligned). */
    RESERVED_AREAS,
    /** {@code config_tdx_module}: TDH.SYS.CONFIG rejects the layout. */
    MODULE_CONFIG
  }

  /** What failed, with the error number the kernel returns and the step it happens in. */
  enum Cause {
    /** No TDX memory at all (cannot happen on a booted system); the module needs a TDMR (A4). */
    EMPTY_MEMORY_LIST(Errno.EINVAL, Stage.MEMORY_LIST, Rule.A4_TDMR_COUNT),
    /** CMR-holes patch: a memory-list block is not inside the CMRs (E1). */
    MEMORY_OUTSIDE_CMRS(Errno.EINVAL, Stage.MEMORY_LIST, Rule.E1_USABLE_MEMORY_IN_CMRS),
    /** More TDMRs needed than MAX_TDMRS (A4). */
    TDMRS_EXHAUSTED(Errno.ENOSPC, Stage.FILL_OUT_TDMRS, Rule.A4_TDMR_COUNT),
    /** {@code alloc_contig_pages} found no room in TDX memory for a TDMR's PAMT chunk (O2). */
    PAMT_ALLOCATION(Errno.ENOMEM, Stage.PAMT_ALLOCATION, Rule.O2_PAMT_IN_TDX_MEMORY),
    /** A reserved area is not 4 KiB aligned (C5; a WARN, only with CMRs that are not 4 KiB aligned). */
    RESERVED_AREA_MISALIGNED(Errno.EINVAL, Stage.RESERVED_AREAS, Rule.C5_RESERVED_4K_ALIGNED),
    /** A TDMR needs more reserved areas than MAX_RESERVED_PER_TDMR (C1). */
    RESERVED_AREAS_EXHAUSTED(Errno.ENOSPC, Stage.RESERVED_AREAS, Rule.C1_RESERVED_SLOTS),
    /** The construction succeeded but TDH.SYS.CONFIG rejects the layout; the rule is the violation's. */
    MODULE_REJECTED(Errno.EIO, Stage.MODULE_CONFIG, null);

    private final Errno errno;
    private final Stage stage;
    private final Rule rule;

    Cause(Errno errno, Stage stage, Rule rule) {
      this.errno = errno;
      this.stage = stage;
      this.rule = rule;
    }

    public Errno errno() {
      return errno;
    }

    public Stage stage() {
      return stage;
    }

    /**
     * True when the kernel logs {@link Failed#failureLine()} itself: not for a PAMT allocation
     * ({@code alloc_contig_pages} returning NULL prints nothing of its own) nor for the module's
     * rejection (the kernel logs only the SEAMCALL's status).
     */
    public boolean loggedByKernel() {
      return this != PAMT_ALLOCATION && this != MODULE_REJECTED;
    }
  }
}
