/** Memory as firmware and the kernel report it: address ranges, TDX memory blocks, CMRs, memory maps. */
package tdmr.mem;
