package tdmr.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

/**
 * PAMT padding from its definition in {@link PamtPadding}: per level, the bytes beyond the module's
 * minimum rounded up to 4 KiB. With 16-byte entries a TDMR of N GiB (N up to 256) needs 4 MiB * N at
 * the 4K level, 8 KiB * N at the 2M level and one 4 KiB page at the 1G level (16 * N bytes rounded
 * up); with Dynamic PAMT its 4K level is a bitmap of 32 KiB * N (rule D3).
 */
class PamtPaddingTest {
  private static final long K = 1024;
  private static final long MiB = K * K;
  private static final long GiB = K * MiB;

  private static Tdmr tdmr(long base, long size, long fourK, long twoM, long oneG) {
    long at = 0x100000000L;
    return new Tdmr(base, size,
        new Pamt(new PamtRange(at, fourK), new PamtRange(at + fourK, twoM), new PamtRange(at + fourK + twoM, oneG)),
        List.of());
  }

  @Test
  void theKernelsChunkHasNoPadding() {
    Tdmr t = new Tdmr(0, 2 * GiB, Pamt.kernelChunk(0x100000000L, 2 * GiB, TdxLimits.DEFAULT), List.of());
    assertEquals(0, PamtPadding.bytes(new Layout(List.of(t)), TdxLimits.DEFAULT));
  }

  @Test
  void eachLevelCountsWhatItHasBeyondItsRoundedMinimum() {
    // 2 GiB TDMR: minimums 8 MiB, 16 KiB, 4 KiB (32 bytes rounded up). Levels of 8 MiB + 12 KiB,
    // 64 KiB and 4 KiB: padding 12 KiB + 48 KiB + 0 = 60 KiB.
    Tdmr t = tdmr(0, 2 * GiB, 8 * MiB + 12 * K, 64 * K, 4 * K);
    assertEquals(60 * K, PamtPadding.bytes(t, TdxLimits.DEFAULT));
    // A second TDMR of 1 GiB whose 1G level is 1 MiB: 1 MiB - 4 KiB more.
    Tdmr u = tdmr(2 * GiB, GiB, 4 * MiB, 8 * K, MiB);
    assertEquals(60 * K + MiB - 4 * K, PamtPadding.bytes(new Layout(List.of(t, u)), TdxLimits.DEFAULT));
  }

  @Test
  void aLevelBelowItsMinimumIsNotNegativePadding() {
    // The validator rejects it (rule D2); padding only counts excess: 2M level 4 KiB short, 1G level 4 KiB over.
    Tdmr t = tdmr(0, GiB, 4 * MiB, 4 * K, 8 * K);
    assertEquals(4 * K, PamtPadding.bytes(t, TdxLimits.DEFAULT));
  }

  @Test
  void withDynamicPamtThe4kLevelsMinimumIsTheBitmap() {
    // 1 GiB with Dynamic PAMT: 4K level 2^18 bits = 32 KiB; a 4 MiB level pads 4 MiB - 32 KiB.
    TdxLimits dpamt = TdxLimits.DEFAULT.withDynamicPamt(true);
    Tdmr t = tdmr(0, GiB, 4 * MiB, 8 * K, 4 * K);
    assertEquals(4 * MiB - 32 * K, PamtPadding.bytes(t, dpamt));
  }
}
