package tdmr.parse;

import java.util.ArrayList;
import java.util.List;
import tdmr.boot.E820Table;
import tdmr.boot.KernelParameters;
import tdmr.boot.MemmapEdit;
import tdmr.mem.E820Entry;
import tdmr.mem.LogLine;

/**
 * The memory parameters on a log's own {@code Command line:}, read as the kernel read them. A log
 * that printed its {@code user:} table (or its memblock {@code node N:} lines) already shows their
 * effect; a log cut down to its {@code BIOS-e820:} lines does not, so the parameters are applied
 * to that table as the kernel applied them. A bad value is skipped, as the kernel skips it.
 */
final class BootedCommandLine {
  private BootedCommandLine() {}

  /**
   * The e820 table the kernel used, and notes saying what was read.
   *
   * @param table the table read so far (the user table when {@code hasUserTable})
   */
  static List<E820Entry> apply(
      LogLine commandLine, List<E820Entry> table, boolean hasUserTable, boolean hasNodeLines, List<String> notes) {
    List<String> arguments = KernelParameters.memoryArguments(commandLine.text());
    if (arguments.isEmpty()) {
      return table;
    }
    List<MemmapEdit> edits = new ArrayList<>();
    for (String argument : arguments) {
      // parse_memmap_opt hands each comma-separated value to parse_memmap_one and ignores failures.
      List<String> values = argument.startsWith("memmap=")
          ? List.of(argument.substring("memmap=".length()).split(",", -1)).stream().map(v -> "memmap=" + v).toList()
          : List.of(argument);
      for (String value : values) {
        try {
          edits.addAll(KernelParameters.ofCommandLine(value));
        } catch (IllegalArgumentException bad) {
          notes.add("line %d: the kernel ignores %s".formatted(commandLine.line(), bad.getMessage()));
        }
      }
    }
    String shown = String.join(" ", arguments);
    if (hasUserTable || hasNodeLines) {
      notes.add("the kernel booted with %s (line %d); its %s already shows their effect"
          .formatted(shown, commandLine.line(), hasUserTable ? "'user:' e820 table" : "memblock 'node N:' lines"));
      return table;
    }
    if (edits.isEmpty() || table.isEmpty()) {
      notes.add("the kernel booted with %s (line %d)".formatted(shown, commandLine.line()));
      return table;
    }
    try {
      List<E820Entry> user = E820Table.apply(table, edits);
      notes.add(("the kernel booted with %s (line %d) and the log has no 'user:' table: applied to its"
          + " e820 table as the kernel applied them").formatted(shown, commandLine.line()));
      return user;
    } catch (IllegalArgumentException panic) {
      notes.add("the kernel booted with %s (line %d), but %s; the e820 table is read as printed"
          .formatted(shown, commandLine.line(), panic.getMessage()));
      return table;
    }
  }
}
