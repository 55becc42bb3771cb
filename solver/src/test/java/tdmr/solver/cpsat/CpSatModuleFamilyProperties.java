package tdmr.solver.cpsat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.CpSolverStatus;
import com.google.ortools.sat.LinearExpr;
import com.google.ortools.sat.LinearExprBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import tdmr.check.LayoutVerifier;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.EngineResult;
import tdmr.solver.ExhaustiveSearch;
import tdmr.solver.Instance;
import tdmr.solver.ModuleFamilyRestrictions;
import tdmr.solver.RefereeClaims;
import tdmr.solver.SolveOptions;
import tdmr.solver.TinyCaseArbitraries;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * CP-SAT's module-family claims against {@link ExhaustiveSearch} on the maps where the model's
 * restrictions bite (and where, until 2026-12-05, levels over the edges of touching blocks were
 * left out; the model holds them now, and no claim names them): a few tiny blocks of 1 to 6 pages
 * on two nodes just above 1 GiB, touching or a page apart, then one large block up to 2, 3 or 4 GiB (so levels can straddle touching blocks,
 * fill islands, and a padded level can fill a whole GiB outside every TDMR), under every holes, PAMT
 * and coverage policy, 1 to 3 TDMRs and 1 to 3 areas. An {@code OPTIMAL} or {@code INFEASIBLE}
 * that names no restriction must equal the referee in every ranked tier; one that names
 * restrictions may be beaten by the referee, never beat it; and no layout CP-SAT prints beats the
 * referee, which would show the referee incomplete. Apart from the referee, any solution of the
 * model (not only an optimum, which is all the referee sees) must read into a valid layout.
 */
class CpSatModuleFamilyProperties {
  private static final long K = 1024;
  private static final long G = 1024 * 1024 * K;

  /** A tiny case: the map, the limits and the policy. */
  record Case(MemoryMap map, TdxLimits limits, Policy policy) {}

  @Property(tries = 25, seed = "20261204")
  void cpSatModuleClaimsHoldAgainstTheReferee(@ForAll("straddlingMaps") Case c) {
    holdsAgainstTheReferee(c);
  }

  /**
   * Runs of 2 or 3 whole GiB whose part outside every TDMR (an end or the middle) only PAMT can
   * fill: the model holds such padded chains in roomy segments and no longer names them there.
   */
  @Property(tries = 20, seed = "20261204")
  void cpSatModuleClaimsHoldOnRunsFilledByPadding(@ForAll("runMaps") Case c) {
    holdsAgainstTheReferee(c);
  }

  /**
   * At one TDMR the PAMT tier is proven over the places {@link tdmr.solver.OnlyTdmrPlaces} leaves,
   * the TDMR fixed at each, and the areas tier over the places left at that PAMT: the claims hold
   * against the referee, which shares none of it.
   */
  @Property(tries = 12, seed = "20261206")
  void cpSatModuleClaimsHoldAtOneTdmr(@ForAll("runMaps") Case c) {
    Case one = new Case(c.map(), c.limits().withMaxTdmrs(1), c.policy());
    EngineResult r = new CpSatEngine().solve(one.map(), one.limits(), one.policy(), new SolveOptions(60, 1, 0));
    Statistics.label("over places").collect(r.details().stream().anyMatch(d -> d.contains("OnlyTdmrPlaces")));
    holdsAgainstTheReferee(one);
  }

  /**
   * Two blocks of two nodes touching between 2G and 4G, beside tiny islands, under one or two TDMRs:
   * a level over their edge may reach into memory filled wholly by padded levels (fill bridges),
   * which the model holds where both sides are roomy.
   */
  @Property(tries = 12, seed = "20261205")
  void cpSatModuleClaimsHoldOnFillsOverJoints(@ForAll("fillBridgeMaps") Case c) {
    holdsAgainstTheReferee(c);
  }

  /** Every solution of the model reads into a valid layout on the maps with fills over joints. */
  @Property(tries = 12, seed = "20261205")
  void everyModelSolutionIsALayoutWithFillsOverJoints(@ForAll("fillBridgeMaps") Case c, @ForAll long weights) {
    solutionIsALayout(c, weights);
  }

  /**
   * Every solution of the model reads into a valid layout, not only an optimum: a solve cut short
   * by its time limit reports the best solution it found. Random weights on the model's literals
   * steer the search to solutions no tier would choose (PAMT counted twice, a chain in an atom a
   * fill covers). A roomy atom filled by padded levels once held a pool's chain too (overlapping
   * levels: {@link ModuleModelFilledAtomTest}).
   */
  @Property(tries = 25, seed = "20261204")
  void everyModelSolutionIsALayout(@ForAll("runMaps") Case c, @ForAll long weights) {
    solutionIsALayout(c, weights);
  }

  /** The same on the maps of tiny blocks beside a large one. */
  @Property(tries = 25, seed = "20261204")
  void everyModelSolutionIsALayoutBesideTinyBlocks(@ForAll("straddlingMaps") Case c, @ForAll long weights) {
    solutionIsALayout(c, weights);
  }

  private static void solutionIsALayout(Case c, long weights) {
    assertTrue(NativeLibrary.problem().isEmpty(), NativeLibrary.problem().toString());
    Instance instance = Instance.of(c.map(), c.limits(), c.policy());
    if (instance.cells().isEmpty()) {
      return;
    }
    ModuleModel m = new ModuleModel(instance);
    Random random = new Random(weights);
    LinearExprBuilder objective = LinearExpr.newBuilder();
    for (int i = 0; i < m.model.getBuilder().getVariablesCount(); i++) {
      List<Long> domain = m.model.getBuilder().getVariables(i).getDomainList();
      if (domain.equals(List.of(0L, 1L))) {
        objective.addTerm(m.model.getIntVarFromProtoIndex(i), random.nextInt(5) - 2);
      }
    }
    m.model.minimize(objective);
    CpSolver solver = new CpSolver();
    solver.getParameters().setNumWorkers(1).setRandomSeed(0).setMaxDeterministicTime(2);
    CpSolverStatus status = solver.solve(m.model);
    Statistics.label("status").collect(status);
    if (status == CpSolverStatus.FEASIBLE || status == CpSolverStatus.OPTIMAL) {
      Layout layout = new SolutionLayout(m, solver).layout();
      assertEquals(List.of(), LayoutVerifier.failures(c.map(), c.limits(), c.policy(), layout), c + "\n" + layout);
    }
  }

  private static void holdsAgainstTheReferee(Case c) {
    EngineResult r = new CpSatEngine().solve(c.map(), c.limits(), c.policy(), new SolveOptions(60, 1, 0));
    Optional<ExhaustiveSearch.Result> expected = new ExhaustiveSearch(c.map(), c.limits(), c.policy()).best();
    boolean restricted = !r.restrictions().isEmpty();
    Statistics.label("status").collect(r.status(), restricted ? "restricted" : "whole family");
    // Since 2026-12-05 the model holds levels over the edges where blocks touch.
    assertFalse(r.restrictions().contains(ModuleFamilyRestrictions.STRADDLING), r.restrictions().toString());
    RefereeClaims.hold(r, expected, c.map(), c.limits(), c.policy(), c.toString());
  }

  @Provide
  Arbitrary<Case> straddlingMaps() {
    Arbitrary<List<Long>> small = Arbitraries.of(1L, 1L, 2L, 4L, 6L).list().ofMinSize(1).ofMaxSize(3);
    Arbitrary<List<Long>> gaps = Arbitraries.of(0L, 0L, 1L).list().ofSize(4);
    Arbitrary<int[]> nodes = Arbitraries.integers().between(0, 1).array(int[].class).ofSize(4);
    Arbitrary<Integer> endGiB = Arbitraries.integers().between(2, 4);
    Arbitrary<TdxLimits> limits = Combinators.combine(
            Arbitraries.integers().between(1, 3), Arbitraries.integers().between(1, 3))
        .as((t, a) -> TdxLimits.DEFAULT.withMaxTdmrs(t).withMaxReservedPerTdmr(a));
    Arbitrary<Policy> policy = TinyCaseArbitraries.moduleFamilyPolicies();
    Arbitrary<Boolean> wideCmr = Arbitraries.of(false, true);
    return Combinators.combine(small, gaps, nodes, endGiB, limits, policy, wideCmr)
        .as((pages, gap, ns, end, l, p, wide) -> {
          List<MemoryBlock> blocks = new ArrayList<>();
          long cursor = G + 4 * K;
          for (int i = 0; i < pages.size(); i++) {
            blocks.add(new MemoryBlock(cursor, cursor + pages.get(i) * 4 * K, ns[i]));
            cursor += (pages.get(i) + gap.get(i)) * 4 * K;
          }
          blocks.add(new MemoryBlock(cursor, end * G, ns[3]));
          List<AddressRange> cmrs = wide
              ? List.of(new AddressRange(blocks.get(0).start(), end * G))
              : blocks.stream().map(MemoryBlock::range).toList();
          return new Case(MemoryMap.of("tiny", merged(blocks), cmrs), l, p);
        });
  }

  /**
   * Tiny islands of 1 to 4 pages above 1 GiB (so that few areas make PAMT fill them), then a block
   * of one node from 2 GiB over a run of 2 or 3 whole GiB, ending 0 to 2 pages past it, then maybe a
   * block of the other or the same node up to the next GiB, touching it or a page apart; 1 to 3
   * TDMRs, 0 to 2 areas, every policy.
   */
  @Provide
  Arbitrary<Case> runMaps() {
    Arbitrary<List<Long>> islands = Arbitraries.of(1L, 2L, 4L).list().ofMinSize(0).ofMaxSize(2);
    Arbitrary<int[]> nodes = Arbitraries.integers().between(0, 1).array(int[].class).ofSize(4);
    Arbitrary<Integer> runGiB = Arbitraries.integers().between(2, 3);
    Arbitrary<Integer> tail = Arbitraries.of(0, 1, 2);
    Arbitrary<Integer> after = Arbitraries.of(-1, 0, 1);
    Arbitrary<TdxLimits> limits = TinyCaseArbitraries.tinyLimits();
    Arbitrary<Policy> policy = TinyCaseArbitraries.moduleFamilyPolicies();
    return Combinators.combine(islands, nodes, runGiB, tail, after, limits, policy)
        .as((pages, ns, run, t, gap, l, p) -> {
          List<MemoryBlock> blocks = new ArrayList<>();
          long cursor = G + 4 * K;
          for (int i = 0; i < pages.size(); i++) {
            blocks.add(new MemoryBlock(cursor, cursor + pages.get(i) * 4 * K, ns[i]));
            cursor += (pages.get(i) + 1) * 4 * K;
          }
          long runEnd = (2 + run) * G + t * 4 * K;
          blocks.add(new MemoryBlock(2 * G, runEnd, ns[2]));
          if (gap >= 0 && runEnd + gap * 4 * K < (3 + run) * G) {
            blocks.add(new MemoryBlock(runEnd + gap * 4 * K, (3 + run) * G, ns[3]));
          }
          List<MemoryBlock> all = merged(blocks);
          return new Case(MemoryMap.of("tiny", all, all.stream().map(MemoryBlock::range).toList()), l, p);
        });
  }

  /**
   * Tiny islands of 1 or 2 pages of node 0 above 1 GiB (0 to 2 of them, so that fills need more
   * pieces than a TDMR has), then block A from 2G of one node touching block B up to 4G of the other
   * at 3G (both roomy) or 2 pages past 2G or 3G (one side tight); 1 or 2 TDMRs, 1 to 3 areas, every
   * policy.
   */
  @Provide
  Arbitrary<Case> fillBridgeMaps() {
    Arbitrary<List<Long>> islands = Arbitraries.of(1L, 2L).list().ofMinSize(0).ofMaxSize(2);
    Arbitrary<Integer> nodeA = Arbitraries.integers().between(0, 1);
    Arbitrary<Long> edge = Arbitraries.of(3 * G, 3 * G, 3 * G + 8 * K, 2 * G + 8 * K);
    Arbitrary<TdxLimits> limits = Combinators.combine(
            Arbitraries.integers().between(1, 2), Arbitraries.integers().between(1, 3))
        .as((t, a) -> TdxLimits.DEFAULT.withMaxTdmrs(t).withMaxReservedPerTdmr(a));
    Arbitrary<Policy> policy = TinyCaseArbitraries.moduleFamilyPolicies();
    return Combinators.combine(islands, nodeA, edge, limits, policy)
        .as((pages, a, e, l, p) -> {
          List<MemoryBlock> blocks = new ArrayList<>();
          long cursor = G + 4 * K;
          for (long n : pages) {
            blocks.add(new MemoryBlock(cursor, cursor + n * 4 * K, 0));
            cursor += (n + 1) * 4 * K;
          }
          blocks.add(new MemoryBlock(2 * G, e, a));
          blocks.add(new MemoryBlock(e, 4 * G, 1 - a));
          return new Case(MemoryMap.of("tiny", blocks, blocks.stream().map(MemoryBlock::range).toList()), l, p);
        });
  }

  /** Touching blocks of one node as one block, as a map states them. */
  private static List<MemoryBlock> merged(List<MemoryBlock> blocks) {
    List<MemoryBlock> out = new ArrayList<>();
    for (MemoryBlock b : blocks) {
      MemoryBlock prev = out.isEmpty() ? null : out.get(out.size() - 1);
      if (prev != null && prev.end() == b.start() && prev.node() == b.node()) {
        out.set(out.size() - 1, new MemoryBlock(prev.start(), b.end(), b.node()));
      } else {
        out.add(b);
      }
    }
    return out;
  }
}
