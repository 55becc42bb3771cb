package tdmr.cli;

/**
 * An option value that picocli parsed but no command can use ({@code --max-tdmrs 0}); the root
 * command reports it as a usage error (exit 2). Values are checked after parsing, when the command
 * asks for them, so that options stay plain fields.
 */
final class OptionValueException extends RuntimeException {
  OptionValueException(String message) {
    super(message);
  }
}
