package tdmr.solver.z3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import tdmr.mem.ByteSize;
import tdmr.solver.Problem;
import tdmr.tdx.PamtSizing;
import tdmr.tdx.TdxLimits;

/** The arithmetic behind the Z3 model's PAMT objective. */
class Z3ModelTest {
  /**
   * The objective pays, per TDMR of N GiB, the whole pages per GiB of each level on every GiB, and
   * per level with a remainder r one page for each j >= 1 with roundingThreshold(r, j) <= N. That
   * must be the kernel's chunk, sum over levels of ceil(N · bytesPerGiB / 4096), for every N up to
   * 16 TiB: with the module's 16-byte entries (1G level: 16 bytes per GiB, one page per started
   * 256 GiB), with Dynamic PAMT (the 4K level a bitmap), and with other entry sizes.
   */
  @Test
  void wholePagesPerGibPlusRoundingThresholdsAreTheKernelsChunk() {
    for (TdxLimits limits : new TdxLimits[] {
        TdxLimits.DEFAULT, TdxLimits.DEFAULT.withDynamicPamt(true), new TdxLimits(64, 16, 24, 24, 24, false, 52), new TdxLimits(64, 16, 16, 16, 4000, false, 52)}) {
      long[] perGiB = Problem.levelBytesPerGiB(limits);
      for (long n = 1; n <= 16384; n++) {
        long pages = 0;
        for (long b : perGiB) {
          pages += n * (b / 4096);
          long r = b % 4096;
          for (long j = 1; r > 0 && Z3Model.roundingThreshold(r, j) <= n; j++) {
            pages++;
          }
        }
        assertEquals(PamtSizing.chunkBytes(n * ByteSize.GiB, limits) / 4096, pages, "N = " + n + " GiB, " + limits);
      }
    }
  }
}
