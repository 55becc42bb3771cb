package tdmr.cli;

import java.util.List;
import java.util.Optional;
import tdmr.mem.MemoryMap;
import tdmr.triage.Triage;

/**
 * Everything {@code tdmr diagnose} found: the triage of the log's TDX lines, the memory map in the
 * same log (or why there is none) and what the layout analysis of that map says.
 *
 * @param source the log's name
 * @param triage what the TDX lines say
 * @param mapInLog the memory map found in the log, or the reason there is none
 * @param analysis sentences of the layout analysis (empty when none applies)
 */
record Diagnosis(String source, Triage triage, MapInLog mapInLog, List<String> analysis) {

  Diagnosis {
    analysis = List.copyOf(analysis);
  }

  /** The memory map in a log, or the reader's message saying why there is none. */
  record MapInLog(Optional<MemoryMap> map, Optional<String> problem) {}
}
