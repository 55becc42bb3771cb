package tdmr.solver.cpsat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.CpSolverStatus;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tdmr.check.LayoutVerifier;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.Instance;
import tdmr.solver.Instance.Atom;
import tdmr.solver.Instance.Place;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * A roomy atom wholly filled by padded PAMT levels holds no chain at its places ({@link
 * ModuleModel}, rule D4). The model once let a piece of the node's pool sit at a place of such an
 * atom: {@link SolutionLayout} then laid that piece at the atom's end and the fill over the whole
 * atom, overlapping it. Such a solution counts the piece twice (in the pool and in the atom), so
 * moving it into the fill is a solution with less PAMT and every other tier the same: no optimum
 * had it, but a solve cut short by its time limit could end on it and lose its layout to the
 * validator (a generated fragmented map at 10 s under load: UNKNOWN).
 *
 * <p>The map, all on node 0: A = [1G, 2G) and B = [3G, 6G), both larger than any layout's PAMT (a
 * TDMR of at most 5 GiB has 20 MiB and a few pages of levels), so both segments are roomy. The
 * decision forced: A is wholly PAMT, and the chain at A's low (or high) end is used. Every layout
 * with A wholly PAMT has all of A's pieces in its fill, so the model must reject the decision, or the
 * layout read from it must be valid.
 */
class ModuleModelFilledAtomTest {
  private static final long G = 1L << 30;
  private static final MemoryMap MAP = MemoryMap.ofBlocks("filled-atom", List.of(
      new MemoryBlock(G, 2 * G, 0),
      new MemoryBlock(3 * G, 6 * G, 0)));
  private static final TdxLimits LIMITS = TdxLimits.DEFAULT;
  private static final Policy MODULE = Policy.DEFAULT.withFamily(Policy.Family.MODULE);

  @BeforeAll
  static void nativeLibrary() {
    assertTrue(NativeLibrary.problem().isEmpty(), NativeLibrary.problem().toString());
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aFilledRoomyAtomHoldsNoChainAtItsEnds(boolean lowEnd) {
    Instance instance = Instance.of(MAP, LIMITS, MODULE);
    ModuleModel m = new ModuleModel(instance);
    Atom a = instance.atoms().stream().filter(x -> x.memory() && x.range().start() == G).findFirst().orElseThrow();
    assertTrue(!m.tightSegment[a.segment()], "A's segment is roomy");
    Place end = instance.places().stream()
        .filter(p -> p.atom() == a.index() && p.anchor().growsUp() == lowEnd).findFirst().orElseThrow();
    m.model.addEquality(m.atoms.get(a.index()).pamtFull(), 1);
    m.model.addEquality(m.places.get(end.index()).used(), 1);
    CpSolver solver = new CpSolver();
    solver.getParameters().setNumWorkers(1).setRandomSeed(0).setMaxTimeInSeconds(30);
    CpSolverStatus status = solver.solve(m.model);
    assertTrue(status == CpSolverStatus.INFEASIBLE || status == CpSolverStatus.FEASIBLE
        || status == CpSolverStatus.OPTIMAL, status.toString());
    if (status != CpSolverStatus.INFEASIBLE) {
      assertEquals(List.of(), LayoutVerifier.failures(MAP, LIMITS, MODULE, new SolutionLayout(m, solver).layout()));
    }
  }
}
