package tdmr.tdx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PamtSizingTest {
  private static final long KiB = 1024;
  private static final long MiB = 1024 * KiB;
  private static final long GiB = 1024 * MiB;

  @Test
  void oneGibTdmrNeedsFourMibEightKibAndOnePage() {
    // 2^18 4K entries * 16 B = 4 MiB; 512 2M entries * 16 B = 8 KiB; 1 1G entry = 16 B -> 4 KiB.
    assertEquals(4 * MiB, PamtSizing.levelBytes(GiB, PageSize.SIZE_4K, TdxLimits.DEFAULT));
    assertEquals(8 * KiB, PamtSizing.levelBytes(GiB, PageSize.SIZE_2M, TdxLimits.DEFAULT));
    assertEquals(4 * KiB, PamtSizing.levelBytes(GiB, PageSize.SIZE_1G, TdxLimits.DEFAULT));
    assertEquals(16, PamtSizing.moduleMinimum(GiB, PageSize.SIZE_1G, TdxLimits.DEFAULT));
  }

  @Test
  void nGibTdmrCosts4104NPlus4KibUpTo256Gib() {
    for (long n : new long[] {1, 2, 30, 64, 256}) {
      assertEquals((4104 * n + 4) * KiB, PamtSizing.chunkBytes(n * GiB, TdxLimits.DEFAULT), "N=" + n);
    }
    // 257 GiB: the 1G level needs 257*16 = 4112 B, two pages.
    assertEquals((4104 * 257 + 8) * KiB, PamtSizing.chunkBytes(257 * GiB, TdxLimits.DEFAULT));
  }

  @Test
  void dynamicPamtBitmapIsOneBitPerPage() {
    TdxLimits dpamt = TdxLimits.DEFAULT.withDynamicPamt(true);
    // 2^18 pages per GiB / 8 = 32 KiB.
    assertEquals(32 * KiB, PamtSizing.moduleMinimum(GiB, PageSize.SIZE_4K, dpamt));
    assertEquals(32 * KiB + 8 * KiB + 4 * KiB, PamtSizing.chunkBytes(GiB, dpamt));
  }

  @Test
  void kernelChunkLaysOutFourKThenTwoMThenOneG() {
    Pamt p = Pamt.kernelChunk(0x1000_0000L, 2 * GiB, TdxLimits.DEFAULT);
    assertEquals(0x1000_0000L, p.fourK().base());
    assertEquals(0x1000_0000L + 8 * MiB, p.twoM().base());
    assertEquals(0x1000_0000L + 8 * MiB + 16 * KiB, p.oneG().base());
    assertEquals(true, p.isContiguousChunk());
  }
}
