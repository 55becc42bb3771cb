package tdmr.triage;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import tdmr.mem.LogLine;

/**
 * A failed SEAMCALL as the kernel logged it ({@code SEAMCALL (0x22) failed: 0xc000050500000000}
 * and the register dump after it), decoded: which leaf, which status, which metadata field.
 *
 * @param line the {@code SEAMCALL ... failed} line
 * @param leaf the leaf number
 * @param status RAX as returned by the module
 * @param registers the input registers the kernel dumped (RCX, RDX, R8 ... R11), by name
 */
public record SeamcallFailure(LogLine line, long leaf, long status, Map<String, Long> registers) {

  public SeamcallFailure {
    registers = Map.copyOf(registers);
  }

  public Optional<SeamcallLeaf> knownLeaf() {
    return SeamcallLeaf.of(leaf);
  }

  public Optional<TdxStatus> knownStatus() {
    return TdxStatus.of(status);
  }

  public OptionalLong register(String name) {
    Long v = registers.get(name);
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }

  /** For TDH.SYS.RD, the metadata field the kernel asked for (RDX), when it is a known one. */
  public Optional<MetadataField> field() {
    if (leaf != SeamcallLeaf.TDH_SYS_RD.number()) {
      return Optional.empty();
    }
    OptionalLong rdx = register("RDX");
    return rdx.isPresent() ? MetadataField.of(rdx.getAsLong()) : Optional.empty();
  }

  /** {@code 0x22 = TDH.SYS.RD}, or the bare number for a leaf we do not know. */
  public String leafText() {
    return "0x%x".formatted(leaf) + knownLeaf().map(l -> " = " + l.apiName()).orElse(" (unknown leaf)");
  }

  /** {@code 0xc000050500000000 = TDX_SYS_NOT_READY}, or the bare number for an unknown status. */
  public String statusText() {
    return "0x%016x".formatted(status) + knownStatus().map(s -> " = " + s.name()).orElse(" (unknown status)");
  }

  /** The low 32 bits of the status: operand id or TDMR index, level and slot (section H). */
  public long detail() {
    return status & 0xffffffffL;
  }
}
