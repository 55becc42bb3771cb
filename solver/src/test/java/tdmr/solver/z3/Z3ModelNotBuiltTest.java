package tdmr.solver.z3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.MemoryMap;
import tdmr.parse.MapReader;
import tdmr.solver.EngineResult;
import tdmr.solver.LayoutScore;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;
import tdmr.time.Deadline;

/**
 * The time limit striking while Z3's module-family model is built (as on tdmr-bench's manynodes-200,
 * where the model has 1.5 million variables before any TDMR without memory) loses no layout: the
 * answer is the incumbent, {@code FEASIBLE}. The strike is stubbed ({@link ModuleFamilyProver.Encoder}),
 * so nothing here depends on timing.
 */
class Z3ModelNotBuiltTest {
  /**
   * Three nodes of 1.5 GiB at most 2 TDMRs ({@code KernelConstructionsFloorTest} derives by hand):
   * the Linux greedy fails, every kernel-family layout describes at least one GiB remotely (4 202 512
   * bytes of levels), and greedy-merge's layout does so with 5132 pages of PAMT in 2 TDMRs, while the
   * kernel family's least PAMT (one 5 GiB TDMR, 5131 pages) describes three GiB remotely. The
   * incumbent, the best by the module family's objective (remote PAMT before PAMT), is greedy-merge's.
   */
  @Test
  void aModelCutShortAnswersTheIncumbent() throws Exception {
    MemoryMap map = MapReader.read(Path.of("src/test/resources/family/three-nodes-two-tdmrs.json"));
    TdxLimits two = TdxLimits.DEFAULT.withMaxTdmrs(2);
    ModuleFamilyProver.Encoder struck = (ctx, instance, most) -> {
      throw new Deadline.Exceeded();
    };
    EngineResult r = new ModuleFamilyProver(map, two, Policy.DEFAULT, SolveOptions.DEFAULT, System.nanoTime(), Set.of(),
        struck).solve();
    assertEquals(Status.FEASIBLE, r.status(), r.messages().toString());
    assertEquals(List.of(), LayoutVerifier.failures(map, two, Policy.DEFAULT, r.layout().orElseThrow()));
    LayoutScore score = LayoutScore.of(map, two, Policy.DEFAULT, r.layout().orElseThrow());
    assertEquals(4_194_304 + 8_192 + 16, score.remotePamtBytes());
    assertEquals(5132 * 4096L, score.pamtBytes());
    assertEquals(2, score.tdmrs());
    assertEquals("z3 stopped (time limit, while the model was being built) before proving optimality",
        r.messages().get(0));
  }
}
