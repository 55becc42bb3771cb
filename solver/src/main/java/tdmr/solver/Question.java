package tdmr.solver;

import java.util.List;
import java.util.Objects;
import tdmr.tdx.Policy;

/**
 * The question an engine's answer is about: the layout family ({@link Policy.Family}) its {@code
 * OPTIMAL} or {@code INFEASIBLE} is a proof for, and the restrictions of the engine's model under
 * which that proof holds, in words ("TDMR boundaries lie only where the memory map changes").
 * Empty restrictions: the proof holds for the whole family. Two answers are proofs of the same
 * statement only when their questions are equal ({@link CrossCheck}).
 *
 * @param family the family
 * @param restrictions what the engine's model leaves out of the family, in words, for this answer
 */
public record Question(Policy.Family family, List<String> restrictions) {
  public Question {
    Objects.requireNonNull(family, "family");
    restrictions = List.copyOf(restrictions);
  }

  /** The whole family, without restrictions. */
  public static Question of(Policy.Family family) {
    return new Question(family, List.of());
  }

  /** Whether the proof holds for the whole family. */
  public boolean unrestricted() {
    return restrictions.isEmpty();
  }
}
