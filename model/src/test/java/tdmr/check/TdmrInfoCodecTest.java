package tdmr.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tdmr.check.TwoTdmrMachine.LAYOUT;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tdmr.parse.InputException;
import tdmr.tdx.Layout;
import tdmr.tdx.Pamt;
import tdmr.tdx.PamtRange;
import tdmr.tdx.ReservedArea;
import tdmr.tdx.Tdmr;
import tdmr.tdx.TdxLimits;

class TdmrInfoCodecTest {

  @Test
  void fieldsSitAtTheModulesOffsetsLittleEndian() {
    List<ReservedArea> areas = new ArrayList<>();
    for (int j = 0; j < 16; j++) {
      areas.add(new ReservedArea(0xA0 + j, 0xB0 + j));
    }
    Tdmr t = new Tdmr(0x0102030405060708L, 0x11,
        new Pamt(new PamtRange(0x41, 0x42), new PamtRange(0x21, 0x22), new PamtRange(0x31, 0x32)), areas);
    byte[] b = TdmrInfoCodec.encode(new Layout(List.of(t)));
    assertEquals(512, b.length);
    // TDMR_BASE @0, least significant byte first.
    assertArrayEquals(new byte[] {8, 7, 6, 5, 4, 3, 2, 1}, java.util.Arrays.copyOfRange(b, 0, 8));
    assertEquals(0x11, b[8]); // TDMR_SIZE @8
    assertEquals(0x31, b[16]); // PAMT_1G_BASE @16
    assertEquals(0x32, b[24]); // PAMT_1G_SIZE @24
    assertEquals(0x21, b[32]); // PAMT_2M_BASE @32
    assertEquals(0x22, b[40]); // PAMT_2M_SIZE @40
    assertEquals(0x41, b[48]); // PAMT_4K_BASE @48
    assertEquals(0x42, b[56]); // PAMT_4K_SIZE @56
    for (int j = 0; j < 16; j++) {
      assertEquals(0xA0 + j, b[64 + 16 * j] & 0xFF, "RSVD[" + j + "].OFFSET");
      assertEquals(0xB0 + j, b[72 + 16 * j] & 0xFF, "RSVD[" + j + "].SIZE");
    }
    // Only the low byte of each small field is set.
    int nonZero = 0;
    for (byte x : b) {
      nonZero += x != 0 ? 1 : 0;
    }
    assertEquals(8 + 7 + 32, nonZero);
    for (int k = 320; k < 512; k++) {
      assertEquals(0, b[k], "padding byte " + k);
    }
  }

  @Test
  void twoEntriesAreConsecutive() throws InputException {
    byte[] b = TdmrInfoCodec.encode(LAYOUT);
    assertEquals(1024, b.length);
    // TDMR 1 base 4 GiB = 0x1_0000_0000: byte 4 of entry 1 is 1.
    assertEquals(1, b[512 + 4]);
    assertEquals(LAYOUT, TdmrInfoCodec.decode(b, "x.bin"));
  }

  @Test
  void nullSlotInTheMiddleSurvivesAndTrailingNullsAreDropped() throws InputException {
    Tdmr t = new Tdmr(0, 1L << 30, LAYOUT.tdmrs().get(0).pamt(),
        List.of(new ReservedArea(0, 0x1000), new ReservedArea(0x1234, 0), new ReservedArea(0x5000, 0x1000)));
    assertEquals(new Layout(List.of(t)), TdmrInfoCodec.decode(TdmrInfoCodec.encode(new Layout(List.of(t))), "x"));
    Tdmr trailing = new Tdmr(0, 1L << 30, t.pamt(), List.of(new ReservedArea(0, 0x1000), new ReservedArea(0x9000, 0)));
    Layout decoded = TdmrInfoCodec.decode(TdmrInfoCodec.encode(new Layout(List.of(trailing))), "x");
    assertEquals(List.of(new ReservedArea(0, 0x1000)), decoded.tdmrs().get(0).reserved());
  }

  @Test
  void decodedMiddleNullSlotIsReportedAsC1() throws InputException {
    Tdmr t = new Tdmr(4L << 30, 2L << 30, LAYOUT.tdmrs().get(1).pamt(),
        List.of(new ReservedArea(0, 0), new ReservedArea(0x7F000000L, 0x805000L)));
    Layout decoded = TdmrInfoCodec.decode(TdmrInfoCodec.encode(TwoTdmrMachine.with(1, t)), "x");
    Violation v = new ModuleValidator(TwoTdmrMachine.MAP.cmrs(), TdxLimits.DEFAULT).firstViolation(decoded).orElseThrow();
    // TDX_NON_ORDERED_RESERVED_IN_TDMR, b0 = 1, b1 = 0.
    assertEquals("0xC0000A2100000001", v.hexCode());
  }

  @Test
  void moreThanSixteenAreasCannotBeWritten() {
    List<ReservedArea> areas = Collections.nCopies(17, new ReservedArea(0, 0x1000));
    Tdmr t = new Tdmr(0, 1L << 30, LAYOUT.tdmrs().get(0).pamt(), areas);
    assertThrows(IllegalArgumentException.class, () -> TdmrInfoCodec.encode(new Layout(List.of(t))));
  }

  @Test
  void lengthNotAPositiveMultipleOf512IsBadInput() {
    InputException e = assertThrows(InputException.class, () -> TdmrInfoCodec.decode(new byte[513], "tdmrs.bin"));
    assertEquals("tdmrs.bin", e.file());
    assertTrue(e.getMessage().contains("513 bytes"), e.getMessage());
    assertThrows(InputException.class, () -> TdmrInfoCodec.decode(new byte[0], "empty.bin"));
  }

  @Test
  void theBytesAfterTheSixteenSlotsAreNeverRead() throws InputException {
    // Bytes 320..511 are padding: a non-zero value where a seventeenth slot's size would sit (328) is
    // ignored, as the module ignores it.
    byte[] b = TdmrInfoCodec.encode(new Layout(List.of(new Tdmr(0, 1L << 30, LAYOUT.tdmrs().get(0).pamt(), List.of()))));
    b[328] = 1;
    assertEquals(List.of(), TdmrInfoCodec.decode(b, "x").tdmrs().get(0).reserved());
  }

  @Test
  void tdmrReadsUpTo4096Entries() throws InputException {
    // 4096 entries of 512 bytes (2 MiB) are read; one more is refused before any is decoded.
    assertEquals(4096, TdmrInfoCodec.decode(new byte[4096 * 512], "max.bin").size());
    InputException e = assertThrows(InputException.class, () -> TdmrInfoCodec.decode(new byte[4097 * 512], "big.bin"));
    assertEquals("TDMR_INFO binary of 4097 entries; tdmr reads at most 4096 (the TDX module accepts at most 64)",
        e.problem());
  }

  @Test
  void fileRoundTripKeepsTheVerdict(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("tdmr_info.bin");
    TdmrInfoCodec.write(LAYOUT, file);
    assertEquals(1024, Files.size(file));
    Layout back = TdmrInfoCodec.read(file);
    assertEquals(LAYOUT, back);
    assertTrue(new ModuleValidator(TwoTdmrMachine.MAP.cmrs(), TdxLimits.DEFAULT).accepts(back));
  }

  @Property(tries = 200, seed = "20261203")
  void encodeThenDecodeIsIdentity(@ForAll("layouts") Layout layout) throws InputException {
    assertEquals(layout, TdmrInfoCodec.decode(TdmrInfoCodec.encode(layout), "prop"));
  }

  @Provide
  Arbitrary<Layout> layouts() {
    return RawLayouts.layouts();
  }
}
