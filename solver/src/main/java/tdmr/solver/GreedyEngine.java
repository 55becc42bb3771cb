package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Function;
import tdmr.check.LayoutVerifier;
import tdmr.greedy.GreedyFit;
import tdmr.greedy.GreedyMerge;
import tdmr.greedy.GreedyResult;
import tdmr.greedy.KernelConstruction;
import tdmr.greedy.LinuxGreedy;
import tdmr.greedy.LinuxGreedyConstruction;
import tdmr.greedy.PamtPlacement;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * A kernel construction ({@link LinuxGreedy} or a variant, any {@link KernelConstruction}) as an
 * engine: {@code FEASIBLE} with the kernel's layout, or {@code FAILED} where the kernel would fail.
 * Messages are the kernel's lines (with its {@code virt/tdx: } prefix) followed by the
 * construction's explanation.
 *
 * <p>The engine named {@code greedy} takes its holes from {@link Policy#holes()}; {@code greedy-cmr}
 * always uses the CMR-holes patch; a variant ({@link #variant}) takes the policy's holes. A built
 * layout is checked by {@link LayoutVerifier}: a layout the module would reject (memory outside the CMRs) is the kernel failing at {@code TDH.SYS.CONFIG}
 * with {@code -EIO}, reported as {@code FAILED}; any other verification failure is a bug and throws.
 */
public final class GreedyEngine implements Engine {
  private final Optional<Policy.Holes> forcedHoles;
  private final Optional<String> variantName;
  private final Function<Policy, KernelConstruction> construction;

  /** The greedy honouring the policy's holes, with the kernel's PAMT placement model. */
  public GreedyEngine() {
    this(Optional.empty(), PamtPlacement.kernel());
  }

  /** The greedy always using {@code holes}, with the kernel's PAMT placement model. */
  public GreedyEngine(Policy.Holes holes) {
    this(Optional.of(holes), PamtPlacement.kernel());
  }

  /** The greedy with a chosen PAMT placement. */
  public GreedyEngine(Optional<Policy.Holes> forcedHoles, PamtPlacement placement) {
    this(forcedHoles, Optional.empty(), p -> new LinuxGreedyConstruction(new LinuxGreedy(p.holes(), placement)));
  }

  private GreedyEngine(
      Optional<Policy.Holes> forcedHoles, Optional<String> variantName,
      Function<Policy, KernelConstruction> construction) {
    this.forcedHoles = forcedHoles;
    this.variantName = variantName;
    this.construction = construction;
  }

  /** A kernel variant named {@code name}, built for the run's policy by {@code construction}. */
  public static GreedyEngine variant(String name, Function<Policy, KernelConstruction> construction) {
    return new GreedyEngine(Optional.empty(), Optional.of(name), construction);
  }

  @Override
  public String name() {
    return variantName.orElse(
        forcedHoles.filter(h -> h == Policy.Holes.CMR).isPresent() ? "greedy-cmr" : "greedy");
  }

  @Override
  public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
    Policy.Holes holes = forcedHoles.orElse(policy.holes());
    Policy effective = policy.withHoles(holes);
    KernelConstruction greedy = construction.apply(effective);
    String solver = variantName.orElse(greedy.name());
    // The kernel's construction is linear in the map; with limits raised far past the module's its
    // layout, and so the verification, can be large: each step checks the deadline.
    Deadline deadline = options.solveDeadline();
    long t0 = System.nanoTime();
    GreedyResult result = greedy.construct(map, limits);
    long millis = (System.nanoTime() - t0) / 1_000_000;
    deadline.check();

    if (result instanceof GreedyResult.Built built) {
      LayoutVerifier.Verification verdict = LayoutVerifier.verify(map, limits, effective, built.layout());
      deadline.check();
      if (!verdict.module().isEmpty()) {
        return rejectedByModule(solver, built, verdict, millis);
      }
      if (!verdict.failures().isEmpty()) {
        // The same verdict LayoutVerifier.requireValid gives, without verifying a second time.
        throw new IllegalStateException("the kernel's layout for %s fails the OS check:%n  %s"
            .formatted(map.source(), String.join(System.lineSeparator() + "  ", verdict.failures())));
      }
      List<String> messages = new ArrayList<>();
      built.messages().forEach(m -> messages.add(LinuxGreedy.LOG_PREFIX + m));
      messages.addAll(greedy.explain(map, limits, built));
      return new EngineResult(solver, Status.FEASIBLE, Optional.of(built.layout()),
          OptionalLong.of(built.pamtBytes()), OptionalLong.empty(), messages, millis, 0, 0, 0);
    }
    GreedyResult.Failed failed = (GreedyResult.Failed) result;
    List<String> messages = new ArrayList<>();
    failed.messages().forEach(m -> messages.add(LinuxGreedy.LOG_PREFIX + m));
    messages.addAll(greedy.explain(map, limits, failed));
    return new EngineResult(solver, Status.FAILED, Optional.empty(), OptionalLong.empty(),
        OptionalLong.empty(), messages, millis, 0, 0, 0).withKernelFailure(failed);
  }

  /**
   * The Linux greedy's layout of {@code map} as a {@code FEASIBLE} result, when the kernel builds one
   * the module accepts under {@code policy} ({@link #solve} validates it); empty when the kernel
   * would fail or {@code deadline} passes first. Exact engines fall back on it: it takes linear time
   * and is a kernel-family layout, so a layout of every family.
   */
  static Optional<EngineResult> kernelsLayout(MemoryMap map, TdxLimits limits, Policy policy, Deadline deadline) {
    try {
      EngineResult r = new GreedyEngine().solve(map, limits, policy, SolveOptions.DEFAULT.withDeadline(deadline));
      return r.status() == Status.FEASIBLE ? Optional.of(r) : Optional.empty();
    } catch (Deadline.Exceeded e) {
      return Optional.empty();
    }
  }

  /** greedy-fit ({@link GreedyFit}) as an engine: holes and PAMT placement from the run's policy. */
  public static GreedyEngine fit() {
    return variant(GreedyFit.NAME, GreedyFit::forPolicy);
  }

  /** greedy-merge ({@link GreedyMerge}) as an engine: holes from the run's policy. */
  public static GreedyEngine merge() {
    return variant(GreedyMerge.NAME, p -> new GreedyMerge(p.holes()));
  }

  /**
   * The best layout of the kernel constructions (the Linux greedy, greedy-fit, greedy-merge) by
   * {@code policy}'s objective, as a {@code FEASIBLE} result: each is a kernel-family layout, so a
   * layout of every family, built in {@code O(B log B)} time and validated ({@link #solve}); on a
   * tie the earlier in that order. Exact engines start from it where their own search has nothing
   * in time: on hosts of more nodes than the TDMR limit (tdmr-bench's manynodes-200: 203 blocks, 64
   * TDMRs) the Linux greedy needs a TDMR per block and fails, while greedy-merge and greedy-fit
   * build 64 and 2. Empty when none has a layout before {@code deadline}.
   */
  public static Optional<EngineResult> constructionsLayout(MemoryMap map, TdxLimits limits, Policy policy,
      Deadline deadline) {
    EngineResult best = null;
    LayoutScore bestScore = null;
    for (EngineResult r : constructionLayouts(map, limits, policy, deadline)) {
      LayoutScore score = LayoutScore.of(map, limits, policy, r.layout().orElseThrow());
      if (best == null || score.betterThan(bestScore, policy)) {
        best = r;
        bestScore = score;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * The layouts of the kernel constructions (the Linux greedy, greedy-fit, greedy-merge, in that
   * order) that build one the module accepts under {@code policy}, each a {@code FEASIBLE} result
   * validated by {@link #solve}; those not reached before {@code deadline} are left out.
   */
  public static List<EngineResult> constructionLayouts(MemoryMap map, TdxLimits limits, Policy policy,
      Deadline deadline) {
    List<EngineResult> built = new ArrayList<>();
    for (GreedyEngine construction : List.of(new GreedyEngine(), fit(), merge())) {
      EngineResult r;
      try {
        r = construction.solve(map, limits, policy, SolveOptions.DEFAULT.withDeadline(deadline));
      } catch (Deadline.Exceeded e) {
        break;
      }
      if (r.status() == Status.FEASIBLE) {
        built.add(r);
      }
    }
    return built;
  }

  /**
   * The kernel hands the layout to TDH.SYS.CONFIG, which rejects it: {@code -EIO}, and the success
   * lines ("... KB allocated for PAMT", "module initialized") are never printed.
   */
  private static EngineResult rejectedByModule(
      String solver, GreedyResult.Built built, LayoutVerifier.Verification verdict, long millis) {
    int tdmr = verdict.module().get(0).tdmrIndex();
    List<String> kernel = built.constructionMessages();
    List<String> log = new ArrayList<>(kernel);
    log.add("module initialization failed (%d)".formatted(GreedyResult.Cause.MODULE_REJECTED.errno().value()));
    GreedyResult.Failed failed = new GreedyResult.Failed(GreedyResult.Cause.MODULE_REJECTED,
        tdmr >= 0 ? OptionalInt.of(tdmr) : OptionalInt.empty(), Optional.empty(), built.tdmrs(), verdict.module(), log);
    List<String> messages = new ArrayList<>();
    kernel.forEach(m -> messages.add(LinuxGreedy.LOG_PREFIX + m));
    messages.add(failed.failureLine());
    messages.add(LinuxGreedy.LOG_PREFIX + log.get(log.size() - 1));
    return new EngineResult(solver, Status.FAILED, Optional.empty(), OptionalLong.empty(),
        OptionalLong.empty(), messages, millis, 0, 0, 0).withKernelFailure(failed);
  }
}
