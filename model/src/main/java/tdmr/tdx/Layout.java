package tdmr.tdx;

import java.util.List;

/** The TDMR list handed to TDH.SYS.CONFIG, in pointer-array order. */
public record Layout(List<Tdmr> tdmrs) {
  public Layout {
    tdmrs = List.copyOf(tdmrs);
  }

  /** Sum of all PAMT range sizes, in bytes. */
  public long pamtBytes() {
    return tdmrs.stream().mapToLong(t -> t.pamt().totalBytes()).sum();
  }

  /** Total non-null reserved-area slots over all TDMRs. */
  public int reservedAreaCount() {
    return tdmrs.stream().mapToInt(Tdmr::reservedCount).sum();
  }

  /** The largest number of reserved areas any one TDMR uses. */
  public int maxReservedPerTdmr() {
    return tdmrs.stream().mapToInt(Tdmr::reservedCount).max().orElse(0);
  }

  public int size() {
    return tdmrs.size();
  }
}
