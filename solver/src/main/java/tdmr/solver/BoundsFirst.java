package tdmr.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import tdmr.mem.ByteSize;
import tdmr.mem.Count;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * An exact engine asked for the price of the limits ({@code tdmr prove}), with the reserved-area
 * bounds tried first in the module family: {@code INFEASIBLE} without a search when {@link
 * ReservedAreaBounds} rules the limits out (its reasoning in {@link Infeasibility#areaShortfall});
 * else, when the limit has a price, {@link IslandFill}'s layout, which is the answer when it meets
 * that price; otherwise the engine searches, and the cheaper of its layout and the construction's is
 * the answer, with the larger of the two proven PAMT bounds. The engine's {@code INFEASIBLE} and
 * {@code OPTIMAL} stand as they are.
 */
public final class BoundsFirst extends EngineDecorator {
  public BoundsFirst(Engine engine) {
    super(engine);
  }

  @Override
  public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
    long started = System.nanoTime();
    Optional<Layout> built = Optional.empty();
    long price = 0;
    if (policy.family() == Policy.Family.MODULE) {
      try {
        Instance instance = Instance.of(map, limits, policy, options.solveDeadline());
        ReservedAreaBounds bounds = new ReservedAreaBounds(instance);
        Optional<AreaShortfall> shortfall = bounds.shortfall(limits.maxTdmrs(), limits.maxReservedPerTdmr());
        if (shortfall.isPresent()) {
          return ruledOut(shortfall.get(), started);
        }
        price = bounds.leastPamtPages(limits.maxTdmrs(), limits.maxReservedPerTdmr()) * ByteSize.PAGE;
        if (price > 0) {
          built = new IslandFill(instance, bounds).cheapest(limits.maxTdmrs(), limits.maxReservedPerTdmr());
        }
      } catch (Deadline.Exceeded e) {
        built = Optional.empty();
      }
    }
    if (built.isPresent() && built.get().pamtBytes() == price) {
      return built(built.get(), price, List.of(), started);
    }
    EngineResult r = engine.solve(map, limits, policy, options);
    if (built.isEmpty() || r.status() == Status.OPTIMAL || r.status() == Status.INFEASIBLE
        || r.layout().isPresent() && r.layout().get().pamtBytes() <= built.get().pamtBytes()) {
      return r;
    }
    long bound = Math.max(price, r.pamtBoundBytes().orElse(0));
    return built(built.get(), bound, r.messages(), started);
  }

  /** The bound's answer: no layout, proven by counting, for the whole family (no model restriction). */
  private EngineResult ruledOut(AreaShortfall shortfall, long started) {
    return new EngineResult(Frontier.BOUNDS, Status.INFEASIBLE, Optional.empty(), OptionalLong.empty(),
        OptionalLong.empty(), List.of(ruledOutSentence(shortfall)), (System.nanoTime() - started) / 1_000_000, 0, 0, 0)
        .withInfeasibility(Infeasibility.of(shortfall))
        .withQuestion(Question.of(Policy.Family.MODULE));
  }

  /**
   * What an answer of "no layout" from {@code shortfall} says: proven by counting, for the whole
   * module family. The engines answer so too, before their search ({@link #shortfall}).
   */
  public static String ruledOutSentence(AreaShortfall shortfall) {
    return ("proven without a search by the reserved-area bound (ReservedAreaBounds): every layout of the"
        + " module family within %s has a TDMR with at least %s").formatted(Count.of(shortfall.maxTdmrs(), "TDMR"),
        Count.of(shortfall.leastMaxReserved(), "reserved area"));
  }

  /**
   * Why no layout of {@code instance}'s module family exists within its limits, when {@link
   * ReservedAreaBounds} shows it (a granule with more runs of holes than its TDMR's areas and the
   * levels of all TDMRs can merge): empty outside the module family, or when the bound does not show
   * it. Both engines ask it before they build a model, as {@code prove} does here.
   */
  public static Optional<AreaShortfall> shortfall(Instance instance) {
    if (!instance.moduleFamily()) {
      return Optional.empty();
    }
    return new ReservedAreaBounds(instance).shortfall(instance.limits().maxTdmrs(),
        instance.limits().maxReservedPerTdmr());
  }

  /** The construction's answer: a validated layout, with the proven bound. */
  private EngineResult built(Layout layout, long bound, List<String> engineMessages, long started) {
    List<String> messages = new ArrayList<>();
    messages.add("witness built by " + IslandFill.NAME + " (levels padded to fill the islands between holes), "
        + (bound == layout.pamtBytes() ? "meeting the PAMT bound of the reserved-area limit"
            : "cheaper than the search's best layout"));
    messages.addAll(engineMessages);
    return new EngineResult(IslandFill.NAME, Status.FEASIBLE, Optional.of(layout), OptionalLong.of(layout.pamtBytes()),
        bound > 0 ? OptionalLong.of(Math.min(bound, layout.pamtBytes())) : OptionalLong.empty(), messages,
        (System.nanoTime() - started) / 1_000_000, 0, 0, 0)
        .withQuestion(Question.of(Policy.Family.MODULE));
  }
}
