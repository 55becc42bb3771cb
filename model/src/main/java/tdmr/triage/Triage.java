package tdmr.triage;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import tdmr.mem.AddressRange;
import tdmr.mem.LogLine;

/**
 * What a host's kernel log says about TDX, decoded, and what it means in plain words.
 *
 * @param outcome how initialization ended
 * @param keyIds the private KeyID range the BIOS gave TDX ({@code [64, 128)}), if logged
 * @param moduleVersion the TDX module version, if logged
 * @param moduleMajor the module's major version, if logged
 * @param moduleMinor the module's minor version, if logged
 * @param cmrs the CMRs the kernel printed (distinct, sorted)
 * @param seamcall the SEAMCALL failure that ended initialization, if any
 * @param failure the kernel's failure line ({@code initialization failed: ...}), if any
 * @param failedTdmr the TDMR the failure line names, if any
 * @param errno the kernel's error number from {@code module initialization failed (-28)}, if logged
 * @param pamtKb the kernel's {@code N KB allocated for PAMT}, if logged
 * @param e820Lines how many {@code BIOS-e820:} lines the log has (0: no firmware memory map)
 * @param whatHappened sentences for people, in order
 * @param whatToDo sentences for people, in order
 * @param evidence the TDX lines the triage read, verbatim
 * @param boot what the whole log says about the boot (CPU, command line, early lines, ...)
 */
public record Triage(
    Outcome outcome,
    Optional<String> keyIds,
    Optional<String> moduleVersion,
    OptionalInt moduleMajor,
    OptionalInt moduleMinor,
    List<AddressRange> cmrs,
    Optional<SeamcallFailure> seamcall,
    Optional<LogLine> failure,
    Optional<AddressRange> failedTdmr,
    OptionalInt errno,
    OptionalLong pamtKb,
    int e820Lines,
    List<String> whatHappened,
    List<String> whatToDo,
    List<LogLine> evidence,
    BootLog boot) {

  public Triage {
    cmrs = List.copyOf(cmrs);
    whatHappened = List.copyOf(whatHappened);
    whatToDo = List.copyOf(whatToDo);
    evidence = List.copyOf(evidence);
  }

  /** The process exit status: 0 when TDX came up, 1 when it did not. */
  public int exitCode() {
    return outcome.tdxUp() ? 0 : 1;
  }
}
