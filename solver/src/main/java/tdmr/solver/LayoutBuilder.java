package tdmr.solver;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tdmr.mem.AddressRange;
import tdmr.solver.Problem.Atom;
import tdmr.solver.Problem.CandidateTdmr;
import tdmr.solver.Problem.Decision;
import tdmr.solver.Problem.Side;
import tdmr.solver.Problem.TdmrChoice;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;

/**
 * Turns an engine's {@link Decision} into a concrete {@link Layout}, the same way for every engine.
 *
 * <p>Chunks sharing a stack (same atom, same side) sit back to back in TDMR address order: a LOW
 * stack starts at the atom's start, a HIGH stack ends at the atom's end. The reserved areas of a
 * TDMR are then its mandatory holes (rule C: gaps per the holes policy, and memory left out under
 * coverage {@code max}) plus every chunk piece inside it (rule D5), sorted and with touching pieces
 * merged. A run of optional pieces (convertible gaps under holes {@code cmr}) is reserved exactly
 * when reserved pieces touch it on both sides inside the TDMR, which merges two areas into one and
 * is never worse.
 */
public final class LayoutBuilder {
  private final Problem problem;

  public LayoutBuilder(Problem problem) {
    this.problem = problem;
  }

  /** Reserved-state of a piece of a TDMR. */
  private enum State {
    RESERVED,
    FREE,
    OPTIONAL
  }

  private record Piece(AddressRange range, State state) {}

  /** Builds the layout; throws {@link IllegalArgumentException} for a decision outside the family. */
  public Layout build(Decision decision) {
    List<Atom> atoms = problem.atoms();
    Set<Integer> dropped = new HashSet<>(decision.droppedAtoms());
    List<TdmrChoice> choices = new ArrayList<>(decision.tdmrs());
    choices.sort(Comparator.comparingInt(c -> problem.candidate(c.candidate()).firstCell()));
    checkShape(choices, dropped);

    // Chunk positions: stacks in TDMR order.
    Map<TdmrChoice, Long> chunkBase = new LinkedHashMap<>();
    Map<Integer, long[]> load = new LinkedHashMap<>();
    for (TdmrChoice c : choices) {
      long bytes = problem.candidate(c.candidate()).pamtBytes();
      load.computeIfAbsent(c.chunkAtom(), k -> new long[2])[c.side().ordinal()] += bytes;
    }
    Map<Integer, long[]> cursor = new LinkedHashMap<>();
    for (Map.Entry<Integer, long[]> e : load.entrySet()) {
      AddressRange atom = atoms.get(e.getKey()).range();
      long[] l = e.getValue();
      if (l[0] + l[1] > atom.size()) {
        throw new IllegalArgumentException(
            "PAMT chunks of %d bytes do not fit atom %s".formatted(l[0] + l[1], atom));
      }
      cursor.put(e.getKey(), new long[] {atom.start(), atom.end() - l[1]});
    }
    List<AddressRange> chunks = new ArrayList<>();
    for (TdmrChoice c : choices) {
      long[] cur = cursor.get(c.chunkAtom());
      long bytes = problem.candidate(c.candidate()).pamtBytes();
      int side = c.side().ordinal();
      chunkBase.put(c, cur[side]);
      chunks.add(AddressRange.ofSize(cur[side], bytes));
      cur[side] += bytes;
    }
    chunks.sort(AddressRange.ORDER);

    List<Tdmr> tdmrs = new ArrayList<>();
    for (TdmrChoice c : choices) {
      CandidateTdmr t = problem.candidate(c.candidate());
      List<AddressRange> reserved = reservedAreas(t, dropped, chunks);
      List<ReservedArea> areas = new ArrayList<>();
      for (AddressRange r : reserved) {
        areas.add(new ReservedArea(r.start() - t.range().start(), r.size()));
      }
      tdmrs.add(new Tdmr(
          t.range().start(),
          t.range().size(),
          Pamt.kernelChunk(chunkBase.get(c), t.range().size(), problem.limits()),
          areas));
    }
    return new Layout(tdmrs);
  }

  /** TDMRs disjoint, chunks in allowed memory, every kept memory atom covered. */
  private void checkShape(List<TdmrChoice> choices, Set<Integer> dropped) {
    List<Atom> atoms = problem.atoms();
    boolean[] covered = new boolean[problem.cells().size()];
    for (TdmrChoice c : choices) {
      CandidateTdmr t = problem.candidate(c.candidate());
      for (int k = t.firstCell(); k < t.endCell(); k++) {
        if (covered[k]) {
          throw new IllegalArgumentException("two TDMRs cover cell " + problem.cells().get(k).range());
        }
        covered[k] = true;
      }
      Atom a = atoms.get(c.chunkAtom());
      if (!problem.mayHoldChunk(t, a) || dropped.contains(a.index())) {
        throw new IllegalArgumentException("PAMT of %s may not go into %s".formatted(t.range(), a.range()));
      }
    }
    for (Atom a : atoms) {
      if (a.memory() && !dropped.contains(a.index()) && (!covered[a.cell()] || a.mustDrop())) {
        throw new IllegalArgumentException("memory " + a.range() + " is kept but cannot be covered");
      }
    }
  }

  /** The sorted, merged reserved areas of TDMR {@code t}, as absolute ranges. */
  private List<AddressRange> reservedAreas(CandidateTdmr t, Set<Integer> dropped, List<AddressRange> chunks) {
    List<Piece> pieces = new ArrayList<>();
    for (Atom a : problem.atoms()) {
      if (!t.range().contains(a.range())) {
        continue;
      }
      if (!a.memory()) {
        pieces.add(new Piece(a.range(), problem.mustReserve(a) ? State.RESERVED : State.OPTIONAL));
      } else if (dropped.contains(a.index())) {
        pieces.add(new Piece(a.range(), problem.mustReserveDropped(a) ? State.RESERVED : State.OPTIONAL));
      } else {
        splitByChunks(a.range(), chunks, pieces);
      }
    }
    // Optional runs bridge two reserved neighbours, or stay free.
    List<AddressRange> reserved = new ArrayList<>();
    for (int i = 0; i < pieces.size(); i++) {
      Piece p = pieces.get(i);
      if (p.state() == State.RESERVED) {
        reserved.add(p.range());
      } else if (p.state() == State.OPTIONAL) {
        int j = i;
        while (j + 1 < pieces.size() && pieces.get(j + 1).state() == State.OPTIONAL) {
          j++;
        }
        boolean before = i > 0 && pieces.get(i - 1).state() == State.RESERVED;
        boolean after = j + 1 < pieces.size() && pieces.get(j + 1).state() == State.RESERVED;
        if (before && after) {
          reserved.add(new AddressRange(p.range().start(), pieces.get(j).range().end()));
        }
        i = j;
      }
    }
    return mergeTouching(reserved);
  }

  private static void splitByChunks(AddressRange atom, List<AddressRange> chunks, List<Piece> out) {
    long cursor = atom.start();
    for (AddressRange c : chunks) {
      AddressRange in = c.intersect(atom);
      if (in.isEmpty()) {
        continue;
      }
      if (in.start() > cursor) {
        out.add(new Piece(new AddressRange(cursor, in.start()), State.FREE));
      }
      out.add(new Piece(in, State.RESERVED));
      cursor = in.end();
    }
    if (cursor < atom.end()) {
      out.add(new Piece(new AddressRange(cursor, atom.end()), State.FREE));
    }
  }

  /** Sorted ranges with touching or overlapping neighbours joined. */
  static List<AddressRange> mergeTouching(List<AddressRange> ranges) {
    List<AddressRange> sorted = new ArrayList<>(ranges);
    sorted.sort(AddressRange.ORDER);
    List<AddressRange> out = new ArrayList<>();
    for (AddressRange r : sorted) {
      if (!out.isEmpty() && out.get(out.size() - 1).end() >= r.start()) {
        AddressRange last = out.remove(out.size() - 1);
        out.add(new AddressRange(last.start(), Math.max(last.end(), r.end())));
      } else {
        out.add(r);
      }
    }
    return out;
  }
}
