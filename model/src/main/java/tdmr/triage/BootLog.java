package tdmr.triage;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tdmr.mem.LogLine;

/**
 * What a kernel log says about the boot around TDX: whether its early lines are there, which CPU
 * and command line it booted with, whether it ran in a virtual machine or a TDX guest, whether TME
 * is off and whether the boot got as far as starting user space. A diagnosis says "TDX is not
 * enabled in the BIOS" or "no attempt to initialise TDX" only on such evidence.
 *
 * @param kernelVersion the {@code Linux version ...} line
 * @param commandLine the kernel's command line ({@code Command line:} or {@code Kernel command line:}), text only
 * @param firmwareMapLines {@code BIOS-e820:} and {@code user:} lines
 * @param nodeLines memblock {@code node N: [mem ...]} lines
 * @param cpu the {@code smpboot: CPU0: ...} line, naming the processor
 * @param vendor the CPU maker the log shows ({@code Intel}, {@code AMD}, {@code Hygon}, ...), and
 *     the line that shows it
 * @param hypervisor a {@code Hypervisor detected:} line: the log is from a virtual machine
 * @param tdxGuest a {@code tdx: Guest detected} (or TDX memory encryption) line: a TDX guest's log
 * @param tmeOff {@code x86/tme: not enabled by BIOS}: TME, which TDX needs, is off
 * @param bootCompleted a line printed once the kernel hands over to user space
 */
public record BootLog(
    Optional<LogLine> kernelVersion,
    Optional<LogLine> commandLine,
    int firmwareMapLines,
    int nodeLines,
    Optional<LogLine> cpu,
    Optional<Vendor> vendor,
    Optional<LogLine> hypervisor,
    Optional<LogLine> tdxGuest,
    Optional<LogLine> tmeOff,
    Optional<LogLine> bootCompleted) {

  /** The CPU maker and the line that says so. */
  public record Vendor(String name, LogLine evidence) {
    public boolean isIntel() {
      return name.equals("Intel");
    }
  }

  /** A syslog or journal prefix and the kernel's timestamp, before the message itself. */
  private static final Pattern PREFIX =
      Pattern.compile("^\\s*(?:[A-Z][a-z]{2}\\s+\\d+\\s+[\\d:]+\\s+\\S+\\s+kernel:\\s*)?(?:\\[\\s*\\d+\\.\\d+\\]\\s*)?");
  private static final Pattern COMMAND_LINE = Pattern.compile("\\b[Cc]ommand line: (.*+)");
  private static final Pattern NODE = Pattern.compile("\\bnode\\s+\\d+:\\s*\\[mem\\b");
  private static final Pattern TDX_GUEST =
      Pattern.compile("tdx: Guest detected|Memory Encryption Features active: Intel TDX");
  private static final Pattern BOOT_COMPLETED =
      Pattern.compile("Freeing unused kernel (?:image )?(?:\\(initmem\\) )?memory|Run /\\S* as init process|systemd\\[1\\]:");

  /** Lines that only a given maker's CPU prints (the kernel's list of supported CPUs names them all, so it is no evidence). */
  private static final List<String[]> VENDOR_MARKERS = List.of(
      new String[] {"kvm_intel:", "Intel"},
      new String[] {"x86/tme:", "Intel"},
      new String[] {"DMAR:", "Intel"},
      new String[] {"kvm_amd:", "AMD"},
      new String[] {"AMD-Vi:", "AMD"},
      new String[] {"SEV-SNP:", "AMD"},
      new String[] {"patch_level=", "AMD"});

  /** The boot facts of the given lines (the whole log, or an excerpt). */
  public static BootLog scan(List<LogLine> lines) {
    LogLine kernelVersion = null;
    LogLine commandLine = null;
    int firmware = 0;
    int nodes = 0;
    LogLine cpu = null;
    Vendor vendor = null;
    Vendor markerVendor = null;
    LogLine hypervisor = null;
    LogLine guest = null;
    LogLine tmeOff = null;
    LogLine completed = null;
    for (LogLine l : lines) {
      String t = l.text();
      if (t.stripLeading().startsWith("#")) {
        continue;
      }
      if (t.contains("BIOS-e820:") || t.contains("user: [mem")) {
        firmware++;
        continue;
      }
      if (t.contains("node") && NODE.matcher(t).find()) {
        nodes++;
        continue;
      }
      Matcher m;
      if (kernelVersion == null && t.contains("Linux version ")) {
        kernelVersion = new LogLine(l.line(), t.substring(t.indexOf("Linux version ")).strip());
      } else if (commandLine == null && t.contains("ommand line: ") && (m = COMMAND_LINE.matcher(t)).find()) {
        commandLine = new LogLine(l.line(), m.group(1).strip());
      } else if (cpu == null && t.contains("smpboot: CPU0: ")) {
        String name = t.substring(t.indexOf("smpboot: CPU0: ") + "smpboot: CPU0: ".length());
        int family = name.indexOf(" (family");
        cpu = new LogLine(l.line(), (family >= 0 ? name.substring(0, family) : name).strip());
        vendor = new Vendor(vendorOf(cpu.text()), cpu);
      } else if (hypervisor == null && t.contains("Hypervisor detected:")) {
        hypervisor = new LogLine(l.line(), t.substring(t.indexOf("Hypervisor detected:")).strip());
      } else if (guest == null && (t.contains("Guest detected") || t.contains("Intel TDX")) && TDX_GUEST.matcher(t).find()) {
        guest = new LogLine(l.line(), message(t));
      } else if (tmeOff == null && t.contains("x86/tme: not enabled by BIOS")) {
        tmeOff = new LogLine(l.line(), message(t));
      } else if (completed == null && (t.contains("Freeing unused") || t.contains(" as init process")
          || t.contains("systemd[1]")) && BOOT_COMPLETED.matcher(t).find()) {
        completed = new LogLine(l.line(), message(t));
      }
      if (markerVendor == null) {
        for (String[] marker : VENDOR_MARKERS) {
          // "kvm_intel: VMX not supported" is what an AMD machine prints when kvm_intel is loaded on it.
          if (t.contains(marker[0]) && !t.contains("not supported")) {
            markerVendor = new Vendor(marker[1], new LogLine(l.line(), message(t)));
            break;
          }
        }
      }
    }
    return new BootLog(Optional.ofNullable(kernelVersion), Optional.ofNullable(commandLine), firmware, nodes,
        Optional.ofNullable(cpu), Optional.ofNullable(vendor != null ? vendor : markerVendor),
        Optional.ofNullable(hypervisor), Optional.ofNullable(guest), Optional.ofNullable(tmeOff),
        Optional.ofNullable(completed));
  }

  /** The kernel's message without the journal's prefix or the timestamp. */
  static String message(String line) {
    return PREFIX.matcher(line).replaceFirst("").strip();
  }

  private static String vendorOf(String cpuName) {
    String n = cpuName.toLowerCase(Locale.ROOT);
    if (n.contains("intel")) {
      return "Intel";
    }
    if (n.contains("amd")) {
      return "AMD";
    }
    if (n.contains("hygon")) {
      return "Hygon";
    }
    if (n.contains("zhaoxin") || n.contains("centaur")) {
      return "Zhaoxin";
    }
    return cpuName.strip().split("\\s+")[0];
  }

  /**
   * These facts completed by a {@code tdmr gather} bundle's other parts: its {@code /proc/cmdline}
   * and its {@code /proc/cpuinfo} lines stand in for lines the kernel log lacks (a rotated log has
   * neither its command line nor its CPU line).
   */
  public BootLog completedBy(Optional<LogLine> cmdline, Optional<LogLine> vendorId, Optional<LogLine> modelName) {
    Optional<LogLine> cmd = commandLine.isPresent() ? commandLine : cmdline;
    Optional<LogLine> model = cpu.isPresent() ? cpu : modelName;
    Optional<Vendor> v = vendor;
    if (vendor.isEmpty() && vendorId.isPresent()) {
      String id = vendorId.get().text();
      String name = switch (id) {
        case "GenuineIntel" -> "Intel";
        case "AuthenticAMD" -> "AMD";
        case "HygonGenuine" -> "Hygon";
        case "CentaurHauls", "Shanghai" -> "Zhaoxin";
        default -> id;
      };
      v = Optional.of(new Vendor(name, new LogLine(vendorId.get().line(), "vendor_id : " + id)));
    }
    return new BootLog(kernelVersion, cmd, firmwareMapLines, nodeLines, model, v, hypervisor, tdxGuest, tmeOff,
        bootCompleted);
  }

  /**
   * True when the lines the kernel prints first (its version, its firmware map, its memblock node
   * ranges) are in the log; a command line alone may come from a bundle's {@code /proc/cmdline}.
   */
  public boolean hasEarlyBoot() {
    return kernelVersion.isPresent() || firmwareMapLines > 0 || nodeLines > 0;
  }

  /** Intel's client processors (desktops, laptops): none has TDX, which is a Xeon feature. */
  private static final Pattern CLIENT_CPU = Pattern.compile("\\bCore\\(TM\\)|\\bCore Ultra\\b|\\bCeleron|\\bPentium|\\bAtom\\b");

  /**
   * True when the log names an Intel client processor ({@code Intel(R) Core(TM) i7-...}, Celeron,
   * Pentium, Atom): such a CPU has no TDX, so a log without TDX lines says nothing about its BIOS.
   * Engineering samples ({@code Genuine Intel(R) CPU 0000}) and Xeons are not client processors.
   */
  public boolean isIntelClientCpu() {
    return vendor.isPresent() && vendor.get().isIntel() && cpu.isPresent() && CLIENT_CPU.matcher(cpu.get().text()).find();
  }

  /** True when the log shows a CPU made by someone other than Intel. */
  public boolean isNotIntel() {
    return vendor.isPresent() && !vendor.get().isIntel();
  }
}
