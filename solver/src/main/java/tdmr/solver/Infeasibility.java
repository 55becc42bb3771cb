package tdmr.solver;

import java.util.List;
import java.util.Optional;
import tdmr.solver.explain.Explanation;

/**
 * Why an engine proved that no layout exists: facts about the map and the limits that cannot all
 * hold, one sentence each (for people), and how far the set was shrunk.
 *
 * @param facts the facts, each a sentence ending with a period
 * @param shrinking whether the set is proven minimal, was cut short, or was never shrunk
 * @param areaShortfall the reasoning of {@link ReservedAreaBounds} when the proof is that bound
 *     (the facts then state it), else empty
 */
public record Infeasibility(List<String> facts, Shrinking shrinking, Optional<AreaShortfall> areaShortfall) {

  /** How far an explanation was shrunk. */
  public enum Shrinking {
    /** Proven minimal: leaving out any one fact lets a layout exist. */
    MINIMAL,
    /** A time limit stopped the shrinking: the set may name more facts than needed. */
    STOPPED,
    /** Facts found without a solver, each of which alone rules every layout out; not shrunk. */
    NOT_SHRUNK
  }

  public Infeasibility {
    facts = List.copyOf(facts);
  }

  public Infeasibility(List<String> facts, Shrinking shrinking) {
    this(facts, shrinking, Optional.empty());
  }

  /** The proof of {@link ReservedAreaBounds}: its reasoning, as data and as sentences. */
  public static Infeasibility of(AreaShortfall shortfall) {
    return new Infeasibility(shortfall.sentences(), Shrinking.NOT_SHRUNK, Optional.of(shortfall));
  }

  /** The sentences of an explanation found from the solver's core. */
  public static Infeasibility of(Explanation explanation) {
    return new Infeasibility(explanation.sentences(), explanation.minimal() ? Shrinking.MINIMAL : Shrinking.STOPPED);
  }

  /** Facts found without a solver (each one alone rules every layout out). */
  public static Infeasibility ofFacts(List<String> facts) {
    return new Infeasibility(facts.stream().map(f -> f.endsWith(".") ? f : f + ".").toList(), Shrinking.NOT_SHRUNK);
  }

  /** True only when the engine proved that every fact is needed. */
  public boolean minimal() {
    return shrinking == Shrinking.MINIMAL;
  }

  /** What a person should know about the set as a whole, in parentheses; empty when there is nothing to say. */
  public Optional<String> remark() {
    return switch (shrinking) {
      case MINIMAL -> Optional.of("(each fact is needed: without any one of them a layout exists)");
      case STOPPED -> Optional.of("(a time limit stopped the shrinking of this explanation; it may name more facts than needed)");
      case NOT_SHRUNK -> Optional.empty();
    };
  }
}
