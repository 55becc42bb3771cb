package tdmr.render;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tdmr.mem.AddressRange;
import tdmr.greedy.GreedyResult;
import tdmr.solver.EngineResult;
import tdmr.tdx.Layout;

/**
 * One row of a picture: a layout with a label (which engine made it), or the failure of an engine
 * (the greedy failing as the kernel would) with the TDMR the kernel named and, when known, the
 * TDMRs as they stood when it failed.
 *
 * @param label what the row is called in the picture: {@code greedy}, {@code cpsat (optimal)}, ...
 * @param layout the layout to draw; with a failure, the TDMRs built before it (may break limits)
 * @param failure the kernel's (or the engine's) message when the engine failed
 * @param failedTdmr the TDMR the failure message names, highlighted in the picture
 * @param notes further lines shown under the row (PAMT total, bound, ...)
 * @param failedTdmrAreas the reserved areas the failing TDMR asked for, in the order the kernel
 *     added them (holes, then PAMT pieces), so the picture numbers them as {@code tdmr plan} does;
 *     empty when not known (then they are numbered by address)
 */
public record LabelledLayout(
    String label,
    Optional<Layout> layout,
    Optional<String> failure,
    Optional<AddressRange> failedTdmr,
    List<String> notes,
    List<AddressRange> failedTdmrAreas) {

  /** The kernel's way of naming a TDMR in a message: {@code TDMR [0x0, 0x80000000)}. */
  private static final Pattern TDMR_IN_MESSAGE =
      Pattern.compile("TDMR \\[0x([0-9a-fA-F]+), 0x([0-9a-fA-F]+)\\)");

  public LabelledLayout {
    notes = List.copyOf(notes);
    failedTdmrAreas = List.copyOf(failedTdmrAreas);
    if (layout.isEmpty() && failure.isEmpty()) {
      throw new IllegalArgumentException("a row needs a layout or a failure: " + label);
    }
  }

  /** A row showing a layout. */
  public static LabelledLayout of(String label, Layout layout) {
    return new LabelledLayout(label, Optional.of(layout), Optional.empty(), Optional.empty(), List.of(), List.of());
  }

  /**
   * A row showing a failure; when the message names a TDMR ({@code TDMR [0x0, 0x80000000): reserved
   * areas exhausted.}) that TDMR is highlighted.
   */
  public static LabelledLayout failed(String label, String message) {
    return new LabelledLayout(label, Optional.empty(), Optional.of(message), tdmrNamedIn(message), List.of(), List.of());
  }

  /**
   * A row showing a failure and the TDMRs as they stood when it happened (the failing TDMR may hold
   * more reserved areas than the module allows).
   */
  public static LabelledLayout failed(String label, String message, Layout asBuilt) {
    return new LabelledLayout(label, Optional.of(asBuilt), Optional.of(message), tdmrNamedIn(message), List.of(), List.of());
  }

  /**
   * A row for an engine's answer: its layout, or its failure. A kernel failure names its TDMR and
   * reads as the kernel's line (with the kernel's prefix where the kernel logs it); any other
   * answer without a layout reads as the engine's first message.
   */
  public static LabelledLayout from(EngineResult result) {
    String label = result.solver() + " (" + result.status().name().toLowerCase(java.util.Locale.ROOT) + ")";
    if (result.layout().isPresent()) {
      return of(label, result.layout().get()).withNotes(result.messages());
    }
    if (result.kernelFailure().isPresent()) {
      GreedyResult.Failed f = result.kernelFailure().get();
      String message = f.headline();
      return new LabelledLayout(label, Optional.empty(), Optional.of(message), f.failingTdmrRange(),
          result.messages().stream().filter(m -> !m.equals(message)).toList(), List.of());
    }
    String message = result.messages().isEmpty() ? "no layout" : result.messages().get(0);
    return new LabelledLayout(label, Optional.empty(), Optional.of(message), Optional.empty(),
        result.messages().stream().skip(1).toList(), List.of());
  }

  public LabelledLayout withNotes(List<String> moreNotes) {
    return new LabelledLayout(label, layout, failure, failedTdmr, moreNotes, failedTdmrAreas);
  }

  /** This failure row with the TDMRs as built and the failing TDMR's areas in the kernel's order. */
  public LabelledLayout withAsBuilt(Layout asBuilt, List<AddressRange> areasInKernelOrder) {
    return new LabelledLayout(label, Optional.of(asBuilt), failure, failedTdmr, notes, areasInKernelOrder);
  }

  static Optional<AddressRange> tdmrNamedIn(String message) {
    Matcher m = TDMR_IN_MESSAGE.matcher(message);
    if (!m.find()) {
      return Optional.empty();
    }
    try {
      long start = Long.parseUnsignedLong(m.group(1), 16);
      long end = Long.parseUnsignedLong(m.group(2), 16);
      return start >= 0 && end > start ? Optional.of(new AddressRange(start, end)) : Optional.empty();
    } catch (NumberFormatException e) {
      // More than 64 bits of hex: not an address a picture can place.
      return Optional.empty();
    }
  }
}
