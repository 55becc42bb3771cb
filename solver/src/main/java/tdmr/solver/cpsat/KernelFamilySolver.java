package tdmr.solver.cpsat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.Incumbent;
import tdmr.solver.Instance;
import tdmr.solver.KernelFamilyClaim;
import tdmr.solver.KernelFamilyWitness;
import tdmr.solver.KernelShape;
import tdmr.solver.LayoutScore;
import tdmr.solver.Question;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * CP-SAT's kernel-family answer ({@link Policy.Family#KERNEL}) in two steps. First the model over
 * {@link tdmr.solver.Problem} ({@link TdmrModel}), named by {@link KernelFamilyClaim}: where its
 * proof meets bounds derived for the whole family it names no restriction and is the answer. Else
 * (its proof names the four restrictions of {@code Problem.KERNEL_FAMILY_RESTRICTIONS}) the
 * kernel family over an {@link Instance} in kernel mode ({@link ModuleFamilySolver#kernel}, the
 * {@link ModuleModel} of one chunk per TDMR), started from that answer's TDMRs: TDMR boundaries on
 * any 1 GiB boundary of a run (one per run), chunks anywhere in one block (across 1 GiB boundaries,
 * over empty granules beside the memory through {@link Instance.Cell#extension}), granules whose
 * memory chunks fill wholly outside every TDMR. Its proof names only what {@link
 * tdmr.solver.ModuleFamilyRestrictions#kernelFamily} says could matter (a TDMR inside a run, chains
 * of 1 GiB, TDMRs without memory), or nothing where the family's bounds are met.
 *
 * <p>It is searched under PAMT {@code any}: the kernel family does not rank remote PAMT ({@link
 * LayoutScore#ranksRemotePamt}), so its optimum is the family's under {@code node-local} too. But
 * under {@code node-local} the kernel family keeps each chunk on the node the kernel picks for its
 * TDMR ({@link tdmr.greedy.LinuxGreedy#tdmrNode}, {@link KernelShape#offKernelNode}): an answer with a chunk elsewhere is not taken, the first
 * answer stands (and says so in its details); under coverage {@code max} it is not tried there, as the
 * kernel's node for a TDMR depends on the memory given up. The second answer replaces the first only when it is
 * a proof (OPTIMAL or INFEASIBLE), its layout valid and of the kernel's shape (checked by {@link
 * ModuleFamilySolver}), and no worse than the first's layout. Where it proves nothing (its share of
 * the time ran out) but its best layout is one the family holds and ranks better than the first's
 * ({@link KernelFamilyWitness#unfit}), the answer is {@code FEASIBLE} with that layout, a PAMT bound
 * for the whole family and the first proof kept as a statement about the layouts within its
 * restrictions ({@link KernelFamilyWitness}); otherwise the first stands. The second gets half the
 * time the first left (the first answer is offered to the solve's incumbent before); either
 * answer's time counts both solves.
 */
final class KernelFamilySolver {
  /** What CP-SAT's second search holds, in the answers' words. */
  static final String WIDE_MODEL = "TDMRs on any 1 GiB boundary, chunks anywhere in one block";

  /**
   * The second solve: the kernel family over the module family's instance ({@link
   * ModuleFamilySolver#kernel}); tests give one whose outcome they fix.
   */
  @FunctionalInterface
  interface SecondPass {
    EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options, Optional<Layout> start);
  }

  private KernelFamilySolver() {}

  /**
   * The answer for {@code map} given {@code first}, the model over {@code Problem}'s answer, named,
   * of a solve started at {@code started} ({@link System#nanoTime}); {@code second} is the second
   * solve ({@link SecondPass}). The caller has loaded OR-Tools.
   */
  static EngineResult answer(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options,
      EngineResult first, long started, SecondPass second) {
    boolean proof = first.status() == Status.OPTIMAL || first.status() == Status.INFEASIBLE;
    if (!proof || first.restrictions().isEmpty() || options.solveDeadline().expired()) {
      return first;
    }
    if (policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL && policy.coverage() == Policy.Coverage.MAX) {
      // The node the kernel picks for a TDMR depends on the memory given up (memmap= removes blocks),
      // which KernelShape#offKernelNode does not follow: the first answer stands.
      return first.withDetails(notTaken(first, "not tried under coverage max with PAMT node-local (the node the"
          + " kernel picks for a TDMR depends on the memory given up)"));
    }
    // The first answer is what a deadline guard falls back on; the second solve offers to a holder of
    // its own and gets half the time left, so that it ends well before the guard's grace runs out
    // even where building its model is slow (65 nodes under load).
    options.incumbent().offer(first);
    Policy any = policy.withPamt(Policy.PamtPlacementPolicy.ANY);
    Deadline half = options.solveDeadline().within(options.solveDeadline().remainingSeconds() / 2);
    EngineResult wide = second.solve(map, limits, any, options.withDeadline(half).withIncumbent(Incumbent.create()),
        first.layout());
    if (wide.status() != Status.OPTIMAL && wide.status() != Status.INFEASIBLE) {
      return unproven(map, limits, policy, options, first, wide).timedFrom(started);
    }
    Optional<String> why = whyNotTaken(map, limits, policy, first, wide);
    if (why.isPresent()) {
      return first.withDetails(notTaken(first, why.get())).timedFrom(started);
    }
    return named(wide, map, limits, policy, options).timedFrom(started);
  }

  /**
   * The answer when the second solve proved nothing: {@code FEASIBLE} with its layout where that is
   * one the family holds and ranks better than {@code first}'s ({@link KernelFamilyWitness}); else
   * {@code first}, saying why in its details.
   */
  private static EngineResult unproven(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options,
      EngineResult first, EngineResult wide) {
    String proved = "it proved nothing (" + wide.status() + ": " + String.join("; ", wide.messages()) + ")";
    if (wide.layout().isEmpty()) {
      return first.withDetails(notTaken(first, proved));
    }
    Layout found = wide.layout().get();
    Optional<String> unfit = KernelFamilyWitness.unfit(map, limits, policy, first, found);
    if (unfit.isPresent()) {
      return first.withDetails(notTaken(first, proved + ", and its best layout is not the answer: " + unfit.get()));
    }
    List<String> details = new ArrayList<>();
    details.add("kernel family over the module family's instance (%s): %s; its best layout, which ranks better than"
        .formatted(WIDE_MODEL, proved) + " the first model's, is the answer");
    details.addAll(wide.details());
    return KernelFamilyWitness.answer(first, found,
        KernelFamilyWitness.pamtBound(map, limits, policy, first.layout().orElse(found), options.solveDeadline()),
        "stopped at the end of its share of the time limit (half of what the first search left); a longer"
            + " --time-limit may prove the optimum",
        map, limits, policy, new KernelFamilyWitness.Search("cpsat's search of the kernel family", WIDE_MODEL,
            wide.modelVariables(), wide.modelConstraints(), details));
  }

  /** {@code first}'s details and why the kernel family over the module family's instance did not answer. */
  private static List<String> notTaken(EngineResult first, String why) {
    List<String> details = new ArrayList<>(first.details());
    details.add("the kernel family over the module family's instance (TDMRs on any 1 GiB boundary, chunks anywhere"
        + " in one block) did not answer: " + why);
    return details;
  }

  /** Why {@code wide} does not replace {@code first}; empty when it does. */
  private static Optional<String> whyNotTaken(MemoryMap map, TdxLimits limits, Policy policy, EngineResult first,
      EngineResult wide) {
    if (wide.status() == Status.INFEASIBLE) {
      return first.status() == Status.INFEASIBLE ? Optional.empty()
          : Optional.of("it found no layout where the first model found one; this is a defect, please report it");
    }
    Layout layout = wide.layout().orElseThrow();
    if (policy.pamt() == Policy.PamtPlacementPolicy.NODE_LOCAL && !KernelShape.offKernelNode(map, layout).isEmpty()) {
      return Optional.of("its optimum puts a chunk on another node than the one the kernel picks for its TDMR");
    }
    if (first.layout().isPresent() && LayoutScore.of(map, limits, policy, first.layout().get())
        .betterThan(LayoutScore.of(map, limits, policy, layout), policy)) {
      return Optional.of("its optimum is worse than the first model's layout (a restriction of its own hid that one)");
    }
    return Optional.empty();
  }

  /**
   * {@code wide} under the kernel family's question: its restrictions, unless the family's bounds
   * show none can matter ({@link KernelFamilyClaim}).
   */
  private static EngineResult named(EngineResult wide, MemoryMap map, TdxLimits limits, Policy policy,
      SolveOptions options) {
    List<String> said = new ArrayList<>(wide.messages());
    Restrictions.sentence(wide.restrictions()).ifPresent(said::remove);
    EngineResult bare = new EngineResult(wide.solver(), wide.status(), wide.layout(), wide.pamtBytes(),
        wide.pamtBoundBytes(), said, wide.solveMillis(), wide.modelVariables(), wide.modelConstraints(),
        wide.uncoveredBytes(), wide.kernelFailure(), wide.infeasibility(), wide.details(), wide.question());
    List<String> details = new ArrayList<>(wide.details());
    details.add(0, "kernel family over the module family's instance (TDMRs on any 1 GiB boundary of a run, chunks"
        + " anywhere in one block): its proof replaces the model over Problem's, which named "
        + String.join("; ", tdmr.solver.Problem.kernelQuestion(policy).restrictions()));
    return KernelFamilyClaim.named(bare.withDetails(details), map, limits, policy, options.solveDeadline(),
        new Question(Policy.Family.KERNEL, wide.restrictions()));
  }
}
