package tdmr.cli;

import java.util.List;
import tdmr.boot.MemoryWhatIf;
import tdmr.mem.LogLine;
import tdmr.triage.LogCompleteness;
import tdmr.triage.Outcome;
import tdmr.triage.Triage;

/** {@code tdmr diagnose} for people: a headline, what happened, what to do, the analysis, the evidence. */
final class DiagnosisText {
  /** Evidence lines shown; the rest are counted. */
  private static final int MAX_EVIDENCE = 14;

  private final Terminal terminal;

  DiagnosisText(Terminal terminal) {
    this.terminal = terminal;
  }

  String render(Diagnosis d) {
    Triage t = d.triage();
    StringBuilder s = new StringBuilder();
    String headline = t.outcome().tdxUp() ? terminal.good("TDX came up.")
        : d.showsTdxDown() ? terminal.bad("TDX did not come up: " + t.outcome().summary() + ".")
        // Only what the log shows: it stops short of how initialization ended.
        : terminal.warn("The log does not show whether TDX came up: " + t.outcome().summary() + ".");
    s.append(headline).append('\n');
    s.append("Log: ").append(d.source()).append('\n');
    if (!moduleAndKeys(t).isEmpty()) {
      line(s, Prose.wrap(moduleAndKeys(t), "     ", "     ", terminal.width()));
    }
    t.boot().commandLine().ifPresent(c -> line(s, Prose.wrap("Command line (line %d): %s".formatted(c.line(), c.text()), "     ", "     ", terminal.width())));
    d.mapInLog().map().ifPresent(m -> m.notes().stream().filter(n -> n.startsWith(MemoryWhatIf.NOTE_PREFIX))
        .forEach(n -> line(s, Prose.wrap(n, "     ", "     ", terminal.width()))));
    if (d.completeness().stream().anyMatch(n -> !restatesTheOutcome(n, t))) {
      s.append('\n').append(terminal.bold("About this log")).append('\n');
      for (LogCompleteness.Note n : d.completeness()) {
        if (!restatesTheOutcome(n, t)) {
          line(s, Prose.wrap(n.text(), "  - ", "    ", terminal.width()));
        }
      }
    }
    s.append('\n').append(terminal.bold("What happened")).append('\n');
    for (String sentence : t.whatHappened()) {
      line(s, Prose.wrap(sentence, "  ", "  ", terminal.width()));
    }
    s.append('\n').append(terminal.bold("What to do")).append('\n');
    for (String sentence : d.whatToDo()) {
      if (sentence.startsWith("  ")) {
        s.append("  ").append(sentence).append('\n'); // a command to paste, kept whole
      } else {
        line(s, Prose.wrap(sentence, "  - ", "    ", terminal.width()));
      }
    }
    List<String> analysis = analysis(d);
    if (!analysis.isEmpty()) {
      s.append('\n').append(terminal.bold("Layout analysis")).append('\n');
      for (String sentence : analysis) {
        if (sentence.startsWith("  ")) {
          s.append("  " + sentence).append('\n');
        } else {
          line(s, Prose.wrap(sentence, "  ", "  ", terminal.width()));
        }
      }
    }
    evidence(s, t.evidence());
    return s.toString();
  }

  /** The engines' analysis, or, for a layout failure without a map, which lines to collect. */
  private static List<String> analysis(Diagnosis d) {
    Outcome o = d.triage().outcome();
    if (o.isLayoutFailure() && d.mapInLog().map().isEmpty()) {
      return List.of(
          "tdmr cannot rebuild the kernel's layout from this log, nor look for a better one: "
              + d.mapInLog().problem().orElse("it has no memory map") + ".",
          "Collect what tdmr needs from that host in one file: `sudo tdmr gather -o host.txt` (the kernel log,"
              + " the firmware memory map from /sys/firmware/memmap, the NUMA nodes, /proc/cmdline). Without tdmr"
              + " on the host, the whole kernel log of a boot does it too, from its first line: `journalctl -k -b"
              + " > dmesg.txt`; it holds the firmware memory map (`BIOS-e820:` lines), the NUMA node ranges"
              + " (`node N: [mem ...]`) and, on kernels that print them, the `virt/tdx: CMR:` lines.",
          "Then run `tdmr diagnose host.txt` (or dmesg.txt) again.");
    }
    return d.analysis();
  }

  /** A note that says what the headline says (a guest's, a VM's, another maker's log) is not printed twice. */
  private static boolean restatesTheOutcome(LogCompleteness.Note n, Triage t) {
    return switch (n.check()) {
      case TDX_GUEST -> t.outcome() == Outcome.TDX_GUEST;
      case VIRTUAL_MACHINE -> t.outcome() == Outcome.VIRTUAL_MACHINE;
      case NOT_INTEL_CPU -> t.outcome() == Outcome.NOT_INTEL_CPU;
      default -> false;
    };
  }

  private static String moduleAndKeys(Triage t) {
    List<String> parts = new java.util.ArrayList<>();
    t.moduleVersion().ifPresent(v -> parts.add("TDX module " + v));
    t.keyIds().ifPresent(k -> parts.add("private KeyIDs " + k));
    return String.join("; ", parts);
  }

  private void evidence(StringBuilder s, List<LogLine> lines) {
    if (lines.isEmpty()) {
      s.append('\n').append(terminal.bold("Log lines")).append('\n');
      s.append("  (no TDX lines in this log)\n");
      return;
    }
    s.append('\n').append(terminal.bold("Log lines")).append(" (the TDX lines read)").append('\n');
    int shown = 0;
    for (LogLine l : lines) {
      if (shown == MAX_EVIDENCE) {
        s.append("  ... and %d more%n".formatted(lines.size() - shown));
        break;
      }
      // Verbatim and whole (register dumps matter to the last digit), folded at the width.
      String text = l.text().strip();
      String head = "  %5d  ".formatted(l.line());
      int room = terminal.width() - head.length();
      String indent = head;
      while (text.length() > room) {
        int cut = text.lastIndexOf(' ', room);
        cut = cut > room / 2 ? cut : room;
        s.append(terminal.dim(indent + text.substring(0, cut))).append('\n');
        text = text.substring(cut).stripLeading();
        indent = " ".repeat(head.length() + 2);
        room = terminal.width() - indent.length();
      }
      s.append(terminal.dim(indent + text)).append('\n');
      shown++;
    }
  }

  private static void line(StringBuilder s, List<String> lines) {
    for (String l : lines) {
      s.append(l).append('\n');
    }
  }

}
