package tdmr.cli;

import java.util.List;
import java.util.Optional;
import tdmr.mem.MemoryMap;
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

  /** The memory map in a log, or the reader's message saying why there is none. */
  record MapInLog(Optional<MemoryMap> map, Optional<String> problem) {}
}
