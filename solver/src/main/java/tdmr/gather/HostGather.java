package tdmr.gather;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tdmr.parse.Bundle;

/**
 * Collects a host's memory facts into a {@link Bundle}: the kernel log, {@code /proc/iomem}, the
 * firmware's e820 table ({@code /sys/firmware/memmap}), the NUMA nodes' memory ({@code
 * /sys/devices/system/node}), {@code /proc/cmdline}, the CPU ({@code /proc/cpuinfo}) and what sysfs
 * says about the TDX module. Files are read under a root directory ({@code /}, or a copy of a
 * host's tree, like {@code lsmem --sysroot}); the kernel log comes from a given file, from {@code
 * dmesg} or {@code journalctl -k -b} on the live system (the one with the boot's first lines
 * preferred), or from {@code var/log/dmesg} under another root. A part that cannot be read is kept
 * as a section that says why, so the bundle always says what it lacks.
 */
public final class HostGather {
  /** Runs a command of the live system; its standard output when it exits 0, otherwise why not. */
  public interface Commands {
    Outcome run(List<String> command);

    /** What a command gave: its output, or why there is none. */
    record Outcome(Optional<String> output, String failure) {
      public static Outcome ok(String output) {
        return new Outcome(Optional.of(output), "");
      }

      public static Outcome failed(String why) {
        return new Outcome(Optional.empty(), why);
      }
    }

    /** The live system's commands, with a time limit each. */
    static Commands system() {
      return command -> {
        try {
          Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
          p.getOutputStream().close();
          byte[] out = p.getInputStream().readAllBytes();
          String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
          int status = p.waitFor();
          return status == 0
              ? Outcome.ok(new String(out, StandardCharsets.UTF_8))
              : Outcome.failed("%s exited %d%s".formatted(command.get(0), status, err.isEmpty() ? "" : ": " + err.lines().findFirst().orElse("")));
        } catch (IOException e) {
          return Outcome.failed(command.get(0) + " could not run: " + e.getMessage());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Outcome.failed(command.get(0) + " was interrupted");
        }
      };
    }
  }

  /** The lines of {@code /proc/cpuinfo} a diagnosis uses (the first processor's). */
  private static final List<String> CPU_FIELDS = List.of("vendor_id", "cpu family", "model", "model name", "stepping", "microcode");
  /** CPU flags that bear on TDX: TME, VMX, a TDX host or guest, a hypervisor, AMD's SME/SEV. */
  private static final List<String> CPU_FLAGS = List.of("tme", "vmx", "tdx_host_platform", "tdx_guest", "hypervisor", "sme", "sev");
  private static final Pattern EARLY_BOOT = Pattern.compile("BIOS-e820:|\\bnode +\\d+: \\[mem");

  private final Path root;
  private final Optional<Commands> live;
  private final Optional<Path> kernelLog;

  /**
   * @param root where {@code proc} and {@code sys} are ({@code /} on the host itself)
   * @param live how to run {@code dmesg} and {@code journalctl} on the system whose files these are;
   *     empty for a copy of another host's tree, whose kernel log is under {@code var/log/dmesg}
   * @param kernelLog a saved kernel log to take instead
   */
  public HostGather(Path root, Optional<Commands> live, Optional<Path> kernelLog) {
    this.root = root;
    this.live = live;
    this.kernelLog = kernelLog;
  }

  /** One collected part: its section header's origin, its lines or why it is missing. */
  private record Part(Bundle.Part part, String origin, List<String> lines, Optional<String> missing) {
    static Part of(Bundle.Part part, String origin, List<String> lines) {
      return new Part(part, origin, lines, Optional.empty());
    }

    static Part missing(Bundle.Part part, String origin, String why) {
      return new Part(part, origin, List.of(), Optional.of(why));
    }
  }

  /** The bundle's text. */
  public String bundle(String tdmrVersion) {
    List<Part> parts = List.of(kernelLog(), iomem(), firmwareMemmap(), numaNodes(), cmdline(), cpu(), tdxModule());
    StringBuilder out = new StringBuilder();
    out.append(Bundle.FIRST_LINE).append('\n');
    out.append("# Collected by tdmr %s at %s from %s.%n".formatted(tdmrVersion, Instant.now().toString(), root));
    out.append("# Read it with: tdmr diagnose FILE, tdmr plan FILE, tdmr fix FILE, tdmr map FILE.\n");
    out.append("# Each section starts with a '").append(Bundle.HEADER).append("NAME (SOURCE)' line.\n");
    for (Part p : parts) {
      out.append(Bundle.HEADER).append(p.part().id()).append(" (").append(p.origin().replace(')', ']')).append(')');
      p.missing().ifPresent(why -> out.append(": missing: ").append(why.replace('\n', ' ')));
      out.append('\n');
      for (String line : p.lines()) {
        out.append(line.startsWith(Bundle.HEADER.strip()) ? " " + line : line).append('\n');
      }
    }
    return out.toString();
  }

  /** The parts the last {@link #bundle} could not collect, with why. */
  public static List<String> missing(String bundleText) {
    List<String> out = new ArrayList<>();
    for (String line : bundleText.split("\n")) {
      int at = line.indexOf(": missing: ");
      if (line.startsWith(Bundle.HEADER) && at > 0) {
        out.add(line.substring(Bundle.HEADER.length(), line.indexOf(' ', Bundle.HEADER.length())) + ": "
            + line.substring(at + ": missing: ".length()));
      }
    }
    return out;
  }

  private Part kernelLog() {
    if (kernelLog.isPresent()) {
      Commands.Outcome o = read(kernelLog.get());
      return o.output().isPresent()
          ? Part.of(Bundle.Part.KERNEL_LOG, kernelLog.get().toString(), lines(o.output().get()))
          : Part.missing(Bundle.Part.KERNEL_LOG, kernelLog.get().toString(), o.failure());
    }
    if (live.isEmpty()) {
      Path saved = root.resolve("var/log/dmesg");
      Commands.Outcome o = read(saved);
      return o.output().isPresent()
          ? Part.of(Bundle.Part.KERNEL_LOG, saved.toString(), lines(o.output().get()))
          : Part.missing(Bundle.Part.KERNEL_LOG, saved.toString(), o.failure() + "; give a saved log with --dmesg FILE");
    }
    Commands commands = live.get();
    Commands.Outcome dmesg = commands.run(List.of("dmesg"));
    boolean dmesgEarly = dmesg.output().map(t -> EARLY_BOOT.matcher(t).find()).orElse(false);
    if (dmesgEarly) {
      return Part.of(Bundle.Part.KERNEL_LOG, "dmesg", lines(dmesg.output().get()));
    }
    Commands.Outcome journal = commands.run(List.of("journalctl", "-k", "-b", "--no-pager", "-o", "short-monotonic"));
    boolean journalEarly = journal.output().map(t -> EARLY_BOOT.matcher(t).find()).orElse(false);
    if (journalEarly || (journal.output().isPresent() && dmesg.output().map(String::isBlank).orElse(true))) {
      return Part.of(Bundle.Part.KERNEL_LOG, "journalctl -k -b", lines(journal.output().get()));
    }
    if (dmesg.output().isPresent() && !dmesg.output().get().isBlank()) {
      return Part.of(Bundle.Part.KERNEL_LOG, "dmesg", lines(dmesg.output().get()));
    }
    return Part.missing(Bundle.Part.KERNEL_LOG, "dmesg, journalctl -k -b",
        (dmesg.output().isPresent() ? "dmesg printed nothing (run as root)" : dmesg.failure()) + "; " + journal.failure());
  }

  private Part iomem() {
    Path file = root.resolve("proc/iomem");
    Commands.Outcome o = read(file);
    if (o.output().isEmpty()) {
      return Part.missing(Bundle.Part.PROC_IOMEM, file.toString(), o.failure());
    }
    List<String> lines = lines(o.output().get());
    boolean allZero = lines.stream().filter(l -> !l.isBlank()).allMatch(l -> l.strip().startsWith("00000000-00000000"));
    return allZero && !lines.isEmpty()
        ? Part.missing(Bundle.Part.PROC_IOMEM, file.toString(), "all addresses read as zero: the kernel shows them to root only")
        : Part.of(Bundle.Part.PROC_IOMEM, file.toString(), lines);
  }

  /** {@code /sys/firmware/memmap/N/{start,end,type}}, in the order of N. */
  private Part firmwareMemmap() {
    Path dir = root.resolve("sys/firmware/memmap");
    TreeMap<Integer, Path> entries = new TreeMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      list.forEach(p -> {
        String name = p.getFileName().toString();
        if (name.matches("\\d{1,9}")) {
          entries.put(Integer.parseInt(name), p);
        }
      });
    } catch (IOException e) {
      return Part.missing(Bundle.Part.FIRMWARE_MEMMAP, dir.toString(), why(e));
    }
    List<String> lines = new ArrayList<>();
    for (Path entry : entries.values()) {
      Commands.Outcome start = read(entry.resolve("start"));
      Commands.Outcome end = read(entry.resolve("end"));
      Commands.Outcome type = read(entry.resolve("type"));
      for (Commands.Outcome o : List.of(start, end, type)) {
        if (o.output().isEmpty()) {
          return Part.missing(Bundle.Part.FIRMWARE_MEMMAP, dir.toString(), o.failure());
        }
      }
      lines.add("%s %s %s".formatted(start.output().get().strip(), end.output().get().strip(), type.output().get().strip()));
    }
    return entries.isEmpty()
        ? Part.missing(Bundle.Part.FIRMWARE_MEMMAP, dir.toString(), "no entries (a kernel without CONFIG_FIRMWARE_MEMMAP)")
        : Part.of(Bundle.Part.FIRMWARE_MEMMAP, dir.toString(), lines);
  }

  /** Each node's memory blocks ({@code nodeN/memoryM}), joined into ranges of {@code block_size_bytes}. */
  private Part numaNodes() {
    Path nodeDir = root.resolve("sys/devices/system/node");
    Path blockSize = root.resolve("sys/devices/system/memory/block_size_bytes");
    Commands.Outcome size = read(blockSize);
    if (size.output().isEmpty()) {
      return Part.missing(Bundle.Part.NUMA_NODES, nodeDir.toString(), size.failure());
    }
    long bytes;
    try {
      bytes = Long.parseUnsignedLong(size.output().get().strip().replaceFirst("^0[xX]", ""), 16);
    } catch (NumberFormatException e) {
      return Part.missing(Bundle.Part.NUMA_NODES, nodeDir.toString(), blockSize + " is not a hex number");
    }
    List<String> lines = new ArrayList<>();
    TreeMap<Integer, Path> nodes = new TreeMap<>();
    try (Stream<Path> list = Files.list(nodeDir)) {
      list.forEach(p -> {
        String name = p.getFileName().toString();
        if (name.matches("node\\d{1,9}")) {
          nodes.put(Integer.parseInt(name.substring(4)), p);
        }
      });
    } catch (IOException e) {
      return Part.missing(Bundle.Part.NUMA_NODES, nodeDir.toString(), why(e));
    }
    for (var node : nodes.entrySet()) {
      List<Long> blocks = new ArrayList<>();
      try (Stream<Path> list = Files.list(node.getValue())) {
        list.forEach(p -> {
          String name = p.getFileName().toString();
          if (name.matches("memory\\d{1,12}")) {
            blocks.add(Long.parseLong(name.substring(6)));
          }
        });
      } catch (IOException e) {
        return Part.missing(Bundle.Part.NUMA_NODES, nodeDir.toString(), why(e));
      }
      blocks.sort(null);
      for (int i = 0; i < blocks.size(); ) {
        int j = i;
        while (j + 1 < blocks.size() && blocks.get(j + 1) == blocks.get(j) + 1) {
          j++;
        }
        lines.add("node %d: [0x%x, 0x%x)".formatted(node.getKey(), blocks.get(i) * bytes, (blocks.get(j) + 1) * bytes));
        i = j + 1;
      }
    }
    return lines.isEmpty()
        ? Part.missing(Bundle.Part.NUMA_NODES, nodeDir.toString(), "no node has memory blocks")
        : Part.of(Bundle.Part.NUMA_NODES, "%s, memory blocks of 0x%x bytes".formatted(nodeDir, bytes), lines);
  }

  private Part cmdline() {
    Path file = root.resolve("proc/cmdline");
    Commands.Outcome o = read(file);
    return o.output().isPresent()
        ? Part.of(Bundle.Part.CMDLINE, file.toString(), List.of(o.output().get().strip()))
        : Part.missing(Bundle.Part.CMDLINE, file.toString(), o.failure());
  }

  /** The first processor's identity lines, and the flags that bear on TDX. */
  private Part cpu() {
    Path file = root.resolve("proc/cpuinfo");
    Commands.Outcome o = read(file);
    if (o.output().isEmpty()) {
      return Part.missing(Bundle.Part.CPU, file.toString(), o.failure());
    }
    List<String> lines = new ArrayList<>();
    for (String line : lines(o.output().get())) {
      if (line.isBlank()) {
        break; // the first processor ends at the first blank line
      }
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).strip();
      String value = line.substring(colon + 1).strip();
      if (CPU_FIELDS.contains(key)) {
        lines.add("%s : %s".formatted(key, value));
      } else if (key.equals("flags")) {
        List<String> flags = List.of(value.split("\\s+")).stream().filter(CPU_FLAGS::contains).toList();
        lines.add("flags (TDX-related) : " + String.join(" ", flags));
      }
    }
    return Part.of(Bundle.Part.CPU, file.toString() + ", first processor", lines);
  }

  /** What sysfs says about TDX: {@code kvm_intel}'s tdx parameter and, where the kernel has it, {@code /sys/firmware/tdx}. */
  private Part tdxModule() {
    List<String> lines = new ArrayList<>();
    Path param = root.resolve("sys/module/kvm_intel/parameters/tdx");
    read(param).output().ifPresent(v -> lines.add("kvm_intel.tdx = " + v.strip()));
    Path module = root.resolve("sys/firmware/tdx/tdx_module");
    try (Stream<Path> list = Files.list(module)) {
      list.sorted().filter(Files::isRegularFile).forEach(p -> read(p).output()
          .ifPresent(v -> lines.add("tdx_module/%s = %s".formatted(p.getFileName(), v.strip()))));
    } catch (IOException absent) {
      // Mainline kernels have no /sys/firmware/tdx; the kernel log has the module's version.
    }
    return lines.isEmpty()
        ? Part.missing(Bundle.Part.TDX_MODULE, param + ", " + module,
            "neither exists (kvm_intel not loaded, or a kernel without them); the kernel log has the module's version")
        : Part.of(Bundle.Part.TDX_MODULE, "%s, %s".formatted(param, module), lines);
  }

  private static Commands.Outcome read(Path file) {
    try {
      return Commands.Outcome.ok(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return Commands.Outcome.failed(why(e));
    }
  }

  private static String why(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied: run tdmr gather as root";
    }
    if (e instanceof NoSuchFileException n) {
      return "no such file: " + n.getFile();
    }
    return e.getClass().getSimpleName().replace("Exception", "").toLowerCase(Locale.ROOT) + ": " + e.getMessage();
  }

  private static List<String> lines(String text) {
    List<String> out = new ArrayList<>(List.of(text.split("\r?\n", -1)));
    while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    return out;
  }
}
