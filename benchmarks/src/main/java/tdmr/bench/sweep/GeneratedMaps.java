package tdmr.bench.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import tdmr.bench.gen.MapGenerator;
import tdmr.bench.gen.SyntheticMachine;

/**
 * The generated part of a sweep: a fixed mix of families, each map with its own seed drawn from the
 * sweep seed, so {@code --generated N --seed S} always means the same maps.
 *
 * <p>Map {@code i} is, by {@code i mod 5}: 0 and 1 a {@linkplain MapGenerator#realistic realistic}
 * machine; 2 {@linkplain MapGenerator#fragmented fragmented(n)}; 3 {@linkplain
 * MapGenerator#manyNodes manyNodes(n)}; 4 {@linkplain MapGenerator#memmapFragmented
 * memmapFragmented(n)}, with {@code n} taken in turn from the family's schedule below. The
 * schedules are dense around the limits where the greedy breaks (16 reserved areas, 64 TDMRs) and
 * stop near 256 blocks: on {@code manyNodes(500)} the Z3 engine grew past 5 GB of native memory
 * within 36 s, and a sweep runs two solves at a time on machines shared with others. Larger maps
 * stay available to the generators ({@code MapGenerator} scales to 10 000 blocks).
 */
public final class GeneratedMaps {
  static final int[] FRAGMENTED = {4, 8, 12, 14, 15, 16, 17, 20, 32, 64, 128, 256};
  static final int[] MANY_NODES = {8, 16, 32, 62, 63, 64, 65, 80, 100, 128, 160, 200};
  static final int[] MEMMAP = {2, 4, 8, 14, 15, 16, 20, 32, 48, 64, 96, 128};

  private GeneratedMaps() {}

  /** The first {@code count} generated machines of the mix for {@code seed}. */
  public static List<SyntheticMachine> generate(int count, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<SyntheticMachine> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long mapSeed = rng.nextLong();
      int turn = i / 5;
      out.add(switch (i % 5) {
        case 2 -> MapGenerator.fragmented(FRAGMENTED[turn % FRAGMENTED.length], mapSeed);
        case 3 -> MapGenerator.manyNodes(MANY_NODES[turn % MANY_NODES.length], mapSeed);
        case 4 -> MapGenerator.memmapFragmented(MEMMAP[turn % MEMMAP.length], mapSeed);
        default -> MapGenerator.realistic(mapSeed);
      });
    }
    return out;
  }

  /** The generator family of a machine, as the {@code origin} column shows it. */
  public static String family(SyntheticMachine m) {
    String label = m.spec().label();
    int dash = label.indexOf('-');
    return dash < 0 ? label : label.substring(0, dash);
  }
}
