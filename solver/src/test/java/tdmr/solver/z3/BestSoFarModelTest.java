package tdmr.solver.z3;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.z3.Context;
import com.microsoft.z3.IntExpr;
import com.microsoft.z3.Model;
import com.microsoft.z3.Optimize;
import com.microsoft.z3.Solver;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The guard on a time-limited Optimize's best-so-far model: a model is used for a layout only if it
 * satisfies every hard assertion. Without it, an interrupted solve on a large map (80 GiB, 665
 * blocks) handed back a model whose layout left a block uncovered, and tdmr exited 70.
 */
class BestSoFarModelTest {
  @Test
  void aModelThatBreaksAHardAssertionIsRejected() {
    Z3Native.requireLoaded();
    try (Context ctx = new Context(Map.of("model", "true"))) {
      IntExpr x = ctx.mkIntConst("x");
      Optimize opt = ctx.mkOptimize();
      opt.Add(ctx.mkGt(x, ctx.mkInt(5)));
      // A model from elsewhere in which x = 0 breaks x > 5.
      Solver other = ctx.mkSolver();
      other.add(ctx.mkEq(x, ctx.mkInt(0)));
      other.check();
      Model breaking = other.getModel();
      assertFalse(Z3Engine.satisfiesHardConstraints(opt, breaking));
      // One in which x = 6 satisfies it.
      Solver good = ctx.mkSolver();
      good.add(ctx.mkEq(x, ctx.mkInt(6)));
      good.check();
      Model satisfying = good.getModel();
      assertTrue(Z3Engine.satisfiesHardConstraints(opt, satisfying));
    }
  }
}
