package tdmr.solver.cpsat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tdmr.mem.MemoryMap;
import tdmr.parse.InputException;
import tdmr.parse.MapReader;
import tdmr.solver.EngineResult;
import tdmr.solver.SolveOptions;
import tdmr.solver.Status;
import tdmr.solver.Tdx135MapFixture;
import tdmr.tdx.Policy;
import tdmr.tdx.TdxLimits;

/** The CP-SAT engine on every real map of the repository. */
class CpSatRealMapsTest {
  private static final Path REALMAPS = Path.of("../model/src/test/resources/realmaps");

  static Stream<Path> realMaps() throws IOException {
    try (Stream<Path> files = Files.list(REALMAPS)) {
      return files.filter(p -> p.toString().endsWith(".txt")).sorted().toList().stream();
    }
  }

  @Test
  void parsedTdx135MapEqualsTheHandTranscription() throws InputException {
    MemoryMap parsed = MapReader.read(
        REALMAPS.resolve("tdx-fail-emr-foxcreekpass-reserved-areas-exhausted-canonical-tdx-135.txt"));
    MemoryMap hand = Tdx135MapFixture.map();
    assertEquals(hand.blocks(), parsed.blocks());
    assertEquals(hand.cmrs(), parsed.cmrs());
  }

  @ParameterizedTest
  @MethodSource("realMaps")
  void everyRealMapIsProvenEitherWay(Path file) throws InputException {
    MemoryMap map;
    try {
      map = MapReader.read(file);
    } catch (InputException e) {
      // tdx#415 is a failure report without a memory map; the reader says so.
      Assumptions.abort(e.getMessage());
      return;
    }
    for (Policy policy : List.of(Policy.DEFAULT, Policy.DEFAULT.withHoles(Policy.Holes.CMR))) {
      EngineResult r = new CpSatEngine().solve(map, TdxLimits.DEFAULT, policy, new SolveOptions(60, 1, 0));
      assertTrue(r.status() == Status.OPTIMAL || r.status() == Status.INFEASIBLE, file + ": " + r.messages());
    }
  }
}
