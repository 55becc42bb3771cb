package tdmr.solver;

import java.util.Objects;
import tdmr.tdx.Policy;

/**
 * An engine wrapped to change how it is run, not what it is: it answers under the wrapped engine's
 * name and proves what that engine proves ({@link BoundsFirst}, {@link DeadlineGuard}, {@link
 * KernelFamilyFloor}).
 */
abstract class EngineDecorator implements Engine {
  /** The wrapped engine. */
  protected final Engine engine;

  EngineDecorator(Engine engine) {
    this.engine = Objects.requireNonNull(engine, "engine");
  }

  @Override
  public final String name() {
    return engine.name();
  }

  @Override
  public final boolean proves(Policy.Family family) {
    return engine.proves(family);
  }
}
