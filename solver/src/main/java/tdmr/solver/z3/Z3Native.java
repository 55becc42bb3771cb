package tdmr.solver.z3;

import com.microsoft.z3.Global;
import com.microsoft.z3.Version;
import tdmr.solver.NativeMemory;

/**
 * Loads Z3's native library once and turns a failure into one clear message.
 *
 * <p>The Java bindings load {@code libz3} and {@code libz3java} from the {@code z3-turnkey} jar in a
 * static initializer. When that fails (an unsupported OS or CPU, a missing C runtime) the JVM throws
 * {@link UnsatisfiedLinkError} the first time and an opaque {@code NoClassDefFoundError} every time
 * after; this class remembers the first cause so every caller gets the same readable answer.
 */
final class Z3Native {
  private static final String VERSION;
  private static final String FAILURE;

  /**
   * Z3's native memory cap for the whole process, in MiB: {@link NativeMemory#budgetMb()} (a
   * quarter of the machine, within {@code ulimit -v}), or the system property {@code
   * tdmr.z3.maxMemoryMb}. Z3's search on large generated maps grew past 5 GB in half a minute
   * regardless of the time limit; with the cap it stops and the engine answers UNKNOWN instead of
   * exhausting the machine.
   */
  static final long MAX_MEMORY_MB = Long.getLong("tdmr.z3.maxMemoryMb", NativeMemory.budgetMb());

  static {
    String version = null;
    String failure = null;
    try {
      version = Version.getFullVersion();
      Global.setParameter("memory_max_size", Long.toString(MAX_MEMORY_MB));
    } catch (LinkageError | SecurityException e) {
      failure =
          "the Z3 engine cannot run: Z3's native library (tools.aqua:z3-turnkey) did not load on %s/%s: %s"
              .formatted(System.getProperty("os.name"), System.getProperty("os.arch"), rootMessage(e));
    }
    VERSION = version;
    FAILURE = failure;
  }

  private Z3Native() {}

  /** Returns Z3's version, or throws {@link UnsatisfiedLinkError} saying why Z3 cannot load. */
  static String requireLoaded() {
    if (FAILURE != null) {
      throw new UnsatisfiedLinkError(FAILURE);
    }
    return VERSION;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
