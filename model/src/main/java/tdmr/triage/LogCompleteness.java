package tdmr.triage;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.E820Entry;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.parse.Bundle;

/**
 * What a log lacks before anything is concluded from it: a memory map cut short, CMRs without RAM
 * lines, no early-boot lines, a guest's or a virtual machine's log, a CPU that is not Intel's. Each
 * check that applies is a note, printed before the verdict; a map that is cut short or missing is
 * analysed only for what it shows.
 */
public final class LogCompleteness {
  /** Convertible memory this far beyond the RAM lines means the map was cut, not that firmware reserved it. */
  private static final long CUT_SHORT = ByteSize.GiB;

  private LogCompleteness() {}

  /** One check that applies to a log. */
  public enum Check {
    /** The RAM lines end far below the CMRs: a truncated e820 (canonical/tdx#135). */
    MAP_CUT_SHORT,
    /** CMR lines but no RAM lines: a {@code dmesg | grep tdx} report. */
    CMRS_WITHOUT_RAM,
    /** No early-boot lines: a rotated ring buffer or an excerpt. */
    NO_EARLY_BOOT,
    /** A TDX guest's log, not a host's. */
    TDX_GUEST,
    /** A virtual machine's log. */
    VIRTUAL_MACHINE,
    /** A CPU that is not Intel's: TDX does not apply. */
    NOT_INTEL_CPU
  }

  /** A check that applies, in words. */
  public record Note(Check check, String text) {}

  /** Every check that applies to a kernel log, in the order of {@link Check}. */
  public static List<Note> check(BootLog boot, List<AddressRange> cmrs, Optional<MemoryMap> map) {
    return check(boot, cmrs, map, Optional.empty());
  }

  /**
   * Every check that applies, in the order of {@link Check}; a {@code tdmr gather} bundle may hold
   * the RAM the kernel log lacks (its firmware table or {@code /proc/iomem}).
   */
  public static List<Note> check(BootLog boot, List<AddressRange> cmrs, Optional<MemoryMap> map, Optional<Bundle> bundle) {
    List<Note> out = new ArrayList<>();
    boolean ramElsewhere = bundle.isPresent()
        && (hasLines(bundle.get(), Bundle.Part.FIRMWARE_MEMMAP) || hasLines(bundle.get(), Bundle.Part.PROC_IOMEM));
    boolean ramLines = boot.firmwareMapLines() > 0 || boot.nodeLines() > 0 || ramElsewhere;
    if (!cmrs.isEmpty() && ramLines && map.isPresent()) {
      cutShort(cmrs, map.get()).ifPresent(out::add);
    }
    if (!cmrs.isEmpty() && !ramLines) {
      out.add(new Note(Check.CMRS_WITHOUT_RAM, "The log has CMR lines but no RAM lines (no BIOS-e820 or memblock"
          + " 'node N:' lines), as a `dmesg | grep tdx` report has: the TDX memory is taken to equal the CMRs, which"
          + " a real machine's never quite does, so the layout below is an estimate, not the kernel's."));
    }
    if (!boot.hasEarlyBoot() && bundle.isPresent()) {
      out.add(new Note(Check.NO_EARLY_BOOT, "The bundle's kernel log lacks the boot's first lines (the ring buffer was"
          + " rotated)%s; TDX lines printed early in the boot may be gone too.".formatted(ramElsewhere
              ? ": the memory map comes from the bundle's firmware table or /proc/iomem instead" : "")));
    } else if (!boot.hasEarlyBoot()) {
      out.add(new Note(Check.NO_EARLY_BOOT, "The log has no early-boot lines (no 'Linux version', 'Command line:'"
          + " or 'BIOS-e820:' line): the kernel's ring buffer was rotated, or this is an excerpt. The boot's memory"
          + " map and command line are not in it; `journalctl -k -b` or `sudo tdmr gather` collects them."));
    }
    boot.tdxGuest().ifPresent(g -> out.add(new Note(Check.TDX_GUEST, "Line %d (\"%s\") shows a TDX guest: this log is"
        .formatted(g.line(), g.text()) + " from inside a confidential VM, not from the host that builds the TDMRs.")));
    if (boot.tdxGuest().isEmpty()) {
      boot.hypervisor().ifPresent(h -> out.add(new Note(Check.VIRTUAL_MACHINE, "Line %d (\"%s\") shows a virtual"
          .formatted(h.line(), h.text()) + " machine: TDX host support runs on the physical host, so its log is the"
          + " one to read.")));
    }
    if (boot.isNotIntel()) {
      BootLog.Vendor v = boot.vendor().get();
      out.add(new Note(Check.NOT_INTEL_CPU, "Line %d (\"%s\") shows an %s CPU: Intel TDX does not apply to it."
          .formatted(v.evidence().line(), v.evidence().text(), v.name())));
    }
    return out;
  }

  private static boolean hasLines(Bundle bundle, Bundle.Part part) {
    return bundle.section(part).filter(s -> s.missing().isEmpty() && !s.lines().isEmpty()).isPresent();
  }

  /** Convertible memory above the last address the RAM lines reach, when it is more than a little. */
  private static Optional<Note> cutShort(List<AddressRange> cmrs, MemoryMap map) {
    long listedEnd = 0;
    for (E820Entry e : map.firmwareMap()) {
      listedEnd = Math.max(listedEnd, e.range().end());
    }
    for (MemoryBlock b : map.blocks()) {
      listedEnd = Math.max(listedEnd, b.end());
    }
    long beyond = 0;
    long cmrEnd = 0;
    for (AddressRange c : cmrs) {
      beyond += Math.max(0, c.end() - Math.max(c.start(), listedEnd));
      cmrEnd = Math.max(cmrEnd, c.end());
    }
    if (beyond <= CUT_SHORT) {
      return Optional.empty();
    }
    return Optional.of(new Note(Check.MAP_CUT_SHORT, ("The RAM lines end at 0x%x (%s), far below the CMRs (up to"
        + " 0x%x, with %s of convertible memory above the last RAM line): the log's memory map is cut short (a"
        + " truncated e820), so what follows covers only the memory it shows, not the machine.")
        .formatted(listedEnd, ByteSize.human(listedEnd), cmrEnd, ByteSize.human(beyond))));
  }

  /** True when one of the notes says the map does not describe the whole machine. */
  public static boolean mapIsPartial(List<Note> notes) {
    return notes.stream().anyMatch(n -> n.check() == Check.MAP_CUT_SHORT || n.check() == Check.CMRS_WITHOUT_RAM);
  }
}
