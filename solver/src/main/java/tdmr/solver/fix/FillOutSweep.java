package tdmr.solver.fix;

import java.util.List;
import tdmr.mem.AddressRange;
import tdmr.mem.ByteSize;
import tdmr.tdx.Policy;
import tdmr.tdx.Tdmr;

/**
 * The part of the kernel's construction that does not depend on where PAMTs land, replayed one
 * kept block at a time: {@code fill_out_tdmrs} (a TDMR opens whenever a block ends past the current
 * one) and the hole loop of {@code tdmr_populate_rsvd_holes} (one reserved area per gap). Every
 * reserved area is a hole or a PAMT piece, so a TDMR whose holes alone exceed the limit, or more
 * TDMRs than the module allows, fail whatever the PAMTs do: a necessary condition for success that
 * the search checks on partial choices.
 *
 * <p>With memory-list holes the gaps come from the kept blocks, counted as they are added; with CMR
 * holes they come from the CMRs and are known as soon as a TDMR's range is.
 *
 * @param tdmrs TDMRs opened so far
 * @param base the open TDMR's base ({@code end == 0}: none open yet)
 * @param end the open TDMR's end
 * @param prevEnd the hole loop's {@code prev_end} in the open TDMR
 * @param holes holes of the open TDMR so far
 * @param closedHoles holes of the TDMRs already closed
 */
record FillOutSweep(int tdmrs, long base, long end, long prevEnd, int holes, long closedHoles) {

  static final FillOutSweep START = new FillOutSweep(0, 0, 0, 0, 0, 0);

  /** The fixed inputs: hole source, limits. */
  record Rules(Policy.Holes holes, List<AddressRange> cmrs, int maxTdmrs, int maxReserved) {}

  boolean isOpen() {
    return end != 0;
  }

  /** The sweep after the kernel sees block {@code [s, e)}; null when a limit is already broken. */
  FillOutSweep add(long s, long e, Rules rules) {
    if (!isOpen()) {
      return open(0, 0, s, e, rules);
    }
    if (e <= end) {
      int h = holes + (rules.holes() == Policy.Holes.MEMLIST && s > prevEnd ? 1 : 0);
      return h > rules.maxReserved() ? null : new FillOutSweep(tdmrs, base, end, e, h, closedHoles);
    }
    int h = holes;
    long p = prevEnd;
    if (s < end) {
      h += rules.holes() == Policy.Holes.MEMLIST && s > p ? 1 : 0;
      p = e;
    }
    if (rules.holes() == Policy.Holes.MEMLIST && p < end) {
      h++;
    }
    if (h > rules.maxReserved()) {
      return null;
    }
    return open(closedHoles + h, end, s, e, rules);
  }

  /** The sweep after the last block: the open TDMR closes with its tail hole; null if that breaks the limit. */
  FillOutSweep finish(Rules rules) {
    if (!isOpen()) {
      return this;
    }
    int h = holes + (rules.holes() == Policy.Holes.MEMLIST && prevEnd < end ? 1 : 0);
    return h > rules.maxReserved() ? null : new FillOutSweep(tdmrs, 0, 0, 0, 0, closedHoles + h);
  }

  /**
   * Each TDMR's PAMT chunk lies in TDX memory, which some TDMR covers, and costs that TDMR a reserved
   * area: all holes plus one area per TDMR must fit into the TDMRs' areas. Only for a finished sweep.
   */
  boolean roomForPamts(Rules rules) {
    return closedHoles + tdmrs <= (long) tdmrs * rules.maxReserved();
  }

  private FillOutSweep open(long closed, long previousEnd, long s, long e, Rules rules) {
    long b = Math.max(ByteSize.alignDown(s, Tdmr.ALIGNMENT), previousEnd);
    long t = ByteSize.alignUp(e, Tdmr.ALIGNMENT);
    if (tdmrs + 1 > rules.maxTdmrs()) {
      return null;
    }
    int h = rules.holes() == Policy.Holes.MEMLIST ? (s > b ? 1 : 0) : cmrHoles(rules.cmrs(), b, t);
    if (h > rules.maxReserved()) {
      return null;
    }
    return new FillOutSweep(tdmrs + 1, b, t, e, h, closed);
  }

  /** The hole loop over the CMRs (the CMR-holes patch), for TDMR {@code [b, t)}. */
  static int cmrHoles(List<AddressRange> cmrs, long b, long t) {
    int h = 0;
    long prev = b;
    for (AddressRange r : cmrs) {
      if (r.start() >= t) {
        break;
      }
      if (r.end() < b) {
        continue;
      }
      if (r.start() <= prev) {
        prev = r.end();
        continue;
      }
      h++;
      prev = r.end();
    }
    return prev < t ? h + 1 : h;
  }
}
