package tdmr.solver.z3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Z3's native memory cap is process-wide and set when Z3 loads, so it is exercised in a child JVM:
 * with a cap of 1 MiB, Z3 cannot even build the model of the bundled tdx#135 example, and the
 * answer must name the cap, never be an internal error (exit 70). It is FEASIBLE (exit 0) with the
 * layout built before Z3 runs by filling the island of tdx#135's [1G, 2G) with a PAMT level
 * ({@link tdmr.solver.FilledStart}): nothing is proven, the best known layout is kept. With 10 areas
 * per TDMR (a what-if), so that the built layout does not meet every tier's bound: from 11 up it
 * does, and Z3 answers OPTIMAL without building a model ({@link tdmr.solver.BuiltOptimum}); at 12,
 * for example, [1G, 2G)'s 16 runs of holes need 4 islands filled, whose pages past whole 4K levels
 * are at least 1 + 1 + 2 + 16 (ExactFillBound (e)), 2 068 pages, which the built layout has.
 */
class Z3MemoryCapTest {
  @Test
  void reachingTheMemoryCapIsUnknownNotABug() throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Dtdmr.z3.maxMemoryMb=1", "-cp", System.getProperty("java.class.path"),
            "tdmr.cli.Main", "plan", "--solver", "z3", "--max-rsvd", "10", "--no-color")
        .redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = p.waitFor();
    assertEquals(0, exit, out);
    assertTrue(out.contains("== z3: FEASIBLE"), out);
    assertTrue(out.contains("before proving optimality"), out);
    assertTrue(out.replaceAll("\\s+", " ").contains("native memory cap of 1 MiB"), out);
  }
}
