package tdmr.fuzz;

import java.util.List;

/**
 * A real input after a few mutations; {@code toString()} names the input and the mutations, so a
 * failing property says how to make the input again.
 */
record Fuzzed(Seeds.Seed seed, List<Mutation> mutations) {
  Fuzzed {
    mutations = List.copyOf(mutations);
  }

  /**
   * Inputs stop growing a little past the 64 MiB every reader refuses, so that the refusal is
   * exercised without the fuzz suite itself running out of memory.
   */
  static final int MAX_BYTES = 70 << 20;

  byte[] bytes() {
    byte[] b = seed.bytes();
    for (Mutation m : mutations) {
      if (b.length > MAX_BYTES) {
        break;
      }
      b = m.apply(b);
    }
    return b;
  }

  @Override
  public String toString() {
    return seed.name() + " " + mutations;
  }
}
