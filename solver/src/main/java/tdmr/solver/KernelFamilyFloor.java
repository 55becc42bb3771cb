package tdmr.solver;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import tdmr.check.LayoutVerifier;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * A module-family solve that never answers worse than the kernel family. Every kernel-family layout
 * (one contiguous 4K/2M/1G chunk of the required size per TDMR, in one block of TDX memory) is a
 * module-family layout: the chunk is one way to place the three levels. The same engine first
 * solves the kernel family, which it does quickly, within {@link #SHARE} of the time; its layout, or
 * the kernel constructions' best (the Linux greedy, greedy-fit, greedy-merge) where that is better
 * or the search found none in its share, is offered to the
 * solve's {@link Incumbent} as the floor that later offers must beat, and it is the
 * answer when the module-family search stops at the time limit with a worse layout or none
 * ({@code FEASIBLE}, with the module family's proven PAMT bound when there is one).
 *
 * <p>The module family's {@code OPTIMAL} and {@code INFEASIBLE} stand as the engine gives them, but
 * they are checked against the kernel family's layout. A claim that holds only under restrictions of
 * the engine's model ({@link EngineResult#restrictions}) may be beaten by a kernel-family layout
 * outside them: then the claim is withdrawn and that layout is the answer, {@code FEASIBLE}. A claim
 * without restrictions that the layout contradicts (an optimum worse than it, "no layout" beside it)
 * is a defect of the engine and throws, as a layout failing the validator does. Outside the module
 * family the engine runs alone.
 */
public final class KernelFamilyFloor extends EngineDecorator {
  /** The share of the solve's time the kernel family may take (it needs milliseconds on real maps). */
  static final double SHARE = 0.15;

  private KernelFamilyFloor(Engine engine) {
    super(engine);
  }

  /** {@code engine} with the floor when it proves module-family answers; else {@code engine} itself. */
  public static Engine of(Engine engine) {
    return engine.proves(Policy.Family.MODULE) ? new KernelFamilyFloor(engine) : engine;
  }

  @Override
  public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
    if (policy.family() != Policy.Family.MODULE) {
      return engine.solve(map, limits, policy, options);
    }
    long started = System.nanoTime();
    Deadline whole = options.solveDeadline();
    Optional<Floor> floor = kernelFamily(map, limits, policy, options, whole);
    floor.ifPresent(f -> options.incumbent().offerFloor(asWitness(f, policy),
        Comparator.comparing((Layout l) -> score(map, limits, policy, l), LayoutScore.order(policy))));
    EngineResult module = engine.solve(map, limits, policy, options.withDeadline(whole));
    if (floor.isEmpty()) {
      return timed(module, started, "kernel family first: no layout within its share of the time");
    }
    Floor kernel = floor.get();
    LayoutScore kernelScore = kernel.score();
    switch (module.status()) {
      case INFEASIBLE -> {
        if (module.restrictions().isEmpty()) {
          throw new IllegalStateException(("%s: the module family has no layout, yet its kernel family has one (%s);"
              + " this is a defect of the engine").formatted(name(), kernelScore));
        }
        return kernelLayoutAnswers(module, kernel, OptionalLong.empty(), withdrawn(module), started);
      }
      case OPTIMAL -> {
        LayoutScore optimum = score(map, limits, policy, module.layout().orElseThrow());
        if (!kernelScore.betterThan(optimum, policy)) {
          return timed(module, started, kernelDetail(kernel));
        }
        if (module.restrictions().isEmpty()) {
          throw new IllegalStateException(("%s: its module-family optimum %s is worse than its kernel family's layout"
              + " %s; this is a defect of the engine").formatted(name(), optimum, kernelScore));
        }
        return kernelLayoutAnswers(module, kernel, OptionalLong.empty(), withdrawn(module), started);
      }
      default -> {
        if (module.layout().isPresent()
            && !kernelScore.betterThan(score(map, limits, policy, module.layout().get()), policy)) {
          return timed(module, started, kernelDetail(kernel));
        }
        Layout layout = kernel.layout();
        OptionalLong bound = module.pamtBoundBytes().isPresent()
            && module.pamtBoundBytes().getAsLong() <= layout.pamtBytes() ? module.pamtBoundBytes() : OptionalLong.empty();
        // The search's own words ("no layout found") are about the search, not about the answer.
        List<String> messages = new ArrayList<>(module.messages().stream().map(m -> "module-family search: " + m).toList());
        messages.add(module.layout().isPresent()
            ? "the module-family search's best layout was worse than %s, so the answer is that layout (one"
                .formatted(kernel.what()) + " contiguous PAMT chunk per TDMR, as Linux allocates it), which the module"
                + " family includes"
            : "the answer is %s (one contiguous PAMT chunk per TDMR, as Linux allocates it), which the module family"
                .formatted(kernel.what()) + " includes");
        return kernelLayoutAnswers(module, kernel, bound, messages, started);
      }
    }
  }

  /**
   * Why a claim that held only under the restrictions of the engine's model, beaten by the kernel
   * family's layout, which lies outside them, is withdrawn; that layout is then the answer without a
   * bound (a bound under those restrictions bounds nothing).
   */
  private static List<String> withdrawn(EngineResult module) {
    return List.of(("the module-family search's %s held only where %s; the kernel family's layout lies outside that"
        + " and is better, so nothing is claimed beyond it as a witness").formatted(
        module.status() == Status.OPTIMAL ? "optimum" : "proof that no layout exists",
        String.join("; ", module.restrictions())));
  }

  /**
   * The floor: the better of the kernel family's layout, solved by the same engine within
   * {@link #SHARE} of the time left, and the kernel constructions' best layout ({@link
   * GreedyEngine#constructionsLayout}: the Linux greedy, greedy-fit, greedy-merge; kernel-family
   * layouts too, built in {@code O(B log B)} time, so there is a floor even where the kernel family's
   * search finds nothing in its share, as on hosts of many nodes, where the Linux greedy runs out
   * of TDMRs); empty when none has a valid layout.
   */
  private Optional<Floor> kernelFamily(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options,
      Deadline whole) {
    Optional<Floor> searched = kernelFamilySearch(map, limits, policy, options, whole)
        .map(r -> new Floor(r, false, score(map, limits, policy, r.layout().orElseThrow())));
    Optional<Floor> greedy = GreedyEngine.constructionsLayout(map, limits, policy, whole)
        .map(r -> new Floor(r, true, score(map, limits, policy, r.layout().orElseThrow())));
    if (searched.isEmpty() || greedy.isEmpty()) {
      return searched.isPresent() ? searched : greedy;
    }
    return greedy.get().score().betterThan(searched.get().score(), policy) ? greedy : searched;
  }

  /**
   * The floor's layout, its score, and where it came from: the engine's kernel-family search or a
   * kernel construction ({@code greedy}; which one is the result's solver).
   */
  private record Floor(EngineResult result, boolean greedy, LayoutScore score) {
    Layout layout() {
      return result.layout().orElseThrow();
    }

    /** A kernel construction's layout in words: the Linux greedy's, or a variant's by its name. */
    private String constructionName() {
      return result.solver().equals("greedy") ? "the Linux greedy's layout"
          : "the layout of the kernel construction " + result.solver();
    }

    /** The floor in words, for messages: what it is, and only what it is proven to be. */
    String what() {
      return greedy ? constructionName()
          : result.status() == Status.OPTIMAL ? "the kernel family's optimum" : "the kernel family's best layout found";
    }
  }

  private Optional<EngineResult> kernelFamilySearch(MemoryMap map, TdxLimits limits, Policy policy,
      SolveOptions options, Deadline whole) {
    Deadline share = Deadline.in(whole.remainingSeconds() * SHARE);
    try {
      EngineResult r = engine.solve(map, limits, policy.withFamily(Policy.Family.KERNEL),
          options.withDeadline(share).withIncumbent(Incumbent.NONE));
      return r.layout().filter(l -> LayoutVerifier.failures(map, limits, policy, l).isEmpty()).map(l -> r);
    } catch (Deadline.Exceeded e) {
      return Optional.empty();
    }
  }


  /** The kernel family's layout as the module-family answer: {@code FEASIBLE}, with {@code bound}. */
  private EngineResult kernelLayoutAnswers(EngineResult module, Floor kernel, OptionalLong bound,
      List<String> messages, long started) {
    Layout layout = kernel.layout();
    List<String> details = new ArrayList<>(module.details());
    details.add(kernelDetail(kernel));
    return new EngineResult(name(), Status.FEASIBLE, Optional.of(layout), OptionalLong.of(layout.pamtBytes()), bound,
        messages, (System.nanoTime() - started) / 1_000_000, module.modelVariables(), module.modelConstraints(),
        kernel.result().uncoveredBytes(), Optional.empty(), Optional.empty(), details, module.question());
  }

  /**
   * The kernel family's layout as a witness of the module family: {@code FEASIBLE}, and without the
   * kernel family's bound, which says nothing about the larger family.
   */
  private EngineResult asWitness(Floor kernel, Policy policy) {
    Layout layout = kernel.layout();
    EngineResult r = kernel.result();
    return new EngineResult(name(), Status.FEASIBLE, Optional.of(layout), OptionalLong.of(layout.pamtBytes()),
        OptionalLong.empty(), List.of(kernel.what() + ", which the module family includes"),
        r.solveMillis(), r.modelVariables(), r.modelConstraints(), r.uncoveredBytes(),
        Optional.empty(), Optional.empty(), List.of(kernelDetail(kernel)), Question.of(policy.family()));
  }

  private static String kernelDetail(Floor kernel) {
    EngineResult r = kernel.result();
    return kernel.greedy()
        ? "kernel family first: %s, PAMT %d bytes".formatted(kernel.what(), kernel.layout().pamtBytes())
        : "kernel family first: %s in %d ms%s".formatted(r.status(), r.solveMillis(),
            r.pamtBytes().isPresent() ? ", PAMT " + r.pamtBytes().getAsLong() + " bytes" : "");
  }

  /** {@code r} with the time since {@code started} (the kernel family's included) and {@code detail}. */
  private static EngineResult timed(EngineResult r, long started, String detail) {
    List<String> details = new ArrayList<>(r.details());
    details.add(detail);
    return r.withDetails(details).timedFrom(started);
  }

  private static LayoutScore score(MemoryMap map, TdxLimits limits, Policy policy, Layout layout) {
    return LayoutScore.of(map, limits, policy, layout);
  }
}
