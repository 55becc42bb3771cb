package tdmr.fuzz;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * The tries and seed of a fuzz property for long runs: {@code -Dfuzz.tries=N} runs N tries of each
 * property, {@code -Dfuzz.seed=S} starts from seed S instead of the property's own, so that a long
 * run explores inputs CI never tries ({@code mvn -pl solver -am test -Dtest='HostileInputProperties'
 * -Dfuzz.tries=2000 -Dfuzz.seed=7 -Dsurefire.failIfNoSpecifiedTests=false}). Without them, each
 * property's own fixed seed and count, sized for CI.
 */
public final class FuzzTries implements AroundPropertyHook {
  @Override
  public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
    Integer tries = Integer.getInteger("fuzz.tries");
    if (tries != null && tries > 0) {
      context.attributes().setTries(tries);
    }
    String seed = System.getProperty("fuzz.seed", "");
    if (!seed.isBlank()) {
      // Each property keeps a seed of its own: the run's seed plus the property's name.
      context.attributes().setSeed(Long.toString(Long.parseLong(seed.strip()) * 31 + context.label().hashCode()));
    }
    return property.execute();
  }

  /** Outside jqwik's own defaults hook (-10), so that the tries are set before the property reads them. */
  @Override
  public int aroundPropertyProximity() {
    return -20;
  }
}
