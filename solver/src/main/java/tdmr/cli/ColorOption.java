package tdmr.cli;

import picocli.CommandLine.Option;

/**
 * The {@code --no-color} option every command with human output mixes in ({@code @Mixin}). Colour
 * is used only on a terminal anyway; {@code NO_COLOR} in the environment has the same effect.
 */
public final class ColorOption {
  @Option(names = "--no-color", description = "Never colour the output (colour is used only on a terminal, and never when NO_COLOR is set).")
  boolean noColor;

  /** The terminal policy for this run. */
  public Terminal terminal() {
    return Terminal.detect(noColor);
  }
}
