package tdmr.solver.cpsat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import tdmr.mem.ByteSize;
import tdmr.tdx.PamtSizing;
import tdmr.solver.Problem;
import tdmr.tdx.TdxLimits;

class TdmrModelTest {
  @Test
  void levelBytesPerGiBAreTheModuleMinimumsOfOneGiB() {
    // 16-byte entries: 4K level 2^18 entries = 4 MiB, 2M level 512 entries = 8 KiB, 1G level 16 B.
    assertArrayEquals(new long[] {4 * ByteSize.MiB, 8 * ByteSize.KiB, 16}, Problem.levelBytesPerGiB(TdxLimits.DEFAULT));
    // Dynamic PAMT: the 4K level is a bitmap of one bit per 4 KiB page, 2^18 / 8 = 32 KiB per GiB.
    assertArrayEquals(new long[] {32 * ByteSize.KiB, 8 * ByteSize.KiB, 16},
        Problem.levelBytesPerGiB(TdxLimits.DEFAULT.withDynamicPamt(true)));
  }

  @Test
  void roundedLevelsGiveTheKernelChunkForEveryTdmrSize() {
    // The model prices an N GiB TDMR as the sum over levels of ceil(N * perGiB / 4096) pages; the
    // kernel's chunk rounds each level of the module minimum up to 4 KiB. Both must agree for
    // every size, including past 256 GiB where the 1G level needs a second page.
    for (TdxLimits limits : new TdxLimits[] {TdxLimits.DEFAULT, TdxLimits.DEFAULT.withDynamicPamt(true)}) {
      long[] perGiB = Problem.levelBytesPerGiB(limits);
      for (long n = 1; n <= 4096; n++) {
        long pages = 0;
        for (long b : perGiB) {
          pages += (n * b + 4095) / 4096;
        }
        assertEquals(PamtSizing.chunkBytes(n * ByteSize.GiB, limits), pages * 4096, "TDMR of " + n + " GiB");
      }
    }
  }
}
