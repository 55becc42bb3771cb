package tdmr.parse;

import tdmr.mem.AddressRange;

/**
 * A range the log assigns to a NUMA node: a memblock {@code node N: [mem a-b]} line or an
 * {@code SRAT: Node N PXM M [mem a-b]} line, with the 1-based line it came from.
 */
record NodeRange(AddressRange range, int node, int line) {}
