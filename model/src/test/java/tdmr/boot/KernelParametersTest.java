package tdmr.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.E820Entry;

/** memparse and parse_memmap_one as in arch/x86/kernel/e820.c and lib/cmdline.c. */
class KernelParametersTest {
  private static final long K = 1L << 10;
  private static final long M = 1L << 20;
  private static final long G = 1L << 30;

  @Test
  void reservesAPageWithDollar() {
    assertEquals(
        List.of(new MemmapEdit.Add("memmap=4K$0x64158000", new AddressRange(0x64158000L, 0x64159000L), E820Entry.RESERVED)),
        KernelParameters.ofMemmap("4K$0x64158000"));
  }

  @Test
  void commaSeparatedValuesAreParsedInOrderWithTheirSuffixes() {
    // The kernel documentation's example: RAM at 2G, ACPI data at 3G, legacy persistent memory at 1T.
    List<MemmapEdit> edits = KernelParameters.ofMemmap("100M@2G,100M#3G,1G!1024G");
    assertEquals(
        List.of(
            new MemmapEdit.Add("memmap=100M@2G", AddressRange.ofSize(2 * G, 100 * M), E820Entry.RAM),
            new MemmapEdit.Add("memmap=100M#3G", AddressRange.ofSize(3 * G, 100 * M), E820Entry.ACPI),
            new MemmapEdit.Add("memmap=1G!1024G", AddressRange.ofSize(1024 * G, G), E820Entry.PRAM)),
        edits);
  }

  @Test
  void numbersAreDecimalHexOrOctalAsSimpleStrtoullReadsThem() {
    // "010" is octal 8; "16m" is lower-case mega.
    assertEquals(new AddressRange(8 * K, 8 * K + 16 * M),
        ((MemmapEdit.Add) KernelParameters.ofMemmap("16m$010K").get(0)).range());
  }

  @Test
  void memAndBareMemmapRemoveRamAboveTheLimit() {
    MemmapEdit.Remove mem = (MemmapEdit.Remove) KernelParameters.ofCommandLine("mem=4G").get(0);
    assertEquals(4 * G, mem.range().start());
    assertEquals(OptionalInt.of(E820Entry.RAM), mem.type());
    MemmapEdit.Remove bare = (MemmapEdit.Remove) KernelParameters.ofMemmap("2G").get(0);
    assertEquals(2 * G, bare.range().start());
    assertEquals(OptionalInt.of(E820Entry.RAM), bare.type());
  }

  @Test
  void percentFormUpdatesAddsOrRemovesByType() {
    AddressRange r = AddressRange.ofSize(M, 64 * K);
    assertEquals(new MemmapEdit.Update("memmap=64K%0x100000-1+2", r, 1, 2), KernelParameters.ofMemmap("64K%0x100000-1+2").get(0));
    assertEquals(new MemmapEdit.Add("memmap=64K%0x100000+2", r, 2), KernelParameters.ofMemmap("64K%0x100000+2").get(0));
    assertEquals(new MemmapEdit.Remove("memmap=64K%0x100000-1", r, OptionalInt.of(1)), KernelParameters.ofMemmap("64K%0x100000-1").get(0));
    assertEquals(new MemmapEdit.Remove("memmap=64K%0x100000", r, OptionalInt.empty()), KernelParameters.ofMemmap("64K%0x100000").get(0));
  }

  @Test
  void exactmapDropsTheTable() {
    assertEquals(List.of(new MemmapEdit.ExactMap("memmap=exactmap")), KernelParameters.ofMemmap("exactmap"));
  }

  @Test
  void grubEscapedDollarIsRead() {
    assertEquals(KernelParameters.ofMemmap("4K$0x64158000").get(0).describe(),
        KernelParameters.ofMemmap("4K\\$0x64158000").get(0).describe());
  }

  @Test
  void commandLineTakesEveryMemoryParameterBeforeDoubleDash() {
    String cmdline = "BOOT_IMAGE=/vmlinuz-6.8.0 root=/dev/sda1 ro memmap=4K$0x64158000 quiet "
        + "\"memmap=4K$0x6f7ff000\" kvm_intel.tdx=1 -- memmap=1G$0x0";
    List<MemmapEdit> edits = KernelParameters.ofCommandLine(cmdline);
    assertEquals(2, edits.size());
    assertEquals(new AddressRange(0x6f7ff000L, 0x6f800000L), ((MemmapEdit.Add) edits.get(1)).range());
    assertTrue(KernelParameters.has(cmdline, "kvm_intel.tdx", "1"));
    assertTrue(KernelParameters.has("kvm-intel.tdx=1", "kvm_intel.tdx", "1"));
    assertFalse(KernelParameters.has("kvm_intel.tdx=0", "kvm_intel.tdx", "1"));
  }

  @Test
  void badValuesNameTheParameterAndTheProblem() {
    assertMessage("memmap=4X$0x100: unexpected 'X$0x100' after the size", () -> KernelParameters.ofMemmap("4X$0x100"));
    assertMessage("memmap=$0x100: expected SIZE$ADDRESS", () -> KernelParameters.ofMemmap("$0x100"));
    assertMessage("memmap=0$0x1000: size 0 changes nothing", () -> KernelParameters.ofMemmap("0$0x1000"));
    assertMessage("memmap=4K$: no address after '$'", () -> KernelParameters.ofMemmap("4K$"));
    assertMessage("memmap=4K$0x1000zz: unexpected 'zz' at the end", () -> KernelParameters.ofMemmap("4K$0x1000zz"));
    assertMessage("mem=0: not a memory size", () -> KernelParameters.ofCommandLine("mem=0"));
    assertMessage("memmap=1G$0x10000000000000: the range ends beyond 52 bits", () -> KernelParameters.ofMemmap("1G$0x10000000000000"));
    // bash replaced "$0" by its own name: the hint says to quote the value.
    assertMessage("(did the shell expand $0?", () -> KernelParameters.ofMemmap("4Kbashx64158000"));
  }

  private static void assertMessage(String expectedPart, org.junit.jupiter.api.function.Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(expectedPart), () -> "message was: " + e.getMessage());
  }
}
