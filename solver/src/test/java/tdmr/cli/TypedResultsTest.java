package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import tdmr.greedy.GreedyResult;
import tdmr.mem.AddressRange;
import tdmr.mem.MemoryMap;
import tdmr.render.GreedyAsBuilt;
import tdmr.render.LabelledLayout;
import tdmr.solver.EngineResult;
import tdmr.solver.GreedyEngine;
import tdmr.solver.Infeasibility;
import tdmr.solver.Question;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.solver.Tdx135MapFixture;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * Decisions and JSON fields read the typed parts of a result, never its messages: the same result
 * with every message reworded gives the same exit status, the same JSON (but its "messages") and the
 * same picture rows.
 */
class TypedResultsTest {
  private static final MemoryMap MAP = Tdx135MapFixture.map();

  /** {@code r} with every message replaced by text no consumer could recognise. */
  private static EngineResult reworded(EngineResult r) {
    return new EngineResult(r.solver(), r.status(), r.layout(), r.pamtBytes(), r.pamtBoundBytes(),
        Collections.nCopies(r.messages().size(), "reworded"), r.solveMillis(), r.modelVariables(),
        r.modelConstraints(), r.uncoveredBytes(), r.kernelFailure(), r.infeasibility(),
        Collections.nCopies(r.details().size(), "reworded"), r.question());
  }

  private static ObjectNode withoutMessages(ObjectNode document) {
    ObjectNode copy = document.deepCopy();
    if (copy.has("results")) {
      copy.get("results").forEach(result -> ((ObjectNode) result).remove("messages"));
    }
    copy.remove("messages");
    return copy;
  }

  /**
   * canonical/tdx#135: the kernel's construction fails in TDMR [0, 2 GiB) (18 reserved areas asked
   * for, 16 allowed), as the host's log says.
   */
  @Test
  void theGreedyFailureIsReadFromItsFieldsNotItsMessages() {
    EngineResult greedy = new GreedyEngine().solve(MAP, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.DEFAULT);
    GreedyResult.Failed failure = greedy.kernelFailure().orElseThrow();
    assertEquals(GreedyResult.Cause.RESERVED_AREAS_EXHAUSTED, failure.cause());
    assertEquals(-28, failure.errno().value());
    assertEquals(OptionalInt.of(0), failure.failingTdmr());
    assertEquals(Optional.of(new AddressRange(0, 2L << 30)), failure.failingTdmrRange());
    EngineResult other = reworded(greedy);

    assertEquals(PlanCommand.exitStatus(List.of(greedy)), PlanCommand.exitStatus(List.of(other)));
    assertEquals(withoutMessages(PlanCommand.jsonDocument(MAP, TdxLimits.DEFAULT, Policy.KERNEL, List.of(greedy))),
        withoutMessages(PlanCommand.jsonDocument(MAP, TdxLimits.DEFAULT, Policy.KERNEL, List.of(other))));
    LabelledLayout row = GreedyAsBuilt.rows(List.of(greedy)).get(0);
    LabelledLayout otherRow = GreedyAsBuilt.rows(List.of(other)).get(0);
    assertEquals(row.failedTdmr(), otherRow.failedTdmr());
    assertEquals(Optional.of(new AddressRange(0, 2L << 30)), otherRow.failedTdmr());
    assertEquals(row.failure(), otherRow.failure());
    assertEquals(row.layout(), otherRow.layout());
    assertEquals(18, otherRow.layout().orElseThrow().tdmrs().get(0).reservedCount(), "every area the kernel asked for");
  }

  @Test
  void proveReadsMinimalityFromTheInfeasibilityNotFromARemark() {
    List<String> facts = List.of("a TDMR may have at most 15 reserved areas.", "memory block X must lie inside a TDMR.");
    for (Infeasibility.Shrinking shrinking : Infeasibility.Shrinking.values()) {
      Infeasibility why = new Infeasibility(facts, shrinking);
      // Messages that claim the opposite of the typed value.
      List<String> lying = List.of("INFEASIBLE", shrinking == Infeasibility.Shrinking.MINIMAL
          ? "  (a time limit stopped the shrinking)" : "  (each fact is needed: without any one of them a layout exists)");
      EngineResult r = new EngineResult("z3", Status.INFEASIBLE, Optional.empty(), OptionalLong.empty(),
          OptionalLong.empty(), lying, 1, 0, 0, 0, Optional.empty(), Optional.of(why), List.of(),
          Question.of(Policy.Family.KERNEL));
      ObjectNode doc = ProveCommand.jsonDocument(MAP, TdxLimits.DEFAULT, Policy.KERNEL, r);
      ObjectNode reworded = ProveCommand.jsonDocument(MAP, TdxLimits.DEFAULT, Policy.KERNEL, reworded(r));
      assertEquals(shrinking == Infeasibility.Shrinking.MINIMAL, doc.get("explanationMinimal").asBoolean(), shrinking.name());
      assertEquals(facts, List.of(doc.get("explanation").get(0).asText(), doc.get("explanation").get(1).asText()));
      assertEquals(withoutMessages(doc), withoutMessages(reworded));
      assertNotEquals(doc.get("messages"), reworded.get("messages"));
    }
  }

  @Test
  void onlyAMinimalExplanationHasTheRemarkThatEachFactIsNeeded() {
    assertTrue(new Infeasibility(List.of(), Infeasibility.Shrinking.MINIMAL).remark().orElseThrow()
        .startsWith("(each fact is needed"));
    assertTrue(new Infeasibility(List.of(), Infeasibility.Shrinking.STOPPED).remark().orElseThrow()
        .startsWith("(a time limit stopped"));
    assertFalse(new Infeasibility(List.of(), Infeasibility.Shrinking.NOT_SHRUNK).remark().isPresent());
    assertEquals(List.of("x."), Infeasibility.ofFacts(List.of("x")).facts());
  }
}
