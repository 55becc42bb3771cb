package tdmr.bench.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import tdmr.mem.AddressRange;
import tdmr.mem.E820Entry;
import tdmr.mem.MemoryBlock;

class DmesgWriterTest {

  @Test
  void linesUseTheKernelFormatsOfTheRealMaps() {
    // Expected lines are copied from real logs in model/src/test/resources/realmaps/:
    // the e820 line from the EMR host (canonical/tdx#135), the SRAT lines from the Dell R650,
    // the CMR line from the EMR host; timestamps are fixed.
    SyntheticMachine m = new SyntheticMachine(
        "handmade", MachineSpec.fragmented(1), 3,
        List.of(new E820Entry(new AddressRange(0x100000L, 0x5d169000L), "usable", 0),
            new E820Entry(new AddressRange(0x5d169000L, 0x5d22b000L), "ACPI data", 0)),
        List.of(new SratEntry(new AddressRange(0, 0x80000000L), 0, false),
            new SratEntry(new AddressRange(0x100000000L, 0x480000000L), 0, false),
            new SratEntry(new AddressRange(0x2100000000L, 0x4100000000L), 0, true)),
        List.of(new AddressRange(0x100000L, 0x6f800000L)),
        List.of(new MemoryBlock(0x100000L, 0x5d169000L, 0)));
    List<String> lines = DmesgWriter.write(m).lines().filter(l -> !l.startsWith("#")).toList();
    assertEquals(List.of(
        "[    0.000000] BIOS-provided physical RAM map:",
        "[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000005d168fff] usable",
        "[    0.000000] BIOS-e820: [mem 0x000000005d169000-0x000000005d22afff] ACPI data",
        "[    0.016434] ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x7fffffff]",
        "[    0.016434] ACPI: SRAT: Node 0 PXM 0 [mem 0x100000000-0x47fffffff]",
        "[    0.016434] ACPI: SRAT: Node 0 PXM 0 [mem 0x2100000000-0x40ffffffff] hotplug",
        "[   10.444059] virt/tdx: CMR: [0x100000, 0x6f800000)"), lines);
  }
}
