package tdmr.greedy;

import tdmr.mem.AddressRange;

/**
 * One reserved area the greedy adds to a TDMR, and why: a hole between memory blocks (or CMRs), or
 * the part of a PAMT chunk that falls inside the TDMR.
 *
 * @param range the absolute range reserved
 * @param kind hole or PAMT piece
 * @param pamtOwner for a PAMT piece, the index of the TDMR whose chunk it is; -1 for a hole
 */
public record ReservedAreaUse(AddressRange range, Kind kind, int pamtOwner) {

  /** What took the reserved area. */
  public enum Kind {
    HOLE,
    PAMT
  }

  public static ReservedAreaUse hole(AddressRange range) {
    return new ReservedAreaUse(range, Kind.HOLE, -1);
  }

  public static ReservedAreaUse pamt(AddressRange range, int owner) {
    return new ReservedAreaUse(range, Kind.PAMT, owner);
  }
}
