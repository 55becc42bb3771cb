package tdmr.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import tdmr.check.PamtPadding;
import tdmr.check.RemotePamt;
import tdmr.greedy.GreedyResult;
import tdmr.greedy.LinuxGreedy;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.Status;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.Policy;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * The human output of {@code tdmr plan}: per engine its messages (the kernel's lines first for the
 * greedy), then a table of TDMRs and the PAMT total; with several engines a side-by-side summary.
 */
final class PlanText {
  private final MemoryMap map;
  private final TdxLimits limits;
  private final Policy policy;
  private final List<MemoryBlock> memlist;
  private final VerboseOption verbose;

  PlanText(MemoryMap map, TdxLimits limits, Policy policy) {
    this(map, limits, policy, new VerboseOption());
  }

  /** With {@code --verbose}, each engine's details follow its messages. */
  PlanText(MemoryMap map, TdxLimits limits, Policy policy, VerboseOption verbose) {
    this.map = map;
    this.limits = limits;
    this.policy = policy;
    this.memlist = LinuxGreedy.memoryList(map.blocks());
    this.verbose = verbose;
  }

  String render(List<EngineResult> results) {
    return render(results, new Terminal(false), "");
  }

  /**
   * The text, status words coloured when {@code terminal} allows, ending with what to run next when
   * no engine built a layout; {@code input} is how the user named the map (empty for the bundled
   * example), so the suggested commands can be pasted as they are.
   */
  String render(List<EngineResult> results, Terminal terminal, String input) {
    String text = body(results, terminal);
    List<String> next = nextSteps(results, input);
    if (next.isEmpty()) {
      return text;
    }
    StringBuilder sb = new StringBuilder(text).append('\n').append(terminal.bold("Next")).append('\n');
    // The questions fold at the terminal's width; the commands under them stay whole, to be pasted.
    next.forEach(l -> sb.append(Prose.fold(l)).append('\n'));
    return sb.toString();
  }

  /**
   * Commands that answer the question a failure raises, the operator's first: what to give up with
   * {@code memmap=} so that a failed kernel construction succeeds (also when an optimiser found a
   * layout, which no stock kernel builds). Empty when some engine built a layout and no kernel
   * construction failed.
   */
  List<String> nextSteps(List<EngineResult> results, String input) {
    List<String> out = new ArrayList<>();
    List<String> failedKernels = results.stream()
        .filter(r -> r.solver().startsWith("greedy") && r.status() == Status.FAILED).map(EngineResult::solver).toList();
    boolean anyLayout = results.stream().anyMatch(r -> r.status().hasLayout());
    // The user's limits and policy travel with every suggested command, so it answers the same question.
    String in = (input.isEmpty() ? "" : " " + input) + sameQuestion();
    paddingForLocality(results, in, out);
    if (anyLayout && failedKernels.isEmpty()) {
      return out;
    }
    for (String kernel : failedKernels) {
      out.add("  What to give up (memmap= boot parameters) so that %s succeeds:".formatted(kernelWords(kernel)));
      out.add("    " + fixCommand(kernel, input));
    }
    boolean optimiserRan = results.stream().anyMatch(r -> !r.solver().startsWith("greedy"));
    boolean unknown = results.stream().anyMatch(r -> r.status() == tdmr.solver.Status.UNKNOWN);
    boolean proven = results.stream().anyMatch(r -> r.status() == tdmr.solver.Status.INFEASIBLE);
    if (unknown) {
      // Ask again of the engines the time limit stopped, not of another one.
      String stopped = results.stream().filter(r -> r.status() == Status.UNKNOWN)
          .map(EngineResult::solver).distinct().collect(Collectors.joining(","));
      out.add("  A time limit stopped the solver; give it longer:");
      out.add("    tdmr plan%s%s --solver %s --time-limit 600".formatted(in, samePlanQuestion(), stopped));
    }
    if (!optimiserRan) {
      if (policy.holes() == Policy.Holes.MEMLIST && !cmrHolesKernelFails()) {
        out.add("  Would a kernel that takes holes from the CMRs succeed?");
        out.add("    tdmr plan%s --holes cmr".formatted(in));
      }
      out.add("  Is there a layout within the limits that the kernel's construction misses?");
      out.add("    tdmr plan%s%s --solver cpsat".formatted(in, samePlanQuestion()));
    }
    if (proven) {
      out.add("  Which memory to give up (memmap=) so that a layout of the planner's family exists:");
      out.add("    tdmr fix%s --for layout%s".formatted(in, familyOption()));
    }
    out.add("  See the layouts:");
    out.add("    tdmr render%s%s --solver greedy,cpsat -o layout.html".formatted(in, samePlanQuestion()));
    return out;
  }

  /**
   * Under PAMT {@code node-local} the objective ranks remote PAMT before PAMT bytes, so a layout may
   * pad its levels over other nodes' memory (or fill whole granules left out) to describe less memory
   * remotely: on the QEMU 4-node map at one TDMR, 15.99 GiB of padding saves 48.09 MiB of remote PAMT.
   * When a layout's padding is more than the PAMT its TDMRs require, say so and how to ask for the
   * layout with the least PAMT instead ({@code --pamt any}, which does not rank locality). The hint
   * names both causes: which one bought the padding is known only by solving under {@code --pamt
   * any} too (padding also fills memory islands to save reserved areas, or memory left outside every
   * TDMR under a tight TDMR limit), and a diagnosis says only what the answer shows. Nothing is
   * said under {@code --pamt any} or for layouts padded less, nor on a map whose TDX memory lies on
   * one node: there every PAMT byte lies on the node of the memory it describes, so no layout has
   * remote PAMT and the padding bought none (it fills memory islands or memory outside every TDMR
   * that the limits or coverage {@code max} need; {@code --pamt any} answers the same).
   */
  private void paddingForLocality(List<EngineResult> results, String in, List<String> out) {
    if (policy.pamt() != Policy.PamtPlacementPolicy.NODE_LOCAL || map.nodes().size() < 2) {
      return;
    }
    List<String> padded = new ArrayList<>();
    long most = 0;
    for (EngineResult r : results) {
      if (r.layout().isEmpty()) {
        continue;
      }
      long padding = PamtPadding.bytes(r.layout().get(), limits);
      if (padding > r.layout().get().pamtBytes() - padding) {
        padded.add(r.solver());
        most = Math.max(most, padding);
      }
    }
    if (padded.isEmpty()) {
      return;
    }
    String who = padded.size() == 1
        ? "%s's layout pads its PAMT by %s, more than its TDMRs require,".formatted(padded.get(0), ByteSize.human(most))
        : "The layouts of %s pad their PAMT by up to %s, more than their TDMRs require,"
            .formatted(String.join(", ", padded), ByteSize.human(most));
    out.add("  " + who + " either because the limits force it or because PAMT node-local ranks remote PAMT before"
        + " PAMT bytes. To compare, the layout with the least PAMT, remote PAMT allowed:");
    out.add("    tdmr plan%s%s --solver %s --pamt any".formatted(in, samePlanQuestion(), String.join(",", padded)));
  }

  /**
   * Whether a kernel with the CMR-holes patch fails on this map too, as the greedy's explanation
   * says when the mainline construction failed: then asking about it is no question left.
   */
  private boolean cmrHolesKernelFails() {
    return LinuxGreedy.cmrHoles().construct(map, limits) instanceof GreedyResult.Failed;
  }

  /**
   * The {@code tdmr fix} that asks what the first failed kernel construction of {@code results}
   * needs, with this run's limits and policy; empty when no construction failed.
   */
  java.util.Optional<String> kernelFix(List<EngineResult> results, String input) {
    return results.stream().filter(r -> r.solver().startsWith("greedy") && r.status() == Status.FAILED)
        .findFirst().map(r -> fixCommand(r.solver(), input));
  }

  private String fixCommand(String construction, String input) {
    return "tdmr fix%s%s%s".formatted(input.isEmpty() ? "" : " " + input, sameQuestion(), forOption(construction));
  }

  private static String kernelWords(String construction) {
    return switch (construction) {
      case "greedy" -> "the running kernel's construction";
      case "greedy-cmr" -> "a CMR-holes kernel's construction";
      default -> "the " + construction + " construction";
    };
  }

  /** {@code tdmr fix}'s {@code --for} for a failed construction; none where the default (or {@code --holes cmr}) names it. */
  private String forOption(String construction) {
    if (construction.equals("greedy") || (construction.equals("greedy-cmr") && policy.holes() == Policy.Holes.CMR)) {
      return "";
    }
    return " --for " + construction;
  }

  /** The options that give the suggested commands this run's limits (HKID start bit included) and policy (holes, PAMT). */
  private String sameQuestion() {
    StringBuilder o = new StringBuilder();
    if (limits.maxTdmrs() != TdxLimits.DEFAULT.maxTdmrs()) {
      o.append(" --max-tdmrs ").append(limits.maxTdmrs());
    }
    if (limits.maxReservedPerTdmr() != TdxLimits.DEFAULT.maxReservedPerTdmr()) {
      o.append(" --max-rsvd ").append(limits.maxReservedPerTdmr());
    }
    if (limits.dynamicPamt()) {
      o.append(" --dpamt");
    }
    if (limits.hkidStartBit() != LimitOptions.impliedHkidStartBit(limits.dynamicPamt())) {
      o.append(" --hkid-start-bit ").append(limits.hkidStartBit());
    }
    if (policy.holes() == Policy.Holes.CMR) {
      o.append(" --holes cmr");
    }
    if (policy.pamt() == Policy.PamtPlacementPolicy.ANY) {
      o.append(" --pamt any");
    }
    return o.toString();
  }

  /** {@code --family F} when this run's family is not the default; empty otherwise. */
  private String familyOption() {
    return policy.family() != Policy.DEFAULT.family() ? " --family " + policy.family().text() : "";
  }

  /** The options of the policy that only {@code plan} takes, when not the default: asked again, the same question. */
  private String samePlanQuestion() {
    StringBuilder o = new StringBuilder(familyOption());
    if (policy.coverage() != Policy.DEFAULT.coverage()) {
      o.append(" --coverage ").append(policy.coverage().text());
    }
    return o.toString();
  }

  private String body(List<EngineResult> results, Terminal terminal) {
    StringBuilder sb = new StringBuilder();
    sb.append("Map: %s%n".formatted(map.source()));
    sb.append("  %s, %s, %s%n".formatted(Count.of(memlist.size(), "TDX memory block"),
        ByteSize.human(map.totalBytes()), Count.of(map.cmrs().cmrs().size(), "CMR")));
    map.notes().forEach(n -> sb.append("  note: ").append(n).append('\n'));
    sb.append("Limits: %s, %s per TDMR, PAMT entries %d/%d/%d B%s%s%nPolicy: %s%n"
        .formatted(Count.of(limits.maxTdmrs(), "TDMR"), Count.of(limits.maxReservedPerTdmr(), "reserved area"),
            limits.pamtEntrySize4k(), limits.pamtEntrySize2m(), limits.pamtEntrySize1g(),
            limits.dynamicPamt() ? ", Dynamic PAMT" : "",
            // A KeyID start bit below the module's default changes what fits (rules A7, B5): say it.
            limits.hkidStartBit() != TdxLimits.DEFAULT.hkidStartBit() ? ", HKID start bit " + limits.hkidStartBit() : "",
            policy.describe()));
    for (EngineResult r : results) {
      String status = r.status().hasLayout() ? terminal.good(r.status().name())
          : r.status() == tdmr.solver.Status.UNKNOWN ? terminal.warn(r.status().name()) : terminal.bad(r.status().name());
      sb.append("%n== %s: %s (%d ms)%n".formatted(r.solver(), status, r.solveMillis()));
      r.messages().forEach(m -> sb.append(m).append('\n'));
      verbose.details(r).forEach(m -> sb.append(m).append('\n'));
      r.layout().ifPresent(l -> table(sb, l, terminal.width()));
    }
    if (results.size() > 1) {
      summary(sb, results);
    }
    return Prose.fold(sb.toString());
  }

  /**
   * The TDMRs of {@code layout} as a table. Where each PAMT lies is its last column; when that makes
   * a row wider than {@code width} (TDMRs at TiB addresses on an 80-column terminal), the column is
   * left out and every TDMR's PAMT is listed under the table instead, so that no row is folded.
   */
  private void table(StringBuilder sb, Layout layout, int width) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"#", "TDMR", "size", "node", "reserved", "PAMT", "PAMT at"});
    for (int i = 0; i < layout.size(); i++) {
      Tdmr t = layout.tdmrs().get(i);
      Pamt p = t.pamt();
      rows.add(new String[] {
        Integer.toString(i),
        "[0x%x, 0x%x)".formatted(t.base(), t.end()),
        ByteSize.human(t.size()),
        nodes(t),
        t.reservedCount() + "/" + limits.maxReservedPerTdmr(),
        compact(p.totalBytes()),
        // The chunk's base is enough beside its size; levels placed apart are listed under the table.
        p.isContiguousChunk() ? "0x%x".formatted(p.fourK().base()) : "split"
      });
    }
    boolean[] right = {true, false, true, true, true, true, false};
    int[] widths = widths(rows);
    boolean where = Arrays.stream(widths).sum() + 2 * (widths.length - 1) <= width;
    if (!where) {
      rows.replaceAll(row -> Arrays.copyOf(row, row.length - 1));
      right = Arrays.copyOf(right, right.length - 1);
    }
    sb.append('\n');
    columns(sb, rows, right);
    for (int i = 0; i < layout.size(); i++) {
      Pamt p = layout.tdmrs().get(i).pamt();
      if (!p.isContiguousChunk()) {
        sb.append("  TDMR %d PAMT: 4K %s, 2M %s, 1G %s\n".formatted(i, p.fourK(), p.twoM(), p.oneG()));
      } else if (!where) {
        sb.append("  TDMR %d PAMT: one chunk at 0x%x\n".formatted(i, p.fourK().base()));
      }
    }
    long pamt = layout.pamtBytes();
    long remote = new RemotePamt(map, limits).bytes(layout);
    sb.append("PAMT total: %d bytes (%s) in %s; remote PAMT %d bytes%s%n"
        .formatted(pamt, humanAndKib(pamt), Count.of(layout.size(), "TDMR"), remote,
            remote == 0 ? "" : " (" + ByteSize.human(remote) + " describing memory on other NUMA nodes)"));
    long padding = PamtPadding.bytes(layout, limits);
    if (padding > 0) {
      // Module family only: levels larger than the module's minimum rounded to 4 KiB (PamtPadding).
      sb.append("  of it padding: %d bytes (%s), levels larger than the kernel allocates%n"
          .formatted(padding, ByteSize.human(padding)));
    }
  }

  /**
   * The NUMA nodes whose TDX memory {@code t} covers: "0", "0-3" for a run, "0,2" otherwise; "-"
   * when it covers none (a TDMR over address space without TDX memory). A TDMR over several nodes
   * shows them all, not only the one the kernel would put its PAMT on.
   */
  String nodes(Tdmr t) {
    SortedSet<Integer> nodes = new TreeSet<>();
    for (MemoryBlock b : memlist) {
      if (b.start() < t.end() && t.base() < b.end()) {
        nodes.add(b.node());
      }
    }
    if (nodes.isEmpty()) {
      return "-";
    }
    if (nodes.size() == 1) {
      return nodes.first().toString();
    }
    boolean run = nodes.last() - nodes.first() + 1 == nodes.size();
    return run ? nodes.first() + "-" + nodes.last()
        : String.join(",", nodes.stream().map(String::valueOf).toList());
  }

  /**
   * A PAMT total in human units and in KiB, the unit of the kernel's "KB allocated for PAMT" line;
   * once when the two read the same (84 KiB).
   */
  static String humanAndKib(long bytes) {
    String human = ByteSize.human(bytes);
    String kib = bytes / 1024 + " KiB";
    return human.equals(kib) ? kib : human + ", " + kib;
  }

  private void summary(StringBuilder sb, List<EngineResult> results) {
    sb.append('\n').append("Summary").append('\n');
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"solver", "status", "TDMRs", "max reserved", "PAMT bytes", "PAMT", "remote", "time"});
    for (EngineResult r : results) {
      rows.add(new String[] {
        r.solver(),
        r.status().name(),
        r.layout().map(l -> Integer.toString(l.size())).orElse("-"),
        r.layout().map(l -> l.maxReservedPerTdmr() + "/" + limits.maxReservedPerTdmr()).orElse("-"),
        r.pamtBytes().isPresent() ? Long.toString(r.pamtBytes().getAsLong()) : "-",
        r.pamtBytes().isPresent() ? ByteSize.human(r.pamtBytes().getAsLong()) : "-",
        r.layout().map(l -> compact(new RemotePamt(map, limits).bytes(l))).orElse("-"),
        r.solveMillis() + " ms"
      });
    }
    columns(sb, rows, new boolean[] {false, false, true, true, true, true, true, true});
    // The proofs are about a layout family (each result names its own);
    // say which where the status words stand.
    for (Policy.Family family : Policy.Family.values()) {
      List<String> provers = results.stream()
          .filter(r -> !r.solver().startsWith("greedy") && r.family() == family)
          .filter(r -> r.status() == Status.OPTIMAL || r.status() == Status.INFEASIBLE)
          .map(EngineResult::solver).toList();
      if (!provers.isEmpty()) {
        java.util.Set<String> restrictions = new java.util.LinkedHashSet<>();
        results.stream().filter(r -> provers.contains(r.solver()) && r.family() == family)
            .forEach(r -> restrictions.addAll(r.restrictions()));
        sb.append(familyLine(family, String.join(", ", provers), !restrictions.isEmpty()));
        if (!restrictions.isEmpty()) {
          sb.append("Those proofs hold among the layouts of the family in which ")
              .append(String.join("; ", restrictions)).append(".\n");
        }
      }
    }
  }

  private static String familyLine(Policy.Family family, String engines, boolean restricted) {
    String upTo = restricted ? ", up to the restrictions below.\n" : ".\n";
    return family == Policy.Family.MODULE
        ? ("OPTIMAL and INFEASIBLE (%s) are proven for the module family: every layout the TDX module and the OS"
            + " check accept (TDMRs on any 1 GiB boundaries, each PAMT level placed on its own)").formatted(engines) + upTo
        : ("OPTIMAL and INFEASIBLE (%s) are proven for the kernel family: each TDMR's PAMT one contiguous 4K/2M/1G"
            + " chunk of the kernel's sizes in one memory block, TDMRs on 1 GiB boundaries").formatted(engines) + upTo;
  }

  /** A size short enough for a table cell: {@code 8.02 MiB}, {@code 50.5 MiB}, {@code 1018 MiB}. */
  static String compact(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    String number = u == 0 ? Long.toString(bytes)
        : String.format(java.util.Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    return number + " " + units[u];
  }

  /** Rows padded to the widest cell of each column; numeric columns right-aligned. */
  /** Each column's width: its widest cell. */
  private static int[] widths(List<String[]> rows) {
    int[] width = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    return width;
  }

  private static void columns(StringBuilder sb, List<String[]> rows, boolean[] right) {
    int[] width = widths(rows);
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < row.length; c++) {
        String cell = right[c] ? " ".repeat(width[c] - row[c].length()) + row[c]
            : row[c] + " ".repeat(width[c] - row[c].length());
        line.append(c == 0 ? "" : "  ").append(cell);
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
  }
}
