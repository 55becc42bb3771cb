package tdmr.bench.gen;

import static tdmr.mem.ByteSize.GiB;
import static tdmr.mem.ByteSize.KiB;
import static tdmr.mem.ByteSize.MiB;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.mem.E820Entry;
import tdmr.mem.MemoryBlock;

/**
 * Builds the firmware tables of a synthetic machine from a {@link MachineSpec} and a seed.
 *
 * <p>All randomness comes from one {@link SplittableRandom} seeded with the given seed, split once
 * per phase (low memory, MMIO hole, {@code memmap=} holes), so the same spec and seed always give
 * the same machine on every JVM. The phases copy what real e820 tables show:
 *
 * <ol>
 *   <li>Low memory: usable {@code [0, 0x9f000)} and reserved up to 1 MiB; one big usable range from
 *       1 MiB; then a firmware zone of alternating small cut-outs ({@code reserved}, {@code ACPI
 *       data}, {@code ACPI NVS}, {@code type 20}; KiB to MiB) and usable islands; then a firmware
 *       block (reserved, ACPI NVS, ACPI data) and, on 70% of machines, a last usable 4 KiB page just
 *       below {@code lowTop} (as on the EMR, Dell R650 and Archer City maps).
 *   <li>The PCI/MMIO hole: reserved {@code [lowTop, 0x90000000)} and a few small reserved MMIO
 *       entries below 4 GiB, as every server map shows.
 *   <li>Memory above 4 GiB node by node; a reserved, non-convertible tail closes each CMR group.
 *   <li>{@code memmap=nn$ss} cut-outs: reserved in e820, still convertible.
 *   <li>A CXL {@code soft reserved} window on a memory-only node and SRAT hot-plug ranges; neither
 *       is TDX memory.
 * </ol>
 */
public final class MapGenerator {
  private static final long PAGE = 4 * KiB;
  /** The kernel drops TDX memory below 1 MiB ("The first 1MB is not reported as TDX convertible memory"). */
  private static final long ONE_MIB = MiB;
  private static final long FOUR_GIB = 4 * GiB;
  private static final long HOTPLUG_RANGE_BYTES = 64 * GiB;
  private static final String USABLE = "usable";
  private static final String RESERVED = "reserved";
  /** Small reserved MMIO entries between the PCI hole and 4 GiB seen on the real maps (IOAPIC, HPET, TPM, flash). */
  private static final AddressRange[] MMIO_ENTRIES = {
    new AddressRange(0xfd000000L, 0xfe800000L),
    new AddressRange(0xfec00000L, 0xfec01000L),
    new AddressRange(0xfed1c000L, 0xfed20000L),
    new AddressRange(0xfed40000L, 0xfed45000L),
    new AddressRange(0xff000000L, 0x100000000L),
  };

  private MapGenerator() {}

  /**
   * A realistic machine: {@link MachineSpec#realistic} drawn from the seed, then generated. The
   * shape is drawn from the complemented seed so that it is independent of the draws of {@link
   * #generate}, which start from the seed itself.
   */
  public static SyntheticMachine realistic(long seed) {
    return generate(MachineSpec.realistic(new SplittableRandom(~seed)), seed);
  }

  /** See {@link MachineSpec#fragmented}. */
  public static SyntheticMachine fragmented(int holes, long seed) {
    return generate(MachineSpec.fragmented(holes), seed);
  }

  /** See {@link MachineSpec#manyNodes}. */
  public static SyntheticMachine manyNodes(int nodes, long seed) {
    return generate(MachineSpec.manyNodes(nodes), seed);
  }

  /** See {@link MachineSpec#memmapFragmented}. */
  public static SyntheticMachine memmapFragmented(int holes, long seed) {
    return generate(MachineSpec.memmapFragmented(holes), seed);
  }

  /**
   * Generates the machine; throws {@link IllegalArgumentException} when the spec asks for more
   * fragments than its memory can hold.
   */
  public static SyntheticMachine generate(MachineSpec spec, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Tables t = new Tables();
    lowMemory(spec, rng.split(), t);
    mmioHole(spec, rng.split(), t);
    highMemory(spec, t);
    memmapHoles(spec, rng.split(), t);
    cxlAndHotplug(spec, t);
    return t.toMachine(spec.label() + "-seed" + seed, spec, seed);
  }

  private static void lowMemory(MachineSpec spec, SplittableRandom rng, Tables t) {
    long lowTop = spec.lowTop();
    t.add(0, 0x9f000, USABLE, 0);
    t.add(0x9f000, ONE_MIB, RESERVED, 0);
    boolean lastPage = spec.lowIslands() >= 2 && rng.nextInt(100) < 70;
    int zoneIslands = spec.lowIslands() - 1 - (lastPage ? 1 : 0);
    long firmwareEnd = lowTop - (lastPage ? PAGE : 0);
    long firmwareStart = firmwareEnd - pages(logUniform(rng, 8 * MiB, 256 * MiB));
    // The first usable range keeps at least 16 MiB, like every real map (the kernel image lives there).
    long room = ByteSize.alignDown(firmwareStart - ONE_MIB - 16 * MiB, PAGE);
    long zoneBytes = 0;
    if (zoneIslands > 0) {
      zoneBytes = Math.min(room, Math.max(pages(logUniform(rng, 64 * MiB, 512 * MiB)), 2L * zoneIslands * 4 * PAGE));
      if (zoneBytes < 2L * zoneIslands * PAGE) {
        throw new IllegalArgumentException(
            "%d usable ranges do not fit below 0x%x".formatted(spec.lowIslands(), lowTop));
      }
    }
    long zoneStart = firmwareStart - zoneBytes;
    t.add(ONE_MIB, zoneStart, USABLE, 0);
    // Zone: cut-out, island, cut-out, island, ... Cut-outs are KiB..MiB, islands up to tens of MiB.
    double[] weights = new double[2 * zoneIslands];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = i % 2 == 0 ? logUniform(rng, 1, 64) : logUniform(rng, 1, 2048);
    }
    long at = zoneStart;
    long[] sizes = splitPages(zoneBytes / PAGE, weights);
    for (int i = 0; i < sizes.length; i++) {
      long end = at + sizes[i] * PAGE;
      t.add(at, end, i % 2 == 0 ? firmwareType(rng) : USABLE, 0);
      at = end;
    }
    long[] block = splitPages((firmwareEnd - firmwareStart) / PAGE, new double[] {
      logUniform(rng, 1, 16), logUniform(rng, 1, 16), logUniform(rng, 1, 4)});
    String[] blockTypes = {RESERVED, "ACPI NVS", "ACPI data"};
    for (int i = 0; i < block.length; i++) {
      long end = at + block[i] * PAGE;
      t.add(at, end, blockTypes[i], 0);
      at = end;
    }
    if (lastPage) {
      t.add(lowTop - PAGE, lowTop, USABLE, 0);
    }
    t.srat.add(new SratEntry(new AddressRange(0, 2 * GiB), 0, false));
    t.cmrs.add(new AddressRange(ONE_MIB, lowTop));
  }

  private static void mmioHole(MachineSpec spec, SplittableRandom rng, Tables t) {
    t.add(spec.lowTop(), 0x90000000L, RESERVED, 0);
    for (AddressRange r : MMIO_ENTRIES) {
      if (rng.nextBoolean()) {
        t.add(r.start(), r.end(), RESERVED, 0);
      }
    }
  }

  private static void highMemory(MachineSpec spec, Tables t) {
    long at = FOUR_GIB;
    long groupStart = at;
    int group = 0;
    int nodes = spec.nodes();
    for (int node = 0; node < nodes; node++) {
      long end = at + (node == 0 ? MachineSpec.node0HighBytes(spec.nodeBytes()) : spec.nodeBytes());
      t.srat.add(new SratEntry(new AddressRange(at, end), node, false));
      boolean closesGroup = (node + 1) % spec.nodesPerCmr() == 0 || node == nodes - 1;
      long tail = !closesGroup ? 0 : group == 0 ? spec.firstTailBytes() : spec.tailBytes();
      t.add(at, end - tail, USABLE, node);
      if (tail > 0) {
        t.add(end - tail, end, RESERVED, node);
      }
      if (closesGroup) {
        t.cmrs.add(new AddressRange(groupStart, end - tail));
        groupStart = end;
        group++;
      }
      at = end;
    }
    t.top = at;
  }

  private static void memmapHoles(MachineSpec spec, SplittableRandom rng, Tables t) {
    int wanted = spec.memmapHoles();
    if (wanted == 0) {
      return;
    }
    List<Segment> high = t.segments.stream().filter(s -> s.type.equals(USABLE) && s.range.start() >= FOUR_GIB).toList();
    long[] prefix = new long[high.size() + 1];
    for (int i = 0; i < high.size(); i++) {
      prefix[i + 1] = prefix[i] + high.get(i).range.size();
    }
    long total = prefix[high.size()];
    long largest = Math.max(PAGE, ByteSize.alignDown(Math.min(64 * MiB, total / (4L * wanted)), PAGE));
    TreeMap<Long, Long> holes = new TreeMap<>();
    for (long attempts = 0; holes.size() < wanted && attempts < 100L * wanted; attempts++) {
      long size = Math.max(PAGE, ByteSize.alignDown((long) logUniform(rng, PAGE, largest), PAGE));
      long offset = rng.nextLong(total);
      int i = segmentHolding(prefix, offset);
      AddressRange seg = high.get(i).range;
      long start = ByteSize.alignDown(seg.start() + (offset - prefix[i]), PAGE);
      // Keep a usable page on both sides and between holes, so every hole is its own e820 entry.
      if (start - PAGE < seg.start() || start + size + PAGE > seg.end()) {
        continue;
      }
      Map.Entry<Long, Long> before = holes.floorEntry(start + size + PAGE);
      if (before != null && before.getValue() + PAGE > start) {
        continue;
      }
      holes.put(start, start + size);
    }
    if (holes.size() < wanted) {
      throw new IllegalArgumentException("%d memmap holes do not fit in %s above 4 GiB".formatted(wanted, ByteSize.human(total)));
    }
    List<Segment> out = new ArrayList<>();
    for (Segment s : t.segments) {
      if (!s.type.equals(USABLE) || s.range.start() < FOUR_GIB) {
        out.add(s);
        continue;
      }
      long at = s.range.start();
      for (Map.Entry<Long, Long> h : holes.subMap(s.range.start(), s.range.end()).entrySet()) {
        out.add(new Segment(new AddressRange(at, h.getKey()), USABLE, s.node));
        out.add(new Segment(new AddressRange(h.getKey(), h.getValue()), RESERVED, s.node));
        at = h.getValue();
      }
      out.add(new Segment(new AddressRange(at, s.range.end()), USABLE, s.node));
    }
    t.segments.clear();
    t.segments.addAll(out);
  }

  private static void cxlAndHotplug(MachineSpec spec, Tables t) {
    long at = t.top;
    if (spec.cxlBytes() > 0) {
      long start = ByteSize.alignUp(at, GiB);
      int cxlNode = spec.nodes();
      t.add(start, start + spec.cxlBytes(), "soft reserved", cxlNode);
      t.srat.add(new SratEntry(new AddressRange(start, start + spec.cxlBytes()), cxlNode, false));
      at = start + spec.cxlBytes();
    }
    long start = ByteSize.alignUp(at, FOUR_GIB);
    for (int r = 0; r < spec.hotplugRanges(); r++) {
      t.srat.add(new SratEntry(AddressRange.ofSize(start, HOTPLUG_RANGE_BYTES), r % spec.nodes(), true));
      start += HOTPLUG_RANGE_BYTES;
    }
  }

  private static int segmentHolding(long[] prefix, long offset) {
    int lo = 0;
    int hi = prefix.length - 2;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (prefix[mid] <= offset) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** Firmware cut-out types in the proportions of the real low-memory tables. */
  private static String firmwareType(SplittableRandom rng) {
    int r = rng.nextInt(100);
    return r < 45 ? RESERVED : r < 75 ? "ACPI data" : r < 95 ? "ACPI NVS" : "type 20";
  }

  /** Splits {@code pages} pages into pieces proportional to the weights, each at least one page. */
  private static long[] splitPages(long pages, double[] weights) {
    long[] out = new long[weights.length];
    if (weights.length == 0) {
      return out;
    }
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    long spare = pages - weights.length;
    long used = 0;
    for (int i = 0; i < weights.length; i++) {
      out[i] = 1 + (long) Math.floor(weights[i] / total * spare);
      used += out[i];
    }
    out[weights.length - 1] += pages - used;
    return out;
  }

  /** StrictMath, not Math: Math.exp and Math.log may differ by an ulp between JVMs and CPUs. */
  private static double logUniform(SplittableRandom rng, double lo, double hi) {
    return lo >= hi ? lo : StrictMath.exp(rng.nextDouble(StrictMath.log(lo), StrictMath.log(hi)));
  }

  private static long pages(double bytes) {
    return Math.max(PAGE, ByteSize.alignDown((long) bytes, PAGE));
  }

  private record Segment(AddressRange range, String type, int node) {}

  /** The tables while they are being built. */
  private static final class Tables {
    final List<Segment> segments = new ArrayList<>();
    final List<SratEntry> srat = new ArrayList<>();
    final List<AddressRange> cmrs = new ArrayList<>();
    long top;

    void add(long start, long end, String type, int node) {
      segments.add(new Segment(new AddressRange(start, end), type, node));
    }

    SyntheticMachine toMachine(String name, MachineSpec spec, long seed) {
      segments.sort(Comparator.comparing(Segment::range));
      for (int i = 1; i < segments.size(); i++) {
        if (segments.get(i).range.start() < segments.get(i - 1).range.end()) {
          throw new IllegalStateException("generated e820 entries overlap: %s %s".formatted(segments.get(i - 1), segments.get(i)));
        }
      }
      return new SyntheticMachine(name, spec, seed, e820(), srat, cmrs, blocks());
    }

    /** Firmware merges touching entries of one type into one e820 entry, whatever the node. */
    private List<E820Entry> e820() {
      List<E820Entry> out = new ArrayList<>();
      for (Segment s : segments) {
        E820Entry last = out.isEmpty() ? null : out.get(out.size() - 1);
        if (last != null && last.type().equals(s.type) && last.range().end() == s.range.start()) {
          out.set(out.size() - 1, new E820Entry(new AddressRange(last.range().start(), s.range.end()), s.type, 0));
        } else {
          out.add(new E820Entry(s.range, s.type, 0));
        }
      }
      return out;
    }

    /** What memblock hands build_tdx_memlist: usable RAM from 1 MiB, touching ranges of one node merged. */
    private List<MemoryBlock> blocks() {
      List<MemoryBlock> out = new ArrayList<>();
      for (Segment s : segments) {
        if (!s.type.equals(USABLE) || s.range.end() <= ONE_MIB) {
          continue;
        }
        long start = Math.max(s.range.start(), ONE_MIB);
        MemoryBlock last = out.isEmpty() ? null : out.get(out.size() - 1);
        if (last != null && last.node() == s.node && last.end() == start) {
          out.set(out.size() - 1, new MemoryBlock(last.start(), s.range.end(), s.node));
        } else {
          out.add(new MemoryBlock(start, s.range.end(), s.node));
        }
      }
      return out;
    }
  }
}
