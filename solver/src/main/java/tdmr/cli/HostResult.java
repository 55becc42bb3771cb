package tdmr.cli;

import java.util.OptionalLong;

/**
 * What a command answered for one host: its exit status and the row of the closing summary table
 * that {@code tdmr COMMAND} prints after several inputs ({@link HostSummary}).
 *
 * @param exitCode the exit status this input alone would have given
 * @param outcome the answer in one upper-case word, as in the JSON ({@code RESERVED_AREAS_EXHAUSTED},
 *     {@code FIXED}, {@code ACCEPTED})
 * @param reason why, in a few words ({@code TDMR [0x0, 0x80000000): 18 of 16 reserved areas}); empty when
 *     there is nothing to add
 * @param pamtBytes the PAMT of the layout the answer is about, if any
 * @param fix what to do next, in a few words or one command; empty when nothing is needed
 */
record HostResult(int exitCode, String outcome, String reason, OptionalLong pamtBytes, String fix) {
  /** The outcome of an input that could not be read: exit 2. */
  static final String BAD_INPUT = "BAD_INPUT";
  /** The outcome of an input that hit a bug: exit 70. */
  static final String INTERNAL_ERROR = "INTERNAL_ERROR";

  HostResult {
    reason = reason == null ? "" : reason;
    fix = fix == null ? "" : fix;
  }
}
