package tdmr.solver.cpsat;

import com.google.ortools.Loader;
import com.google.ortools.util.Domain;
import java.util.Optional;

/**
 * Loads the OR-Tools native library once per JVM and remembers why it failed, so that the engine
 * can say so in one sentence instead of an {@link UnsatisfiedLinkError} stack.
 */
final class NativeLibrary {
  private static final Optional<String> PROBLEM = load();

  private NativeLibrary() {}

  private static Optional<String> load() {
    try {
      Loader.loadNativeLibraries();
      // The loader can return without the library (under ulimit -v it failed to map it and said
      // nothing); one native call shows whether it is really there.
      new Domain(0, 1).delete();
      return Optional.empty();
    } catch (LinkageError | RuntimeException e) {
      Throwable cause = e;
      while (cause.getCause() != null) {
        cause = cause.getCause();
      }
      return Optional.of(
          "the OR-Tools CP-SAT native library could not be loaded on %s/%s (Java %s): %s"
              .formatted(
                  System.getProperty("os.name"),
                  System.getProperty("os.arch"),
                  System.getProperty("java.version"),
                  cause.toString()));
    }
  }

  /** Why CP-SAT is unusable in this JVM, or empty when the library loaded. */
  static Optional<String> problem() {
    return PROBLEM;
  }
}
