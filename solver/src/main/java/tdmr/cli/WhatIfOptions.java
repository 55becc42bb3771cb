package tdmr.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import tdmr.boot.KernelParameters;
import tdmr.boot.MemmapEdit;
import tdmr.boot.MemoryWhatIf;
import tdmr.mem.MemoryMap;

/**
 * The what-if options ({@code @Mixin}): boot parameters to replay on the map before anything else
 * runs, {@code --cmdline} first, then each {@code --memmap} in order, applied as the kernel applies
 * them ({@link MemoryWhatIf}). Bad values are usage errors naming the option.
 */
final class WhatIfOptions {
  @Option(names = "--memmap", paramLabel = "SIZE$ADDRESS",
      description = "What if the kernel booted with memmap=VALUE: SIZE$ADDRESS reserves memory (what `tdmr fix`"
          + " proposes), SIZE@ADDRESS adds RAM, SIZE!ADDRESS marks it persistent, SIZE alone drops RAM above SIZE."
          + " Repeatable; quote the value in the shell ('4K$0x64158000').")
  List<String> memmap = new ArrayList<>();

  @Option(names = "--cmdline", paramLabel = "PARAMETERS",
      description = "What if the kernel booted with this command line: every memmap= and mem= in it is replayed,"
          + " e.g. --cmdline \"$(cat /proc/cmdline) memmap=4K\\$0x64158000\".")
  String cmdline;

  boolean isEmpty() {
    return memmap.isEmpty() && cmdline == null;
  }

  /** The changes, {@code --cmdline}'s first; a bad value is a usage error naming the option. */
  List<MemmapEdit> edits() {
    List<MemmapEdit> out = new ArrayList<>();
    if (cmdline != null) {
      try {
        out.addAll(KernelParameters.ofCommandLine(cmdline));
      } catch (IllegalArgumentException e) {
        throw usage("--cmdline: " + e.getMessage());
      }
    }
    for (String value : memmap) {
      try {
        out.addAll(KernelParameters.ofMemmap(value.startsWith("memmap=") ? value.substring("memmap=".length()) : value));
      } catch (IllegalArgumentException e) {
        throw usage("--memmap: " + e.getMessage());
      }
    }
    return out;
  }

  /** The map as the kernel would see it with these parameters; the map itself when none are given. */
  MemoryMap apply(MemoryMap map) {
    if (isEmpty()) {
      return map;
    }
    List<MemmapEdit> edits = edits();
    if (edits.isEmpty()) {
      return map;
    }
    try {
      return MemoryWhatIf.apply(map, edits, origin());
    } catch (IllegalArgumentException e) {
      throw usage(origin() + ": " + e.getMessage());
    }
  }

  /** The boot parameters the options stand for, as a kernel command line writes them; empty without any. */
  String kernelParameters() {
    return String.join(" ", parameters());
  }

  /** The {@code memmap=} and {@code mem=} parameters the options stand for, in order; empty without any. */
  List<String> parameters() {
    return isEmpty() ? List.of() : edits().stream().map(MemmapEdit::parameter).distinct().toList();
  }

  /** The options as typed, for commands suggested next: {@code --memmap '4K$0x64158000'}. */
  String asArguments() {
    StringBuilder s = new StringBuilder();
    if (cmdline != null) {
      s.append(" --cmdline '").append(cmdline.replace("'", "'\\''")).append('\'');
    }
    for (String m : memmap) {
      s.append(" --memmap '").append(m.replace("'", "'\\''")).append('\'');
    }
    return s.toString();
  }

  private String origin() {
    return cmdline != null && memmap.isEmpty() ? "--cmdline" : cmdline == null ? "--memmap" : "--cmdline, --memmap";
  }

  private OptionValueException usage(String message) {
    return new OptionValueException(message);
  }
}
