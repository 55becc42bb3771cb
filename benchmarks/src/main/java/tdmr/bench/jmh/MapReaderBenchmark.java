package tdmr.bench.jmh;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tdmr.bench.gen.DmesgWriter;
import tdmr.bench.gen.MapGenerator;
import tdmr.bench.gen.SyntheticMachine;
import tdmr.mem.MemoryMap;
import tdmr.parse.InputException;
import tdmr.parse.MapReader;

/**
 * How fast {@link MapReader} turns a kernel log into a {@link MemoryMap}: a real EMR log
 * (canonical/tdx#135, 36 e820 lines) and a generated map with about 10 000 e820 lines
 * ({@code fragmented(5000)}). The text is built in {@link #setUp()}; the reader's answer is checked
 * there once, so a fast wrong parse cannot win.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MapReaderBenchmark {
  /** The real map, copied verbatim from model/src/test/resources/realmaps/. */
  static final String REAL_MAP = "tdx-fail-emr-foxcreekpass-reserved-areas-exhausted-canonical-tdx-135.txt";

  @Param({"real-emr-135", "generated-e820-10000"})
  public String input;

  private String text;

  @Setup
  public void setUp() throws IOException, InputException {
    if (input.equals("real-emr-135")) {
      try (InputStream in = MapReaderBenchmark.class.getResourceAsStream("/realmaps/" + REAL_MAP)) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      MemoryMap map = MapReader.read(input, text);
      // 17 usable e820 ranges in the published excerpt, 16 of them above 1 MiB
      check(map.blocks().size() == 16, "EMR #135 should give 16 blocks from 1 MiB, got " + map.blocks().size());
    } else {
      SyntheticMachine m = MapGenerator.fragmented(5000, 1);
      text = DmesgWriter.write(m);
      check(m.e820().size() >= 10_000, "expected 10 000 e820 lines, got " + m.e820().size());
      MemoryMap map = MapReader.read(input, text);
      check(map.blocks().equals(m.blocks()), "reader disagrees with the generator on " + m.name());
    }
  }

  @Benchmark
  public MemoryMap read() throws InputException {
    return MapReader.read(input, text);
  }

  private static void check(boolean ok, String problem) {
    if (!ok) {
      throw new IllegalStateException(problem);
    }
  }
}
