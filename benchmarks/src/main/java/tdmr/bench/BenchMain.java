package tdmr.bench;

/** Entry point of {@code bin/tdmr-bench}. */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) {
    System.out.println("usage: tdmr-bench sweep ...");
  }
}
