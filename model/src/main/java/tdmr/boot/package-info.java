/**
 * What the kernel's memory boot parameters ({@code memmap=}, {@code mem=}) do to its memory map:
 * parsed as the kernel parses them, applied to the e820 table as the kernel applies them, and
 * replayed on a {@link tdmr.mem.MemoryMap} so that a proposed fix is checked on what the kernel
 * would see.
 */
package tdmr.boot;
