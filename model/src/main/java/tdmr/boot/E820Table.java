package tdmr.boot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import tdmr.mem.AddressRange;
import tdmr.mem.E820Entry;

/**
 * The kernel's e820 table under boot parameters: the changes of {@link MemmapEdit}s in order
 * ({@code e820__range_add}, {@code e820__range_update}, {@code e820__range_remove}), then one
 * {@code e820__update_table} ({@code e820__finish_early_params}), which is the table the kernel
 * prints as {@code user: [mem ...]} lines and builds memblock from.
 */
public final class E820Table {
  private E820Table() {}

  /** One entry by type number, the way the kernel keeps it. */
  private record Entry(long start, long end, int type) {}

  /**
   * The user-defined table: {@code table} with the edits applied and sanitized.
   *
   * @throws IllegalArgumentException when the kernel would panic ("Invalid user supplied memory
   *     map": fewer than two entries are left to sanitize)
   */
  public static List<E820Entry> apply(List<E820Entry> table, List<MemmapEdit> edits) {
    List<Entry> entries = new ArrayList<>();
    for (E820Entry e : table) {
      entries.add(new Entry(e.range().start(), e.range().end(), e.typeCode()));
    }
    for (MemmapEdit edit : edits) {
      if (edit instanceof MemmapEdit.ExactMap) {
        entries.clear();
      } else if (edit instanceof MemmapEdit.Add add) {
        entries.add(new Entry(add.range().start(), add.range().end(), add.type()));
      } else if (edit instanceof MemmapEdit.Update update) {
        entries = change(entries, update.range(), update.from(), update.to());
      } else if (edit instanceof MemmapEdit.Remove remove) {
        entries = change(entries, remove.range(), remove.type().orElse(0), 0);
      }
    }
    if (entries.stream().filter(e -> e.end > e.start).count() < 2) {
      throw new IllegalArgumentException(
          "the kernel would stop at boot with \"Invalid user supplied memory map\": fewer than 2 e820 entries are left");
    }
    return toEntries(sweep(entries));
  }

  /**
   * {@code e820__update_table}: overlaps resolved in favour of the larger type number, touching
   * entries of one type joined, except persistent (type 12) and soft reserved entries, which the
   * kernel keeps apart ({@code e820_nomerge}).
   */
  public static List<E820Entry> sanitize(List<E820Entry> table) {
    List<Entry> entries = new ArrayList<>();
    for (E820Entry e : table) {
      entries.add(new Entry(e.range().start(), e.range().end(), e.typeCode()));
    }
    return toEntries(sweep(entries));
  }

  private static List<E820Entry> toEntries(List<Entry> entries) {
    List<E820Entry> out = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      out.add(E820Entry.ofCode(new AddressRange(e.start, e.end), e.type, 0));
    }
    return out;
  }

  /**
   * The parts of entries of type {@code from} (any type when 0) inside {@code range} become type
   * {@code to}, or are removed when {@code to} is 0.
   */
  private static List<Entry> change(List<Entry> entries, AddressRange range, int from, int to) {
    List<Entry> out = new ArrayList<>(entries.size() + 2);
    for (Entry e : entries) {
      long s = Math.max(e.start, range.start());
      long t = Math.min(e.end, range.end());
      if ((from != 0 && e.type != from) || s >= t) {
        out.add(e);
        continue;
      }
      if (e.start < s) {
        out.add(new Entry(e.start, s, e.type));
      }
      if (to != 0) {
        out.add(new Entry(s, t, to));
      }
      if (t < e.end) {
        out.add(new Entry(t, e.end, e.type));
      }
    }
    return out;
  }

  private static boolean noMerge(int type) {
    return type == E820Entry.PRAM || type == E820Entry.SOFT_RESERVED;
  }

  /** A sweep over the change points, as {@code e820__update_table} does. */
  private static List<Entry> sweep(List<Entry> entries) {
    record Point(long address, boolean isEnd, int type) {}
    List<Point> points = new ArrayList<>();
    for (Entry e : entries) {
      if (e.end > e.start) {
        points.add(new Point(e.start, false, e.type));
        points.add(new Point(e.end, true, e.type));
      }
    }
    points.sort(Comparator.comparingLong(Point::address).thenComparing(Point::isEnd));
    TreeMap<Long, Integer> active = new TreeMap<>(Long::compareUnsigned);
    List<Entry> out = new ArrayList<>();
    long lastAddress = 0;
    int lastType = 0;
    for (int i = 0; i < points.size(); i++) {
      Point p = points.get(i);
      long key = Integer.toUnsignedLong(p.type);
      if (p.isEnd) {
        active.merge(key, -1, Integer::sum);
        if (active.get(key) == 0) {
          active.remove(key);
        }
      } else {
        active.merge(key, 1, Integer::sum);
      }
      int current = active.isEmpty() ? 0 : (int) (long) active.lastKey();
      if (current != lastType || noMerge(current)) {
        if (lastType != 0 && p.address > lastAddress) {
          out.add(new Entry(lastAddress, p.address, lastType));
        }
        if (current != 0) {
          lastAddress = p.address;
        }
        lastType = current;
      }
    }
    return out;
  }
}
