package tdmr.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Optional;
import tdmr.mem.MemoryMap;
import tdmr.parse.InputException;

/**
 * One host's input as a command works on it: where to read it, where its text goes and where its
 * JSON document is left for {@link HostRunner} to print. With one input the text goes straight to
 * standard output and progress shows on the terminal as always; with several, each host writes
 * into its own buffer, printed in input order, and shows no progress of its own.
 */
final class Host {
  private final HostInputs.Input input;
  private final TdmrCommand root;
  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean alone;
  private ObjectNode document;

  Host(HostInputs.Input input, TdmrCommand root, PrintWriter out, PrintWriter err, boolean alone) {
    this.input = input;
    this.root = root;
    this.out = out;
    this.err = err;
    this.alone = alone;
  }

  /** The input's name as given (a path, {@code -}, or the bundled example's name). */
  String name() {
    return input.name();
  }

  /** True without an INPUT argument: commands that allow it read the bundled example. */
  boolean bundled() {
    return input.path() == null;
  }

  /** The input, read from its file or from standard input; a directory without files is bad input. */
  InputSource source() throws InputException {
    if (input.problem().isPresent()) {
      throw input.problem().get();
    }
    return root.input(input.path());
  }

  /** The memory map in the input, or the bundled example's without INPUT. */
  MemoryMap readMap() throws IOException, InputException {
    long started = System.nanoTime();
    MemoryMap map = bundled() ? BundledExample.map() : source().readMap();
    if (Boolean.getBoolean("tdmr.timing")) {
      // For benchmarks/fleet-sizes.sh: reading is the part of a command no time limit can stop.
      err.printf("tdmr: timing: read the map in %d ms%n", (System.nanoTime() - started) / 1_000_000);
      err.flush();
    }
    return map;
  }

  /** Where the text answer goes. */
  PrintWriter out() {
    return out;
  }

  /** Where warnings and progress go. */
  PrintWriter err() {
    return err;
  }

  /** True when this is the run's only input. */
  boolean alone() {
    return alone;
  }

  /** A progress note for a slow step: on the terminal for a lone input, none among many. */
  Progress progress(String what) {
    return alone ? Progress.start(err, what, Terminal.stderrIsTerminal()) : Progress.silent();
  }

  /** Leaves the {@code --json} document of this host's answer, printed by the runner. */
  void document(ObjectNode document) {
    this.document = document;
  }

  /** The document left by {@link #document(ObjectNode)}, if any. */
  Optional<ObjectNode> document() {
    return Optional.ofNullable(document);
  }
}
