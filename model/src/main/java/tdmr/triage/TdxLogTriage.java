package tdmr.triage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tdmr.boot.KernelParameters;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.LogLine;
import tdmr.parse.InputException;
import tdmr.parse.NumberText;

/**
 * Reads the TDX lines of a host's kernel log and says what happened: TDX off in the BIOS, no
 * module, a SEAMCALL the module refused (leaf and status decoded), the kernel's TDMR construction
 * running out of TDMRs or reserved areas, or success with the PAMT size.
 *
 * <p>A log may hold several boots. The last line that ends an initialization attempt
 * ({@code module initialized} or {@code module initialization failed}) decides the outcome, and the
 * reason is looked for among the lines since the attempt before it. Lines starting with {@code #}
 * are annotations (a kernel log line never starts with one) and are skipped.
 */
public final class TdxLogTriage {
  /** A line the kernel's own TDX code printed (not a KVM or SEAMRR line about TDX). */
  private static final Pattern TDX_PREFIX = Pattern.compile("(?:^|[\\s\\]])(?:virt/)?tdx:");
  private static final Pattern BIOS_ENABLED = Pattern.compile("BIOS enabled: private KeyID range (\\[\\d+, \\d+\\))");
  private static final Pattern TOO_FEW_KEYIDS = Pattern.compile("too few private KeyIDs", Pattern.CASE_INSENSITIVE);
  private static final Pattern NOT_LOADED = Pattern.compile("module not loaded", Pattern.CASE_INSENSITIVE);
  private static final Pattern VERSION_1_5 =
      Pattern.compile("major_version (\\d++), minor_version (\\d++), build_date (\\d++), build_num (\\d++)");
  private static final Pattern VERSION_2 =
      Pattern.compile("TDX module (\\d++)\\.(\\d++)[\\d.]*+, build number (\\d++)");
  private static final Pattern VERSION_TEXT = Pattern.compile("TDX module (\\d++\\.\\d++[\\d.]*+)");
  /**
   * {@code Module version: 1.5.06} (metadata reader, 2025), {@code TDX module version: 1.5.24} (the
   * version patch) and {@code module verson: 1.5.0.0} (a debug patch users ran, typo included).
   */
  private static final Pattern VERSION_MD =
      Pattern.compile("module vers?i?on: (\\d++)\\.(\\d++)((?:\\.\\d++)++)", Pattern.CASE_INSENSITIVE);
  /** {@code module verson: major 1, minor 5, internal 0}. */
  private static final Pattern VERSION_WORDS =
      Pattern.compile("module vers?i?on: major (\\d++), minor (\\d++)", Pattern.CASE_INSENSITIVE);
  private static final Pattern CMR = Pattern.compile("CMR: \\[(0x[0-9a-fA-F]++), (0x[0-9a-fA-F]++)\\)");
  private static final Pattern SEAMCALL_HEX =
      Pattern.compile("SEAMCALL \\((0x[0-9a-fA-F]++)\\) failed: (0x[0-9a-fA-F]++)");
  private static final Pattern SEAMCALL_DEC =
      Pattern.compile("SEAMCALL failed: leaf (\\d++), error (0x[0-9a-fA-F]++)");
  private static final Pattern REGISTER = Pattern.compile("\\b(RCX|RDX|R0?8|R0?9|R1[01]) (0x[0-9a-fA-F]++)");
  private static final Pattern TDMRS_EXHAUSTED = Pattern.compile("TDMRs exhausted");
  private static final Pattern RESERVED_EXHAUSTED =
      Pattern.compile("TDMR \\[(0x[0-9a-fA-F]++), (0x[0-9a-fA-F]++)\\): reserved areas exhausted");
  private static final Pattern INIT_FAILED =
      Pattern.compile("(?:module|TDX-Module) initialization failed \\((-?\\d++)\\)", Pattern.CASE_INSENSITIVE);
  private static final Pattern INITIALIZED = Pattern.compile("(?:module|TDX-Module) initialized", Pattern.CASE_INSENSITIVE);
  private static final Pattern PAMT_KB = Pattern.compile("(?<!\\d)(\\d++) KBs? allocated for PAMT");
  private static final Pattern PAMT_PAGES = Pattern.compile("(?<!\\d)(\\d++) pages allocated for PAMT");
  /** Kernel errnos lie within -MAX_ERRNO..0 (MAX_ERRNO is 4095); the sign is checked by the outcome. */
  private static final int MAX_ERRNO = 4095;
  /** {@code frame pointer (RBP) clobber bug present, upgrade TDX module} (merged) or {@code NO_RBP_MOD feature is not supported} (earlier patch). */
  private static final Pattern RBP_BUG = Pattern.compile("RBP\\) clobber bug|NO_RBP_MOD feature is not supported");
  private static final Pattern E820 = Pattern.compile("BIOS-e820: \\[mem ");
  /** The TDX host code's prefixes ({@code virt/tdx:}, {@code tdx:}) and SEAM lines ({@link #isTdxRelated} adds KVM's). */
  private static final Pattern TDX_RELATED =
      Pattern.compile("(?:^|[\\s\\]])(?:virt/)?tdx:|SEAMCALL|SEAMRR", Pattern.CASE_INSENSITIVE);

  private TdxLogTriage() {}

  /**
   * Triage of the given log lines (the whole log, or only its TDX lines); {@code source} names the
   * log in messages. A number in a TDX line that does not fit its field (a 17-digit status, a PAMT
   * size beyond the address space) is bad input naming the line and the field.
   */
  public static Triage of(String source, List<LogLine> lines) throws InputException {
    return of(source, lines, BootLog.scan(lines));
  }

  /** Triage with the boot facts given (a bundle completes the log's with its other parts). */
  public static Triage of(String source, List<LogLine> lines, BootLog boot) throws InputException {
    List<LogLine> tdx = new ArrayList<>();
    int e820 = 0;
    for (LogLine l : lines) {
      String t = l.text().strip();
      if (t.startsWith("#")) {
        continue;
      }
      if (E820.matcher(t).find()) {
        e820++;
      } else if (isTdxRelated(t)) {
        tdx.add(l);
      }
    }
    return new Scan(new NumberText(source), tdx, e820, boot).triage();
  }

  /** True for the TDX host code's lines, SEAM lines and KVM's TDX lines ({@code kvm_intel: ... TDX ...}). */
  private static boolean isTdxRelated(String line) {
    if (!mayBeTdxRelated(line)) {
      return false;
    }
    if (TDX_RELATED.matcher(line).find()) {
      return true;
    }
    // "kvm_intel:" with "TDX" anywhere after it, by index: a regex .* here backtracked quadratically.
    String lower = line.toLowerCase(Locale.ROOT);
    int kvm = lower.indexOf("kvm_intel:");
    return kvm >= 0 && lower.indexOf("tdx", kvm + "kvm_intel:".length()) >= 0;
  }

  /** "SEAMRR" followed anywhere later by "not", "disabled" or "lock bit 0" (any case). */
  private static boolean saysSeamrrIsOff(String line) {
    String lower = line.toLowerCase(Locale.ROOT);
    int seamrr = lower.indexOf("seamrr");
    if (seamrr < 0) {
      return false;
    }
    int after = seamrr + "seamrr".length();
    return lower.indexOf("not", after) >= 0 || lower.indexOf("disabled", after) >= 0
        || lower.indexOf("lock bit 0", after) >= 0;
  }

  /**
   * A cheap superset of {@link #TDX_RELATED}: every match contains "tdx:", "seam" or "kvm_intel:"
   * in some case. A case-insensitive regex search over every line of a million-line log costs
   * seconds; most lines fail this test at once.
   */
  private static boolean mayBeTdxRelated(String line) {
    String lower = line.toLowerCase(Locale.ROOT);
    return lower.contains("tdx:") || lower.contains("seam") || lower.contains("kvm_intel:");
  }

  /** One pass over the TDX lines, collecting facts; then the verdict and its words. */
  private static final class Scan {
    private final NumberText numbers;
    private final List<LogLine> tdx;
    private final int e820Lines;
    private final BootLog boot;
    private Optional<String> keyIds = Optional.empty();
    private Optional<String> version = Optional.empty();
    private OptionalInt major = OptionalInt.empty();
    private OptionalInt minor = OptionalInt.empty();
    private final TreeSet<AddressRange> cmrs = new TreeSet<>();
    private Optional<SeamcallFailure> seamcall = Optional.empty();
    private Optional<LogLine> failure = Optional.empty();
    private Optional<AddressRange> failedTdmr = Optional.empty();
    private Optional<Outcome> failureKind = Optional.empty();
    private OptionalInt errno = OptionalInt.empty();
    private OptionalLong pamtKb = OptionalLong.empty();
    private boolean initialized;
    private boolean tooFewKeyIds;
    private boolean notLoaded;
    private boolean seamrr;
    private boolean rbpBug;

    Scan(NumberText numbers, List<LogLine> tdx, int e820Lines, BootLog boot) {
      this.numbers = numbers;
      this.tdx = tdx;
      this.e820Lines = e820Lines;
      this.boot = boot;
    }

    Triage triage() throws InputException {
      int from = attemptStart();
      for (int i = 0; i < tdx.size(); i++) {
        readAlways(tdx.get(i));
        if (i >= from) {
          i = readAttempt(i);
        }
      }
      Outcome outcome = outcome();
      List<String> happened = new ArrayList<>();
      List<String> todo = new ArrayList<>();
      explain(outcome, happened, todo);
      return new Triage(outcome, keyIds, version, major, minor, List.copyOf(cmrs), seamcall, failure, failedTdmr,
          errno, pamtKb, e820Lines, happened, todo, tdx, boot);
    }

    /** Index of the first line of the last attempt: just after the terminal line before the last one. */
    private int attemptStart() {
      List<Integer> terminals = new ArrayList<>();
      for (int i = 0; i < tdx.size(); i++) {
        String t = tdx.get(i).text();
        if (INIT_FAILED.matcher(t).find() || INITIALIZED.matcher(t).find()) {
          terminals.add(i);
        }
      }
      return terminals.size() < 2 ? 0 : terminals.get(terminals.size() - 2) + 1;
    }

    /** Facts that hold for the machine whichever boot they come from. */
    private void readAlways(LogLine line) throws InputException {
      String t = line.text();
      int n = line.line();
      Matcher m;
      if ((m = BIOS_ENABLED.matcher(t)).find()) {
        keyIds = Optional.of(m.group(1));
      }
      if ((m = CMR.matcher(t)).find()) {
        long s = numbers.address(m.group(1), n, "CMR start");
        long e = numbers.address(m.group(2), n, "CMR end");
        if (e > s) {
          cmrs.add(new AddressRange(s, e));
        }
      }
      // The module's version fields are u16 (build_date a u32 yyyymmdd).
      if ((m = VERSION_1_5.matcher(t)).find()) {
        major = OptionalInt.of(numbers.decimalInt(m.group(1), n, "module major_version", 0, 0xffff));
        minor = OptionalInt.of(numbers.decimalInt(m.group(2), n, "module minor_version", 0, 0xffff));
        numbers.decimal(m.group(3), n, "module build_date", 0, 0xffffffffL);
        numbers.decimal(m.group(4), n, "module build_num", 0, 0xffff);
        version = Optional.of("%s.%s (build_date %s, build_num %s)".formatted(m.group(1), m.group(2), m.group(3), m.group(4)));
      } else if ((m = VERSION_2.matcher(t)).find()) {
        major = OptionalInt.of(numbers.decimalInt(m.group(1), n, "module major version", 0, 0xffff));
        minor = OptionalInt.of(numbers.decimalInt(m.group(2), n, "module minor version", 0, 0xffff));
        numbers.decimal(m.group(3), n, "module build number", 0, 0xffff);
        Matcher v = VERSION_TEXT.matcher(t);
        version = Optional.of((v.find() ? v.group(1) : m.group(1) + "." + m.group(2)) + " (build " + m.group(3) + ")");
      } else if ((m = VERSION_MD.matcher(t)).find()) {
        major = OptionalInt.of(numbers.decimalInt(m.group(1), n, "module major version", 0, 0xffff));
        minor = OptionalInt.of(numbers.decimalInt(m.group(2), n, "module minor version", 0, 0xffff));
        version = Optional.of(m.group(1) + "." + m.group(2) + m.group(3));
      } else if ((m = VERSION_WORDS.matcher(t)).find()) {
        major = OptionalInt.of(numbers.decimalInt(m.group(1), n, "module major version", 0, 0xffff));
        minor = OptionalInt.of(numbers.decimalInt(m.group(2), n, "module minor version", 0, 0xffff));
        version = Optional.of(m.group(1) + "." + m.group(2));
      }
    }

    /** Facts of the last attempt; returns the index of the last line it consumed. */
    private int readAttempt(int i) throws InputException {
      LogLine line = tdx.get(i);
      String t = line.text();
      int n = line.line();
      Matcher m;
      if (TOO_FEW_KEYIDS.matcher(t).find()) {
        tooFewKeyIds = true;
      }
      if (NOT_LOADED.matcher(t).find()) {
        notLoaded = true;
      }
      if (saysSeamrrIsOff(t)) {
        seamrr = true;
      }
      if (RBP_BUG.matcher(t).find()) {
        rbpBug = true;
      }
      if (seamcall.isEmpty()
          && ((m = SEAMCALL_HEX.matcher(t)).find() || (m = SEAMCALL_DEC.matcher(t)).find())) {
        boolean hex = m.pattern() == SEAMCALL_HEX;
        // RAX carries the leaf in bits 15:0 and its version in 23:16; the kernel prints all 64 bits.
        long leaf = hex ? numbers.unsigned64(m.group(1), n, "SEAMCALL leaf")
            : numbers.decimal(m.group(1), n, "SEAMCALL leaf", 0, Long.MAX_VALUE);
        long status = numbers.unsigned64(m.group(2), n, "SEAMCALL status");
        Map<String, Long> regs = new HashMap<>();
        int j = i + 1;
        while (j < tdx.size() && registers(tdx.get(j), regs)) {
          j++;
        }
        seamcall = Optional.of(new SeamcallFailure(line, leaf, status, regs));
        return j - 1;
      }
      if (failure.isEmpty() && TDMRS_EXHAUSTED.matcher(t).find()) {
        failure = Optional.of(line);
        failureKind = Optional.of(Outcome.TDMRS_EXHAUSTED);
      } else if (failure.isEmpty() && (m = RESERVED_EXHAUSTED.matcher(t)).find()) {
        failure = Optional.of(line);
        failureKind = Optional.of(Outcome.RESERVED_AREAS_EXHAUSTED);
        long s = numbers.address(m.group(1), n, "TDMR start");
        long e = numbers.address(m.group(2), n, "TDMR end");
        if (e > s) {
          failedTdmr = Optional.of(new AddressRange(s, e));
        }
      }
      if ((m = INIT_FAILED.matcher(t)).find()) {
        errno = OptionalInt.of(numbers.decimalInt(m.group(1), n, "errno", -MAX_ERRNO, MAX_ERRNO));
        if (failure.isEmpty()) {
          failure = Optional.of(line);
        }
      } else if (INITIALIZED.matcher(t).find()) {
        initialized = true;
      }
      // PAMT never exceeds the memory it describes: at most the 2^52-byte physical address space.
      if ((m = PAMT_KB.matcher(t)).find()) {
        pamtKb = OptionalLong.of(numbers.decimal(m.group(1), n, "PAMT size in KB", 0, NumberText.ADDRESS_LIMIT / 1024));
      } else if ((m = PAMT_PAGES.matcher(t)).find()) {
        pamtKb = OptionalLong.of(4 * numbers.decimal(m.group(1), n, "PAMT pages", 0, NumberText.ADDRESS_LIMIT / 4096));
      }
      return i;
    }

    private boolean registers(LogLine line, Map<String, Long> regs) throws InputException {
      Matcher m = REGISTER.matcher(line.text());
      boolean any = false;
      while (m.find()) {
        String name = m.group(1).replace("R0", "R");
        regs.put(name, numbers.unsigned64(m.group(2), line.line(), "register " + name));
        any = true;
      }
      return any;
    }

    private Outcome outcome() {
      boolean failed = errno.isPresent() || failure.isPresent() || seamcall.isPresent();
      if (initialized && !failed) {
        return Outcome.INITIALIZED;
      }
      if (failureKind.isPresent()) {
        return failureKind.get();
      }
      if (seamcall.isPresent()) {
        return Outcome.SEAMCALL_FAILED;
      }
      if (rbpBug && failed) {
        return Outcome.MODULE_TOO_OLD;
      }
      if (notLoaded || seamrr) {
        return Outcome.MODULE_NOT_LOADED;
      }
      if (boot.tdxGuest().isPresent()) {
        return Outcome.TDX_GUEST;
      }
      if (keyIds.isEmpty() && !tooFewKeyIds && tdx.stream().anyMatch(l -> TDX_PREFIX.matcher(l.text()).find())) {
        // Linux prints no TDX line at all when the BIOS left TDX off (tdx_init returns before its
        // first pr_info), so TDX lines without the KeyID line come from something else: a
        // pre-upstream host kernel, or a log cut before that line.
        return Outcome.UNRECOGNISED;
      }
      if (tooFewKeyIds) {
        return Outcome.NOT_ENABLED_IN_BIOS;
      }
      if (keyIds.isEmpty()) {
        return withoutTdxLines();
      }
      if (errno.isPresent() && errno.getAsInt() == -12) {
        return Outcome.PAMT_ALLOCATION_FAILED;
      }
      if (errno.isPresent() || failure.isPresent()) {
        return Outcome.OTHER_FAILURE;
      }
      // "No attempt" needs the log to show the boot went on without one.
      return boot.bootCompleted().isPresent() ? Outcome.NOT_ATTEMPTED : Outcome.ATTEMPT_NOT_IN_LOG;
    }

    /**
     * A log without a single TDX line. The kernel prints none when TDX is off in the BIOS, but also
     * without TDX host support, on another maker's CPU, in a virtual machine, and in a log whose
     * early lines are gone; "off in the BIOS" needs evidence: TME reported off, or the boot's first
     * lines on an Intel CPU.
     */
    private Outcome withoutTdxLines() {
      if (boot.isNotIntel()) {
        return Outcome.NOT_INTEL_CPU;
      }
      if (boot.hypervisor().isPresent()) {
        return Outcome.VIRTUAL_MACHINE;
      }
      if (boot.tmeOff().isPresent()) {
        return Outcome.NOT_ENABLED_IN_BIOS;
      }
      boolean intelServer = boot.vendor().map(BootLog.Vendor::isIntel).orElse(false) && !boot.isIntelClientCpu();
      return boot.hasEarlyBoot() && intelServer ? Outcome.NOT_ENABLED_IN_BIOS : Outcome.NO_TDX_LINES;
    }

    // ---- words ----

    private void explain(Outcome outcome, List<String> happened, List<String> todo) {
      String module = version.map(v -> "TDX module " + v).orElse("the TDX module (version not in the log)");
      switch (outcome) {
        case INITIALIZED -> {
          happened.add("TDX came up: %s is initialized%s.".formatted(module,
              keyIds.map(k -> ", with private KeyIDs " + k).orElse("")));
          if (pamtKb.isPresent()) {
            happened.add("The kernel set aside %d KiB (%s) for PAMTs, the module's metadata for all TDX memory."
                .formatted(pamtKb.getAsLong(), ByteSize.human(pamtKb.getAsLong() * 1024)));
          }
          todo.add("Nothing to fix.");
        }
        case NOT_ENABLED_IN_BIOS -> {
          if (tooFewKeyIds) {
            happened.add("The BIOS gave TDX too few private KeyIDs (at least 2 are needed).");
            todo.add("In the BIOS, raise the TME-MT/TDX key split so TDX gets private KeyIDs.");
          } else {
            if (boot.tmeOff().isPresent()) {
              happened.add(("Line %d says \"x86/tme: not enabled by BIOS\": total memory encryption, which TDX builds"
                  + " on, is off in the BIOS, so TDX is off too.").formatted(boot.tmeOff().get().line()));
            } else {
              BootLog.Vendor v = boot.vendor().orElseThrow();
              happened.add(("The log starts with the boot's first lines and shows an Intel CPU (line %d), yet has no"
                  + " \"BIOS enabled: private KeyID range\" line: the kernel found no TDX private KeyIDs, so TDX is"
                  + " off in the BIOS (or this kernel was built without TDX host support, CONFIG_INTEL_TDX_HOST).")
                  .formatted(v.evidence().line()));
            }
            todo.add("In the BIOS enable TME, TME-MT (multi-key), TDX and the SEAM loader, set a non-zero "
                + "TME-MT/TDX key split, and disable \"Limit CPU PA to 46 bits\"; populate every memory "
                + "channel the same way on every socket.");
            todo.add("After a reboot, `dmesg | grep -i tdx` should show \"BIOS enabled: private KeyID range\".");
          }
          todo.add("This is not a memory-layout problem.");
        }
        case MODULE_NOT_LOADED -> {
          happened.add("The BIOS enabled TDX%s, but no TDX module is loaded%s."
              .formatted(keyIds.map(k -> " (private KeyIDs " + k + ")").orElse(""),
                  seamrr ? " (the SEAM range register, SEAMRR, is not set up)" : ""));
          todo.add("Enable the SEAM loader in the BIOS and make sure a TDX module is installed where the "
              + "platform loads it from (a BIOS update usually brings one).");
          todo.add("This is not a memory-layout problem: TDX stopped before any TDMR was built.");
        }
        case SEAMCALL_FAILED -> explainSeamcall(happened, todo);
        case TDMRS_EXHAUSTED -> {
          happened.add("The kernel ran out of TDMRs while covering TDX memory (\"TDMRs exhausted\"): its "
              + "greedy opens one TDMR per run of memory, and the module allows only a fixed number.");
          todo.add("This is a memory-layout problem: what to change (memory to give up with memmap=, a kernel with"
              + " the CMR-holes patch) follows from the host's memory map. If this log lacks it, collect it with"
              + " `sudo tdmr gather -o host.txt` on the host and run `tdmr diagnose host.txt`.");
        }
        case RESERVED_AREAS_EXHAUSTED -> {
          happened.add("The kernel's TDMR %s needed more reserved areas than the module allows (16 on "
              .formatted(failedTdmr.map(AddressRange::toString).orElse("(unnamed)"))
              + "current modules): the kernel reserves every hole between memory blocks in it, plus "
              + "the PAMTs inside it, one area each.");
          todo.add("This is a memory-layout problem: what to change (memory to give up with memmap=, a kernel with"
              + " the CMR-holes patch) follows from the host's memory map. If this log lacks it, collect it with"
              + " `sudo tdmr gather -o host.txt` on the host and run `tdmr diagnose host.txt`.");
          todo.add("Kernels that take holes from the CMRs instead (the \"Reduce TDMR's reserved areas by "
              + "using CMRs\" patch, carried by Ubuntu's 24.04 -intel kernels per canonical/tdx#415) need "
              + "far fewer reserved areas.");
        }
        case PAMT_ALLOCATION_FAILED -> {
          happened.add("The kernel could not allocate physically contiguous memory for the PAMTs "
              + "(module initialization failed (-12), ENOMEM).");
          todo.add("Initialize TDX early, before memory fragments: load kvm_intel with tdx=1 at boot "
              + "(kernels from 7.1 initialize TDX at boot).");
          todo.add("The layout itself was built; its size is not the problem unless memory is nearly full.");
        }
        case OTHER_FAILURE -> {
          happened.add("TDX initialization failed%s, and the log does not say why."
              .formatted(errno.isPresent() ? " (" + errnoText(errno.getAsInt()) + ")" : ""));
          todo.add("Collect the whole kernel log of the boot (`journalctl -k -b`) and look at the TDX and "
              + "SEAMCALL lines before the failure.");
        }
        case NOT_ATTEMPTED -> {
          happened.add("The BIOS enabled TDX%s, and the boot went on (line %d: %s) without any attempt to initialize"
              .formatted(keyIds.map(k -> " (private KeyIDs " + k + ")").orElse(""), boot.bootCompleted().get().line(),
                  boot.bootCompleted().get().text())
              + " the module (neither \"module initialized\" nor a failure).");
          todo.add(kvmIntelAdvice());
        }
        case ATTEMPT_NOT_IN_LOG -> {
          happened.add("The BIOS enabled TDX%s; the log ends before any attempt to initialize the module (neither"
              .formatted(keyIds.map(k -> " (private KeyIDs " + k + ")").orElse(""))
              + " \"module initialized\" nor a failure, and nothing shows the boot went on): it is cut short, or the"
              + " attempt came later.");
          todo.add("Collect the boot's whole log, `journalctl -k -b` (or `sudo tdmr gather`), and run tdmr diagnose"
              + " again.");
          todo.add(kvmIntelAdvice());
        }
        case MODULE_TOO_OLD -> {
          happened.add("The kernel refused %s: the module may clobber the RBP register (it lacks the NO_RBP_MOD"
              .formatted(module) + " feature), which this kernel does not accept"
              + errno.stream().mapToObj(e -> " (" + errnoText(e) + ")").findFirst().orElse("") + ".");
          todo.add("Update the TDX module to a release that has the NO_RBP_MOD feature, usually with a BIOS update, or load one"
              + " where the platform takes it from.");
          todo.add("This is not a memory-layout problem: TDX stopped before any TDMR was built.");
        }
        case TDX_GUEST -> {
          happened.add("This log is from a TDX guest (line %d: \"%s\"), a confidential VM, not from a TDX host: the"
              .formatted(boot.tdxGuest().get().line(), boot.tdxGuest().get().text())
              + " host builds the TDMRs, and the guest's log says nothing about them.");
          todo.add("Run tdmr diagnose on the host's kernel log.");
        }
        case VIRTUAL_MACHINE -> {
          happened.add("This log is from a virtual machine (line %d: \"%s\"): a VM never initializes the TDX module;"
              .formatted(boot.hypervisor().get().line(), boot.hypervisor().get().text())
              + " TDX host support runs on the physical host.");
          todo.add("Run tdmr diagnose on the physical host's kernel log.");
        }
        case NOT_INTEL_CPU -> {
          BootLog.Vendor v = boot.vendor().orElseThrow();
          happened.add("This log is from a machine with an %s CPU (line %d: \"%s\"): Intel TDX needs an Intel Xeon"
              .formatted(v.name(), v.evidence().line(), v.evidence().text())
              + " with TDX (Sapphire Rapids or later), so the kernel never looks for it.");
          todo.add("Nothing to do for TDX on this machine.");
        }
        case NO_TDX_LINES -> {
          if (boot.isIntelClientCpu()) {
            LogLine cpu = boot.cpu().orElseThrow();
            happened.add(("The log has no TDX lines, and its CPU (line %d: \"%s\") is an Intel client processor: TDX"
                + " is a feature of Xeon processors (Sapphire Rapids and later), so the kernel never finds it here.")
                .formatted(cpu.line(), cpu.text()));
            todo.add("Nothing to do for TDX on this machine: run tdmr diagnose on a TDX host's log.");
            break;
          }
          happened.add("The log has no TDX lines. The kernel prints none when TDX is off in the BIOS, but also when it"
              + " has no TDX host support, on CPUs without TDX and in virtual machines, and "
              + (boot.hasEarlyBoot()
                  ? "this log does not say which CPU it ran on (no \"smpboot: CPU0:\" line)."
                  : "this log lacks the boot's first lines, where the TDX lines would be (a rotated ring buffer"
                      + " or an excerpt)."));
          if (!boot.hasEarlyBoot()) {
            todo.add("Collect the boot's whole log: `journalctl -k -b` (or `sudo tdmr gather`), then run tdmr diagnose"
                + " again.");
          }
          todo.add("Check the CPU (`grep -m1 'model name' /proc/cpuinfo`: TDX needs an Intel Xeon of the Sapphire"
              + " Rapids generation or later) and the kernel (`grep CONFIG_INTEL_TDX_HOST /boot/config-$(uname -r)`);"
              + " then, in the BIOS, enable TME, TME-MT, TDX and the SEAM loader with a non-zero TME-MT/TDX key split.");
        }
        case UNRECOGNISED -> {
          happened.add("The log has %s, but no \"BIOS enabled: private KeyID range\" line and no "
              .formatted(Count.of(tdx.size(), "TDX line"))
              + "line saying how initialization ended: the kernel's messages differ from the ones this "
              + "tool reads (an older or vendor kernel), or the log is cut.");
          todo.add("Collect the whole kernel log of a boot (`journalctl -k -b`) and run tdmr diagnose "
              + "again; `tdmr plan` works on the same log if it holds the memory map.");
        }
      }
      if (rbpBug && outcome != Outcome.MODULE_TOO_OLD) {
        todo.add("The kernel also reports the module's RBP clobber bug: update the TDX module.");
      }
    }

    /** Whether to boot with {@code kvm_intel.tdx=1}: only when the command line, if the log has it, lacks it. */
    private String kvmIntelAdvice() {
      Optional<LogLine> cmdline = boot.commandLine();
      if (cmdline.isPresent() && KernelParameters.has(cmdline.get().text(), "kvm_intel.tdx", "1")) {
        return ("The kernel booted with kvm_intel.tdx=1 (line %d), so look at kvm_intel: is it loaded (`lsmod | grep"
            + " kvm_intel`), and does /sys/module/kvm_intel/parameters/tdx say Y? A kvm_intel without TDX support"
            + " ignores the parameter.").formatted(cmdline.get().line());
      }
      if (cmdline.isPresent()) {
        return ("Kernels before 7.1 initialize TDX when kvm_intel loads with tdx=1, and this kernel's command line"
            + " (line %d) does not set it: boot with kvm_intel.tdx=1, then look again.").formatted(cmdline.get().line());
      }
      return "Kernels before 7.1 initialize TDX when kvm_intel loads with tdx=1: unless /proc/cmdline already has"
          + " kvm_intel.tdx=1, boot with it (check /sys/module/kvm_intel/parameters/tdx), then look again.";
    }

    private void explainSeamcall(List<String> happened, List<String> todo) {
      SeamcallFailure s = seamcall.get();
      String leafPurpose = s.knownLeaf().map(l -> " (" + l.purpose() + ")").orElse("");
      String statusMeaning = s.knownStatus().map(st -> ": " + st.meaning()).orElse("");
      happened.add("The TDX module refused a SEAMCALL: leaf %s%s returned %s%s."
          .formatted(s.leafText(), leafPurpose, s.statusText(), statusMeaning));
      if (s.leaf() == SeamcallLeaf.TDH_SYS_RD.number()) {
        OptionalLong rdx = s.register("RDX");
        if (rdx.isPresent()) {
          happened.add("The kernel was reading metadata field 0x%016x%s."
              .formatted(rdx.getAsLong(), s.field().map(f -> " = " + f.name()).orElse("")));
        }
        boolean oldModule = major.isPresent() && major.getAsInt() == 1 && minor.orElse(-1) == 0;
        if (s.field().isPresent()) {
          happened.add(("So the kernel could not even read the module's limits: this kernel reads them with "
              + "TDH.SYS.RD, and %s.")
              .formatted(oldModule
                  ? "the loaded module, " + version.orElse("1.0") + ", is a TDX 1.0 module, older than this kernel expects"
                  : "the loaded module does not serve this field"));
        }
        todo.add("Update the TDX module (to 1.5 or later on this platform), usually with a BIOS update, "
            + "or boot a kernel that matches this module.");
      } else if (s.leaf() == SeamcallLeaf.TDH_SYS_CONFIG.number()
          && s.knownStatus().map(TdxStatus::isLayoutRule).orElse(false)) {
        happened.add("The module rejected the kernel's TDMR layout (TDMR index %d in the detail bytes)."
            .formatted(s.detail() & 0xff));
        todo.add("This is a memory-layout problem: run `tdmr check` on the layout, or `tdmr plan` on "
            + "this host's memory map.");
        return;
      } else if (s.leaf() == SeamcallLeaf.TDH_SYS_INIT.number()
          || s.leaf() == SeamcallLeaf.TDH_SYS_LP_INIT.number()
          || s.leaf() == SeamcallLeaf.TDH_SYS_INFO.number()) {
        todo.add("The module rejected the platform's configuration: update the BIOS (and CPU microcode), "
            + "then re-check the TDX BIOS settings (TME-MT, TDX, SEAM loader, key split).");
      } else {
        todo.add("Update the TDX module and the BIOS; if the error persists, report it with the full log.");
      }
      boolean beforeLayout =
          s.knownLeaf()
              .map(l -> l == SeamcallLeaf.TDH_SYS_INIT || l == SeamcallLeaf.TDH_SYS_LP_INIT
                  || l == SeamcallLeaf.TDH_SYS_RD || l == SeamcallLeaf.TDH_SYS_RDALL
                  || l == SeamcallLeaf.TDH_SYS_INFO)
              .orElse(false);
      todo.add(beforeLayout
          ? "This is not a memory-layout problem: TDX stopped before any TDMR was built."
          : "This is not a memory-layout problem: the failing call is not the one that checks the layout.");
    }
  }

  /** {@code -28 (ENOSPC)}. */
  static String errnoText(int errno) {
    String name = switch (-errno) {
      case 5 -> "EIO";
      case 12 -> "ENOMEM";
      case 13 -> "EACCES";
      case 16 -> "EBUSY";
      case 19 -> "ENODEV";
      case 22 -> "EINVAL";
      case 28 -> "ENOSPC";
      case 95 -> "EOPNOTSUPP";
      default -> "";
    };
    return name.isEmpty() ? Integer.toString(errno) : errno + ", " + name.toUpperCase(Locale.ROOT);
  }
}
