package tdmr.cli;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import tdmr.solver.Engines;

/** The engine names {@code --solver} accepts, from the engine registry, for shell completion. */
final class SolverNames implements Iterable<String> {
  @Override
  public Iterator<String> iterator() {
    List<String> names = new ArrayList<>(Engines.names());
    names.add(Engines.ALL);
    return names.iterator();
  }

  /** The names {@code frontier --solver} accepts: the engines that prove answers (not the greedy's). */
  static final class Proving implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Engines.names().stream().filter(n -> !n.startsWith("greedy")).iterator();
    }
  }

  /** The names a {@code plan --json} document's results can carry ({@code check --solver}). */
  static final class Results implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Engines.names().iterator();
    }
  }

  /** The values {@code fix --for} accepts: the greedy constructions and {@code layout}. */
  static final class FixTargets implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      List<String> names = new ArrayList<>(Engines.names().stream().filter(n -> n.startsWith("greedy")).toList());
      names.add(FixCommand.LAYOUT);
      return names.iterator();
    }
  }
}
