package tdmr.solver.z3;

import com.microsoft.z3.ArithExpr;
import com.microsoft.z3.BoolExpr;
import com.microsoft.z3.Context;
import com.microsoft.z3.Expr;
import com.microsoft.z3.IntNum;
import com.microsoft.z3.IntSort;
import com.microsoft.z3.Model;
import com.microsoft.z3.Optimize;
import com.microsoft.z3.Params;
import com.microsoft.z3.Status;
import com.microsoft.z3.Z3Exception;
import java.util.List;
import java.util.Optional;
import tdmr.time.Deadline;

/**
 * A lexicographic objective solved one tier at a time on one Z3 {@code Optimize} that holds a
 * {@link Z3Model}'s formulas: each tier is minimised with the optima of the tiers before it fixed
 * as hard constraints ({@link #fix}). A tier with a proven lower bound is first checked at that
 * bound alone: when a layout meets it, the bound is the optimum and no optimisation runs. Each
 * check gets the time left before the deadline.
 */
final class TierSearch {
  /** The JVM property {@code tdmr.z3.log=true} prints each tier's outcome and time to standard error. */
  static final boolean LOG = Boolean.getBoolean("tdmr.z3.log");

  /** How a tier ended. */
  enum Kind {
    /** The value is proven least (with the tiers before fixed). */
    OPTIMAL,
    /** No layout satisfies the hard constraints (only possible in the first tier). */
    INFEASIBLE,
    /** The deadline struck: the value is the best found, if any model was found. */
    STOPPED
  }

  /**
   * The end of one tier.
   *
   * @param value the tier's value in the model (its optimum when {@code OPTIMAL})
   * @param lowerBound the least value the tier may still have (the value itself when optimal)
   * @param model the model found, if any
   * @param reason Z3's reason when it stopped
   */
  record Outcome(Kind kind, long value, long lowerBound, Optional<Model> model, boolean boundMet, String reason) {}

  private final Context ctx;
  private final Optimize opt;
  private final Z3Model model;
  private final Deadline deadline;

  TierSearch(Context ctx, Z3Model model, Deadline deadline) {
    this.ctx = ctx;
    this.model = model;
    this.deadline = deadline;
    this.opt = ctx.mkOptimize();
    for (BoolExpr f : model.background()) {
      opt.Add(f);
    }
    for (List<BoolExpr> fs : model.groups().values()) {
      opt.Add(fs.toArray(BoolExpr[]::new));
    }
  }

  /** Adds hard constraints (for instance a restriction a proven bound justifies). */
  void require(List<BoolExpr> fs) {
    for (BoolExpr f : fs) {
      opt.Add(f);
    }
  }

  /**
   * Minimises the total weight of the violated {@code softs}. When {@code lowerBound > 0} (a value
   * no layout can go below), first checks whether a layout meets it.
   */
  Outcome minimise(String name, List<Z3Model.Soft> softs, long lowerBound) {
    long t0 = System.nanoTime();
    Outcome o = minimiseTier(name, softs, lowerBound);
    if (LOG) {
      System.err.printf("z3 tier %s: %s value %d (bound %d, lower %d, bound met %s) in %d ms%n", name, o.kind(), o.value(),
          lowerBound, o.lowerBound(), o.boundMet(), (System.nanoTime() - t0) / 1_000_000);
    }
    return o;
  }

  private Outcome minimiseTier(String name, List<Z3Model.Soft> softs, long lowerBound) {
    if (lowerBound > 0) {
      Outcome met = meets(softs, lowerBound);
      if (met.kind() != Kind.INFEASIBLE) {
        return met;
      }
      // No layout meets the bound: the optimum is above it.
      opt.Add(cost(softs, lowerBound + 1, false));
    }
    while (true) {
      opt.Push();
      Optimize.Handle<?> handle = null;
      for (Z3Model.Soft s : softs) {
        handle = opt.AssertSoft(s.holds(), Long.toString(s.weight()), name);
      }
      Status status = run(true);
      Outcome out;
      switch (status) {
        case SATISFIABLE -> {
          Model m = opt.getModel();
          long value = handle == null ? 0 : valueOf(handle.getValue());
          out = new Outcome(Kind.OPTIMAL, value, value, Optional.of(m), false, "");
        }
        case UNSATISFIABLE -> out = new Outcome(Kind.INFEASIBLE, -1, -1, Optional.empty(), false, "");
        default -> {
          String reason = opt.getReasonUnknown();
          Optional<Model> m = bestSoFar().filter(x -> model.satisfiedBy(x) && model.overflowing(model.decision(x)).isEmpty());
          long value = m.isPresent() ? valueIn(m.get(), softs) : -1;
          long lower = Math.max(lowerBound, handle == null ? 0 : valueOf(handle.getLower()));
          out = new Outcome(Kind.STOPPED, value, lower, m, false, reason);
        }
      }
      opt.Pop();
      if (!repaired(out)) {
        return out;
      }
    }
  }

  /**
   * Whether a layout has at most {@code bound} of the tier: {@code OPTIMAL} with the model when one
   * does (the bound is then the optimum, being a proven lower bound), {@code INFEASIBLE} when none
   * does, {@code STOPPED} when the deadline struck first.
   */
  Outcome meets(List<Z3Model.Soft> softs, long bound) {
    return meets(List.of(new Bound(softs, bound)));
  }

  /** A tier and a value it may not exceed. */
  record Bound(List<Z3Model.Soft> softs, long value) {}

  /**
   * Whether a layout meets every bound at once: {@code OPTIMAL} (value and bound of the first) when
   * one does; then, the bounds being proven lower bounds of their tiers in order, every tier is at
   * its optimum.
   */
  Outcome meets(List<Bound> bounds) {
    long bound = bounds.get(0).value();
    while (true) {
      opt.Push();
      for (Bound b : bounds) {
        opt.Add(cost(b.softs(), b.value(), true));
      }
      Status met = run(false);
      Optional<Model> m = met == Status.SATISFIABLE ? Optional.of(opt.getModel()) : Optional.empty();
      String reason = met == Status.UNKNOWN ? opt.getReasonUnknown() : "";
      opt.Pop();
      Outcome out = m.isPresent() ? new Outcome(Kind.OPTIMAL, bound, bound, m, true, "")
          : met == Status.UNKNOWN ? new Outcome(Kind.STOPPED, -1, bound, Optional.empty(), false, reason)
          : new Outcome(Kind.INFEASIBLE, -1, -1, Optional.empty(), false, "");
      if (!repaired(out)) {
        return out;
      }
    }
  }

  /**
   * When an optimal model breaks a constraint the model states lazily, adds it (for good) and
   * says so: the tier must be solved again. The optimum of the relaxed tier is a lower bound; a
   * model that breaks nothing is a layout, so its value is the optimum.
   */
  private boolean repaired(Outcome out) {
    if (out.kind() != Kind.OPTIMAL) {
      return false;
    }
    List<BoolExpr> repairs = model.repairs(out.model().get());
    if (LOG && !repairs.isEmpty()) {
      System.err.printf("z3: %d constraints added where a model overflowed an atom%n", repairs.size());
    }
    require(repairs);
    return !repairs.isEmpty();
  }

  /** Fixes a tier: from now on its violated weights total at most {@code value}. */
  void fix(List<Z3Model.Soft> softs, long value) {
    if (!softs.isEmpty()) {
      opt.Add(cost(softs, value, true));
    }
  }

  /** The tier's value in a model: the weights of the soft constraints it violates. */
  static long valueIn(Model m, List<Z3Model.Soft> softs) {
    long sum = 0;
    for (Z3Model.Soft s : softs) {
      if (!m.eval(s.holds(), true).isTrue()) {
        sum += s.weight();
      }
    }
    return sum;
  }

  /**
   * One check with the time that is left (Z3 takes its timeout in milliseconds); {@code minimising}
   * when soft constraints are asserted, a plain satisfiability check (a bound met or not) otherwise.
   */
  private Status run(boolean minimising) {
    long millis = Math.max(1, deadline.remainingMillis());
    Params p = ctx.mkParams();
    p.add("timeout", (int) Math.min(Integer.MAX_VALUE, millis));
    // Z3's weighted MaxSAT engine "wmax" (complete, like the default "maxres") suits these
    // objectives best (measured in benchmarks/README.md). Without soft constraints it only slows
    // the check down: memmap-48 of the seed-1 sweep, at its least PAMT and fewest TDMRs, has no
    // layout with 52 reserved areas, which Z3 proves in 1.2 s with the default and not in 60 s
    // with "wmax".
    p.add("maxsat_engine", minimising ? "wmax" : "maxres");
    opt.setParameters(p);
    long t0 = System.nanoTime();
    Status st = opt.Check();
    if (LOG) {
      String rlimit = "?";
      for (com.microsoft.z3.Statistics.Entry e : opt.getStatistics().getEntries()) {
        if (e.Key.equals("rlimit count")) {
          rlimit = e.getValueString();
        }
      }
      System.err.printf("z3 check: %s in %d ms, rlimit %s%n", st, (System.nanoTime() - t0) / 1_000_000, rlimit);
    }
    return st;
  }

  private Optional<Model> bestSoFar() {
    try {
      return Optional.ofNullable(opt.getModel());
    } catch (Z3Exception e) {
      // No model: Z3 stopped before finding any layout.
      return Optional.empty();
    }
  }

  /** The weights of the violated soft constraints total at most (or at least) {@code bound}. */
  @SuppressWarnings("unchecked")
  private BoolExpr cost(List<Z3Model.Soft> softs, long bound, boolean atMost) {
    BoolExpr[] violated = softs.stream().map(s -> ctx.mkNot(s.holds())).toArray(BoolExpr[]::new);
    long total = softs.stream().mapToLong(Z3Model.Soft::weight).sum();
    if (total <= Integer.MAX_VALUE) {
      int[] w = softs.stream().mapToInt(s -> (int) s.weight()).toArray();
      int b = (int) Math.max(-1, Math.min(Integer.MAX_VALUE, bound));
      return atMost ? ctx.mkPBLe(w, violated, b) : ctx.mkPBGe(w, violated, b);
    }
    @SuppressWarnings("rawtypes")
    ArithExpr<IntSort>[] terms = new ArithExpr[violated.length];
    for (int i = 0; i < violated.length; i++) {
      terms[i] = (ArithExpr<IntSort>) ctx.<IntSort>mkITE(violated[i], ctx.mkInt(softs.get(i).weight()), ctx.mkInt(0));
    }
    ArithExpr<IntSort> sum = ctx.mkAdd(terms);
    return atMost ? ctx.mkLe(sum, ctx.mkInt(bound)) : ctx.mkGe(sum, ctx.mkInt(bound));
  }

  private static long valueOf(Expr<?> e) {
    return e instanceof IntNum n ? n.getInt64() : 0;
  }
}
