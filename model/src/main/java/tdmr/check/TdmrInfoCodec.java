package tdmr.check;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tdmr.mem.ByteSize;
import tdmr.parse.InputBytes;
import tdmr.parse.InputException;
import tdmr.parse.LayoutJson;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;

/**
 * Reads and writes layouts in the module's binary ABI: consecutive 512-byte TDMR_INFO entries of
 * little-endian u64 fields ({@code tdmr_info_entry_t}, docs/tdx-module-rules.md, "TDMR_INFO").
 *
 * <pre>
 *   offset  field
 *   0       TDMR_BASE            8   TDMR_SIZE
 *   16      PAMT_1G_BASE         24  PAMT_1G_SIZE
 *   32      PAMT_2M_BASE         40  PAMT_2M_SIZE
 *   48      PAMT_4K_BASE         56  PAMT_4K_SIZE
 *   64+16j  RSVD[j].OFFSET   72+16j  RSVD[j].SIZE      (j = 0..15)
 *   320..511  zero (never read by the module)
 * </pre>
 *
 * <p>Decoding keeps raw values: every slot up to the last non-null one is kept, so a null slot in
 * the middle survives for the validator to report (rule C1); null slots after the last used one are
 * dropped, as the module ignores them. Bytes 320..511 are ignored on reading, as the module ignores
 * them, and written as zero.
 */
public final class TdmrInfoCodec {
  /** Size of one TDMR_INFO entry: ALIGN(64 + 16 * 16, 512). */
  public static final int ENTRY_BYTES = 512;
  /** Reserved-area slots per entry (MAX_RESERVED_AREAS). */
  public static final int RESERVED_SLOTS = 16;

  private TdmrInfoCodec() {}

  /** The layout as consecutive TDMR_INFO entries; throws when a TDMR lists more than 16 areas. */
  public static byte[] encode(Layout layout) {
    ByteBuffer buf = ByteBuffer.allocate(layout.size() * ENTRY_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < layout.size(); i++) {
      Tdmr t = layout.tdmrs().get(i);
      if (t.reserved().size() > RESERVED_SLOTS) {
        throw new IllegalArgumentException(
            "TDMR %d %s lists %d reserved areas; TDMR_INFO has %d slots"
                .formatted(i, t, t.reserved().size(), RESERVED_SLOTS));
      }
      int at = i * ENTRY_BYTES;
      buf.putLong(at, t.base());
      buf.putLong(at + 8, t.size());
      putRange(buf, at + 16, t.pamt().oneG());
      putRange(buf, at + 32, t.pamt().twoM());
      putRange(buf, at + 48, t.pamt().fourK());
      for (int j = 0; j < t.reserved().size(); j++) {
        buf.putLong(at + 64 + 16 * j, t.reserved().get(j).offset());
        buf.putLong(at + 72 + 16 * j, t.reserved().get(j).size());
      }
    }
    return buf.array();
  }

  /**
   * The layout held in {@code bytes}; {@code source} names the input in errors.
   *
   * @throws InputException when the length is not a positive multiple of 512
   */
  public static Layout decode(byte[] bytes, String source) throws InputException {
    if (bytes.length == 0 || bytes.length % ENTRY_BYTES != 0) {
      throw new InputException(source, 0,
          "TDMR_INFO binary must be a positive multiple of %d bytes, got %d bytes".formatted(ENTRY_BYTES, bytes.length));
    }
    if (bytes.length / ENTRY_BYTES > LayoutJson.MAX_TDMRS) {
      throw new InputException(source, 0, "TDMR_INFO binary of %d entries; tdmr reads at most %d (the TDX module accepts at most 64)"
          .formatted(bytes.length / ENTRY_BYTES, LayoutJson.MAX_TDMRS));
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    List<Tdmr> tdmrs = new ArrayList<>();
    for (int at = 0; at < bytes.length; at += ENTRY_BYTES) {
      Pamt pamt = new Pamt(range(buf, at + 48), range(buf, at + 32), range(buf, at + 16));
      int used = 0;
      for (int j = 0; j < RESERVED_SLOTS; j++) {
        if (buf.getLong(at + 72 + 16 * j) != 0) {
          used = j + 1;
        }
      }
      List<ReservedArea> reserved = new ArrayList<>();
      for (int j = 0; j < used; j++) {
        reserved.add(new ReservedArea(buf.getLong(at + 64 + 16 * j), buf.getLong(at + 72 + 16 * j)));
      }
      tdmrs.add(new Tdmr(buf.getLong(at), buf.getLong(at + 8), pamt, reserved));
    }
    return new Layout(tdmrs);
  }

  /**
   * The size of the largest TDMR_INFO binary read: {@link LayoutJson#MAX_TDMRS} entries (2 MiB). A
   * larger file is refused by its size before it is read.
   */
  public static final InputBytes.Limit MAX_SIZE = new InputBytes.Limit((long) LayoutJson.MAX_TDMRS * ENTRY_BYTES,
      "a TDMR_INFO binary read here holds at most %d entries of %d bytes (%s); the TDX module accepts at most 64"
          .formatted(LayoutJson.MAX_TDMRS, ENTRY_BYTES, ByteSize.human((long) LayoutJson.MAX_TDMRS * ENTRY_BYTES)));

  /** Reads a TDMR_INFO binary file; one larger than {@link #MAX_SIZE} is refused unread. */
  public static Layout read(Path file) throws InputException {
    return decode(InputBytes.ofFile(file, start -> MAX_SIZE), file.toString());
  }

  /** Writes the layout as a TDMR_INFO binary file. */
  public static void write(Layout layout, Path file) throws IOException {
    Files.write(file, encode(layout));
  }

  private static void putRange(ByteBuffer buf, int at, PamtRange r) {
    buf.putLong(at, r.base());
    buf.putLong(at + 8, r.size());
  }

  private static PamtRange range(ByteBuffer buf, int at) {
    return new PamtRange(buf.getLong(at), buf.getLong(at + 8));
  }
}
