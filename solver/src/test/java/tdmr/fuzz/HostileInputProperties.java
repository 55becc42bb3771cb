package tdmr.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.PropagationMode;
import tdmr.check.TdmrInfoCodec;
import tdmr.parse.LayoutJson;
import tdmr.parse.RealMaps;

/**
 * The fuzz suite of issue #17: real kernel logs, {@code /proc/iomem}, JSON maps, JSON layouts and
 * TDMR_INFO binaries, mutated as a hostile or careless source would (numbers at 0, 2^52, 2^64 - 1
 * and beyond; reversed, overlapping, duplicate and unaligned ranges; truncated lines, CRLF, bare CR,
 * NUL, invalid UTF-8, long lines; deep or huge JSON, wrong types, duplicate keys), through every
 * command that reads them, in-process. Every run must end with exit 0, 1, 2 or 3, without a stack
 * trace, naming the input when it is bad, within a time bounded by the input's size ({@link
 * Verdicts}).
 *
 * <p>Fixed seeds; sized for CI's budget of 1.5 minutes for fuzzing on a loaded 2-core machine: 185
 * tries, 60 s, and 15 s for the regressions, at load 14 (350 tries took 82 s at load 11, over 2
 * minutes under more load). {@code -Dfuzz.tries=N} runs N tries of each
 * property ({@link FuzzTries}); a failing input is kept in {@code target/fuzz-failures} and becomes a
 * regression input under {@code src/test/resources/fuzz/} ({@link FuzzRegressionsTest}).
 */
@AddLifecycleHook(value = FuzzTries.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
class HostileInputProperties {
  private static Path dir;
  private static Commands commands;

  @BeforeContainer
  static void writePartners() throws Exception {
    dir = Files.createTempDirectory("tdmr-fuzz");
    Path layout = dir.resolve("partner-layout.json");
    Files.writeString(layout, LayoutJson.write(Seeds.layout(RealMaps.EMR_135)));
    commands = new Commands(dir, layout, RealMaps.path(RealMaps.EMR_135));
  }

  @AfterContainer
  static void removeFiles() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Property(tries = 40, seed = "20261203", shrinking = ShrinkingMode.OFF)
  void mutatedKernelLogs(@ForAll("logs") Fuzzed input, @ForAll @IntRange(max = 29) int solver) throws Exception {
    commands.run(input, "fuzz-dmesg.txt", file -> solver < 5
        ? Commands.plus(commands.mapReaders(file), commands.solverCommand(file, solver))
        : commands.mapReaders(file));
  }

  @Property(tries = 25, seed = "20261204", shrinking = ShrinkingMode.OFF)
  void mutatedIomem(@ForAll("iomem") Fuzzed input, @ForAll @IntRange(max = 29) int solver) throws Exception {
    commands.run(input, "fuzz-iomem.txt", file -> solver < 5
        ? Commands.plus(commands.mapReaders(file), commands.solverCommand(file, solver))
        : commands.mapReaders(file));
  }

  @Property(tries = 30, seed = "20261205", shrinking = ShrinkingMode.OFF)
  void mutatedJsonMaps(@ForAll("jsonMaps") Fuzzed input, @ForAll @IntRange(max = 29) int solver) throws Exception {
    commands.run(input, "fuzz-map.json", file -> solver < 5
        ? Commands.plus(commands.mapReaders(file), commands.solverCommand(file, solver))
        : commands.mapReaders(file));
  }

  @Property(tries = 50, seed = "20261206", shrinking = ShrinkingMode.OFF)
  void mutatedJsonLayouts(@ForAll("jsonLayouts") Fuzzed input) throws Exception {
    commands.run(input, "fuzz-layout.json", commands::layoutReaders);
  }

  @Property(tries = 40, seed = "20261207", shrinking = ShrinkingMode.OFF)
  void mutatedTdmrInfo(@ForAll("tdmrInfos") Fuzzed input) throws Exception {
    commands.run(input, "fuzz-tdmr-info.bin", commands::layoutReaders);
  }

  // ---- inputs ----

  @Provide
  Arbitrary<Fuzzed> logs() {
    return fuzzed(Seeds.logs(), textMutation());
  }

  @Provide
  Arbitrary<Fuzzed> iomem() {
    return fuzzed(Seeds.iomem(), textMutation());
  }

  @Provide
  Arbitrary<Fuzzed> jsonMaps() throws Exception {
    return fuzzed(Seeds.jsonMaps(), Arbitraries.oneOf(jsonMutation(), jsonMutation(), textMutation()));
  }

  @Provide
  Arbitrary<Fuzzed> jsonLayouts() throws Exception {
    return fuzzed(Seeds.layouts(), Arbitraries.oneOf(jsonMutation(), jsonMutation(), textMutation()));
  }

  @Provide
  Arbitrary<Fuzzed> tdmrInfos() throws Exception {
    return fuzzed(Seeds.tdmrInfos(), binaryMutation());
  }

  private static Arbitrary<Fuzzed> fuzzed(List<Seeds.Seed> seeds, Arbitrary<Mutation> mutation) {
    return Arbitraries.of(seeds).flatMap(s -> mutation.list().ofMinSize(1).ofMaxSize(4).map(ms -> new Fuzzed(s, ms)));
  }

  private static Arbitrary<Integer> index() {
    return Arbitraries.integers().between(0, 100_000);
  }

  static Arbitrary<Mutation> textMutation() {
    return Arbitraries.oneOf(
        Combinators.combine(index(), Arbitraries.of(Hostile.NUMBERS)).as(Mutation.ReplaceNumber::new),
        Combinators.combine(index(), Arbitraries.of(1L, -1L, 0x800L, 0x1000L, -0x1000L, 1L << 30, 1L << 52, -(1L << 52)))
            .as(Mutation.NudgeNumber::new),
        index().map(Mutation.SwapNumbersInLine::new),
        Combinators.combine(index(), Arbitraries.integers().between(1, 3000)).as(Mutation.RepeatLine::new),
        index().map(Mutation.DeleteLine::new),
        Combinators.combine(index(), index()).as(Mutation.SwapLines::new),
        Combinators.combine(index(), index()).as(Mutation.TruncateLine::new),
        index().map(Mutation.Truncate::new),
        Arbitraries.of("\r\n", "\r", "").map(Mutation.LineEnds::new),
        Combinators.combine(index(), index(), index().list().ofMaxSize(6)).as(Mutation.InsertLine::new),
        Combinators.combine(index(), index(), index().list().ofMaxSize(6)).as(Mutation.InsertLine::new),
        index().map(Mutation.CommentOut::new),
        Combinators.combine(index(), index()).as(Mutation.InsertBytes::new),
        Arbitraries.integers().between(1, 20).map(Mutation.RepeatWhole::new));
  }

  static Arbitrary<Mutation> jsonMutation() {
    return Arbitraries.oneOf(
        Combinators.combine(index(), index()).as(JsonMutation.SetValue::new),
        Combinators.combine(index(), index()).as(JsonMutation.SetValue::new),
        index().map(JsonMutation.RemoveField::new),
        Combinators.combine(index(), Arbitraries.integers().between(1, 2000)).as(JsonMutation.RepeatElement::new),
        index().map(JsonMutation.SwapElements::new),
        Combinators.combine(index(), Arbitraries.integers().between(1, 3000)).as(JsonMutation.Nest::new),
        index().map(JsonMutation.DuplicateKey::new));
  }

  static Arbitrary<Mutation> binaryMutation() {
    Arbitrary<Long> values = Arbitraries.of(0L, 1L, 0x1000L, 1L << 30, (1L << 52) - 1, 1L << 52, Long.MIN_VALUE, -1L,
        0x7fffffffffffffffL, 0x40000000L);
    return Arbitraries.oneOf(
        Combinators.combine(index(), index(), values).as(Mutation.SetU64::new),
        Combinators.combine(index(), index(), values).as(Mutation.SetU64::new),
        Combinators.combine(index(), Arbitraries.integers().between(0, 255)).as(Mutation.FlipByte::new),
        index().map(Mutation.Truncate::new),
        Arbitraries.integers().between(1, 3000).map(Mutation.RepeatWhole::new),
        Combinators.combine(index(), index()).as(Mutation.InsertBytes::new));
  }
}
