package tdmr.solver;

import java.util.List;
import java.util.Optional;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * The question a kernel-family answer of an exact engine names. Both engines search the kernel
 * family over {@link Problem}, which restricts it ({@link Problem#KERNEL_FAMILY_RESTRICTIONS}, and
 * under PAMT {@code node-local} {@link Problem#NODE_LOCAL_RESTRICTION}); a proof names them in a
 * sentence after its first line, as a module-family proof names its model's, unless they provably
 * cannot matter.
 *
 * <p>They cannot matter for an optimum that meets, in every tier, the lower bounds {@link
 * TierBounds} derives for the module family under PAMT {@code any} ({@link
 * ModuleFamilyRestrictions#meetsFamilyBounds}): every kernel-family layout is a module-family layout
 * (its chunk is one way to place the three levels, and PAMT {@code any} allows it on any node), and
 * the kernel family ranks exactly the tiers the module family ranks under PAMT {@code any}
 * (coverage, PAMT bytes, TDMRs, reserved areas; not remote PAMT, {@link LayoutScore#ranksRemotePamt}).
 * So no kernel-family layout beats that optimum, whatever the model leaves out; it is optimal
 * among every layout the module accepts, too.
 *
 * <p>Nor can they matter for an optimum that meets, in every tier, the lower bounds {@link
 * KernelFamilyBounds} derives for every layout of the kernel family (the module family's, and
 * what the kernel's exact chunk sizes and one chunk per TDMR add: the TDMR counts a PAMT allows,
 * islands only chunk sums fill, granules that cannot be left out), nor for an {@code INFEASIBLE}
 * answer where those bounds rule out every layout within the limits ({@link
 * KernelFamilyBounds#noLayout}). Such claims are about the whole kernel family, and say so ({@link
 * #KERNEL_UNRESTRICTED}, {@link #NO_KERNEL_LAYOUT}). Every other proof names the restrictions.
 */
public final class KernelFamilyClaim {
  /**
   * At most this long, and never past the solve's deadline, is spent deriving the bounds after a
   * solve. Real maps take tens of milliseconds warm, but a cold JVM under load takes seconds: tdx#331
   * and the 1 TiB host took 0.25 s to 2.6 s with the load at 6 on 2 cores, and at 1 s the same
   * optimum named restrictions or none depending on the load.
   */
  static final double BOUNDS_SECONDS = 10.0;

  /** Why a kernel-family optimum meeting the module family's bounds names no restriction. */
  static final String UNRESTRICTED = "no restriction of the model can matter: the layout meets lower bounds derived"
      + " for every layout the TDX module accepts (the module family, remote PAMT not ranked) in coverage, PAMT"
      + " bytes, TDMRs and reserved areas, so no layout of either family ranks better by them";

  /** Why a kernel-family optimum meeting the kernel family's own bounds names no restriction. */
  static final String KERNEL_UNRESTRICTED = "no restriction of the model can matter: the layout meets lower bounds"
      + " derived for every layout of the kernel family (TDMRs on any 1 GiB boundaries, each chunk anywhere in one"
      + " memory block) in coverage, PAMT bytes, TDMRs and reserved areas, so no layout of the family ranks better";

  /** Why a kernel-family {@code INFEASIBLE} whose limits the kernel family's bounds violate names no restriction. */
  static final String NO_KERNEL_LAYOUT = "no restriction of the model can matter: lower bounds derived for every"
      + " layout of the kernel family (TDMRs on any 1 GiB boundaries, each chunk anywhere in one memory block) rule"
      + " out every TDMR count within the limits, by the reserved areas each needs";

  private KernelFamilyClaim() {}

  /**
   * Whether {@code message} is the sentence of a kernel-family proof that holds for the whole
   * family by the kernel family's own bounds ({@link #KERNEL_UNRESTRICTED}, {@link #NO_KERNEL_LAYOUT}).
   */
  public static boolean wholeFamily(String message) {
    return message.equals(KERNEL_UNRESTRICTED) || message.equals(NO_KERNEL_LAYOUT);
  }

  /**
   * {@code r}, a kernel-family answer for {@code map}, {@code limits}, {@code policy}, with the
   * question it answers and, for a proof, the sentence saying which restrictions it holds under, or
   * why it needs none; the bounds are derived by {@code deadline} (the solve's), at most {@link
   * #BOUNDS_SECONDS} from now.
   */
  public static EngineResult named(EngineResult r, MemoryMap map, TdxLimits limits, Policy policy,
      Deadline deadline) {
    return named(r, map, limits, policy, deadline, Problem.kernelQuestion(policy));
  }

  /**
   * As {@link #named(EngineResult, MemoryMap, TdxLimits, Policy, Deadline)}, for an answer of a model
   * with the restrictions of {@code restricted} (a model over {@link Instance} in kernel mode, {@link
   * ModuleFamilyRestrictions#kernelFamily}); {@code r}'s messages must not yet say them. A proof
   * whose {@code restricted} names nothing met, in every tier, bounds derived for the whole kernel
   * family during the model's search (the module family's under PAMT {@code any}, {@link
   * KernelFamilyBounds}): it says {@link #KERNEL_UNRESTRICTED} unless a sentence below applies.
   */
  public static EngineResult named(EngineResult r, MemoryMap map, TdxLimits limits, Policy policy,
      Deadline deadline, Question restricted) {
    boolean proof = r.status() == Status.OPTIMAL || r.status() == Status.INFEASIBLE;
    if (r.status() == Status.OPTIMAL && meetsModuleFamilyBounds(r, map, limits, policy, deadline)) {
      return r.withQuestion(Question.of(Policy.Family.KERNEL)).withMessagesAfter(List.of(UNRESTRICTED));
    }
    Optional<String> whole = proof ? wholeFamily(r, map, limits, policy, deadline) : Optional.empty();
    if (whole.isPresent()) {
      return r.withQuestion(Question.of(Policy.Family.KERNEL)).withMessagesAfter(List.of(whole.get()));
    }
    if (r.status() == Status.OPTIMAL && restricted.restrictions().isEmpty()) {
      return r.withQuestion(Question.of(Policy.Family.KERNEL)).withMessagesAfter(List.of(KERNEL_UNRESTRICTED));
    }
    EngineResult named = r.withQuestion(restricted);
    Optional<String> sentence = ModuleFamilyRestrictions.sentence(restricted.restrictions());
    return proof && sentence.isPresent() ? named.withMessagesAfter(List.of(sentence.get())) : named;
  }

  /**
   * Why the proof {@code r} holds for the whole kernel family by {@link KernelFamilyBounds}, derived
   * by {@code deadline} and within {@link #BOUNDS_SECONDS}: an optimum meeting them, or no layout
   * within the limits; empty when neither is shown in time.
   */
  private static Optional<String> wholeFamily(EngineResult r, MemoryMap map, TdxLimits limits, Policy policy,
      Deadline deadline) {
    if (r.status() == Status.OPTIMAL && r.layout().isEmpty()) {
      return Optional.empty();
    }
    Policy module = policy.withFamily(Policy.Family.MODULE).withPamt(Policy.PamtPlacementPolicy.ANY);
    try {
      Instance instance = Instance.of(map, limits, module, deadline.within(BOUNDS_SECONDS));
      KernelFamilyBounds bounds = new KernelFamilyBounds(instance);
      if (r.status() == Status.INFEASIBLE) {
        return bounds.noLayout() ? Optional.of(NO_KERNEL_LAYOUT) : Optional.empty();
      }
      return bounds.meets(LayoutScore.of(map, limits, module, r.layout().get()))
          ? Optional.of(KERNEL_UNRESTRICTED) : Optional.empty();
    } catch (Deadline.Exceeded e) {
      return Optional.empty();
    }
  }

  /**
   * Whether the optimum of {@code r} meets the module family's bounds under PAMT {@code any}, as
   * derived by {@code deadline} and within {@link #BOUNDS_SECONDS}; not when they take longer.
   */
  private static boolean meetsModuleFamilyBounds(EngineResult r, MemoryMap map, TdxLimits limits, Policy policy,
      Deadline deadline) {
    if (r.layout().isEmpty()) {
      return false;
    }
    Policy module = policy.withFamily(Policy.Family.MODULE).withPamt(Policy.PamtPlacementPolicy.ANY);
    try {
      Instance instance = Instance.of(map, limits, module, deadline.within(BOUNDS_SECONDS));
      return ModuleFamilyRestrictions.meetsFamilyBounds(instance,
          LayoutScore.of(map, limits, module, r.layout().get()));
    } catch (Deadline.Exceeded e) {
      return false;
    }
  }
}
