package tdmr.check;

import java.util.ArrayList;
import java.util.List;
import tdmr.mem.AddressRange;
import tdmr.mem.ConvertibleMemory;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;

/**
 * A hand-built machine and a layout that obeys every module rule, for validator tests.
 *
 * <p>TDX memory: {@code [1 MiB, 2 GiB)} on node 0 and {@code [4 GiB, 6 GiB)} on node 1; CMRs equal
 * the blocks. {@link #CMRS_WITH_SPARE} adds a spare CMR {@code [2.5 GiB, 3 GiB)} outside every TDMR,
 * where tests park PAMTs (rule D7: nothing requires a PAMT to sit in a TDMR).
 *
 * <p>Layout: TDMR 0 {@code [0, 2 GiB)}, TDMR 1 {@code [4 GiB, 6 GiB)}. A 2 GiB TDMR needs (rule D2)
 * 2^31/2^12*16 = 8 MiB (0x800000) of PAMT_4K, 2^31/2^21*16 = 16 KiB (0x4000) of PAMT_2M and 2*16 = 32
 * bytes of PAMT_1G, rounded to 4 KiB (0x1000): 0x805000 in all. Each TDMR's PAMT is the kernel's
 * chunk (4K, 2M, 1G back to back) at offset 0x7F000000, inside a reserved area of the same extent.
 * TDMR 0 also reserves {@code [0, 1 MiB)}, which is not convertible.
 */
final class TwoTdmrMachine {
  static final long KiB = 1L << 10;
  static final long MiB = 1L << 20;
  static final long GiB = 1L << 30;

  static final long PAMT_CHUNK = 0x805000L;
  static final long PAMT_OFFSET = 0x7F000000L;
  static final long SPARE = 0xA0000000L;

  static final MemoryMap MAP =
      MemoryMap.ofBlocks(
          "two-tdmr machine",
          List.of(new MemoryBlock(MiB, 2 * GiB, 0), new MemoryBlock(4 * GiB, 6 * GiB, 1)));

  static final ConvertibleMemory CMRS_WITH_SPARE =
      new ConvertibleMemory(
          List.of(
              new AddressRange(MiB, 2 * GiB),
              new AddressRange(SPARE, 3 * GiB),
              new AddressRange(4 * GiB, 6 * GiB)));

  static final Tdmr TDMR0 =
      new Tdmr(0, 2 * GiB, chunk(PAMT_OFFSET),
          List.of(new ReservedArea(0, MiB), new ReservedArea(PAMT_OFFSET, PAMT_CHUNK)));

  static final Tdmr TDMR1 =
      new Tdmr(4 * GiB, 2 * GiB, chunk(4 * GiB + PAMT_OFFSET),
          List.of(new ReservedArea(PAMT_OFFSET, PAMT_CHUNK)));

  static final Layout LAYOUT = new Layout(List.of(TDMR0, TDMR1));

  private TwoTdmrMachine() {}

  /** The PAMT of a 2 GiB TDMR as one kernel chunk at {@code base}: 4K, 2M, 1G. */
  static Pamt chunk(long base) {
    return new Pamt(
        new PamtRange(base, 0x800000L),
        new PamtRange(base + 0x800000L, 0x4000L),
        new PamtRange(base + 0x804000L, 0x1000L));
  }

  /** The fixture layout with TDMR {@code i} replaced. */
  static Layout with(int i, Tdmr tdmr) {
    return with(LAYOUT, i, tdmr);
  }

  static Layout with(Layout layout, int i, Tdmr tdmr) {
    List<Tdmr> tdmrs = new ArrayList<>(layout.tdmrs());
    tdmrs.set(i, tdmr);
    return new Layout(tdmrs);
  }

  static Tdmr withReserved(Tdmr t, ReservedArea... areas) {
    return new Tdmr(t.base(), t.size(), t.pamt(), List.of(areas));
  }

  static Tdmr withPamt(Tdmr t, Pamt pamt) {
    return new Tdmr(t.base(), t.size(), pamt, t.reserved());
  }

  static Tdmr withLevel(Tdmr t, PageSize level, long base, long size) {
    Pamt p = t.pamt();
    PamtRange r = new PamtRange(base, size);
    Pamt changed =
        switch (level) {
          case SIZE_4K -> new Pamt(r, p.twoM(), p.oneG());
          case SIZE_2M -> new Pamt(p.fourK(), r, p.oneG());
          case SIZE_1G -> new Pamt(p.fourK(), p.twoM(), r);
        };
    return withPamt(t, changed);
  }

  static Tdmr withGeometry(Tdmr t, long base, long size) {
    return new Tdmr(base, size, t.pamt(), t.reserved());
  }
}
