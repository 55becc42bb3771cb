package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryMap;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * {@link BuiltOptimum}: the layout {@link FilledStart} builds is the answer, {@code OPTIMAL} before any
 * model, only where it meets every tier's family bound.
 */
class BuiltOptimumTest {
  private static final Policy MODULE = Policy.KERNEL.withFamily(Policy.Family.MODULE);

  /** Node 1 of the seed-7 sweep's memmap-14 alone (as NodeSplit solves it). */
  private static MemoryMap memmap14NodeOne() throws Exception {
    MemoryMap map;
    try (var in = BuiltOptimumTest.class.getResourceAsStream("/memmap/memmap-14-seed7.txt")) {
      map = tdmr.parse.MapReader.readBytes("memmap-14", in.readAllBytes());
    }
    return new MemoryMap(map.source(), map.blocks().stream().filter(b -> b.node() == 1).toList(), map.cmrs(),
        map.firmwareMap(), map.facts(), map.notes());
  }

  @Test
  void bothEnginesAnswerTheBuiltLayoutWithoutAModel() throws Exception {
    // Its PAMT 261 633 pages (ModuleFamilyBoundsTest derives the bound by hand), 3 TDMRs
    // (TdmrCountBoundTest) and 12 areas (LeftOutGranulesTest: the ten holes and the tail inside
    // TDMRs and one chain reaching into a TDMR) meet every tier's bound.
    MemoryMap node1 = memmap14NodeOne();
    for (Engine engine : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = engine.solve(node1, TdxLimits.DEFAULT, MODULE, new SolveOptions(60, 1, 0));
      assertEquals(Status.OPTIMAL, r.status(), engine.name() + ": " + r.messages());
      Layout layout = r.layout().orElseThrow();
      assertEquals(261_633 * 4096L, layout.pamtBytes(), engine.name());
      assertEquals(3, layout.size(), engine.name());
      assertEquals(12, layout.reservedAreaCount(), engine.name());
      assertEquals(0, r.modelVariables(), engine.name() + ": no model built");
      assertEquals(List.of(), r.question().restrictions(), engine.name());
    }
  }

  @Test
  void aLayoutAboveTheBoundIsNoOptimum() throws Exception {
    // The Linux greedy's layout of node 1 covers every granule: at least 1026 pages per GiB of its
    // 256, above the bound of 261 633.
    MemoryMap node1 = memmap14NodeOne();
    Instance instance = Instance.of(node1, TdxLimits.DEFAULT, MODULE);
    Optional<Layout> greedy = new GreedyEngine().solve(node1, TdxLimits.DEFAULT, MODULE, new SolveOptions(60, 1, 0)).layout();
    assertTrue(greedy.orElseThrow().pamtBytes() >= 256 * 1026 * 4096L);
    assertTrue(BuiltOptimum.of(instance, greedy).isEmpty());
    assertTrue(BuiltOptimum.of(instance, new FilledStart(instance).find()).isPresent());
  }
}
