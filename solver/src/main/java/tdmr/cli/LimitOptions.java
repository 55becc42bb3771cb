package tdmr.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tdmr.mem.MemoryMap;
import tdmr.tdx.TdxLimits;
import tdmr.tdx.UsefulLimits;

/**
 * The TDX module's limits as options, each declared here once: {@code --max-tdmrs},
 * {@code --max-rsvd}, {@code --dpamt} and {@code --hkid-start-bit}, over {@link TdxLimits#DEFAULT}.
 * Each is a mixin of its own, so that a command takes exactly the options it honours; {@code @Mixin
 * LimitOptions} takes them all.
 */
public final class LimitOptions {
  /** Linux enables Dynamic PAMT only when {@code x86_phys_bits <= 48} (rule A7). */
  private static final int DYNAMIC_PAMT_HKID_START_BIT = 48;

  @Mixin MaxTdmrs maxTdmrs;
  @Mixin MaxReserved maxReserved;
  @Mixin DynamicPamt dynamicPamt;
  @Mixin HkidStartBit hkidStartBit;

  /** The limits the options give; a value no module has is a usage error. */
  public TdxLimits limits() {
    return limits(maxTdmrs.value, maxReserved.value, dynamicPamt, hkidStartBit);
  }

  /**
   * The default limits with only {@code --dpamt} and {@code --hkid-start-bit} applied, for a command
   * that varies the TDMR and reserved-area limits itself.
   */
  static TdxLimits limits(DynamicPamt dynamicPamt, HkidStartBit hkidStartBit) {
    TdxLimits d = TdxLimits.DEFAULT;
    return limits(d.maxTdmrs(), d.maxReservedPerTdmr(), dynamicPamt, hkidStartBit);
  }

  private static TdxLimits limits(int maxTdmrs, int maxReserved, DynamicPamt dynamicPamt, HkidStartBit hkidStartBit) {
    if (maxTdmrs < 1) {
      throw new OptionValueException("--max-tdmrs must be at least 1, got " + maxTdmrs);
    }
    if (maxReserved < 0) {
      throw new OptionValueException("--max-rsvd must not be negative, got " + maxReserved);
    }
    Integer given = hkidStartBit.value;
    if (given != null && (given < 31 || given > 52)) {
      throw new OptionValueException("--hkid-start-bit must be within 31..52, got " + given);
    }
    TdxLimits d = TdxLimits.DEFAULT;
    int bit = given != null ? given : impliedHkidStartBit(dynamicPamt.on);
    return new TdxLimits(maxTdmrs, maxReserved, d.pamtEntrySize4k(), d.pamtEntrySize2m(), d.pamtEntrySize1g(),
        dynamicPamt.on, bit);
  }

  /** The HKID start bit without {@code --hkid-start-bit}: the module's default, or 48 with {@code --dpamt}. */
  static int impliedHkidStartBit(boolean dynamicPamt) {
    int bit = TdxLimits.DEFAULT.hkidStartBit();
    return dynamicPamt ? Math.min(bit, DYNAMIC_PAMT_HKID_START_BIT) : bit;
  }

  /**
   * The limit options given with other than their default values, as typed, for a command suggested
   * next that must answer under the same limits (" --max-rsvd 17 --dpamt"); empty for the defaults.
   */
  String asArguments() {
    TdxLimits d = TdxLimits.DEFAULT;
    StringBuilder b = new StringBuilder();
    if (maxTdmrs.value != d.maxTdmrs()) {
      b.append(" --max-tdmrs ").append(maxTdmrs.value);
    }
    if (maxReserved.value != d.maxReservedPerTdmr()) {
      b.append(" --max-rsvd ").append(maxReserved.value);
    }
    if (dynamicPamt.on) {
      b.append(" --dpamt");
    }
    if (hkidStartBit.value != null) {
      b.append(" --hkid-start-bit ").append(hkidStartBit.value);
    }
    return b.toString();
  }

  /**
   * {@code limits} lowered to what {@code map} can use ({@link UsefulLimits}), each lowering said on
   * {@code err} as a note: a limit far past the map's size would only size models and tables by it.
   */
  static TdxLimits usefulFor(TdxLimits limits, MemoryMap map, PrintWriter err, String command) {
    UsefulLimits useful = UsefulLimits.of(limits, map);
    useful.notes().forEach(n -> err.println("%s: note: %s".formatted(command, n)));
    err.flush();
    return useful.limits();
  }

  /** {@code --max-tdmrs N}. */
  public static final class MaxTdmrs {
    @Option(names = "--max-tdmrs", paramLabel = "N",
        description = "At most N TDMRs, the module's MAX_TDMRS (default ${DEFAULT-VALUE}).")
    int value = TdxLimits.DEFAULT.maxTdmrs();
  }

  /** {@code --max-rsvd N}. */
  public static final class MaxReserved {
    @Option(names = "--max-rsvd", paramLabel = "N",
        description = "At most N reserved areas per TDMR, the module's MAX_RESERVED_PER_TDMR (default"
            + " ${DEFAULT-VALUE}; more asks what a module that reports more would allow; a TDMR_INFO file"
            + " holds at most 16).")
    int value = TdxLimits.DEFAULT.maxReservedPerTdmr();
  }

  /** {@code --dpamt}. */
  public static final class DynamicPamt {
    @Option(names = "--dpamt",
        description = "Dynamic PAMT: the 4K PAMT is a bitmap of one bit per 4 KiB page. Linux enables it only"
            + " when x86_phys_bits <= 48, so it implies --hkid-start-bit 48 unless that is given (rule A7).")
    boolean on;
  }

  /** {@code --hkid-start-bit BIT}. */
  public static final class HkidStartBit {
    @Option(names = "--hkid-start-bit", paramLabel = "BIT",
        description = "First physical address bit used for KeyIDs, 31..52 (default 52, or 48 with --dpamt);"
            + " TDMRs and PAMTs must lie below 2^BIT.")
    Integer value;
  }
}
