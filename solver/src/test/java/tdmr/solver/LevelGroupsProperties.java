package tdmr.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link LevelGroups} against a plain enumeration (each level to one range or to none) on a few
 * small levels: the same answer, so that the masks it drops (groups reaching past a range with a
 * level to spare) never lose a way to share the levels out.
 */
class LevelGroupsProperties {
  record Case(List<Long> levels, long padding, long[] filled, long[] crossed) {}

  @Property(tries = 400, seed = "20261205")
  void theSameAnswerAsEveryAssignment(@ForAll("cases") Case c) {
    boolean expected = anyAssignment(c, new int[c.levels().size()], 0);
    Statistics.label("groups exist").collect(expected);
    assertEquals(expected, LevelGroups.exist(c.levels(), c.padding(), c.filled(), c.crossed()), c.toString()
        + " filled " + java.util.Arrays.toString(c.filled()) + " crossed " + java.util.Arrays.toString(c.crossed()));
  }

  /** Every assignment of levels {@code i..} to a range ({@code 0..}: filled, then crossed) or to none ({@code -1}). */
  private static boolean anyAssignment(Case c, int[] to, int i) {
    int ranges = c.filled().length + c.crossed().length;
    if (i == to.length) {
      long padding = 0;
      for (int r = 0; r < ranges; r++) {
        long sum = 0;
        int count = 0;
        for (int k = 0; k < to.length; k++) {
          if (to[k] == r) {
            sum += c.levels().get(k);
            count++;
          }
        }
        if (count == 0) {
          return false;
        }
        if (r < c.filled().length) {
          if (sum > c.filled()[r]) {
            return false;
          }
          padding += c.filled()[r] - sum;
        } else {
          padding += Math.max(0, c.crossed()[r - c.filled().length] + 1 - sum);
        }
      }
      return padding <= c.padding();
    }
    for (int r = -1; r < ranges; r++) {
      to[i] = r;
      if (anyAssignment(c, to, i + 1)) {
        return true;
      }
    }
    return false;
  }

  @Provide
  Arbitrary<Case> cases() {
    Arbitrary<Long> level = Arbitraries.of(1L, 2L, 2L, 5L, 8L, 1024L);
    Arbitrary<List<Long>> levels = level.list().ofMinSize(1).ofMaxSize(6);
    Arbitrary<Long> padding = Arbitraries.longs().between(0, 3);
    Arbitrary<Long> range = Arbitraries.of(1L, 2L, 3L, 4L, 7L, 9L, 10L, 1025L, 1030L);
    Arbitrary<long[]> some = range.list().ofMaxSize(2).map(l -> l.stream().mapToLong(Long::longValue).toArray());
    return Combinators.combine(levels, padding, some, some).as(Case::new);
  }
}
