package tdmr.parse;

/**
 * A file name as one word of a POSIX shell, for the commands {@code tdmr} suggests: as it is when
 * every character is safe unquoted, else in single quotes (a single quote inside written {@code
 * '\''}), so that a suggested command pastes as it reads even for {@code my host.txt}.
 */
public final class ShellWord {
  private ShellWord() {}

  /** {@code name} quoted for a POSIX shell where it needs to be. */
  public static String of(String name) {
    if (!name.isEmpty() && name.matches("[A-Za-z0-9_./:@%+=,-]+")) {
      return name;
    }
    return "'" + name.replace("'", "'\\''") + "'";
  }
}
