package tdmr.fuzz;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * The tries of a fuzz property from {@code -Dfuzz.tries=N} (for long runs: {@code mvn -pl solver
 * -am test -Dtest='HostileInputProperties' -Dfuzz.tries=20000 -Dsurefire.failIfNoSpecifiedTests=false});
 * without it, the property's own count, sized for CI.
 */
public final class FuzzTries implements AroundPropertyHook {
  @Override
  public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
    Integer tries = Integer.getInteger("fuzz.tries");
    if (tries != null && tries > 0) {
      context.attributes().setTries(tries);
    }
    return property.execute();
  }

  /** Outside jqwik's own defaults hook (-10), so that the tries are set before the property reads them. */
  @Override
  public int aroundPropertyProximity() {
    return -20;
  }
}
