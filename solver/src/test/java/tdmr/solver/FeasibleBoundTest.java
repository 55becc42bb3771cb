package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import tdmr.mem.MemoryBlock;
import tdmr.mem.MemoryMap;
import tdmr.tdx.Layout;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/**
 * Every FEASIBLE answer a command gets says its proven PAMT bound and the gap, worked by hand: seed
 * 7's fragmented-17 in the module-family sweep ended FEASIBLE with 537 944 064 bytes of PAMT and a
 * bound of 537 931 776 (513.01171875 MiB): 12 288 bytes (12 KiB) above it, 12 288 / 537 931 776 =
 * 0.0000228 of it, 0.0023 %.
 */
class FeasibleBoundTest {
  private static final long G = 1L << 30;
  private static final MemoryMap MAP = MemoryMap.ofBlocks("8 GiB", List.of(new MemoryBlock(4 * G, 12 * G, 0)));

  /** A layout to carry (the sentence reads only the PAMT numbers). */
  private static Layout layout() {
    return new GreedyEngine().solve(MAP, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.DEFAULT).layout().orElseThrow();
  }

  private static EngineResult answer(Status status, long pamt, OptionalLong bound) {
    return new EngineResult("fake", status, Optional.of(layout()), OptionalLong.of(pamt), bound,
        List.of("best layout found"), 5, 0, 0, 0);
  }

  @Test
  void aFeasibleAnswerAboveItsBoundSaysTheBoundAndTheGap() {
    EngineResult r = FeasibleBound.stated(answer(Status.FEASIBLE, 537_944_064L, OptionalLong.of(537_931_776L)));
    assertEquals(List.of("best layout found", "proven PAMT bound: 537931776 bytes (513.01 MiB); this layout is"
        + " 12288 bytes (12 KiB), 0.0023 % of the bound, above it"), r.messages());
    assertEquals(OptionalLong.of(537_931_776L), r.pamtBoundBytes());
  }

  @Test
  void aFeasibleAnswerAtItsBoundSaysItMeetsIt() {
    EngineResult r = FeasibleBound.stated(answer(Status.FEASIBLE, 8_404_992L, OptionalLong.of(8_404_992L)));
    assertEquals("proven PAMT bound: 8404992 bytes (8.02 MiB); this layout's PAMT meets it", r.messages().get(1));
  }

  @Test
  void aBoundThatHoldsUnderRestrictionsNamesThem() {
    EngineResult r = FeasibleBound.stated(answer(Status.FEASIBLE, 2 * 4096L, OptionalLong.of(4096L))
        .withQuestion(new Question(Policy.Family.MODULE, List.of("no TDMR spans a gap"))));
    assertEquals("proven PAMT bound (among the layouts in which no TDMR spans a gap): 4096 bytes (4 KiB); this layout"
        + " is 4096 bytes (4 KiB), 100 % of the bound, above it", r.messages().get(1));
  }

  @Test
  void otherAnswersPassUnchanged() {
    EngineResult noBound = answer(Status.FEASIBLE, 4096L, OptionalLong.empty());
    assertSame(noBound, FeasibleBound.stated(noBound));
    EngineResult optimal = answer(Status.OPTIMAL, 4096L, OptionalLong.of(4096L));
    assertSame(optimal, FeasibleBound.stated(optimal));
  }

  @Test
  void aGuardedEngineSaysItsBound() {
    Engine fake = new Engine() {
      @Override
      public String name() {
        return "fake";
      }

      @Override
      public EngineResult solve(MemoryMap map, TdxLimits limits, Policy policy, SolveOptions options) {
        return answer(Status.FEASIBLE, 537_944_064L, OptionalLong.of(537_931_776L));
      }
    };
    EngineResult r = DeadlineGuard.of(fake).solve(MAP, TdxLimits.DEFAULT, Policy.KERNEL, SolveOptions.forCommand(10, 1, 0));
    assertEquals(2, r.messages().size(), r.messages().toString());
    assertEquals("proven PAMT bound: 537931776 bytes (513.01 MiB); this layout is 12288 bytes (12 KiB), 0.0023 % of"
        + " the bound, above it", r.messages().get(1));
  }
}
