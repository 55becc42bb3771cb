package tdmr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The limit, policy and budget options (declared once, in {@link PolicyOptions}, {@link
 * LimitOptions} and {@link BudgetOptions}): each command takes exactly those it honours, with one
 * default and one help text everywhere, and rejects a value no module or solver has with exit 2.
 */
class SharedOptionsTest {
  private static final Set<String> SHARED =
      Set.of("--holes", "--pamt", "--coverage", "--max-tdmrs", "--max-rsvd", "--dpamt", "--hkid-start-bit",
          "--time-limit", "--threads", "--seed");

  private static final Set<String> ALL = SHARED;

  private static final Set<String> NO_BUDGET =
      Set.of("--holes", "--coverage", "--max-tdmrs", "--max-rsvd", "--dpamt", "--hkid-start-bit");

  /**
   * Which shared options each command honours. check runs no solver and places no PAMT; fix asks
   * about coverage itself (all, then max); prove runs Z3, which takes no threads or seed; frontier
   * varies the TDMR and reserved-area limits itself; diagnose analyses with the module's default
   * limits and the kernel's policy.
   */
  private static final Map<String, Set<String>> HONOURED = Map.ofEntries(
      Map.entry("plan", ALL),
      Map.entry("render", ALL),
      Map.entry("check", NO_BUDGET),
      Map.entry("fix", Set.of("--holes", "--pamt", "--max-tdmrs", "--max-rsvd", "--dpamt", "--hkid-start-bit",
          "--time-limit", "--threads", "--seed")),
      Map.entry("prove", Set.of("--holes", "--pamt", "--coverage", "--max-tdmrs", "--max-rsvd", "--dpamt",
          "--hkid-start-bit", "--time-limit")),
      Map.entry("frontier", Set.of("--holes", "--pamt", "--coverage", "--dpamt", "--hkid-start-bit", "--time-limit",
          "--threads", "--seed")),
      Map.entry("diagnose", Set.of("--time-limit", "--threads", "--seed")),
      Map.entry("map", Set.of()),
      Map.entry("gather", Set.of()),
      Map.entry("completion", Set.of()),
      Map.entry("help", Set.of()));

  private static CommandLine root() {
    return TdmrCommand.commandLine(new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(new ByteArrayOutputStream()));
  }

  @Test
  void eachCommandTakesExactlyTheSharedOptionsItHonours() {
    Map<String, CommandLine> commands = root().getSubcommands();
    assertEquals(new TreeSet<>(HONOURED.keySet()), new TreeSet<>(commands.keySet()), "every command is listed here");
    for (var e : commands.entrySet()) {
      Set<String> shared = new TreeSet<>();
      for (OptionSpec o : e.getValue().getCommandSpec().options()) {
        if (SHARED.contains(o.longestName())) {
          shared.add(o.longestName());
        }
      }
      assertEquals(new TreeSet<>(HONOURED.get(e.getKey())), shared, e.getKey());
    }
  }

  @Test
  void eachSharedOptionHasOneDefaultAndOneHelpText() {
    Map<String, OptionSpec> first = new java.util.HashMap<>();
    for (CommandLine c : root().getSubcommands().values()) {
      for (OptionSpec o : c.getCommandSpec().options()) {
        if (!SHARED.contains(o.longestName())) {
          continue;
        }
        OptionSpec seen = first.putIfAbsent(o.longestName(), o);
        if (seen != null) {
          assertEquals(seen.defaultValueString(), o.defaultValueString(), o.longestName());
          assertEquals(List.of(seen.description()), List.of(o.description()), o.longestName());
        }
      }
    }
    assertEquals(SHARED, first.keySet());
  }

  /** The defaults are the module's (TDX module 1.5) and SolveOptions.DEFAULT, as the help says. */
  @Test
  void helpShowsTheDefaults() {
    String help = CliRun.flat(CliRun.of("plan", "--help").out());
    assertTrue(help.contains("MAX_TDMRS (default 64)"), help);
    assertTrue(help.contains("MAX_RESERVED_PER_TDMR (default 16;"), help);
    assertTrue(help.contains("several solves share them (default 60)"), help);
    assertTrue(help.contains("(default 1; 1 gives the same answer on every run)"), help);
    assertTrue(help.contains("CP-SAT random seed (default 0)"), help);
    assertTrue(help.contains("Default: memlist"), help);
    assertTrue(help.contains("Default: node-local"), help);
    assertTrue(help.contains("Default: all"), help);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "plan --max-tdmrs 0                 | --max-tdmrs must be at least 1, got 0",
    "render -o x.svg --max-rsvd -1      | --max-rsvd must not be negative, got -1",
    "fix x --hkid-start-bit 30          | --hkid-start-bit must be within 31..52, got 30",
    "prove --time-limit 0               | --time-limit must be a positive number of seconds, got 0",
    "frontier --threads 0               | --threads must be at least 1, got 0",
    "diagnose --time-limit -1 x         | --time-limit must be a positive number of seconds, got -1",
    "frontier --up-to 0                 | --up-to must be within 1..64 (the module's MAX_TDMRS), got 0",
    "frontier --solver greedy           | the frontier needs exact engines",
    "plan --solver nosuch               | nosuch",
    "check x --map y --max-tdmrs 0      | --max-tdmrs must be at least 1, got 0",
    "prove --seed 1                     | Unknown option: '--seed'",
    "check x --map y --pamt any         | Unknown option: '--pamt'",
    "fix x --coverage max               | Unknown option: '--coverage'",
  })
  void aValueNoModuleOrSolverHasIsAUsageError(String command, String message) {
    CliRun run = CliRun.of(command.strip().split(" +"));
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains(message), run.err());
    assertTrue(run.err().contains("--help' for usage"), run.err());
  }

  /** --dpamt implies HKID bits from bit 48 (rule A7); --hkid-start-bit overrides that. */
  @Test
  void dynamicPamtImpliesHkidStartBit48() {
    LimitOptions.DynamicPamt dpamt = new LimitOptions.DynamicPamt();
    LimitOptions.HkidStartBit hkid = new LimitOptions.HkidStartBit();
    assertEquals(52, LimitOptions.limits(dpamt, hkid).hkidStartBit());
    dpamt.on = true;
    assertEquals(48, LimitOptions.limits(dpamt, hkid).hkidStartBit());
    assertTrue(LimitOptions.limits(dpamt, hkid).dynamicPamt());
    hkid.value = 46;
    assertEquals(46, LimitOptions.limits(dpamt, hkid).hkidStartBit());
  }
}
