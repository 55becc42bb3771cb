package tdmr.cli;

/** Entry point of the {@code tdmr} command line. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(TdmrCommand.run(args, System.out, System.err));
  }
}
