package tdmr.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.Function;
import tdmr.mem.AddressRange;
import tdmr.mem.Count;

/**
 * Collects one kind of map line (e820 entries, memblock node ranges, CMRs) into one sorted list.
 *
 * <p>A run is a block of consecutive lines of the kind. The first run starts the list. A later run
 * that starts above the list's end continues it (the table was interrupted by other lines); a later
 * run that starts lower must repeat the list exactly (several logs of one machine pasted into one
 * file, as in canonical/tdx#285) and is then ignored with a note. Anything else is two different
 * machines in one file, an error.
 */
final class RepeatedLists<T> {
  /**
   * What an operator does about two maps in one input: most often it is a kernel log of several
   * boots (journalctl -k without -b) around a change of memmap= or of the BIOS, which moved memory.
   */
  static final String TWO_MAPS = "two different maps in one input (a log of several boots, before and after a"
      + " change of memmap= or the BIOS?): keep one boot's log, e.g. journalctl -k -b 0 for the running boot, -b -1"
      + " for the one before";

  private final String source;
  private final String what;
  private final Function<T, AddressRange> rangeOf;
  private final BiPredicate<T, T> same;
  private final RangeOrder order;
  private final List<T> entries = new ArrayList<>();
  private final List<Integer> lines = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  private boolean inRun;
  private boolean repeating;
  private int runStartLine;
  private int runLength;

  RepeatedLists(String source, String what, Function<T, AddressRange> rangeOf, BiPredicate<T, T> same) {
    this.source = source;
    this.what = what;
    this.rangeOf = rangeOf;
    this.same = same;
    this.order = new RangeOrder(source, what);
  }

  void add(T item, int line) throws InputException {
    if (!inRun) {
      inRun = true;
      runStartLine = line;
      runLength = 0;
      AddressRange range = rangeOf.apply(item);
      repeating = !entries.isEmpty() && range.start() < rangeOf.apply(entries.get(entries.size() - 1)).end();
    }
    if (repeating) {
      if (runLength >= entries.size() || !same.test(entries.get(runLength), item)) {
        throw conflict(line, item);
      }
    } else {
      order.next(rangeOf.apply(item), line);
      entries.add(item);
      lines.add(line);
    }
    runLength++;
  }

  /** A line of another kind ends the current run. */
  void interrupt() throws InputException {
    if (inRun && repeating) {
      if (runLength != entries.size()) {
        throw InputException.twoMaps(
            source,
            runStartLine,
            "the %s list starting here has %s but the one starting on line %d has %d; %s"
                .formatted(what, Count.of(runLength, "entry", "entries"), lines.get(0), entries.size(), TWO_MAPS));
      }
      notes.add(
          "the %s list on lines %d-%d repeats the one starting on line %d; the copy is ignored"
              .formatted(what, runStartLine, runStartLine + runLength - 1, lines.get(0)));
    }
    inRun = false;
  }

  private InputException conflict(int line, T item) {
    if (runLength < entries.size()) {
      return InputException.twoMaps(
          source,
          line,
          "%s %s differs from %s on line %d, in a list that repeats the one starting on line %d; %s"
              .formatted(what, rangeOf.apply(item), rangeOf.apply(entries.get(runLength)), lines.get(runLength), lines.get(0),
                  TWO_MAPS));
    }
    return new InputException(
        source,
        line,
        "%s %s is out of order: it lies below %s on line %d (ranges must be sorted)"
            .formatted(what, rangeOf.apply(item), rangeOf.apply(entries.get(entries.size() - 1)), lines.get(lines.size() - 1)));
  }

  List<T> entries() throws InputException {
    interrupt();
    return List.copyOf(entries);
  }

  List<String> notes() throws InputException {
    interrupt();
    return List.copyOf(notes);
  }
}
