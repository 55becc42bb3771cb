package tdmr.solver;

import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import tdmr.tdx.Layout;

/**
 * The best answer with a layout that an engine has found so far in one solve, where its caller can
 * read it while the engine is still running: {@link DeadlineGuard} returns it when the engine does
 * not come back in time (CPU starvation past the deadline), rather than dropping a layout the engine
 * already held. Engines offer each validated layout as they find it (each no worse than the last);
 * the guard validates it again before using it and claims no more than {@link Status#FEASIBLE}.
 * Thread-safe.
 */
public final class Incumbent {
  /** Keeps nothing: for solves nobody guards. */
  public static final Incumbent NONE = new Incumbent(false);

  private final boolean keeps;
  private final AtomicReference<Supplier<EngineResult>> best = new AtomicReference<>();
  private final AtomicReference<Floor> floor = new AtomicReference<>();

  /** A layout found another way, which the engine's offers replace only when they are better. */
  private record Floor(EngineResult result, Comparator<Layout> order) {}

  private Incumbent(boolean keeps) {
    this.keeps = keeps;
  }

  /** A fresh holder, empty until an engine offers a layout. */
  public static Incumbent create() {
    return new Incumbent(true);
  }

  /** Keeps {@code result} when it has a layout: the engine's best so far. */
  public void offer(EngineResult result) {
    if (keeps && result.layout().isPresent()) {
      best.set(() -> result);
    }
  }

  /**
   * Keeps a layout to be read only if it is asked for ({@link #best}): an engine that holds a
   * solution need not spend time reading it into a layout until its caller needs it. {@code layout}
   * must be safe to call from another thread while the engine runs on.
   */
  public void offerLazily(Supplier<EngineResult> layout) {
    if (keeps) {
      best.set(layout);
    }
  }

  /**
   * Keeps {@code result}, a layout found before the engine's search (for example in a family the
   * searched one includes, {@link KernelFamilyFloor}), as the floor: {@link #best} returns the
   * engine's last offer only when {@code order} ranks it before the floor.
   */
  public void offerFloor(EngineResult result, Comparator<Layout> order) {
    if (keeps && result.layout().isPresent()) {
      floor.set(new Floor(result, order));
    }
  }

  /** The floor, if one was offered ({@link #offerFloor}): an engine need not find that layout again. */
  public Optional<EngineResult> floor() {
    Floor under = floor.get();
    return under == null ? Optional.empty() : Optional.of(under.result());
  }

  /**
   * The last answer offered with a layout, or the floor when it is better or that answer is missing
   * (empty when neither exists or reading the offer fails and there is no floor).
   */
  public Optional<EngineResult> best() {
    Optional<EngineResult> offered = offered();
    Floor under = floor.get();
    if (under == null) {
      return offered;
    }
    if (offered.isPresent()
        && under.order().compare(offered.get().layout().orElseThrow(), under.result().layout().orElseThrow()) < 0) {
      return offered;
    }
    return Optional.of(under.result());
  }

  private Optional<EngineResult> offered() {
    Supplier<EngineResult> held = best.get();
    if (held == null) {
      return Optional.empty();
    }
    try {
      EngineResult r = held.get();
      return r.layout().isPresent() ? Optional.of(r) : Optional.empty();
    } catch (RuntimeException e) {
      // A solution that cannot be read (a defect the engine's own answer would show) is no witness.
      return Optional.empty();
    }
  }
}
