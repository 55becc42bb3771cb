package tdmr.cli;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import tdmr.mem.MemoryMap;
import tdmr.parse.ShellWord;
import tdmr.triage.LogCompleteness;
import tdmr.triage.Triage;

/**
 * Everything {@code tdmr diagnose} found: what the log lacks, the triage of its TDX lines, the
 * memory map in the same log (or why there is none), what the layout analysis of that map says and
 * what to do.
 *
 * @param source the log's name
 * @param completeness the completeness checks that apply, said before any verdict
 * @param triage what the TDX lines say
 * @param mapInLog the memory map found in the log, or the reason there is none
 * @param analysis sentences of the layout analysis (empty when none applies)
 * @param whatToDo what to do, in order: the triage's advice, or for a layout failure with a map the
 *     remedies an operator can apply (a memmap= fix for the running kernel, a kernel with the
 *     CMR-holes patch) and the best layout as information
 */
record Diagnosis(
    String source,
    List<LogCompleteness.Note> completeness,
    Triage triage,
    MapInLog mapInLog,
    List<String> analysis,
    List<String> whatToDo) {

  Diagnosis {
    completeness = List.copyOf(completeness);
    analysis = List.copyOf(analysis);
    whatToDo = List.copyOf(whatToDo);
  }

  /**
   * Whether the log shows that TDX did not come up: not when it stops short of how initialization
   * ended, nor when it has no TDX line and lacks the boot's first lines, where they would be.
   */
  boolean showsTdxDown() {
    if (triage.outcome().tdxUp() || !triage.outcome().endingInLog()) {
      return false;
    }
    return !(triage.outcome() == tdmr.triage.Outcome.NO_TDX_LINES
        && completeness.stream().anyMatch(n -> n.check() == LogCompleteness.Check.NO_EARLY_BOOT));
  }

  /**
   * The line of the summary table: the outcome, the kernel's failure (or the SEAMCALL that failed),
   * the logged PAMT, and what to do: for a layout failure the boot parameters that fix it when the
   * analysis found them ({@code memmap}), else the command that looks for them ({@code tdmr fix}),
   * or, when the log has no memory map for it to read, how to collect one; otherwise the first thing
   * to do.
   */
  HostResult summary(List<String> memmap) {
    String reason = triage.seamcall()
        .map(s -> s.knownLeaf().map(l -> l.apiName()).orElse("SEAMCALL 0x%x".formatted(s.leaf()))
            + " failed: " + s.knownStatus().map(Enum::name).orElse("0x%016x".formatted(s.status())))
        .or(() -> triage.failure().map(f -> afterPrefix(f.text().strip())))
        .orElse(triage.outcome().tdxUp() ? "" : triage.outcome().summary());
    OptionalLong pamt = triage.pamtKb().isPresent() ? OptionalLong.of(triage.pamtKb().getAsLong() * 1024) : OptionalLong.empty();
    String fix;
    if (!memmap.isEmpty()) {
      fix = String.join(" ", memmap);
    } else if (triage.outcome().isLayoutFailure() && mapInLog.map().isEmpty()) {
      // tdmr fix on this log would only say it has no memory map: collect one first.
      fix = NO_MAP_FIX;
    } else if (triage.outcome().isLayoutFailure()) {
      fix = "tdmr fix " + (source.equals("<stdin>") ? "dmesg.txt" : ShellWord.of(source));
    } else if (triage.outcome().tdxUp() || whatToDo.isEmpty()) {
      fix = "";
    } else {
      fix = whatToDo.get(0);
    }
    return new HostResult(triage.exitCode(), triage.outcome().name(), reason, pamt, fix);
  }

  /** What to do for a layout failure whose log holds no memory map (as canonical/tdx#415's). */
  static final String NO_MAP_FIX = "the log has no memory map: sudo tdmr gather -o host.txt on the host, then tdmr fix host.txt";

  /**
   * {@code TDMR [0x0, 0x80000000): reserved areas exhausted.} from the kernel's whole failure line
   * ({@code [   10.79] virt/tdx: initialization failed: ...}): the words after the prefix.
   */
  private static String afterPrefix(String line) {
    for (String prefix : List.of("initialization failed: ", "tdx: ")) {
      int at = line.indexOf(prefix);
      if (at >= 0) {
        return line.substring(at + prefix.length());
      }
    }
    return line;
  }

  /** The memory map in a log, or the reader's message saying why there is none. */
  record MapInLog(Optional<MemoryMap> map, Optional<String> problem) {}
}
