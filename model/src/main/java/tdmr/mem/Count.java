package tdmr.mem;

/** A count with its noun, singular for one: {@code "1 TDMR"}, {@code "3 reserved areas"}. */
public final class Count {
  private Count() {}

  /** {@code n} and {@code noun}, with an {@code s} added unless {@code n} is 1. */
  public static String of(long n, String noun) {
    return of(n, noun, noun + "s");
  }

  /** {@code n} and {@code one} or {@code many}, for nouns whose plural is not an added {@code s}. */
  public static String of(long n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }
}
