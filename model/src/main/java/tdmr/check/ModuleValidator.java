package tdmr.check;

import static tdmr.mem.ByteSize.PAGE;

import static tdmr.check.ModuleError.RESERVED_AREAS_EXHAUSTED;
import static tdmr.check.ModuleError.TDX_INVALID_PAMT;
import static tdmr.check.ModuleError.TDX_INVALID_RESERVED_IN_TDMR;
import static tdmr.check.ModuleError.TDX_INVALID_TDMR;
import static tdmr.check.ModuleError.TDX_NON_ORDERED_RESERVED_IN_TDMR;
import static tdmr.check.ModuleError.TDX_NON_ORDERED_TDMR;
import static tdmr.check.ModuleError.TDX_OPERAND_INVALID;
import static tdmr.check.ModuleError.TDX_PAMT_OUTSIDE_CMRS;
import static tdmr.check.ModuleError.TDX_PAMT_OVERLAP;
import static tdmr.check.ModuleError.TDX_TDMR_OUTSIDE_CMRS;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.ConvertibleMemory;
import tdmr.mem.Count;
import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.PamtRange;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * The TDX module's TDH.SYS.CONFIG checks on a TDMR list, applied offline in the module's order
 * (each a {@link Rule}, explained in docs/tdx-module-rules.md; {@code tdh_sys_config.c} of TDX module
 * 1.5 and 2.0).
 *
 * <p>Order, as the module runs it: A4 (number of TDMRs), A7 (Dynamic PAMT needs HKID start bit ≤
 * 48); then for each TDMR in index order B1 → B2 → B3 → B4 → B5, the reserved-area slots one by one
 * (C1–C6), the PAMT shapes and sizes 1G, 2M, 4K (D1–D3), PAMT disjointness (D4: against each
 * earlier TDMR, levels 4K, 2M, 1G, then the TDMR's own pairs 4K↔2M, 4K↔1G, 2M↔1G), PAMTs against
 * usable TDMR memory (D5: for each earlier-or-same TDMR j, this TDMR's PAMTs against j's usable
 * memory, then j's PAMTs against this TDMR's), PAMTs inside CMRs 1G, 2M, 4K (D6), and finally the
 * TDMR's usable memory inside CMRs (E1, which a fully reserved TDMR passes trivially, E2). The
 * first failure is what the module returns; {@link #firstViolation} reports exactly that one.
 *
 * <p>{@link #allViolations} keeps going. It stays well defined by reporting, in the same order, at
 * most one violation per check site (per reserved slot, per PAMT level, per pair of TDMR and level)
 * and by skipping only checks whose inputs are undefined: nothing after B1 for a TDMR whose end
 * overflows; B3 against a previous TDMR that failed B1; D4–D6 for PAMT levels that failed D1; D5
 * and E1 against a TDMR whose reserved areas failed any of C1–C6. Its first element always equals
 * {@link #firstViolation}.
 *
 * <p>All arithmetic is unsigned 64-bit with the module's overflow tests, since fields may come from
 * a binary file. CMR containment uses {@link ConvertibleMemory#merged()}: touching CMRs act as one
 * (rule E1, {@code is_area_in_cmr}). The PAMT minimum (D2) uses the limits' entry sizes; with
 * Dynamic PAMT the 4K range is the bitmap of rule D3. A TDMR listing more reserved areas than
 * {@link TdxLimits#maxReservedPerTdmr()} cannot be written into TDMR_INFO at all; this is reported
 * as {@link ModuleError#RESERVED_AREAS_EXHAUSTED} (rule C1) where the module would walk its slots.
 *
 * <p>Out of scope, because they depend on the running machine rather than on the layout: A1 and A2
 * (module state, all logical processors initialized), A3 and A8 (alignment, KeyID and SEAMRR checks
 * of the pointer array and of each TDMR_INFO pointer), A5 and A6 (global private KeyID in R8, leaf
 * version, R9/R10 feature flags), and the CMR table's own validity (E4, checked by TDH.SYS.INIT).
 * The TDX 1.0-only tail quirk E3 is not modelled: this validator follows modules 1.5 and 2.0.
 */
public final class ModuleValidator {
  /** MAX_DYNAMIC_PAMT_HKID_START_BIT of module 2.0 (rule A7). */
  private static final int MAX_DYNAMIC_PAMT_HKID_START_BIT = 48;
  /** D1, D2 and D6 walk the levels 1G, 2M, 4K. */
  private static final List<PageSize> SHAPE_ORDER =
      List.of(PageSize.SIZE_1G, PageSize.SIZE_2M, PageSize.SIZE_4K);
  /** PAMT levels per TDMR. */
  private static final int LEVELS = PageSize.values().length;
  /** D4 and D5 walk the levels 4K, 2M, 1G. */
  private static final List<PageSize> OVERLAP_ORDER =
      List.of(PageSize.SIZE_4K, PageSize.SIZE_2M, PageSize.SIZE_1G);

  private final ConvertibleMemory cmrs;
  private final TdxLimits limits;

  public ModuleValidator(ConvertibleMemory cmrs, TdxLimits limits) {
    this.cmrs = Objects.requireNonNull(cmrs, "CMRs");
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /** The error TDH.SYS.CONFIG would return for this layout, or empty when it would succeed. */
  public Optional<Violation> firstViolation(Layout layout) {
    List<Violation> all = allViolations(layout);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
  }

  /**
   * The most violations {@link #allViolations} lists. A layout of hundreds of copies of one TDMR has
   * a violation for every pair of them (D4); listing them all took minutes and told nothing more.
   */
  public static final int MAX_VIOLATIONS = 1000;

  /**
   * Every violation, in the module's order (see the class comment for what is skipped), or the
   * first {@link #MAX_VIOLATIONS} of them.
   */
  public List<Violation> allViolations(Layout layout) {
    return new Run(layout.tdmrs()).check();
  }

  /** True when TDH.SYS.CONFIG would accept the layout. */
  public boolean accepts(Layout layout) {
    return firstViolation(layout).isEmpty();
  }

  /** Ends a run once {@link #MAX_VIOLATIONS} violations are found. */
  private static final class Enough extends RuntimeException {
    Enough() {
      super(null, null, false, false);
    }
  }

  /** One pass over one layout; holds what earlier checks established about each TDMR. */
  private final class Run {
    private final List<Tdmr> tdmrs;
    private final List<Violation> out = new ArrayList<>();
    /** B1 passed: the TDMR's end is defined. */
    private final boolean[] endDefined;
    /** B1 and C1–C6 passed: the TDMR's usable (non-reserved) memory is defined. */
    private final boolean[] usableDefined;
    /** D1 passed for [TDMR][level]: the PAMT range is defined. */
    private final boolean[][] pamtDefined;
    /**
     * The defined PAMT ranges of the TDMRs checked so far, numbered {@code TDMR * LEVELS + level}:
     * D4 and D5 compare a TDMR only with the earlier TDMRs this index names, not with all of them.
     */
    private final OverlapIndex earlierPamts;
    /** The ranges of the TDMRs checked so far whose usable memory is defined (D5's targets), by index. */
    private final OverlapIndex earlierUsable;

    Run(List<Tdmr> tdmrs) {
      this.tdmrs = tdmrs;
      int n = tdmrs.size();
      this.endDefined = new boolean[n];
      this.usableDefined = new boolean[n];
      this.pamtDefined = new boolean[n][LEVELS];
      long[] pamtStart = new long[n * LEVELS];
      long[] pamtEnd = new long[n * LEVELS];
      long[] tdmrStart = new long[n];
      long[] tdmrEnd = new long[n];
      for (int i = 0; i < n; i++) {
        Tdmr t = tdmrs.get(i);
        for (PageSize level : PageSize.values()) {
          PamtRange p = t.pamt().level(level);
          pamtStart[i * LEVELS + level.ordinal()] = p.base();
          pamtEnd[i * LEVELS + level.ordinal()] = p.base() + p.size();
        }
        tdmrStart[i] = t.base();
        tdmrEnd[i] = t.base() + t.size();
      }
      this.earlierPamts = new OverlapIndex(pamtStart, pamtEnd);
      this.earlierUsable = new OverlapIndex(tdmrStart, tdmrEnd);
    }

    List<Violation> check() {
      try {
        callOperands();
        for (int i = 0; i < tdmrs.size(); i++) {
          if (!tdmrGeometry(i)) {
            continue;
          }
          reservedAreas(i);
          pamtShapes(i);
          pamtsDisjoint(i);
          pamtsOutsideUsableMemory(i);
          pamtsInCmrs(i);
          usableMemoryInCmrs(i);
          checked(i);
        }
      } catch (Enough enough) {
        // MAX_VIOLATIONS found: the list is complete up to there.
      }
      return List.copyOf(out);
    }

    /**
     * TDMR {@code i} is checked: later TDMRs compare their PAMTs with its defined PAMT ranges (D4,
     * D5) and their PAMTs with its usable memory when that is defined (D5). Ranges whose base +
     * size overflows are never defined (D1, B1), so each indexed range is a proper one.
     */
    private void checked(int i) {
      for (PageSize level : PageSize.values()) {
        if (pamtDefined[i][level.ordinal()]) {
          earlierPamts.add(i * LEVELS + level.ordinal());
        }
      }
      if (usableDefined[i]) {
        earlierUsable.add(i);
      }
    }

    /** The earlier TDMRs with a defined PAMT range overlapping {@code [start, end)}, added to {@code into}. */
    private void earlierWithPamtsOverlapping(long start, long end, BitSet into) {
      earlierPamts.forEachOverlapping(start, end, k -> into.set(k / LEVELS));
    }

    /** A4: 1 ≤ number of TDMRs ≤ MAX_TDMRS (RDX). A7: Dynamic PAMT needs HKID start bit ≤ 48 (R8). */
    private void callOperands() {
      int n = tdmrs.size();
      if (n < 1 || n > limits.maxTdmrs()) {
        out.add(new Violation(TDX_OPERAND_INVALID, TDX_OPERAND_INVALID.code(2, 0, 0), Rule.A4_TDMR_COUNT, -1,
            "the layout has %d TDMRs; the module accepts 1 to %d (RDX, rule A4)"
                .formatted(n, limits.maxTdmrs())));
      }
      if (limits.dynamicPamt() && limits.hkidStartBit() > MAX_DYNAMIC_PAMT_HKID_START_BIT) {
        out.add(new Violation(TDX_OPERAND_INVALID, TDX_OPERAND_INVALID.code(8, 0, 0), Rule.A7_DYNAMIC_PAMT_HKID, -1,
            "Dynamic PAMT requires the HKID start bit to be at most %d, the platform's is %d (R8, rule A7)"
                .formatted(MAX_DYNAMIC_PAMT_HKID_START_BIT, limits.hkidStartBit())));
      }
    }

    /** B1–B5; false when B1 fails, because then the TDMR's end and everything inside it is undefined. */
    private boolean tdmrGeometry(int i) {
      Tdmr t = tdmrs.get(i);
      if (!fitsIn64Bits(t.base(), t.size())) {
        report(TDX_INVALID_TDMR, Rule.B1_TDMR_NO_OVERFLOW, i, i, 0, 0,
            "TDMR %d (base 0x%x, size 0x%x): base + size overflows 64 bits (rule B1)"
                .formatted(i, t.base(), t.size()));
        return false;
      }
      endDefined[i] = true;
      if (i > 0) {
        Tdmr prev = tdmrs.get(i - 1);
        if (Long.compareUnsigned(t.base(), prev.base()) < 0) {
          report(TDX_NON_ORDERED_TDMR, Rule.B2_TDMRS_SORTED, i, i, 0, 0,
              "%s starts below TDMR %d %s; TDMRs must be sorted by base (rule B2)"
                  .formatted(name(i), i - 1, range(prev)));
        } else if (endDefined[i - 1] && Long.compareUnsigned(t.base(), prev.end()) < 0) {
          report(TDX_NON_ORDERED_TDMR, Rule.B3_TDMRS_DISJOINT, i, i, 0, 0,
              "%s overlaps TDMR %d %s (rule B3)".formatted(name(i), i - 1, range(prev)));
        }
      }
      if (!aligned(t.base(), Tdmr.ALIGNMENT) || !aligned(t.size(), Tdmr.ALIGNMENT) || t.size() == 0) {
        report(TDX_INVALID_TDMR, Rule.B4_TDMR_1G_ALIGNED, i, i, 0, 0,
            "%s: base and size must be non-zero multiples of 1 GiB (rule B4)".formatted(name(i)));
      }
      if (t.size() != 0 && (!keyIdFree(t.base()) || !keyIdFree(t.end() - 1))) {
        report(TDX_INVALID_TDMR, Rule.B5_TDMR_BELOW_HKID, i, i, 0, 0,
            "%s reaches at or above 0x%x, where KeyID bits start (HKID start bit %d, rule B5)"
                .formatted(name(i), limits.hkidLimit(), limits.hkidStartBit()));
      }
      return true;
    }

    /** C1–C6, slot by slot, as the module walks them; at most one violation per slot. */
    private void reservedAreas(int i) {
      Tdmr t = tdmrs.get(i);
      List<ReservedArea> slots = t.reserved();
      if (slots.size() > limits.maxReservedPerTdmr()) {
        // TDMR_INFO has maxReservedPerTdmr slots (rule C1: at most that many areas exist).
        report(RESERVED_AREAS_EXHAUSTED, Rule.C1_RESERVED_SLOTS, i, i, 0, 0,
            "%s lists %s; TDMR_INFO has only %s (rule C1)"
                .formatted(name(i), Count.of(slots.size(), "reserved area"),
                    Count.of(limits.maxReservedPerTdmr(), "slot")));
      }
      boolean allPassed = true;
      for (int j = 0; j < slots.size(); j++) {
        allPassed &= reservedSlot(i, j);
      }
      usableDefined[i] = allPassed;
    }

    private boolean reservedSlot(int i, int j) {
      Tdmr t = tdmrs.get(i);
      List<ReservedArea> slots = t.reserved();
      ReservedArea a = slots.get(j);
      if (a.isNull()) {
        if (j + 1 < slots.size() && !slots.get(j + 1).isNull()) {
          report(TDX_NON_ORDERED_RESERVED_IN_TDMR, Rule.C1_RESERVED_SLOTS, i, i, j, 0,
              "%s: reserved slot %d is null (size 0) but slot %d is not; null slots must come last (rule C1)"
                  .formatted(name(i), j, j + 1));
          return false;
        }
        return true;
      }
      if (!fitsIn64Bits(a.offset(), a.size())) {
        report(TDX_INVALID_RESERVED_IN_TDMR, Rule.C2_RESERVED_NO_OVERFLOW, i, i, j, 0,
            "%s: reserved area %d (offset 0x%x, size 0x%x): offset + size overflows 64 bits (rule C2)"
                .formatted(name(i), j, a.offset(), a.size()));
        return false;
      }
      ReservedArea prev = j > 0 ? slots.get(j - 1) : null;
      if (prev != null && !prev.isNull() && fitsIn64Bits(prev.offset(), prev.size())) {
        if (Long.compareUnsigned(a.offset(), prev.offset()) < 0) {
          report(TDX_NON_ORDERED_RESERVED_IN_TDMR, Rule.C3_RESERVED_SORTED, i, i, j, 0,
              "%s: reserved area %d %s starts below reserved area %d %s; areas must be sorted by offset (rule C3)"
                  .formatted(name(i), j, a, j - 1, prev));
          return false;
        }
        if (Long.compareUnsigned(a.offset(), prev.offset() + prev.size()) < 0) {
          report(TDX_NON_ORDERED_RESERVED_IN_TDMR, Rule.C4_RESERVED_DISJOINT, i, i, j, 0,
              "%s: reserved area %d %s overlaps reserved area %d %s (rule C4)"
                  .formatted(name(i), j, a, j - 1, prev));
          return false;
        }
      }
      if (!aligned(a.offset(), PAGE) || !aligned(a.size(), PAGE)) {
        report(TDX_INVALID_RESERVED_IN_TDMR, Rule.C5_RESERVED_4K_ALIGNED, i, i, j, 0,
            "%s: reserved area %d %s: offset and size must be multiples of 4 KiB (rule C5)"
                .formatted(name(i), j, a));
        return false;
      }
      if (!fitsIn64Bits(t.base(), a.offset())
          || !fitsIn64Bits(t.base() + a.offset(), a.size())
          || Long.compareUnsigned(t.base() + a.offset() + a.size(), t.end()) > 0) {
        report(TDX_INVALID_RESERVED_IN_TDMR, Rule.C6_RESERVED_INSIDE_TDMR, i, i, j, 0,
            "%s: reserved area %d %s does not fit inside the TDMR (size 0x%x, rule C6)"
                .formatted(name(i), j, a, t.size()));
        return false;
      }
      return true;
    }

    /** D1 (shape) then D2/D3 (minimum size), levels 1G, 2M, 4K; one violation per level. */
    private void pamtShapes(int i) {
      Tdmr t = tdmrs.get(i);
      for (PageSize level : SHAPE_ORDER) {
        PamtRange p = t.pamt().level(level);
        // Only for a message: formatting it for every level of 20 000 valid TDMRs cost seconds.
        Supplier<String> what =
            () -> "%s: PAMT_%s (base 0x%x, size 0x%x)".formatted(name(i), level.label(), p.base(), p.size());
        if (!fitsIn64Bits(p.base(), p.size())) {
          report(TDX_INVALID_PAMT, Rule.D1_PAMT_SHAPE, i, i, level.level(), 0,
              what.get() + ": base + size overflows 64 bits (rule D1)");
          continue;
        }
        if (!aligned(p.base(), PAGE) || !aligned(p.size(), PAGE)) {
          report(TDX_INVALID_PAMT, Rule.D1_PAMT_SHAPE, i, i, level.level(), 0,
              what.get() + ": base and size must be multiples of 4 KiB (rule D1)");
          continue;
        }
        // The module tests base + size - 1 even for size 0, where it wraps below base (rule D1).
        if (!keyIdFree(p.base()) || !keyIdFree(p.base() + p.size() - 1)) {
          report(TDX_INVALID_PAMT, Rule.D1_PAMT_SHAPE, i, i, level.level(), 0,
              what.get() + ": reaches at or above 0x%x, where KeyID bits start (HKID start bit %d, rule D1)"
                  .formatted(limits.hkidLimit(), limits.hkidStartBit()));
          continue;
        }
        pamtDefined[i][level.ordinal()] = true;
        long required = requiredPamtBytes(t.size(), level);
        if (Long.compareUnsigned(p.size(), required) < 0) {
          boolean bitmap = level == PageSize.SIZE_4K && limits.dynamicPamt();
          Rule rule = bitmap ? Rule.D3_DYNAMIC_PAMT_SIZE : Rule.D2_PAMT_SIZE;
          report(TDX_INVALID_PAMT, rule, i, i, level.level(), 0,
              what.get() + ": %s is smaller than the %s %s needs for a TDMR of %s (rule %s)"
                  .formatted(ByteSize.human(p.size()), humanUnsigned(required),
                      bitmap ? "Dynamic PAMT bitmap" : "PAMT",
                      humanUnsigned(t.size()), rule.id()));
        }
      }
    }

    /**
     * D4: all PAMT ranges are pairwise disjoint. For each earlier TDMR j, this TDMR's 4K, 2M, 1G
     * ranges against all of j's; then this TDMR's own pairs 4K↔2M, 4K↔1G, 2M↔1G. Only the earlier
     * TDMRs with a defined PAMT range overlapping one of this TDMR's are looked at (in index order,
     * as the module walks them): the others pass.
     */
    private void pamtsDisjoint(int i) {
      Tdmr t = tdmrs.get(i);
      BitSet overlapping = new BitSet();
      for (PageSize level : OVERLAP_ORDER) {
        if (pamtDefined[i][level.ordinal()]) {
          PamtRange p = t.pamt().level(level);
          earlierWithPamtsOverlapping(p.base(), p.end(), overlapping);
        }
      }
      for (int j = overlapping.nextSetBit(0); j >= 0; j = overlapping.nextSetBit(j + 1)) {
        for (PageSize level : OVERLAP_ORDER) {
          if (!pamtDefined[i][level.ordinal()]) {
            continue;
          }
          PamtRange mine = t.pamt().level(level);
          for (PageSize other : OVERLAP_ORDER) {
            PamtRange theirs = tdmrs.get(j).pamt().level(other);
            if (pamtDefined[j][other.ordinal()] && overlap(mine, theirs)) {
              report(TDX_PAMT_OVERLAP, Rule.D4_PAMTS_DISJOINT, i, i, level.level(), j,
                  "%s: PAMT_%s %s overlaps PAMT_%s %s of TDMR %d %s (rule D4)"
                      .formatted(name(i), level.label(), mine, other.label(), theirs, j, range(tdmrs.get(j))));
              break;
            }
          }
        }
      }
      ownPair(i, PageSize.SIZE_4K, PageSize.SIZE_2M);
      ownPair(i, PageSize.SIZE_4K, PageSize.SIZE_1G);
      ownPair(i, PageSize.SIZE_2M, PageSize.SIZE_1G);
    }

    private void ownPair(int i, PageSize first, PageSize second) {
      if (!pamtDefined[i][first.ordinal()] || !pamtDefined[i][second.ordinal()]) {
        return;
      }
      PamtRange a = tdmrs.get(i).pamt().level(first);
      PamtRange b = tdmrs.get(i).pamt().level(second);
      if (overlap(a, b)) {
        report(TDX_PAMT_OVERLAP, Rule.D4_PAMTS_DISJOINT, i, i, first.level(), i,
            "%s: its PAMT_%s %s overlaps its PAMT_%s %s (rule D4)"
                .formatted(name(i), first.label(), a, second.label(), b));
      }
    }

    /**
     * D5: no PAMT overlaps the usable (non-reserved) memory of any TDMR. For j = 0..i: this TDMR's
     * PAMTs against j's usable memory, then (j < i) j's PAMTs against this TDMR's usable memory.
     * Only the earlier TDMRs whose range overlaps one of this TDMR's PAMTs, or whose PAMTs overlap
     * this TDMR, can fail either check ({@link #pamtsAgainstUsable} passes the others at once).
     */
    private void pamtsOutsideUsableMemory(int i) {
      Tdmr t = tdmrs.get(i);
      BitSet near = new BitSet();
      for (PageSize level : OVERLAP_ORDER) {
        if (pamtDefined[i][level.ordinal()]) {
          PamtRange p = t.pamt().level(level);
          earlierUsable.forEachOverlapping(p.base(), p.end(), near::set);
        }
      }
      if (usableDefined[i]) {
        earlierWithPamtsOverlapping(t.base(), t.end(), near);
      }
      for (int j = near.nextSetBit(0); j >= 0; j = near.nextSetBit(j + 1)) {
        pamtsAgainstUsable(i, i, j);
        pamtsAgainstUsable(i, j, i);
      }
      pamtsAgainstUsable(i, i, i);
    }

    /** While checking TDMR {@code current}: PAMTs of {@code owner} against usable memory of {@code target}. */
    private void pamtsAgainstUsable(int current, int owner, int target) {
      if (!usableDefined[target] || !anyPamtOverlaps(owner, tdmrs.get(target))) {
        // Usable parts lie inside their TDMR: a PAMT outside it overlaps none (and on layouts of
        // hundreds of TDMRs most pairs are far apart, so this keeps the check fast).
        return;
      }
      List<long[]> usable = usableParts(tdmrs.get(target));
      for (PageSize level : OVERLAP_ORDER) {
        if (!pamtDefined[owner][level.ordinal()]) {
          continue;
        }
        PamtRange p = tdmrs.get(owner).pamt().level(level);
        for (long[] part : usable) {
          if (overlap(p.base(), p.size(), part[0], part[1] - part[0])) {
            String usablePart = "usable (non-reserved) memory [0x%x, 0x%x)".formatted(part[0], part[1]);
            String hit = owner == target
                ? "its own " + usablePart
                : "%s of TDMR %d %s".formatted(usablePart, target, range(tdmrs.get(target)));
            report(TDX_PAMT_OVERLAP, Rule.D5_PAMT_NOT_IN_USABLE_MEMORY, current, owner, level.level(), target,
                "%s: PAMT_%s %s overlaps %s (rule D5)"
                    .formatted(name(owner), level.label(), p, hit));
            break;
          }
        }
      }
    }

    /** True when some defined PAMT level of TDMR {@code owner} overlaps the range of {@code target}. */
    private boolean anyPamtOverlaps(int owner, Tdmr target) {
      for (PageSize level : OVERLAP_ORDER) {
        if (pamtDefined[owner][level.ordinal()]) {
          PamtRange p = tdmrs.get(owner).pamt().level(level);
          if (overlap(p.base(), p.size(), target.base(), target.size())) {
            return true;
          }
        }
      }
      return false;
    }

    /** D6: each PAMT range lies inside one merged CMR, levels 1G, 2M, 4K. */
    private void pamtsInCmrs(int i) {
      for (PageSize level : SHAPE_ORDER) {
        if (!pamtDefined[i][level.ordinal()]) {
          continue;
        }
        PamtRange p = tdmrs.get(i).pamt().level(level);
        if (!inCmr(p.base(), p.end())) {
          report(TDX_PAMT_OUTSIDE_CMRS, Rule.D6_PAMT_IN_CMRS, i, i, level.level(), 0,
              "%s: PAMT_%s %s is not inside one CMR%s (rule D6)"
                  .formatted(name(i), level.label(), p, notConvertible(p.base(), p.end())));
        }
      }
    }

    /** E1: every non-empty gap between reserved areas lies inside one merged CMR (E2: none for a fully reserved TDMR). */
    private void usableMemoryInCmrs(int i) {
      if (!usableDefined[i]) {
        return;
      }
      List<String> outside = new ArrayList<>();
      for (long[] part : usableParts(tdmrs.get(i))) {
        if (!inCmr(part[0], part[1])) {
          outside.add("[0x%x, 0x%x)%s".formatted(part[0], part[1], notConvertible(part[0], part[1])));
        }
      }
      if (!outside.isEmpty()) {
        report(TDX_TDMR_OUTSIDE_CMRS, Rule.E1_USABLE_MEMORY_IN_CMRS, i, i, 0, 0,
            "%s: usable (non-reserved) memory %s is not inside one CMR; reserve it or shrink the TDMR (rule E1)"
                .formatted(name(i), String.join(", ", outside)));
      }
    }

    private void report(ModuleError error, Rule rule, int tdmr, int b0, int b1, int b2, String message) {
      out.add(new Violation(error, error.code(b0, b1, b2), rule, tdmr, message));
      if (out.size() >= MAX_VIOLATIONS) {
        throw new Enough();
      }
    }

    private String name(int i) {
      return "TDMR %d %s".formatted(i, range(tdmrs.get(i)));
    }
  }

  /** The module's minimum PAMT size (rules D2, D3), unsigned, saturating at 2^64 - 1. */
  private long requiredPamtBytes(long tdmrSize, PageSize level) {
    if (level == PageSize.SIZE_4K && limits.dynamicPamt()) {
      // D3: one bit per 4 KiB page; the module divides (S / 4 KiB) by 8 without rounding.
      return (tdmrSize >>> 12) * TdxLimits.DPAMT_BITMAP_BITS / 8;
    }
    long entries = tdmrSize >>> level.shift();
    long entrySize = limits.entrySize(level);
    if (Long.compareUnsigned(entries, Long.divideUnsigned(-1L, entrySize)) > 0) {
      return -1L;
    }
    return entries * entrySize;
  }

  /**
   * The usable parts of a TDMR whose reserved areas passed C1–C6: the non-empty gaps before,
   * between and after the areas, as {@code {start, end}} pairs (rule E1's walk).
   */
  private static List<long[]> usableParts(Tdmr t) {
    List<long[]> parts = new ArrayList<>();
    long cursor = t.base();
    for (ReservedArea a : t.reserved()) {
      if (a.isNull()) {
        break;
      }
      long start = t.base() + a.offset();
      if (Long.compareUnsigned(start, cursor) > 0) {
        parts.add(new long[] {cursor, start});
      }
      cursor = start + a.size();
    }
    if (Long.compareUnsigned(t.end(), cursor) > 0) {
      parts.add(new long[] {cursor, t.end()});
    }
    return parts;
  }

  /**
   * {@code is_area_in_cmr}: some merged CMR holds {@code [start, end)}; unsigned, with {@code start}
   * at most {@code end}. The merged CMRs are sorted, disjoint and below 2^63: only the last one
   * starting at or below {@code start} can hold the range, found by binary search (maps with
   * 10 000 CMRs ask this for every PAMT and usable part of every TDMR).
   */
  private boolean inCmr(long start, long end) {
    List<AddressRange> merged = cmrs.merged();
    if (start >= 0) {
      int lo = 0;
      int hi = merged.size();
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (merged.get(mid).start() <= start) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo > 0 && Long.compareUnsigned(end, merged.get(lo - 1).end()) <= 0;
    }
    for (AddressRange m : merged) {
      if (Long.compareUnsigned(start, m.start()) >= 0 && Long.compareUnsigned(end, m.end()) <= 0) {
        return true;
      }
    }
    return false;
  }

  /** ", non-convertible: [..]" for ranges below 2^63, to show what a CMR misses. */
  private String notConvertible(long start, long end) {
    if (start < 0 || end < start) {
      // Raw fields past 2^63 (a negative end with start >= 0 is below start).
      return "";
    }
    List<AddressRange> gaps = cmrs.uncovered(new AddressRange(start, end));
    if (gaps.isEmpty()) {
      // An empty range (a PAMT level of size 0): no byte to name. A non-empty range that is in no
      // merged CMR always has one, since CMRs are disjoint and touching ones are merged.
      return "";
    }
    return " (not convertible: " + gaps.stream().map(AddressRange::toString).reduce((a, b) -> a + ", " + b).orElse("") + ")";
  }

  private boolean keyIdFree(long address) {
    // HKOK: below 2^HKID_START (modules 1.0 and 1.5, where P = MAX_PA = 52).
    return Long.compareUnsigned(address, limits.hkidLimit()) < 0;
  }

  /** {@code is_valid_integer_range}: base + size ≤ 2^64 - 1. */
  static boolean fitsIn64Bits(long base, long size) {
    return Long.compareUnsigned(base, -1L - size) <= 0;
  }

  private static boolean aligned(long value, long alignment) {
    return (value & (alignment - 1)) == 0;
  }

  /** {@code is_overlap}: ranges that only touch do not overlap; unsigned. */
  private static boolean overlap(long a, long sizeA, long b, long sizeB) {
    return !(Long.compareUnsigned(a, b + sizeB) >= 0 || Long.compareUnsigned(b, a + sizeA) >= 0);
  }

  private static boolean overlap(PamtRange a, PamtRange b) {
    return overlap(a.base(), a.size(), b.base(), b.size());
  }

  private static String range(Tdmr t) {
    return "[0x%x, 0x%x)".formatted(t.base(), t.end());
  }

  private static String humanUnsigned(long bytes) {
    return bytes < 0 ? "0x%x bytes".formatted(bytes) : ByteSize.human(bytes);
  }
}
