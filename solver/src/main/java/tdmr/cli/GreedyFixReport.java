package tdmr.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import tdmr.boot.KernelParameters;
import tdmr.boot.LowMemoryCaution;
import tdmr.boot.MemoryWhatIf;
import tdmr.greedy.LinuxGreedy;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.MemoryMap;
import tdmr.parse.LayoutJson;
import tdmr.parse.JsonContract;
import tdmr.solver.EngineResult;
import tdmr.solver.Status;
import tdmr.solver.fix.GiveUpSearch;
import tdmr.solver.fix.GreedyFix;
import tdmr.tdx.TdxLimits;

/** {@code tdmr fix --for greedy} for people (what to type next) and as JSON (a layout {@code tdmr check} reads). */
final class GreedyFixReport {
  private final MemoryMap map;
  private final TdxLimits limits;
  private final GreedyFix fix;
  private final FixCommand.Outcome outcome;
  private final List<String> whatIf;

  /** {@code whatIf}: the boot parameters the map was replayed with (--memmap, --cmdline), which the fix builds on. */
  GreedyFixReport(MemoryMap map, TdxLimits limits, GreedyFix fix, FixCommand.Outcome outcome, List<String> whatIf) {
    this.map = map;
    this.limits = limits;
    this.fix = fix;
    this.outcome = outcome;
    this.whatIf = List.copyOf(whatIf);
  }

  /**
   * The human text; {@code replayWords} is INPUT, the what-if options, the construction and its
   * limits as typed, for the {@code tdmr plan} that replays the fix.
   */
  String text(String replayWords) {
    StringWriter buffer = new StringWriter();
    PrintWriter out = new PrintWriter(buffer);
    out.printf("Fix for %s (--for %s): %s%n", kernel(), fix.construction(), whose());
    out.printf("Map: %s: %s (%s), %s; limits %s, %s per TDMR%s%n", map.source(),
        Count.of(map.blocks().size(), "TDX memory block"), ByteSize.human(map.totalBytes()),
        Count.of(map.cmrs().cmrs().size(), "CMR"), Count.of(limits.maxTdmrs(), "TDMR"),
        Count.of(limits.maxReservedPerTdmr(), "reserved area"), otherLimits());
    map.notes().stream().filter(n -> n.startsWith(MemoryWhatIf.NOTE_PREFIX)).forEach(n -> out.println("  " + n));
    out.println();
    if (outcome == FixCommand.Outcome.HAS_LAYOUT) {
      out.println("Nothing to give up: the kernel's construction succeeds on this map (replayed):");
      indented(out, fix.before().messages());
      return buffer.toString();
    }
    if (fix.before().status() == tdmr.solver.Status.UNKNOWN) {
      out.println("The time limit stopped the replay of the kernel's construction on this map:");
      indented(out, fix.before().messages());
    } else {
      out.println("The kernel's construction fails on this map (replayed):");
      indented(out, kernelLines(fix.before()));
    }
    GiveUpSearch.Result r = fix.search().orElseThrow();
    out.println();
    switch (outcome) {
      case FIXED -> fixed(out, r, replayWords);
      case NOT_FIXABLE -> out.printf(
          "Giving up memory does not help: no choice %s makes the construction succeed (%s replayed).%n",
          GiveUpSearch.FAMILY, Count.of(r.replayed(), "candidate"));
      default -> out.printf(
          "Unknown: %s stopped the search before it found what to give up; at least %s must go (proven). Give it"
              + " longer: --time-limit 600.%n", r.stoppedBy().orElse("a limit"), ByteSize.human(r.boundBytes()));
    }
    return buffer.toString();
  }

  /** The limits beside the counts that change the replay: Dynamic PAMT and a KeyID start bit not the default. */
  private String otherLimits() {
    String dynamic = limits.dynamicPamt() ? ", Dynamic PAMT" : "";
    return limits.hkidStartBit() != TdxLimits.DEFAULT.hkidStartBit()
        ? dynamic + ", HKID start bit " + limits.hkidStartBit() : dynamic;
  }

  private String kernel() {
    return switch (fix.construction()) {
      case "greedy" -> "the running kernel";
      case "greedy-cmr" -> "a kernel with the CMR-holes patch";
      default -> "the " + fix.construction() + " construction";
    };
  }

  private String whose() {
    return switch (fix.construction()) {
      case "greedy" -> "the least TDX memory to give up so that mainline Linux's TDMR construction succeeds";
      case "greedy-cmr" -> "the least TDX memory to give up so that its TDMR construction succeeds";
      default -> "the least TDX memory to give up so that it succeeds";
    };
  }

  private void fixed(PrintWriter out, GiveUpSearch.Result r, String replayWords) {
    String claim = r.status() == Status.OPTIMAL
        ? "OPTIMAL: proven the least %s".formatted(GiveUpSearch.FAMILY)
        : "FEASIBLE: the least found before %s stopped the search; at least %s is proven necessary"
            .formatted(r.stoppedBy().orElse("a limit"), ByteSize.human(r.boundBytes()));
    out.printf("Give up %s of TDX memory in %s (%s; %s replayed):%n", ByteSize.human(r.giveUpBytes()),
        Count.of(r.giveUp().size(), "range"), claim, Count.of(r.replayed(), "candidate"));
    for (AddressRange g : r.giveUp()) {
      out.printf("  %-26s %8s  %s%n", g, ByteSize.human(g.size()), GreedyFix.describe(g, map, r.forced()).description());
    }
    cautions(out, r.giveUp());
    out.println();
    bootParameters(out, whatIf, fix.memmap());
    out.println();
    out.println("With them the kernel's construction succeeds (replayed on the map the kernel then sees):");
    indented(out, fix.after().orElseThrow().messages());
    out.println();
    out.println("Check it before rebooting, and after:");
    StringBuilder plan = new StringBuilder("  tdmr plan" + replayWords);
    fix.memmap().forEach(p -> plan.append(" --memmap '").append(p.substring("memmap=".length())).append('\''));
    out.println(plan);
    out.println("  sudo dmesg | tdmr diagnose");
  }

  /**
   * The parameters as typed on a kernel command line, and once with the escaping GRUB's
   * configuration needs: /etc/default/grub is read by the shell and grub.cfg by GRUB, and each
   * reads {@code $} as a variable, so a literal {@code $} is written {@code \\\$} there. A fix found
   * under a what-if holds only with the what-if's parameters too: they come first.
   */
  static void bootParameters(PrintWriter out, List<String> whatIf, List<String> added) {
    List<String> all = bootedWith(whatIf, added);
    out.println(whatIf.isEmpty()
        ? "Kernel command line (add these parameters):"
        : "Kernel command line (the what-if's %s, then the new %s):".formatted(
            whatIf.size() == 1 ? "parameter" : "parameters", added.size() == 1 ? "one" : "ones"));
    out.println("  " + String.join(" ", all));
    String escaped = grubEscaped(String.join(" ", all));
    out.println("In /etc/default/grub, where each $ must be written \\\\\\$:");
    out.println("  GRUB_CMDLINE_LINUX_DEFAULT=\"... " + escaped + "\"");
    out.println("then run update-grub (or grub2-mkconfig -o /boot/grub2/grub.cfg) and reboot; typed at the GRUB"
        + " prompt (e to edit the entry) each $ is \\$.");
  }

  /** The what-if's parameters, then those the fix adds: what the kernel must boot with. */
  static List<String> bootedWith(List<String> whatIf, List<String> added) {
    List<String> all = new ArrayList<>(whatIf);
    all.addAll(added);
    return all;
  }

  /** What to know before reserving memory below 4 GiB ({@link LowMemoryCaution}), one line each. */
  static void cautions(PrintWriter out, List<AddressRange> giveUp) {
    LowMemoryCaution.of(giveUp).forEach(c -> out.println("Caution: " + c));
  }

  /** Boot parameters as /etc/default/grub needs them: each {@code $} as {@code \\\$} (see {@link #bootParameters}). */
  static String grubEscaped(String parameters) {
    return parameters.replace("$", "\\\\\\$");
  }

  /**
   * The kernel's own lines of a failed replay (from its typed failure), after the reason when the
   * kernel does not print it (the module's TDH.SYS.CONFIG error behind "failed (-5)"); else every
   * message.
   */
  private static List<String> kernelLines(EngineResult r) {
    return r.kernelFailure().map(f -> {
      List<String> lines = new ArrayList<>();
      if (!f.cause().loggedByKernel()) {
        lines.add(f.headline());
      }
      f.messages().forEach(m -> lines.add(LinuxGreedy.LOG_PREFIX + m));
      return lines;
    }).orElse(r.messages());
  }

  private static void indented(PrintWriter out, List<String> lines) {
    lines.forEach(l -> out.println("  " + l.strip()));
  }

  /**
   * The summary line: the outcome, why the construction fails before the fix (the kernel's failure),
   * the PAMT of the kernel's layout after it (or without one when none is needed), and the boot
   * parameters.
   */
  HostResult summary() {
    String reason = fix.before().kernelFailure()
        .map(f -> f.failureLine().replaceFirst("^initialization failed: ", "")).orElse("");
    EngineResult built = fix.after().orElse(fix.before().status().hasLayout() ? fix.before() : null);
    // The boot parameters as the text gives them: the what-if's first, without which the fix does not hold.
    List<String> parameters = new java.util.ArrayList<>();
    if (!fix.memmap().isEmpty()) {
      parameters.addAll(whatIf);
      parameters.addAll(fix.memmap());
    }
    return new HostResult(outcome.exitCode, outcome.name(), reason,
        built == null ? java.util.OptionalLong.empty() : built.pamtBytes(), String.join(" ", parameters));
  }

  ObjectNode json() {
    ObjectNode o = JsonContract.document("fix");
    o.put("source", map.source());
    o.put("for", fix.construction());
    o.put("status", outcome.name());
    o.put("maxTdmrs", limits.maxTdmrs());
    o.put("maxReservedPerTdmr", limits.maxReservedPerTdmr());
    o.set("limits", JsonContract.limits(limits));
    // The claims here are about giving memory up, not about a layout family (that of --for layout).
    o.putNull("family");
    o.put("giveUpScope", GiveUpSearch.SCOPE);
    o.putNull("policy");
    GiveUpSearch.Result r = fix.search().orElse(null);
    if (r == null) {
      o.putNull("searchStatus");
    } else {
      o.put("searchStatus", r.status().name());
    }
    giveUpJson(o, r == null ? List.of() : r.giveUp(), g -> GreedyFix.describe(g, map, r.forced()), whatIf);
    if (r != null && r.status().hasLayout()) {
      o.put("giveUpBoundBytes", r.boundBytes());
      o.put("giveUpProvenLeast", r.status() == Status.OPTIMAL);
    } else if (r != null && r.status() == Status.UNKNOWN) {
      o.put("giveUpBoundBytes", r.boundBytes());
      o.putNull("giveUpProvenLeast");
    } else {
      o.putNull("giveUpBoundBytes");
      o.putNull("giveUpProvenLeast");
    }
    if (r == null) {
      o.putNull("replayedChoices");
    } else {
      o.put("replayedChoices", r.replayed());
    }
    o.set("before", replay(fix.before()));
    EngineResult built = fix.after().orElse(fix.before().status().hasLayout() ? fix.before() : null);
    if (fix.after().isPresent()) {
      o.set("after", replay(fix.after().get()));
    } else {
      o.putNull("after");
    }
    if (built != null) {
      ObjectNode l = o.putObject("layout");
      l.put("status", built.status().name());
      l.put("pamtBytes", built.pamtBytes().getAsLong());
      l.set("tdmrs", LayoutJson.tdmrsTree(built.layout().orElseThrow()));
    } else {
      o.putNull("layout");
    }
    o.set("messages", JsonContract.strings(List.of()));
    ArrayNode notes = o.putArray("notes");
    map.notes().forEach(notes::add);
    return o;
  }

  /**
   * {@code giveUp} (ranges with {@code sizeBytes}, and {@code kind} and {@code description} or null),
   * {@code giveUpBytes}, {@code whatIfMemmap} (the what-if's parameters the fix builds on) and
   * {@code memmap} (all the parameters the layout needs, the what-if's first, as {@code tdmr check}
   * replays them), the fields every fix document has.
   */
  static void giveUpJson(ObjectNode o, List<AddressRange> giveUp, Function<AddressRange, GreedyFix.Piece> kind,
      List<String> whatIf) {
    ArrayNode ranges = o.putArray("giveUp");
    for (AddressRange r : giveUp) {
      ObjectNode range = ranges.addObject();
      JsonContract.putRange(range, r);
      GreedyFix.Piece piece = kind.apply(r);
      range.put("kind", piece == null ? null : piece.kind());
      range.put("description", piece == null ? null : piece.description());
    }
    o.put("giveUpBytes", giveUp.stream().mapToLong(AddressRange::size).sum());
    ArrayNode whatIfMemmap = o.putArray("whatIfMemmap");
    whatIf.forEach(whatIfMemmap::add);
    ArrayNode memmap = o.putArray("memmap");
    bootedWith(whatIf, giveUp.stream().map(KernelParameters::reserving).toList()).forEach(memmap::add);
    ArrayNode cautions = o.putArray("cautions");
    LowMemoryCaution.of(giveUp).forEach(cautions::add);
  }

  private static ObjectNode replay(EngineResult r) {
    ObjectNode o = JsonContract.object();
    o.put("status", r.status().name());
    LayoutJson.putOrNull(o, "pamtBytes", r.pamtBytes());
    ArrayNode messages = o.putArray("messages");
    r.messages().forEach(messages::add);
    return o;
  }
}
