package tdmr.bench.gen;

import tdmr.mem.AddressRange;

/**
 * One ACPI SRAT memory affinity entry as the kernel prints it ({@code ACPI: SRAT: Node 1 PXM 1 [mem
 * 0x1080000000-0x207fffffff]}); {@code hotplug} marks a range that may be populated later.
 */
public record SratEntry(AddressRange range, int node, boolean hotplug) {}
