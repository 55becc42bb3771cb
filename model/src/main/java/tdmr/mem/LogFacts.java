package tdmr.mem;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a kernel log said about TDX, kept as facts of the log rather than interpreted.
 *
 * @param tdxLines every line with a {@code virt/tdx:} or {@code tdx:} prefix, verbatim
 * @param moduleVersion the module version text ({@code 1.5 build_date 20231008 build_num 595} or
 *     {@code 1.5.06.00.0744}), if the log printed one
 * @param pamtKb the kernel's {@code N KB allocated for PAMT}, if printed
 * @param failure the kernel's TDX failure line ({@code initialization failed: ...}), if printed
 * @param commandLine the kernel's command line (the text after {@code Command line:}), if printed
 */
public record LogFacts(
    List<LogLine> tdxLines,
    Optional<String> moduleVersion,
    OptionalLong pamtKb,
    Optional<LogLine> failure,
    Optional<LogLine> commandLine) {

  public static final LogFacts NONE =
      new LogFacts(List.of(), Optional.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty());

  public LogFacts {
    tdxLines = List.copyOf(tdxLines);
  }
}
