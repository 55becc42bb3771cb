package tdmr.check;

import tdmr.tdx.Layout;
import tdmr.tdx.PageSize;
import tdmr.tdx.PamtSizing;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * PAMT padding: the bytes by which a layout's PAMT levels exceed the size the kernel would allocate
 * for them (the module's minimum, rule D2/D3, rounded up to 4 KiB: {@link PamtSizing#levelBytes}).
 *
 * <p>The module rejects only a level smaller than its minimum, so in the module family a level may
 * be larger: padded to fill a memory island exactly (merging the holes on its two sides into one
 * reserved area) or, under coverage {@code max}, to hold memory no TDMR covers instead of giving it
 * up. Padding describes nothing and is never remote ({@link RemotePamt}); it is counted in the PAMT
 * bytes of the objective like any other PAMT. The kernel allocates exactly {@link
 * PamtSizing#levelBytes} per level, so a layout of the kernel family has none. Output shows it so
 * that a reader of a module-family answer sees how much of its PAMT is padding.
 */
public final class PamtPadding {
  private PamtPadding() {}

  /** The padding of the whole layout, in bytes. */
  public static long bytes(Layout layout, TdxLimits limits) {
    long total = 0;
    for (Tdmr t : layout.tdmrs()) {
      total += bytes(t, limits);
    }
    return total;
  }

  /** The padding of one TDMR's three levels: a level below its size counts 0, not less. */
  public static long bytes(Tdmr t, TdxLimits limits) {
    long total = 0;
    for (PageSize level : PageSize.values()) {
      long size = t.pamt().level(level).size();
      total += Math.max(0, size - PamtSizing.levelBytes(t.size(), level, limits));
    }
    return total;
  }
}
