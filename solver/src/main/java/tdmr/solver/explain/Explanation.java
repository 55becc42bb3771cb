package tdmr.solver.explain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import tdmr.mem.Count;

/**
 * Why no layout exists: a set of constraint groups that cannot all hold, read as sentences; when
 * {@code minimal}, removing any one of them makes the rest satisfiable.
 *
 * <p>A granule's hole demand and the reserved-area limit of the TDMR that covers it are printed
 * as one sentence, since together they are the usual cause ("the 1 GiB granule ... holds 16 gaps
 * ...; each needs a reserved area of the TDMR that covers it, and at most 15 are allowed").
 */
public record Explanation(List<Reason> reasons, boolean minimal) {
  public Explanation {
    reasons = List.copyOf(reasons);
  }

  /** The reasons as sentences, the numbers first; each ends with a period. */
  public List<String> sentences() {
    List<String> out = new ArrayList<>();
    List<Reason> rest = new ArrayList<>(reasons);
    rest.sort(Comparator.comparingInt(Explanation::rank));
    List<Reason.GranuleHoles> holes = new ArrayList<>();
    List<Reason.ReservedLimit> limits = new ArrayList<>();
    for (Reason r : rest) {
      if (r instanceof Reason.GranuleHoles h) {
        holes.add(h);
      } else if (r instanceof Reason.ReservedLimit l) {
        limits.add(l);
      }
    }
    if (!holes.isEmpty() && !limits.isEmpty()) {
      out.add(holesAgainstLimit(holes, limits.get(0).limit()));
      rest.removeAll(holes);
      rest.removeAll(limits);
    }
    for (Reason r : rest) {
      out.add(r.sentence() + ".");
    }
    return out;
  }

  /**
   * One sentence for the usual cause: the holes of some granules, all in one TDMR, exceed the
   * reserved-area limit.
   */
  private static String holesAgainstLimit(List<Reason.GranuleHoles> holes, int limit) {
    String allowed = "at most %d %s allowed".formatted(limit, limit == 1 ? "is" : "are");
    Reason.GranuleHoles first = holes.get(0);
    if (holes.size() == 1) {
      return "%s holds %s; each needs a reserved area of the TDMR that covers it, and %s."
          .formatted(Reason.GranuleHoles.where(first.granule()), first.holesPhrase(), allowed);
    }
    List<String> where = new ArrayList<>();
    List<String> counts = new ArrayList<>();
    int total = 0;
    for (Reason.GranuleHoles h : holes) {
      where.add(h.granule().toString());
      counts.add(Integer.toString(h.holes()));
      total += h.holes();
    }
    String noun = first.holeKind() == tdmr.tdx.Policy.Holes.CMR ? "non-convertible gaps" : "gaps";
    return ("the granules %s hold %s %s between memory blocks (%d in all); each needs a reserved area"
            + " of the TDMR that covers it, and a TDMR may have at most %s.")
        .formatted(String.join(" and ", where), String.join(" and ", counts), noun, total,
            Count.of(limit, "reserved area"));
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
