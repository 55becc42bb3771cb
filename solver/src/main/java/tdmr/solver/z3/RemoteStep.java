package tdmr.solver.z3;

import tdmr.solver.Instance;
import tdmr.tdx.PageSize;

/**
 * The step between the values the remote PAMT of a layout can take, in bytes: the greatest common
 * divisor of the levels' bytes per GiB (16 with 16-byte entries: 4 MiB, 8 KiB and 16 bytes). Remote
 * PAMT is a sum, over the levels, of a level's bytes per GiB times the granules it describes
 * remotely ({@link tdmr.check.RemotePamt}), so a multiple of the step. When no layout has at most
 * {@code v} bytes of it, none has less than the next multiple above {@code v}: the remote tier of
 * {@link ModuleFamilyProver} then needs one check to prove 16 bytes, not four (0, 8, 12, 14, 15
 * would each be a check of its own, 0.7-0.9 s each on a 32 GiB two-socket host at one TDMR).
 *
 * @param bytes the step, at least 1
 */
record RemoteStep(long bytes) {
  RemoteStep {
    if (bytes < 1) {
      throw new IllegalArgumentException("remote PAMT step must be positive: " + bytes);
    }
  }

  /** The step of the instance's levels (1 when it has none). */
  static RemoteStep of(Instance instance) {
    long gcd = 0;
    for (PageSize level : instance.pieceLevels()) {
      gcd = gcd(gcd, instance.piecePerGiBBytes(level));
    }
    return new RemoteStep(Math.max(1, gcd));
  }

  /** The least value a layout's remote PAMT can take that is at least {@code atLeast} (non-negative). */
  long next(long atLeast) {
    return Math.floorDiv(atLeast + bytes - 1, bytes) * bytes;
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
