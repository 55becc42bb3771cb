package tdmr.solver;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import tdmr.greedy.GreedyFit;
import tdmr.greedy.GreedyMerge;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Policy;

/**
 * The engines this build offers, by name: what {@code --solver NAME} looks up and what {@code
 * --solver all} runs. Each engine registers one {@link Registration} line in {@link #REGISTRY}.
 */
public final class Engines {
  /** Name that selects every engine registered with {@code inAll}. */
  public static final String ALL = "all";

  /**
   * One engine: its name, whether {@code --solver all} runs it, and how to make one (suppliers may
   * throw {@link LinkageError} when a native library cannot load; the engine is then unavailable).
   */
  public record Registration(String name, boolean inAll, Supplier<Engine> factory) {}

  private static final List<Registration> REGISTRY =
      List.of(
          new Registration("greedy", true, GreedyEngine::new),
          new Registration("greedy-cmr", false, () -> new GreedyEngine(Policy.Holes.CMR)),
          new Registration(GreedyMerge.NAME, false, GreedyEngine::merge),
          new Registration(GreedyFit.NAME, false, GreedyEngine::fit),
          new Registration("cpsat", true, CpSatEngine::new),
          new Registration(Z3Engine.NAME, true, Z3Engine::new));

  private Engines() {}

  /** Every registered name, in registry order. */
  public static List<String> names() {
    return REGISTRY.stream().map(Registration::name).toList();
  }

  /** The engine registered under {@code name}, if any. */
  public static Optional<Engine> byName(String name) {
    return REGISTRY.stream().filter(r -> r.name().equals(name)).findFirst().map(Engines::create);
  }

  /** The engines {@code --solver all} runs, in registry order. */
  public static List<Engine> all() {
    return REGISTRY.stream().filter(Registration::inAll).map(Engines::create).toList();
  }

  /**
   * The engines a {@code --solver} value names: one name, {@code all}, or a comma-separated list of
   * names (duplicates run once, in the order given).
   *
   * @throws IllegalArgumentException naming the unknown or unavailable engine and the available ones
   */
  public static List<Engine> select(String spec) {
    Set<String> wanted = new LinkedHashSet<>();
    for (String part : spec.split(",", -1)) {
      String name = part.trim();
      if (name.equals(ALL)) {
        REGISTRY.stream().filter(Registration::inAll).map(Registration::name).forEach(wanted::add);
      } else {
        wanted.add(name);
      }
    }
    List<Engine> engines = new ArrayList<>();
    for (String name : wanted) {
      Registration r =
          REGISTRY.stream()
              .filter(x -> x.name().equals(name))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "unknown solver '%s' (available in this build: %s, or %s)"
                              .formatted(name, String.join(", ", names()), ALL)));
      engines.add(create(r));
    }
    return engines;
  }

  /**
   * Every engine made here ends by its deadline ({@link DeadlineGuard}), and an exact one never answers
   * the module family worse than the kernel family ({@link KernelFamilyFloor}).
   */
  private static Engine create(Registration r) {
    try {
      return DeadlineGuard.of(KernelFamilyFloor.of(r.factory().get()));
    } catch (LinkageError e) {
      // Under ulimit -v a native library may fail to map although the machine runs it otherwise.
      String limit = NativeMemory.addressSpaceLimit()
          .stream()
          .mapToObj(bytes -> "; the address space is limited to %d KiB (ulimit -v), which may be too little for it"
              .formatted(bytes >> 10))
          .findFirst()
          .orElse("");
      throw new IllegalArgumentException(
          "solver '%s' is not available on this machine: %s%s".formatted(r.name(), e.getMessage(), limit), e);
    }
  }
}
