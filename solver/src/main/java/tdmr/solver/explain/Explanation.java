package tdmr.solver.explain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Why no layout exists: a minimal set of constraint groups that cannot all hold (removing any one
 * of them makes the rest satisfiable), read as sentences.
 *
 * <p>A granule's hole demand and the reserved-area limit of the TDMR that covers it are printed
 * as one sentence, since together they are the usual cause ("the 1 GiB granule ... holds 16 gaps
 * ...; each needs a reserved area of the TDMR that covers it, and at most 15 are allowed").
 */
public record Explanation(List<Reason> reasons) {
  public Explanation {
    reasons = List.copyOf(reasons);
  }

  /** The reasons as sentences, most specific first; each ends with a period. */
  public List<String> sentences() {
    List<String> out = new ArrayList<>();
    List<Reason> rest = new ArrayList<>(reasons);
    rest.sort(Comparator.comparingInt(Explanation::rank));
    while (!rest.isEmpty()) {
      Reason r = rest.remove(0);
      if (r instanceof Reason.GranuleHoles holes) {
        Optional<Reason.ReservedLimit> limit = limitOf(rest, holes);
        if (limit.isPresent()) {
          rest.remove(limit.get());
          out.add(
              "the 1 GiB granule %s holds %d %s; each needs a reserved area of the TDMR that covers it, and at most %d %s allowed."
                  .formatted(
                      holes.granule(),
                      holes.holes(),
                      holes.holesNoun(),
                      limit.get().limit(),
                      limit.get().limit() == 1 ? "is" : "are"));
          continue;
        }
      }
      out.add(r.sentence() + ".");
    }
    return out;
  }

  private static Optional<Reason.ReservedLimit> limitOf(List<Reason> rest, Reason.GranuleHoles holes) {
    return rest.stream()
        .filter(r -> r instanceof Reason.ReservedLimit l && l.granule().equals(holes.granule()))
        .map(r -> (Reason.ReservedLimit) r)
        .findFirst();
  }

  /** Limits and demands first (they carry the numbers), the coverage duty that triggers them last. */
  private static int rank(Reason r) {
    if (r instanceof Reason.GranuleHoles) {
      return 0;
    }
    if (r instanceof Reason.ReservedLimit) {
      return 1;
    }
    if (r instanceof Reason.MaxTdmrs) {
      return 2;
    }
    if (r instanceof Reason.PamtRoom) {
      return 3;
    }
    return 4;
  }
}
