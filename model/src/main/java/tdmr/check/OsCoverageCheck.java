package tdmr.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.PamtRange;
import tdmr.tdx.Policy;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;

/**
 * What the operating system needs from a layout beyond the module's rules.
 *
 * <ol>
 *   <li>{@link Rule#O1_TDX_MEMORY_COVERED}: every byte of TDX memory (the map's blocks) lies in the usable (non-reserved) part of some
 *       TDMR, or inside a PAMT: memory outside both cannot be given to TDX guests, which the kernel
 *       refuses unless coverage {@code max} was asked for.
 *   <li>{@link Rule#O2_PAMT_IN_TDX_MEMORY}: every PAMT range lies inside TDX memory, because the kernel allocates PAMTs from it
 *       ({@code alloc_contig_pages}).
 *   <li>{@link Rule#O3_GAPS_RESERVED}: with holes policy {@code memlist}, every usable byte of every TDMR is TDX memory: mainline
 *       Linux reserves every gap between memory blocks, convertible or not.
 * </ol>
 *
 * <p>Raw fields that do not form a range below 2^63 (overflowing or negative values) are left out
 * here; the module validator reports them.
 */
public final class OsCoverageCheck {
  /**
   * The most O2/O3 problems a verdict lists, as {@link ModuleValidator#MAX_VIOLATIONS} for the
   * module: a layout of thousands of copies of one TDMR has a problem per gap per copy, and listing
   * tens of thousands of them told nothing more (and took seconds to print).
   */
  public static final int MAX_PROBLEMS = ModuleValidator.MAX_VIOLATIONS;

  private final MemoryMap map;
  private final Policy.Holes holes;

  public OsCoverageCheck(MemoryMap map, Policy.Holes holes) {
    this.map = Objects.requireNonNull(map, "map");
    this.holes = Objects.requireNonNull(holes, "holes");
  }

  /**
   * The OS verdict on a layout.
   *
   * @param uncoveredMemory TDX memory that is neither usable TDMR memory nor PAMT (rule O1), merged
   * @param problems the other failures (rules O2 and O3)
   */
  public record Verdict(List<AddressRange> uncoveredMemory, List<Problem> problems) {
    public Verdict {
      uncoveredMemory = List.copyOf(uncoveredMemory);
      problems = List.copyOf(problems);
    }

    /** True when nothing is wrong; with coverage {@code MAX} uncovered memory is allowed. */
    public boolean holds(Policy.Coverage coverage) {
      return problems.isEmpty() && (coverage == Policy.Coverage.MAX || uncoveredMemory.isEmpty());
    }

    public long uncoveredBytes() {
      return uncoveredMemory.stream().mapToLong(AddressRange::size).sum();
    }

    /** One sentence per uncovered range. */
    public List<String> uncoveredMessages() {
      return uncoveredMemory.stream()
          .map(r -> "TDX memory %s (%s) is in no TDMR's usable memory and in no PAMT (rule O1)"
              .formatted(r, ByteSize.human(r.size())))
          .toList();
    }

    /** Everything that fails under the given coverage policy, uncovered memory first. */
    public List<String> failures(Policy.Coverage coverage) {
      List<String> out = new ArrayList<>();
      if (coverage == Policy.Coverage.ALL) {
        out.addAll(uncoveredMessages());
      }
      problems.forEach(p -> out.add(p.message()));
      return out;
    }
  }

  /**
   * One failure of rule O2 or O3.
   *
   * @param rule the rule that fails
   * @param tdmrIndex the TDMR it is about
   * @param range the bytes that break it
   * @param message a sentence naming the TDMR, the range and the rule, for people
   */
  public record Problem(Rule rule, int tdmrIndex, AddressRange range, String message) {
    @Override
    public String toString() {
      return message;
    }
  }

  /** Checks the layout against the map. */
  public Verdict check(Layout layout) {
    List<AddressRange> memory = normalize(map.blocks().stream().map(MemoryBlock::range).toList());
    List<AddressRange> usableOrPamt = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    for (int i = 0; i < layout.tdmrs().size(); i++) {
      Tdmr t = layout.tdmrs().get(i);
      for (PageSize level : PageSize.values()) {
        PamtRange p = t.pamt().level(level);
        AddressRange r = rangeOrNull(p.base(), p.size());
        if (r == null) {
          continue;
        }
        usableOrPamt.add(r);
        if (problems.size() >= MAX_PROBLEMS) {
          continue;
        }
        for (AddressRange outside : subtract(List.of(r), memory)) {
          problems.add(new Problem(Rule.O2_PAMT_IN_TDX_MEMORY, i, outside,
              "TDMR %d %s: PAMT_%s %s: %s (%s) is not TDX memory; the kernel allocates PAMTs from TDX memory (rule O2)"
                  .formatted(i, tdmrRange(t), level.label(), p, outside, ByteSize.human(outside.size()))));
        }
      }
      List<AddressRange> usable = usable(t);
      usableOrPamt.addAll(usable);
      if (holes == Policy.Holes.MEMLIST && problems.size() < MAX_PROBLEMS) {
        for (AddressRange notMemory : subtract(usable, memory)) {
          problems.add(new Problem(Rule.O3_GAPS_RESERVED, i, notMemory,
              ("TDMR %d %s: usable memory %s (%s) is not TDX memory; with holes=memlist every gap "
                      + "between memory blocks must be reserved (rule O3)")
                  .formatted(i, tdmrRange(t), notMemory, ByteSize.human(notMemory.size()))));
        }
      }
    }
    List<AddressRange> uncovered = subtract(memory, normalize(usableOrPamt));
    return new Verdict(uncovered, problems.size() > MAX_PROBLEMS ? problems.subList(0, MAX_PROBLEMS) : problems);
  }

  /** The TDMR minus its reserved areas, clipped to the TDMR; empty when the TDMR is not a range. */
  private static List<AddressRange> usable(Tdmr t) {
    AddressRange whole = rangeOrNull(t.base(), t.size());
    if (whole == null) {
      return List.of();
    }
    List<AddressRange> reserved = new ArrayList<>();
    for (ReservedArea a : t.reserved()) {
      if (a.isNull() || a.offset() < 0) {
        continue;
      }
      // A base + offset past 2^63 wraps below 0, which rangeOrNull refuses.
      AddressRange r = rangeOrNull(t.base() + a.offset(), a.size());
      if (r != null) {
        reserved.add(r.intersect(whole));
      }
    }
    return subtract(List.of(whole), normalize(reserved));
  }

  private static AddressRange rangeOrNull(long base, long size) {
    if (base < 0 || size <= 0 || base > Long.MAX_VALUE - size) {
      return null;
    }
    return AddressRange.ofSize(base, size);
  }

  /** Sorted, non-empty, with overlapping or touching ranges merged. */
  private static List<AddressRange> normalize(List<AddressRange> ranges) {
    List<AddressRange> sorted = ranges.stream().filter(r -> !r.isEmpty())
        .sorted(Comparator.naturalOrder()).toList();
    List<AddressRange> out = new ArrayList<>();
    for (AddressRange r : sorted) {
      int last = out.size() - 1;
      if (last >= 0 && out.get(last).overlapsOrTouches(r)) {
        out.set(last, new AddressRange(out.get(last).start(), Math.max(out.get(last).end(), r.end())));
      } else {
        out.add(r);
      }
    }
    return out;
  }

  /** The parts of {@code ranges} outside {@code holes}; {@code holes} must be normalized. */
  private static List<AddressRange> subtract(List<AddressRange> ranges, List<AddressRange> holes) {
    List<AddressRange> out = new ArrayList<>();
    for (AddressRange r : ranges) {
      long cursor = r.start();
      // Holes are sorted and disjoint: start at the first one ending after r starts (a scan from
      // the first hole for every range was quadratic on maps of thousands of blocks); every later
      // hole ends after the cursor too.
      for (int i = firstEndingAfter(holes, cursor); i < holes.size(); i++) {
        AddressRange h = holes.get(i);
        if (h.start() >= r.end()) {
          break;
        }
        if (h.start() > cursor) {
          out.add(new AddressRange(cursor, h.start()));
        }
        cursor = Math.max(cursor, h.end());
      }
      if (cursor < r.end()) {
        out.add(new AddressRange(cursor, r.end()));
      }
    }
    return out;
  }

  /** Index of the first of the sorted, disjoint {@code ranges} whose end lies above {@code address}. */
  private static int firstEndingAfter(List<AddressRange> ranges, long address) {
    int lo = 0;
    int hi = ranges.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (ranges.get(mid).end() <= address) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static String tdmrRange(Tdmr t) {
    return "[0x%x, 0x%x)".formatted(t.base(), t.end());
  }
}
