package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tdmr.check.LayoutVerifier;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.solver.cpsat.CpSatEngine;
import tdmr.solver.z3.Z3Engine;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * When the module family is solved node by node ({@link NodeSplit}), and what the union is on a map
 * whose optimum is derived by hand. In pages of 4 KiB, a 1 GiB TDMR needs 1024 + 2 + 1 pages of
 * levels (16-byte entries).
 */
class NodeSplitTest {
  private static final long K = 1024;
  private static final long G = 1024 * 1024 * K;
  private static final Policy MODULE = Policy.DEFAULT.withFamily(Policy.Family.MODULE)
      .withPamt(Policy.PamtPlacementPolicy.NODE_LOCAL);
  private static final SolveOptions OPTIONS = new SolveOptions(60, 1, 0);

  private static Optional<List<NodeSplit.Part>> parts(MemoryMap map, Policy policy) {
    return NodeSplit.parts(map, TdxLimits.DEFAULT, policy, OPTIONS);
  }

  private static final MemoryMap TWO_NODES = MemoryMap.ofBlocks("two nodes",
      List.of(new MemoryBlock(G, 2 * G, 0), new MemoryBlock(2 * G, 3 * G, 1)));

  @Test
  void twoNodesInGranulesOfTheirOwnAreSolvedApart() {
    List<NodeSplit.Part> parts = parts(TWO_NODES, MODULE).orElseThrow();
    assertEquals(2, parts.size());
    assertEquals(List.of(new MemoryBlock(G, 2 * G, 0)), parts.get(0).map().blocks());
    assertEquals(List.of(new MemoryBlock(2 * G, 3 * G, 1)), parts.get(1).map().blocks());
    // Alike up to a shift of 1 GiB: one block filling the window, the CMR the same.
    assertEquals(parts.get(0).shape(), parts.get(1).shape());
  }

  @Test
  void notSplitWhereTheArgumentDoesNotHold() {
    // A granule holding memory of both nodes: a TDMR over it describes both locally, so the two
    // nodes are one group, and one group is not split.
    MemoryMap shared = MemoryMap.ofBlocks("shared", List.of(new MemoryBlock(G, G + G / 2, 0),
        new MemoryBlock(G + G / 2, 3 * G, 1)));
    assertEquals(Optional.empty(), parts(shared, MODULE));
    // The kernel family (its optimum may span nodes), PAMT anywhere, and one node.
    assertEquals(Optional.empty(), parts(TWO_NODES, MODULE.withFamily(Policy.Family.KERNEL)));
    assertEquals(Optional.empty(), parts(TWO_NODES, MODULE.withPamt(Policy.PamtPlacementPolicy.ANY)));
    assertEquals(Optional.empty(), parts(MemoryMap.ofBlocks("one", List.of(new MemoryBlock(G, 3 * G, 0))), MODULE));
    // The price of the limits alone (prove).
    assertEquals(Optional.empty(), NodeSplit.parts(TWO_NODES, TdxLimits.DEFAULT, MODULE, OPTIONS.stoppingAfterPamt()));
  }

  @Test
  void nodesOfDifferentShapesAreSolvedEach() {
    MemoryMap map = MemoryMap.ofBlocks("unlike", List.of(new MemoryBlock(G, 2 * G, 0),
        new MemoryBlock(2 * G, 3 * G - 4 * K, 1)));
    List<NodeSplit.Part> parts = parts(map, MODULE).orElseThrow();
    assertTrue(!parts.get(0).shape().equals(parts.get(1).shape()));
  }

  /**
   * A node not proven sends the whole map to the undivided solve; when that answer stands, its time
   * counts the nodes' solves before it (the undivided solve here answers at once, each node's took
   * 50 ms or more).
   */
  @Test
  void theUndividedAnswerAfterAFailedNodeCountsTheNodesTime() {
    NodeSplit.Solver slowNodes = (map, limits, policy, options) -> {
      if (map.blocks().size() == 1) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return new EngineResult("fake", Status.UNKNOWN, Optional.empty(), java.util.OptionalLong.empty(),
            java.util.OptionalLong.empty(), List.of("time limit"), 50, 0, 0, 0);
      }
      // The undivided answer: the greedy's layout, as good as the nodes' union (each node's greedy).
      return new GreedyEngine().solve(map, limits, policy, options);
    };
    EngineResult r = NodeSplit.solve(slowNodes, "fake", TWO_NODES, TdxLimits.DEFAULT, MODULE, OPTIONS);
    assertEquals(new GreedyEngine().name(), r.solver(), r.messages().toString());
    assertTrue(r.solveMillis() >= 50, "solveMillis " + r.solveMillis());
  }

  /** Four nodes of 1.5 GiB from 1 GiB: nodes 0 and 1 share the granule [2G, 3G), nodes 2 and 3 [5G, 6G). */
  private static final MemoryMap FOUR_SMALL_NODES = MemoryMap.ofBlocks("four small nodes",
      List.of(new MemoryBlock(G, 2 * G + G / 2, 0), new MemoryBlock(2 * G + G / 2, 4 * G, 1),
          new MemoryBlock(4 * G, 5 * G + G / 2, 2), new MemoryBlock(5 * G + G / 2, 7 * G, 3)));

  @Test
  void nodesSharingAGranuleAreSolvedAsOneGroup() {
    // Nodes 0 and 1 share a granule, so do 2 and 3; nodes 1 and 2 share none: two groups, alike up
    // to a shift of 3 GiB (blocks at 0, 1.5G and 3G of their windows, on two nodes each).
    List<NodeSplit.Part> parts = parts(FOUR_SMALL_NODES, MODULE).orElseThrow();
    assertEquals(2, parts.size());
    assertEquals(List.of(0, 1), parts.get(0).nodes());
    assertEquals(List.of(2, 3), parts.get(1).nodes());
    assertEquals(FOUR_SMALL_NODES.blocks().subList(2, 4), parts.get(1).map().blocks());
    assertEquals(parts.get(0).shape(), parts.get(1).shape());
    // The same blocks with both halves of the second group on one node are not alike.
    MemoryMap oneNode = MemoryMap.ofBlocks("unlike groups", List.of(new MemoryBlock(G, 2 * G + G / 2, 0),
        new MemoryBlock(2 * G + G / 2, 4 * G, 1), new MemoryBlock(4 * G, 5 * G + G / 2, 2),
        new MemoryBlock(5 * G + G / 2, 7 * G, 2)));
    List<NodeSplit.Part> unlike = parts(oneNode, MODULE).orElseThrow();
    assertTrue(!unlike.get(0).shape().equals(unlike.get(1).shape()));
  }

  @Test
  void bothEnginesProveTheUnionOfTwoGroupsOfSmallNodes() {
    // Per group, say nodes 0 and 1: no TDMR over [1G, 4G) (no node has memory in all three granules),
    // so two TDMRs, [1G, 3G) with its levels on node 0 and [3G, 4G) with its levels on node 1 (or
    // [1G, 2G) and [2G, 4G)): 2053 + 1027 = 3080 pages, and both TDMRs' levels lie in one reserved
    // area across the node edge at 2.5G. No TDMR spans the groups (it would describe a node
    // remotely), so the optimum is twice that: 6160 pages, 4 TDMRs, 2 areas; a TDMR without memory
    // would add PAMT to a layout already at the covering bound, so no restriction is named.
    for (Engine engine : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = engine.solve(FOUR_SMALL_NODES, TdxLimits.DEFAULT, MODULE, OPTIONS);
      assertEquals(Status.OPTIMAL, r.status(), engine.name() + ": " + r.messages());
      assertTrue(r.messages().stream().anyMatch(m -> m.contains("node by node")), r.messages().toString());
      assertEquals(List.of(), LayoutVerifier.failures(FOUR_SMALL_NODES, TdxLimits.DEFAULT, MODULE, r.layout().orElseThrow()));
      LayoutScore s = LayoutScore.of(FOUR_SMALL_NODES, TdxLimits.DEFAULT, MODULE, r.layout().get());
      assertEquals(new LayoutScore(0, 0, 6160 * 4 * K, 4, 2), s, engine.name());
      assertEquals(List.of(), r.restrictions(), engine.name());
    }
  }

  @Test
  void bothEnginesProveTheUnionOfTwoOneGibNodes() {
    // Each node: one 1 GiB TDMR, its 1027 pages of levels in its own memory, so inside it, in one
    // reserved area; one TDMR over both would describe one node remotely. 2 TDMRs, 2 · 1027 pages,
    // 2 areas, and no TDMR without memory can do as well (it adds 1027 pages).
    for (Engine engine : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = engine.solve(TWO_NODES, TdxLimits.DEFAULT, MODULE, OPTIONS);
      assertEquals(Status.OPTIMAL, r.status(), engine.name() + ": " + r.messages());
      assertTrue(r.messages().stream().anyMatch(m -> m.contains("node by node")), r.messages().toString());
      assertEquals(List.of(), LayoutVerifier.failures(TWO_NODES, TdxLimits.DEFAULT, MODULE, r.layout().orElseThrow()));
      LayoutScore s = LayoutScore.of(TWO_NODES, TdxLimits.DEFAULT, MODULE, r.layout().get());
      assertEquals(new LayoutScore(0, 0, 2 * 1027 * 4 * K, 2, 2), s, engine.name());
      assertTrue(r.restrictions().stream().noneMatch(NodeSplit.MEMORY_IN_EVERY_TDMR::equals), r.restrictions().toString());
    }
  }

  /**
   * The TDMR limit shared ({@link TdmrBudget}), derived by hand. Under a limit of 3 the two groups
   * of {@code FOUR_SMALL_NODES} cannot both have their optimum (2 TDMRs each, 3080 pages, 1 area). One
   * group within 1 TDMR and no remote PAMT: no node has memory in all three of its granules, so a
   * TDMR over them describes one remotely; a TDMR over two of them (common node: the shared one's
   * node) leaves the third, 1 GiB of one node's memory, out of every TDMR, all of it PAMT, which the
   * TDMR's own levels can fill only when they may lie on that node; so the least is the TDMR over
   * the shared granule alone, [2G, 3G) for nodes 0 and 1, its 4K level padded to fill [1G, 2G) (node
   * 0, in the shared granule) and its 2M and 1G levels filling [3G, 4G) (node 1): 2 GiB, 524 288
   * pages, and no reserved area (both PAMT ranges lie outside the TDMR, which holds only memory). A
   * TDMR over both groups would describe one remotely, so the optimum is one group at 2 TDMRs and
   * the other at 1: 3080 + 524 288 pages, 3 TDMRs, 1 area, no remote PAMT (which group gets 1 does
   * not change the score). A TDMR without memory would leave 2 TDMRs to the groups' memory; one
   * group within 1 leaves a granule out, filled with PAMT: at best [1G, 3G) (levels on node 0, 2 053
   * pages) with [3G, 4G)'s 262 144 pages left out, and a group within none leaves all its 786 432
   * pages out; so such a layout has at least 2 · 264 197 = 528 394 pages, more than 527 368, and is
   * ruled out, not named.
   */
  @Test
  void bothEnginesShareTheTdmrLimitBetweenTwoGroups() {
    TdxLimits three = TdxLimits.DEFAULT.withMaxTdmrs(3);
    for (Engine engine : List.of(new CpSatEngine(), new Z3Engine())) {
      EngineResult r = engine.solve(FOUR_SMALL_NODES, three, MODULE, OPTIONS);
      assertEquals(Status.OPTIMAL, r.status(), engine.name() + ": " + r.messages() + r.details());
      assertTrue(r.messages().stream().anyMatch(m -> m.contains("node by node")), r.messages().toString());
      assertEquals(List.of(), LayoutVerifier.failures(FOUR_SMALL_NODES, three, MODULE, r.layout().orElseThrow()));
      LayoutScore s = LayoutScore.of(FOUR_SMALL_NODES, three, MODULE, r.layout().get());
      assertEquals(new LayoutScore(0, 0, (3080 + 524_288) * 4 * K, 3, 1), s, engine.name());
      assertTrue(r.restrictions().stream().noneMatch(NodeSplit.MEMORY_IN_EVERY_TDMR::equals), r.restrictions().toString());
    }
  }

  /**
   * A group not proven within the TDMRs the shared limit gives it: the best allocation of the
   * layouts found is a witness, {@code FEASIBLE}, with no remote PAMT, rather than no union at all.
   * Here every solve within fewer TDMRs than the limit of 3 finds the optimum but proves nothing, and
   * the undivided solve finds nothing: the answer is the union of one group's optimum and the other's
   * layout within 1 TDMR (derived above: 3080 + 524 288 pages).
   */
  @Test
  void anUnprovenGroupWithinFewerTdmrsLeavesAWitness() {
    TdxLimits three = TdxLimits.DEFAULT.withMaxTdmrs(3);
    NodeSplit.Solver unproven = (map, limits, policy, options) -> {
      if (map.blocks().size() == FOUR_SMALL_NODES.blocks().size()) {
        return new EngineResult("fake", Status.UNKNOWN, Optional.empty(), java.util.OptionalLong.empty(),
            java.util.OptionalLong.empty(), List.of("time limit"), 0, 0, 0, 0);
      }
      EngineResult r = new CpSatEngine().solve(map, limits, policy, options);
      if (limits.maxTdmrs() == 3) {
        return r;
      }
      return new EngineResult(r.solver(), Status.FEASIBLE, r.layout(), r.pamtBytes(), java.util.OptionalLong.empty(),
          List.of("time limit"), r.solveMillis(), 0, 0, r.uncoveredBytes(), Optional.empty(), Optional.empty(),
          List.of(), r.question());
    };
    EngineResult r = NodeSplit.solve(unproven, "fake", FOUR_SMALL_NODES, three, MODULE, OPTIONS);
    assertEquals(Status.FEASIBLE, r.status(), r.messages() + "\n" + r.details());
    assertEquals(List.of(), LayoutVerifier.failures(FOUR_SMALL_NODES, three, MODULE, r.layout().orElseThrow()));
    assertEquals(new LayoutScore(0, 0, (3080 + 524_288) * 4 * K, 3, 1),
        LayoutScore.of(FOUR_SMALL_NODES, three, MODULE, r.layout().get()), r.details().toString());
  }

  /**
   * A group whose answer proves nothing leaves the union a witness; its PAMT bound is still given:
   * each node of {@code TWO_NODES} holds 1 GiB, which a TDMR covers with 1024 + 2 + 1 pages of
   * levels, and leaving the granule out would make its 262 144 pages PAMT; so every layout of the
   * map without remote PAMT has at least 2 054 pages, which the union of the nodes' greedy layouts
   * (one 1 GiB TDMR each) has, and a TDMR without memory would add its own levels.
   */
  @Test
  void anUnprovenUnionStatesTheGroupsPamtBound() {
    NodeSplit.Solver unproven = (map, limits, policy, options) -> {
      if (map.blocks().size() == TWO_NODES.blocks().size()) {
        return new EngineResult("fake", Status.UNKNOWN, Optional.empty(), java.util.OptionalLong.empty(),
            java.util.OptionalLong.empty(), List.of("time limit"), 0, 0, 0, 0);
      }
      EngineResult r = new GreedyEngine().solve(map, limits, policy, options);
      return new EngineResult("fake", Status.FEASIBLE, r.layout(), r.pamtBytes(), java.util.OptionalLong.empty(),
          List.of("time limit"), 0, 0, 0, r.uncoveredBytes(), Optional.empty(), Optional.empty(), List.of(),
          new Question(Policy.Family.MODULE, List.of()));
    };
    EngineResult r = NodeSplit.solve(unproven, "fake", TWO_NODES, TdxLimits.DEFAULT, MODULE, OPTIONS);
    assertEquals(Status.FEASIBLE, r.status(), r.messages() + "\n" + r.details());
    assertEquals(2054 * 4 * K, r.pamtBytes().getAsLong(), r.details().toString());
    assertEquals(java.util.OptionalLong.of(2054 * 4 * K), r.pamtBoundBytes(), r.details().toString());
    assertTrue(r.messages().get(0).contains("its PAMT proven the least"), r.messages().toString());
  }
}
