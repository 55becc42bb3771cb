package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import tdmr.check.LayoutVerifier;
import tdmr.mem.ByteSize;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * The kernel family's answer when an exact engine's first proof ({@code OPTIMAL} or {@code
 * INFEASIBLE}) holds only under the restrictions of its model over {@link Problem}, and its second
 * search, over the kernel family without them (CP-SAT's kernel mode of the module family's model,
 * Z3's {@code WideKernelSearch}), found a layout that ranks better but proved nothing (the time
 * limit, or a model too large to search whole): {@code FEASIBLE} with that layout, a PAMT bound that
 * holds for every layout of the kernel family ({@link #pamtBound}; a restricted optimum is no such
 * bound), and the question of the whole kernel family, as every {@code FEASIBLE} answer whose bound
 * holds for its whole family names it. The restricted proof stays in the messages, as a statement
 * about the layouts within its restrictions, with the layout it proved; the user is handed the
 * better layout.
 *
 * <p>The layout must be one the family holds ({@link #unfit}): valid, of the kernel's shape ({@link
 * KernelShape#failures}), each chunk on the node the kernel picks for its TDMR under PAMT {@code
 * node-local} ({@link KernelShape#offKernelNode}), and better than the first answer's layout ({@link
 * LayoutScore#betterThan}); any layout is better than none, where the first proof was {@code
 * INFEASIBLE}.
 */
public final class KernelFamilyWitness {
  private KernelFamilyWitness() {}

  /**
   * Why {@code found}, a layout of a search over the kernel family without the restrictions of
   * {@code restricted} (a kernel-family proof naming them), cannot be the answer in its place; empty
   * when it can.
   */
  public static Optional<String> unfit(MemoryMap map, TdxLimits limits, Policy policy, EngineResult restricted,
      Layout found) {
    List<String> failures = new ArrayList<>(LayoutVerifier.failures(map, limits, policy, found));
    failures.addAll(KernelShape.failures(map, limits, found));
    if (!failures.isEmpty()) {
      return Optional.of("it is not a valid layout of the kernel's shape (" + String.join("; ", failures) + ")");
    }
    if (policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL && !KernelShape.offKernelNode(map, found).isEmpty()) {
      return Optional.of("it puts a chunk on another node than the one the kernel picks for its TDMR");
    }
    if (restricted.layout().isPresent() && !LayoutScore.of(map, limits, policy, found)
        .betterThan(LayoutScore.of(map, limits, policy, restricted.layout().get()), policy)) {
      return Optional.of("it ranks no better than the first model's layout");
    }
    return Optional.empty();
  }

  /**
   * A lower bound, in bytes, on the PAMT of the kernel family's optimum, given {@code witness}, a
   * valid layout of the family that ranks no better than the optimum: the larger of the module
   * family's bound under PAMT {@code any} ({@link TierBounds#pamtBytesBelow}; every kernel-family
   * layout is one of that family) and, under coverage {@code all}, the kernel family's own ({@link
   * KernelFamilyBounds#leastPamtPages}); neither uses a restriction of any model. At most the
   * witness's PAMT; empty when neither is derived by {@code deadline} and within {@link
   * KernelFamilyClaim#BOUNDS_SECONDS}.
   */
  public static OptionalLong pamtBound(MemoryMap map, TdxLimits limits, Policy policy, Layout witness,
      Deadline deadline) {
    Policy module = policy.withFamily(Policy.Family.MODULE).withPamt(Policy.PamtPlacementPolicy.ANY);
    try {
      Instance moduleAny = Instance.of(map, limits, module, deadline.within(KernelFamilyClaim.BOUNDS_SECONDS));
      return pamtBound(moduleAny, LayoutScore.of(map, limits, module, witness));
    } catch (Deadline.Exceeded e) {
      return OptionalLong.empty();
    }
  }

  /**
   * {@link #pamtBound(MemoryMap, TdxLimits, Policy, Layout, Deadline)} over {@code moduleAny}, the
   * map's instance of the module family under PAMT {@code any}, for a witness of score {@code
   * witness} (scored under that policy).
   */
  public static OptionalLong pamtBound(Instance moduleAny, LayoutScore witness) {
    long bytes = new TierBounds(moduleAny).pamtBytesBelow(witness).orElse(0);
    KernelFamilyBounds kernel = new KernelFamilyBounds(moduleAny);
    if (kernel.applies()) {
      bytes = Math.max(bytes, kernel.leastPamtPages().orElse(0) * ByteSize.PAGE);
    }
    return bytes > 0 ? OptionalLong.of(Math.min(bytes, witness.pamtBytes())) : OptionalLong.empty();
  }

  /**
   * The answer: {@code FEASIBLE} with {@code found} (fit: {@link #unfit} is empty), the PAMT bound
   * {@code familyBound} ({@link #pamtBound}, at most {@code found}'s PAMT), about the whole kernel
   * family; its messages say the layout, the restricted proof of {@code restricted} with the
   * restrictions it holds under, and {@code unproven}, why the second search proved nothing.
   *
   * @param search what searched without the restrictions, and its model's size and details
   */
  public static EngineResult answer(EngineResult restricted, Layout found, OptionalLong familyBound, String unproven,
      MemoryMap map, TdxLimits limits, Policy policy, Search search) {
    LayoutScore score = LayoutScore.of(map, limits, policy, found);
    List<String> messages = new ArrayList<>();
    messages.add("best layout found, not proven optimal among %s: %s".formatted(Policy.Family.KERNEL.claim(),
        score.describe()));
    messages.add(restrictedProof(restricted, map, limits, policy));
    messages.add("why not proven: %s without those restrictions (%s) %s".formatted(search.what(), search.model(),
        unproven));
    OptionalLong bound = familyBound.isPresent()
        ? OptionalLong.of(Math.min(familyBound.getAsLong(), found.pamtBytes())) : OptionalLong.empty();
    List<String> details = new ArrayList<>(restricted.details());
    details.addAll(search.details());
    return new EngineResult(restricted.solver(), Status.FEASIBLE, Optional.of(found), OptionalLong.of(found.pamtBytes()),
        bound, messages, restricted.solveMillis(), search.variables(), search.constraints(), score.uncoveredBytes(),
        Optional.empty(), Optional.empty(), details, Question.of(Policy.Family.KERNEL));
  }

  /**
   * The first proof as a statement about the layouts within its restrictions, worded so that it can
   * be quoted alone: {@code proven optimal only among the layouts of the kernel family in which R: S
   * (the first model's layout); this layout lies outside those restrictions, ranks better, and is not
   * proven optimal for the kernel family}, or for an {@code INFEASIBLE} proof {@code proven only among
   * the layouts of the kernel family in which R: no layout exists within these limits; ...}.
   */
  static String restrictedProof(EngineResult restricted, MemoryMap map, TdxLimits limits, Policy policy) {
    String among = " among the layouts of the kernel family in which " + String.join("; ", restricted.restrictions());
    String proof = restricted.layout().isPresent()
        ? "proven optimal only" + among + ": " + LayoutScore.of(map, limits, policy, restricted.layout().get())
            .describe() + " (the first model's layout)"
        : "proven only" + among + ": no layout exists within these limits";
    return proof + "; this layout lies outside those restrictions, ranks better, and is not proven optimal for the"
        + " kernel family";
  }

  /**
   * The second search, for the answer's words and its model's size.
   *
   * @param what who searched: {@code cpsat's search}, {@code z3's search}
   * @param model what its model holds, in words: {@code TDMRs on any 1 GiB boundary, chunks anywhere in one block}
   * @param variables its model's variables
   * @param constraints its model's constraints
   * @param details how it worked ({@link EngineResult#details})
   */
  public record Search(String what, String model, long variables, long constraints, List<String> details) {
    public Search {
      details = List.copyOf(details);
    }
  }
}
